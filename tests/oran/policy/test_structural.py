"""The compiled schema checks agree with a reference JSON Schema validator and with the API server."""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from o2krm.oran.policy.k8s_schemas import load_builtin_schemas
from o2krm.oran.policy.structural import Errors, SchemaCompiler, render_path
from tests.oran.policy.support import DATA, load_documents

DEPLOYMENT = load_documents(DATA / "good" / "oran-edge-package.yaml")[1]
SERVICE = next(d for d in load_documents(DATA / "good" / "oran-edge-package.yaml") if d["kind"] == "Service")


def compiled_errors(schema: Any, value: Any, definitions: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    errors: Errors = []
    SchemaCompiler(definitions).compile(schema)(value, None, errors)
    return [(render_path(e.path), e.message) for e in errors]


def _null_is_unset(schema: Any) -> Any:
    """A nullable enum also takes null: for the API server a null optional field is an unset one."""
    if isinstance(schema, dict):
        schema = {k: _null_is_unset(v) for k, v in schema.items()}
        if "enum" in schema and "null" in (schema.get("type") or ()):
            schema["enum"] = [*schema["enum"], None]
    elif isinstance(schema, list):
        schema = [_null_is_unset(v) for v in schema]
    return schema


@cache
def reference_validator(kind: str) -> Any:
    """jsonschema over the same bundled definitions, with the API server's reading of two things:
    the oneOfs of IntOrString and Quantity mean anyOf (a null quantity is simply unset), and a
    nullable enum takes null."""
    import jsonschema

    builtins = load_builtin_schemas("1.31")
    definitions = _null_is_unset(json.loads(json.dumps(builtins.compiler._definitions).replace('"oneOf"', '"anyOf"')))
    name = builtins.kinds[GVKS[kind]]
    root = {"$defs": definitions, "$ref": f"#/$defs/{name}"}
    return jsonschema.Draft202012Validator(root)


GVKS = {"Deployment": ("apps", "v1", "Deployment"), "Service": ("", "v1", "Service")}


def builtin_valid(kind: str, resource: dict[str, Any]) -> bool:
    check = load_builtin_schemas("1.31").check_for(*GVKS[kind])
    assert check is not None
    errors: Errors = []
    check(resource, None, errors)
    return not errors


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*prefix, i))
    return found


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=6,
)


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    resource = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(resource) if p]
        target = draw(st.sampled_from(paths))
        parent = resource
        for key in target[:-1]:
            parent = parent[key]
        if isinstance(parent, dict) and draw(st.booleans()):
            parent[draw(st.sampled_from(["name", "image", "replicas", "ports", "labels", "typo", "protocol"]))] = draw(
                json_values
            )
        else:
            parent[target[-1]] = draw(_like(parent[target[-1]]) if draw(st.booleans()) else json_values)
    return resource


def _like(value: Any) -> st.SearchStrategy[Any]:
    """Values of the same JSON type, so that many mutants stay valid and the verdicts are not all 'invalid'."""
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, int):
        return st.integers(0, 70000)
    if isinstance(value, str):
        return st.text(max_size=12)
    return json_values


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(DEPLOYMENT))
def test_deployment_verdict_matches_jsonschema(resource: dict[str, Any]) -> None:
    assert builtin_valid("Deployment", resource) == reference_validator("Deployment").is_valid(resource)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(SERVICE))
def test_service_verdict_matches_jsonschema(resource: dict[str, Any]) -> None:
    assert builtin_valid("Service", resource) == reference_validator("Service").is_valid(resource)


def test_unmutated_builtins_are_valid() -> None:
    assert builtin_valid("Deployment", DEPLOYMENT) and reference_validator("Deployment").is_valid(DEPLOYMENT)


# --- CRD (structural schema) semantics -----------------------------------------------------------


