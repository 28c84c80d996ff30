"""A kpt package on disk <-> a ResourceList, the way kpt reads and writes it."""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any

from o2krm.sdk import yamlio
from o2krm.sdk.kubeobject import (
    INDEX_ANNOTATION,
    LEGACY_INDEX_ANNOTATION,
    LEGACY_PATH_ANNOTATION,
    PATH_ANNOTATION,
)

SKIP_DIRS = {".expected", ".git"}
ORCHESTRATOR_ANNOTATIONS = (PATH_ANNOTATION, INDEX_ANNOTATION, LEGACY_PATH_ANNOTATION, LEGACY_INDEX_ANNOTATION)


def package_files(root: Path) -> dict[str, str]:
    """Every YAML file of the package (relative path -> text), Kptfile included."""
    files: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            if name.endswith((".yaml", ".yml")) or name == "Kptfile":
                path = Path(dirpath, name)
                files[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
    return files


def split_documents(text: str) -> list[str]:
    docs: list[str] = []
    current: list[str] = []
    for line in text.splitlines(keepends=True):
        if line.rstrip() == "---":
            docs.append("".join(current))
            current = []
        else:
            current.append(line)
    docs.append("".join(current))
    return [d for d in docs if any(x.strip() and not x.lstrip().startswith("#") for x in d.splitlines())]


def to_resource_list(files: dict[str, str], *, include_kptfile: bool, config: dict[str, Any] | None) -> str:
    """The ResourceList kpt would send: items with path/index annotations, in file order."""
    items: list[str] = []
    for path, text in files.items():
        if path.endswith("Kptfile") and not include_kptfile:
            continue
        for index, doc in enumerate(split_documents(text)):
            items.append(_annotate(doc, path, index))
    out = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"
    out += "items:\n" + "".join(items) if items else "items: []\n"
    if config is not None:
        out += yamlio.dump({"functionConfig": config})
    return out


def _annotate(doc: str, path: str, index: int) -> str:
    data = yamlio.load(doc)
    annotations = {
        LEGACY_INDEX_ANNOTATION: str(index),
        LEGACY_PATH_ANNOTATION: path,
        INDEX_ANNOTATION: str(index),
        PATH_ANNOTATION: path,
    }
    # Insert the annotations as text so the rest of the document keeps its formatting,
    # by round-tripping through the SDK's own patcher.
    node = yamlio.compose(doc)
    new = yamlio.construct(doc, node)
    meta = new.setdefault("metadata", {})
    meta.setdefault("annotations", {}).update(annotations)
    from o2krm.sdk.patch import patch_text

    text = patch_text(doc, node, data, new)
    lines = text.splitlines(keepends=True)
    return "- " + lines[0] + "".join("  " + line if line.strip() else line for line in lines[1:])


def from_resource_list(text: str) -> dict[str, str]:
    """Write the output items back to files (what kpt does), dropping orchestrator annotations."""
    from o2krm.sdk.resourcelist import ResourceList

    rl = ResourceList.parse(text)
    by_file: dict[str, list[tuple[int, str]]] = {}
    for obj in rl.items:
        path = obj.path
        if not path:
            raise AssertionError(f"{obj.describe()} has no path annotation")
        index = obj.index
        for key in ORCHESTRATOR_ANNOTATIONS:
            obj.remove_annotation(key)
        by_file.setdefault(path, []).append((index, obj.to_text(None)))
    return {path: "---\n".join(t for _, t in sorted(docs)) for path, docs in sorted(by_file.items())}


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
