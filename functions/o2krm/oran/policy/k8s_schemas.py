"""Kubernetes built-in schemas, from the set the kubernetes-validate package bundles (no network).

That package ships, per Kubernetes minor version, a strict JSON Schema set (unknown fields rejected)
whose ``_definitions.json`` holds every API type with its group-version-kind. We read those files
directly instead of importing the package: its import pulls in jsonschema and costs ~90 ms, while
one definitions file loads in ~10 ms and the checks compiled from it are much faster to run.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from o2krm.oran.findings import DomainError, Finding
from o2krm.oran.policy.structural import Check, SchemaCompiler

_PACKAGE = "kubernetes_validate"
_STRICT_DIR = re.compile(r"^v(\d+)\.(\d+)\.\d+-local-strict$")
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"


@dataclass
class BuiltinSchemas:
    """The schemas of one Kubernetes version, compiled on demand and kept for the process."""

    version: str  # the bundled version actually used, e.g. "1.31"
    compiler: SchemaCompiler
    kinds: dict[tuple[str, str, str], str]  # (group, version, kind) -> definition name

    def check_for(self, group: str, version: str, kind: str) -> Check | None:
        name = self.kinds.get((group, version, kind))
        return None if name is None else self.compiler.definition(name)

    def object_meta(self) -> Check:
        return self.compiler.definition(OBJECT_META)


def _schema_root() -> Path:
    spec = find_spec(_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise DomainError(
            Finding(
                "the kubernetes-validate package is not installed; it provides the Kubernetes schemas",
                field="kubernetesVersion",
            )
        )
    return Path(next(iter(spec.submodule_search_locations))) / "kubernetes-json-schema"


@cache
def bundled_versions() -> tuple[tuple[int, int], ...]:
    found = (_STRICT_DIR.match(entry.name) for entry in _schema_root().iterdir())
    return tuple(sorted((int(m[1]), int(m[2])) for m in found if m))


def resolve_version(requested: str) -> tuple[int, int]:
    """The newest bundled minor version not above the requested one."""
    major, minor = (int(part) for part in requested.lstrip("v").split(".")[:2])
    candidates = [v for v in bundled_versions() if v <= (major, minor)]
    if not candidates:
        available = ", ".join(f"{a}.{b}" for a, b in bundled_versions())
        raise DomainError(
            Finding(
                f"no Kubernetes schemas bundled for version {requested}; available: {available}",
                field="kubernetesVersion",
                current=requested,
                proposed=available.split(", ")[-1] if available else None,
            )
        )
    return candidates[-1]


@cache
def load_builtin_schemas(requested_version: str) -> BuiltinSchemas:
    major, minor = resolve_version(requested_version)
    directory = _schema_root() / f"v{major}.{minor}.0-local-strict"
    with open(directory / "_definitions.json", "rb") as handle:
        definitions: dict[str, Any] = json.load(handle)["$defs"]
    kinds: dict[tuple[str, str, str], str] = {}
    for name, definition in definitions.items():
        gvks = definition.get("x-kubernetes-group-version-kind") or ()
        if len(gvks) != 1:  # meta types such as DeleteOptions are listed under every group
            continue
        gvk = gvks[0]
        kinds[(gvk.get("group", ""), gvk.get("version", ""), gvk.get("kind", ""))] = name
    return BuiltinSchemas(f"{major}.{minor}", SchemaCompiler(definitions), kinds)