def test_undeclared_fields_are_errors_unless_preserved() -> None:
    schema = {
        "type": "object",
        "properties": {"spec": {"type": "object", "properties": {"a": {"type": "string"}}}},
    }
    assert compiled_errors(schema, {"spec": {"a": "x", "b": 1}}) == [("spec.b", "unknown field 'b'; allowed: a")]
    schema["properties"]["spec"]["x-kubernetes-preserve-unknown-fields"] = True
    assert compiled_errors(schema, {"spec": {"a": "x", "b": 1}}) == []


def test_maps_bare_objects_and_int_or_string() -> None:
    schema = {
        "type": "object",
        "properties": {
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "anything": {"type": "object"},
            "port": {"x-kubernetes-int-or-string": True},
        },
    }
    assert compiled_errors(schema, {"labels": {"a": "b"}, "anything": {"x": [1]}, "port": "http"}) == []
    assert compiled_errors(schema, {"labels": {"a": 1}, "port": 1.5}) == [
        ("labels.a", "must be of type string, got integer 1"),
        ("port", "must be of type integer or string, got number 1.5"),
    ]


def test_nullable_and_bounds_in_both_openapi_forms() -> None:
    schema = {
        "type": "object",
        "properties": {
            "n": {"type": "integer", "nullable": True, "minimum": 1, "maximum": 10, "exclusiveMaximum": True},
            "m": {"type": "number", "exclusiveMinimum": 0},
        },
    }
    assert compiled_errors(schema, {"n": None, "m": 0.5}) == []
    assert compiled_errors(schema, {"n": 10, "m": 0}) == [
        ("n", "must be less than 10; got 10"),
        ("m", "must be greater than 0; got 0"),
    ]


def test_strings_arrays_and_combinators() -> None:
    schema = {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 5},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1, "uniqueItems": True},
            "mode": {"type": "string", "enum": ["a", "b"]},
            "either": {"anyOf": [{"type": "integer"}, {"type": "string", "minLength": 3}]},
            "never": {"not": {"type": "string"}},
        },
    }
    assert compiled_errors(schema, {"name": "abc", "tags": ["x"], "mode": "a", "either": "abc", "never": 1}) == []
    assert sorted(compiled_errors(schema, {"tags": ["x", "x"], "mode": "c", "either": "ab", "never": "s"})) == [
        ("either", "does not match any of the allowed forms"),
        ("mode", "must be one of 'a', 'b'; got 'c'"),
        ("name", "required field 'name' is missing"),
        ("never", "matches a form that is not allowed (not)"),
        ("tags", "items must be unique; 'x' repeats"),
    ]
    assert compiled_errors(schema, {"name": "ABCDEF"}) == [
        ("name", "must be at most 5 characters long"),
        ("name", "must match the pattern '^[a-z]+$'; got 'ABCDEF'"),
    ]


def test_recursive_references_compile_lazily() -> None:
    definitions = {
        "Node": {"type": "object", "properties": {"child": {"$ref": "#/$defs/Node"}, "v": {"type": "integer"}}}
    }
    schema = {"$ref": "#/$defs/Node"}
    assert compiled_errors(schema, {"child": {"child": {"v": 1}}}, definitions) == []
    assert compiled_errors(schema, {"child": {"child": {"v": "x"}}}, definitions) == [
        ("child.child.v", "must be of type integer, got string 'x'")
    ]


def test_yaml_timestamps_and_integral_floats_read_as_json_does() -> None:
    import datetime

    schema = {"type": "object", "properties": {"t": {"type": "string"}, "i": {"type": "integer"}}}
    assert compiled_errors(schema, {"t": datetime.datetime(2024, 1, 1), "i": 3.0}) == []
    assert compiled_errors(schema, {"i": True}) == [("i", "must be of type integer, got boolean True")]


@pytest.mark.parametrize(
    ("key", "rendered"),
    [("o2krm.io/site", 'metadata.labels["o2krm.io/site"]'), ("app", "metadata.labels.app")],
)
def test_field_paths_quote_keys_with_dots(key: str, rendered: str) -> None:
    assert render_path((((None, "metadata"), "labels"), key)) == rendered
