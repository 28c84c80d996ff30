"""A kpt package on disk <-> a ResourceList, the way kpt reads and writes it."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from o2krm.sdk import yamlio
from o2krm.tools import pipeline
from o2krm.tools.pipeline import from_resource_list, split_documents

__all__ = ["from_resource_list", "package_files", "resources", "split_documents", "to_resource_list", "unified_diff"]


def package_files(root: Path) -> dict[str, str]:
    """Every YAML file of the package (relative path -> text), Kptfile included when there is one."""
    return pipeline.read_package(root, require_kptfile=False)


def to_resource_list(files: dict[str, str], *, include_kptfile: bool, config: dict[str, Any] | None) -> str:
    """The ResourceList kpt would send: items with path/index annotations, in file order."""
    kept = {path: text for path, text in files.items() if include_kptfile or not path.endswith("Kptfile")}
    text = pipeline.to_resource_list(kept)
    return text + (yamlio.dump({"functionConfig": config}) if config is not None else "")


def unified_diff(before: dict[str, str], after: dict[str, str]) -> str:
    chunks: list[str] = []
    for path in sorted(set(before) | set(after)):
        old, new = before.get(path), after.get(path)
        if old == new:
            continue
        chunks.extend(
            difflib.unified_diff(
                (old or "").splitlines(keepends=True),
                (new or "").splitlines(keepends=True),
                fromfile=f"a/{path}" if old is not None else "/dev/null",
                tofile=f"b/{path}" if new is not None else "/dev/null",
            )
        )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in chunks)


def resources(files: dict[str, str]) -> list[dict[str, Any]]:
    """All resources of a set of files, orchestrator annotations removed, sorted by identity."""
    out = []
    for text in files.values():
        for doc in split_documents(text):
            out.append(normalise(yamlio.load(doc)))
    return sorted(out, key=identity)


def normalise(resource: dict[str, Any]) -> dict[str, Any]:
    meta = resource.get("metadata") or {}
    annotations = {
        k: v
        for k, v in (meta.get("annotations") or {}).items()
        if not k.startswith(("config.kubernetes.io/", "internal.config.kubernetes.io/", "config.k8s.io/"))
        or k == "config.kubernetes.io/local-config"
    }
    meta = {k: v for k, v in meta.items() if k != "annotations"}
    if annotations:
        meta["annotations"] = annotations
    return {**resource, "metadata": meta}


def identity(resource: dict[str, Any]) -> tuple[str, str, str, str]:
    meta = resource.get("metadata") or {}
    return (
        str(resource.get("apiVersion")),
        str(resource.get("kind")),
        str(meta.get("namespace") or ""),
        str(meta.get("name")),
    )
