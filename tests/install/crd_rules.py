"""What the API server checks when a CustomResourceDefinition (apiextensions.k8s.io/v1) is created,
as far as it can be checked offline: names, versions, printer columns and the structural-schema
rules of the openAPIV3Schema ("Specifying a structural schema" in the Kubernetes documentation,
and the v1 restrictions on JSON Schema keywords). ``crd_problems(crd)`` lists every violation as
"<field path>: <what is wrong>"; an empty list means the CRD would be accepted on these counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

TYPES = frozenset({"object", "array", "string", "integer", "number", "boolean"})
COLUMN_TYPES = frozenset({"integer", "number", "string", "boolean", "date"})
JUNCTORS = ("allOf", "anyOf", "oneOf", "not")
# Keywords a v1 CRD schema may not use at all.
FORBIDDEN = {
    "$ref": "$ref is not supported: inline the schema",
    "definitions": "definitions is not supported",
    "$schema": "$schema is not supported",
    "id": "id is not supported",
    "patternProperties": "patternProperties is not supported",
    "additionalItems": "additionalItems is not supported",
    "dependencies": "dependencies is not supported",
}
# Inside allOf/anyOf/oneOf/not a structural schema may only add value validations.
NOT_IN_JUNCTOR = ("type", "description", "default", "additionalProperties", "nullable")
DNS_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
KIND = re.compile(r"^[A-Z][A-Za-z0-9]*$")
INT_OR_STRING_ANY_OF = [{"type": "integer"}, {"type": "string"}]


def crd_problems(crd: Mapping[str, Any]) -> list[str]:
    return list(_crd(crd))


def schema_problems(schema: Mapping[str, Any], path: str = "openAPIV3Schema") -> list[str]:
    return list(_root(schema, path))


def _crd(crd: Mapping[str, Any]) -> Iterator[str]:
    if crd.get("apiVersion") != "apiextensions.k8s.io/v1" or crd.get("kind") != "CustomResourceDefinition":
        yield f"apiVersion/kind: {crd.get('apiVersion')}/{crd.get('kind')} is not apiextensions.k8s.io/v1 CRD"
        return
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    group, plural = spec.get("group", ""), names.get("plural", "")
    name = (crd.get("metadata") or {}).get("name")
    if name != f"{plural}.{group}":
        yield f"metadata.name: {name!r} must be <spec.names.plural>.<spec.group> = {plural}.{group}"
    if not DNS_SUBDOMAIN.match(group) or "." not in group:
        yield f"spec.group: {group!r} must be a DNS subdomain with at least one dot"
    for key in ("plural", "singular"):
        if key in names and not DNS_LABEL.match(str(names[key])):
            yield f"spec.names.{key}: {names[key]!r} must be a lower-case DNS label"
    if not DNS_LABEL.match(plural):
        yield "spec.names.plural: required, a lower-case DNS label"
    for key in ("kind", "listKind"):
        if key in names and not KIND.match(str(names[key])):
            yield f"spec.names.{key}: {names[key]!r} must be a CamelCase kind"
    if "kind" not in names:
        yield "spec.names.kind: required"
    if names.get("listKind") not in (None, f"{names.get('kind')}List"):
        yield f"spec.names.listKind: {names.get('listKind')!r} should be {names.get('kind')}List"
    if spec.get("scope") not in ("Namespaced", "Cluster"):
        yield f"spec.scope: {spec.get('scope')!r} must be Namespaced or Cluster"
    versions = spec.get("versions") or []
    if not versions:
        yield "spec.versions: at least one version is required"
    if sum(1 for v in versions if v.get("storage") is True) != 1:
        yield "spec.versions: exactly one version must have storage: true"
    seen: set[str] = set()
    for i, version in enumerate(versions):
        yield from _version(version, f"spec.versions[{i}]", seen)


def _version(version: Mapping[str, Any], path: str, seen: set[str]) -> Iterator[str]:
    name = str(version.get("name", ""))
    if not DNS_LABEL.match(name):
        yield f"{path}.name: {name!r} must be a DNS label such as v1alpha1"
    if name in seen:
        yield f"{path}.name: version {name} is listed twice"
    seen.add(name)
    if not isinstance(version.get("served"), bool) or not isinstance(version.get("storage"), bool):
        yield f"{path}: served and storage are required booleans"
    for j, column in enumerate(version.get("additionalPrinterColumns") or []):
        if column.get("type") not in COLUMN_TYPES:
            yield f"{path}.additionalPrinterColumns[{j}].type: {column.get('type')!r} not one of {sorted(COLUMN_TYPES)}"
        if not str(column.get("jsonPath", "")).startswith("."):
            yield f"{path}.additionalPrinterColumns[{j}].jsonPath: must start with '.'"
        if not column.get("name"):
            yield f"{path}.additionalPrinterColumns[{j}].name: required"
    schema = (version.get("schema") or {}).get("openAPIV3Schema")
    if not isinstance(schema, Mapping):
        yield f"{path}.schema.openAPIV3Schema: required in apiextensions.k8s.io/v1"
        return
    yield from _root(schema, f"{path}.schema.openAPIV3Schema")


def _root(schema: Mapping[str, Any], path: str) -> Iterator[str]:
    if schema.get("type") != "object":
        yield f"{path}.type: the root must be type: object"
    metadata = (schema.get("properties") or {}).get("metadata")
    if isinstance(metadata, Mapping):
        allowed_keys = {"type", "description", "properties"}
        extra = sorted(set(metadata) - allowed_keys)
        if extra or metadata.get("type") not in (None, "object"):
            yield f"{path}.properties.metadata: only name and generateName may be restricted (found {extra})"
        for key in sorted(set(metadata.get("properties") or {}) - {"name", "generateName"}):
            yield f"{path}.properties.metadata.properties.{key}: only name and generateName may be restricted"
    yield from _node(schema, path, in_junctor=False)


def _node(node: Any, path: str, *, in_junctor: bool) -> Iterator[str]:
    if not isinstance(node, Mapping):
        yield f"{path}: a schema must be an object"
        return
    for key, why in FORBIDDEN.items():
        if key in node:
            yield f"{path}.{key}: {why}"
    int_or_string = node.get("x-kubernetes-int-or-string") is True
    preserve = node.get("x-kubernetes-preserve-unknown-fields")
    if preserve is False:
        yield f"{path}.x-kubernetes-preserve-unknown-fields: must be true or absent"
    kind = node.get("type")
    if in_junctor:
        for key in NOT_IN_JUNCTOR:
            if key in node:
                yield f"{path}.{key}: not allowed inside allOf/anyOf/oneOf/not (structural schema)"
    elif int_or_string:
        if kind is not None:
            yield f"{path}.type: must be empty with x-kubernetes-int-or-string"
        any_of = node.get("anyOf")
        all_of = node.get("allOf")
        if any_of is not None and any_of != INT_OR_STRING_ANY_OF:
            yield f"{path}.anyOf: with x-kubernetes-int-or-string only [integer, string] is allowed"
        if all_of is not None and not (
            isinstance(all_of, list) and all_of and all_of[0].get("anyOf") == INT_OR_STRING_ANY_OF
        ):
            yield f"{path}.allOf: with x-kubernetes-int-or-string must start with anyOf [integer, string]"
    elif kind is None:
        if preserve is not True:
            yield f"{path}.type: every property and array item needs a type (structural schema)"
    elif kind not in TYPES:
        yield f"{path}.type: {kind!r} is not one of {sorted(TYPES)}"
    if node.get("uniqueItems") is True:
        yield f"{path}.uniqueItems: must not be true (quadratic validation cost)"
    properties = node.get("properties")
    additional = node.get("additionalProperties")
    if properties is not None and additional not in (None, True):
        yield f"{path}: properties and additionalProperties are mutually exclusive"
    if node.get("x-kubernetes-embedded-resource") is True and kind != "object":
        yield f"{path}.type: x-kubernetes-embedded-resource needs type: object"
    if not in_junctor:
        if (properties is not None or additional not in (None, True, False)) and kind not in (None, "object"):
            yield f"{path}.type: properties need type: object"
        if "items" in node and kind not in (None, "array"):
            yield f"{path}.type: items need type: array"
        if kind == "array" and "items" not in node:
            yield f"{path}.items: an array needs an items schema (structural schema)"
    for name in node.get("required") or []:
        if properties is not None and name not in properties and preserve is not True:
            yield f"{path}.required: {name!r} is not among the properties, so pruning would drop it"
    yield from _list_type(node, path)
    if "default" in node and not in_junctor:
        yield from _default(node, path)

    for name, child in (properties or {}).items():
        yield from _node(child, f"{path}.properties.{name}", in_junctor=in_junctor)
    if isinstance(additional, Mapping):
        yield from _node(additional, f"{path}.additionalProperties", in_junctor=in_junctor)
    if "items" in node:
        items = node["items"]
        if isinstance(items, list):
            yield f"{path}.items: must be one schema, not a list"
        else:
            yield from _node(items, f"{path}.items", in_junctor=in_junctor)
    for junctor in JUNCTORS:
        if junctor not in node:
            continue
        branches = node[junctor] if junctor != "not" else [node[junctor]]
        for i, branch in enumerate(branches):
            branch_path = f"{path}.{junctor}" + ("" if junctor == "not" else f"[{i}]")
            if int_or_string and not in_junctor and branch in INT_OR_STRING_ANY_OF:
                continue
            if int_or_string and junctor == "allOf" and i == 0:
                continue
            yield from _node(branch, branch_path, in_junctor=True)
            yield from _specified_outside(branch, node, branch_path)


def _specified_outside(branch: Any, outer: Mapping[str, Any], path: str) -> Iterator[str]:
    """Every field and item a junctor branch mentions must also be specified outside the junctors."""
    if not isinstance(branch, Mapping):
        return
    outer_properties = outer.get("properties") or {}
    for name, child in (branch.get("properties") or {}).items():
        if name not in outer_properties:
            yield f"{path}.properties.{name}: must also be specified outside allOf/anyOf/oneOf/not"
        else:
            yield from _specified_outside(child, outer_properties[name], f"{path}.properties.{name}")
    if "items" in branch:
        if "items" not in outer:
            yield f"{path}.items: must also be specified outside allOf/anyOf/oneOf/not"
        else:
            yield from _specified_outside(branch["items"], outer["items"], f"{path}.items")


def _list_type(node: Mapping[str, Any], path: str) -> Iterator[str]:
    list_type = node.get("x-kubernetes-list-type")
    if list_type is None:
        if "x-kubernetes-list-map-keys" in node:
            yield f"{path}.x-kubernetes-list-map-keys: needs x-kubernetes-list-type: map"
        return
    if node.get("type") != "array":
        yield f"{path}.x-kubernetes-list-type: only on arrays"
    if list_type not in ("atomic", "set", "map"):
        yield f"{path}.x-kubernetes-list-type: {list_type!r} is not atomic, set or map"
    if list_type != "map":
        return
    items = node.get("items") or {}
    keys = node.get("x-kubernetes-list-map-keys") or []
    if items.get("type") != "object":
        yield f"{path}.items.type: a map list needs object items"
    if not keys:
        yield f"{path}.x-kubernetes-list-map-keys: required with x-kubernetes-list-type: map"
    item_properties = items.get("properties") or {}
    for key in keys:
        key_schema = item_properties.get(key)
        if key_schema is None:
            yield f"{path}.x-kubernetes-list-map-keys: {key!r} is not a property of the items"
        elif key not in (items.get("required") or []) and "default" not in key_schema:
            yield f"{path}.x-kubernetes-list-map-keys: {key!r} must be required or have a default"


def _default(node: Mapping[str, Any], path: str) -> Iterator[str]:
    from jsonschema import Draft4Validator

    checkable = {k: v for k, v in node.items() if k not in ("default", "properties", "items", *JUNCTORS)}
    for error in Draft4Validator(checkable).iter_errors(node["default"]):
        yield f"{path}.default: {error.message}"
