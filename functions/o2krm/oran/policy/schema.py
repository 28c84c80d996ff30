"""Schema: every resource against its schema, CRD-defined kinds first, then Kubernetes built-ins.

CRDs come from the caller (the package's own, the project's crds/, the bundled specs); when two
define the same group, version and kind, the first one wins. Metadata of custom resources is
checked as the API server checks it, against ObjectMeta, whatever the CRD says about it.
A kind with no schema is ``schema.unknown-kind``, except for local-config resources (never applied
to a cluster) and the schemaless apiVersions of the config (kpt's own kinds by default).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from o2krm.oran import vocabulary as v
from o2krm.oran.policy.config import PolicyConfig
from o2krm.oran.policy.k8s_schemas import OBJECT_META, BuiltinSchemas, load_builtin_schemas
from o2krm.oran.policy.package import Item, Package, Violation
from o2krm.oran.policy.structural import Check, Errors, SchemaCompiler, render_path

GVK = tuple[str, str, str]
MAX_ERRORS_PER_RESOURCE = 20


@dataclass
class CrdCatalog:
    """Custom resource schemas by (group, version, kind), compiled on first use."""

    schemas: dict[GVK, tuple[Mapping[str, Any], str]] = field(default_factory=dict)  # schema, CRD name
    _compiled: dict[GVK, Check] = field(default_factory=dict)

    @classmethod
    def from_documents(cls, crds: Iterable[Mapping[str, Any]]) -> CrdCatalog:
        catalog = cls()
        for crd in crds:
            if not isinstance(crd, Mapping) or crd.get("kind") != "CustomResourceDefinition":
                continue
            spec = crd.get("spec") if isinstance(crd.get("spec"), Mapping) else {}
            group, kind = spec.get("group"), (spec.get("names") or {}).get("kind")
            name = str((crd.get("metadata") or {}).get("name", ""))
            for version, schema in _version_schemas(spec):
                if isinstance(schema, Mapping) and isinstance(group, str) and isinstance(kind, str):
                    catalog.schemas.setdefault((group, version, kind), (schema, name))
        return catalog

    def check_for(self, gvk: GVK, compiler: SchemaCompiler) -> Check | None:
        check = self._compiled.get(gvk)
        if check is None and gvk in self.schemas:
            schema, _ = self.schemas[gvk]
            check = self._compiled[gvk] = compiler.compile(_as_resource_schema(schema))
        return check


def _version_schemas(spec: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """(version, openAPIV3Schema) of a CRD: per version (v1), or one for all versions (v1beta1)."""
    shared = (spec.get("validation") or {}).get("openAPIV3Schema")
    versions = [v for v in spec.get("versions") or () if isinstance(v, Mapping)]
    if not versions and spec.get("version"):
        versions = [{"name": spec["version"]}]
    for version in versions:
        schema = (version.get("schema") or {}).get("openAPIV3Schema") or shared
        yield str(version.get("name")), schema


def _as_resource_schema(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """The CRD schema with apiVersion, kind and metadata checked as the API server checks them."""
    properties = dict(schema.get("properties") or {})
    properties["apiVersion"] = {"type": "string"}
    properties["kind"] = {"type": "string"}
    properties["metadata"] = {"$ref": f"#/$defs/{OBJECT_META}"}
    return {**schema, "type": "object", "properties": properties}


def check(package: Package, config: PolicyConfig, crds: CrdCatalog) -> Iterator[Violation]:
    builtins: BuiltinSchemas | None = None
    for item in package.items:
        missing = _missing_identity(item)
        if missing:
            yield Violation(
                item.index,
                "schema.not-krm",
                f"resource has no {missing}; every KRM resource needs apiVersion, kind and metadata.name",
                missing,
            )
            continue
        if builtins is None:
            builtins = load_builtin_schemas(config.kubernetes_version)
        gvk = (item.group, item.version, item.kind)
        try:
            schema_check = crds.check_for(gvk, builtins.compiler) or builtins.check_for(*gvk)
        except ValueError as error:  # a CRD schema this validator cannot read
            yield Violation(item.index, "schema.invalid", f"the schema of {item.kind} is unusable: {error}", "kind")
            continue
        if schema_check is None:
            if not _needs_schema(item, config):
                continue
            yield Violation(
                item.index,
                "schema.unknown-kind",
                f"no schema for {item.api_version} {item.kind}: not a Kubernetes {builtins.version} "
                "built-in and no CRD given defines it; add its CRD to the package, or list the apiVersion "
                "in schemalessApiVersions if it is never applied",
                "apiVersion",
                item.api_version,
            )
            continue
        errors: Errors = []
        schema_check(item.body, None, errors)
        yield from _violations(item, errors)


def _missing_identity(item: Item) -> str | None:
    if not item.api_version:
        return "apiVersion"
    if not item.kind:
        return "kind"
    if not item.name:
        return "metadata.name"
    return None


def _needs_schema(item: Item, config: PolicyConfig) -> bool:
    return item.annotations.get(v.LOCAL_CONFIG) != "true" and not config.is_schemaless(item.api_version)


def _violations(item: Item, errors: Errors) -> Iterator[Violation]:
    rendered = sorted({(render_path(e.path), e.message) for e in errors})
    for field_path, message in rendered[:MAX_ERRORS_PER_RESOURCE]:
        yield Violation(item.index, "schema.invalid", f"{field_path or 'resource'}: {message}", field_path or None)
    if len(rendered) > MAX_ERRORS_PER_RESOURCE:
        yield Violation(
            item.index,
            "schema.invalid",
            f"... and {len(rendered) - MAX_ERRORS_PER_RESOURCE} more schema errors in this resource",
            None,
        )
