"""Blueprints: the kpt packages an intent is rendered into (``packages/edge-ran`` and its kind).

A blueprint is a package whose Kptfile pipeline turns a TMF921 intent into a deployable package.
For an intent, the gateway takes the blueprint's own inputs (Kptfile, site and template catalogs,
anything else a person wrote), leaves out its example intent and everything the pipeline
generated from it, puts the intent in as ``intent.yaml`` and names the package after the intent.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from o2krm.oran import vocabulary as v
from o2krm.sdk import yamlio
from o2krm.tools import pipeline

INTENT_FILE = "intent.yaml"
_TMF921_GROUP = v.TMF921_SEED_API.partition("/")[0]


@dataclass(frozen=True)
class Blueprint:
    name: str
    description: str
    files: Mapping[str, str]  # its inputs: no example intent, nothing generated

    def package_for(self, package: str, intent: Mapping[str, Any]) -> dict[str, str]:
        """The package to render for ``intent`` (a TMF921 intent resource), named ``package``."""
        files = dict(self.files)
        files[pipeline.KPTFILE] = _renamed_kptfile(self.files[pipeline.KPTFILE], package)
        files[INTENT_FILE] = yamlio.dump(dict(intent))
        return dict(sorted(files.items()))

    def empty_package(self, package: str) -> dict[str, str]:
        """The package without any intent: what a deleted intent's last revision holds."""
        files = dict(self.files)
        files[pipeline.KPTFILE] = _renamed_kptfile(self.files[pipeline.KPTFILE], package)
        return dict(sorted(files.items()))


class BlueprintCatalog:
    """The blueprints under a directory: every sub-directory with a Kptfile, loaded on first use."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._loaded: dict[str, Blueprint] = {}
        self._lock = threading.Lock()

    def names(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(p.parent.name for p in self.directory.glob(f"*/{pipeline.KPTFILE}"))

    def get(self, name: str) -> Blueprint | None:
        with self._lock:
            if name in self._loaded:
                return self._loaded[name]
            if name not in self.names():
                return None
            blueprint = load_blueprint(self.directory / name)
            self._loaded[name] = blueprint
            return blueprint


def load_blueprint(root: Path) -> Blueprint:
    files = pipeline.read_package(root)
    inputs: dict[str, str] = {}
    for path, text in files.items():
        kept = [doc for doc in pipeline.split_documents(text) if not _generated_or_intent(yamlio.load(doc))]
        if len(kept) == len(pipeline.split_documents(text)):
            inputs[path] = text  # untouched: keep comments and layout exactly
        elif kept:
            inputs[path] = "---\n".join(kept)
    if pipeline.KPTFILE not in inputs:
        raise pipeline.PipelineError(f"{root}: the Kptfile is missing")
    kptfile = yamlio.load(inputs[pipeline.KPTFILE]) or {}
    description = str((kptfile.get("info") or {}).get("description") or "")
    return Blueprint(root.name, description, inputs)


def _generated_or_intent(resource: Any) -> bool:
    if not isinstance(resource, dict):
        return False
    annotations = (resource.get("metadata") or {}).get("annotations") or {}
    if v.ANN_OWNED_BY in annotations:
        return True
    group = str(resource.get("apiVersion") or "").partition("/")[0]
    return group == _TMF921_GROUP and resource.get("kind") == v.TMF921_KIND


def _renamed_kptfile(text: str, name: str) -> str:
    """The Kptfile with ``metadata.name`` set to ``name``; the rest of its text unchanged."""
    from o2krm.sdk.patch import patch_text

    node = yamlio.compose(text)
    original = yamlio.construct(text, node)
    changed = yamlio.construct(text, node)
    changed.setdefault("metadata", {})["name"] = name
    return patch_text(text, node, original, changed)
