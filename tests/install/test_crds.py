"""Every CRD of the install set would be accepted by the API server: the built-in CRD schema of the
Kubernetes version policy-validate uses, and the structural-schema rules (crd_rules.py)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.install.crd_rules import crd_problems
from tests.install.support import default_render, documents, of_kind

KUBERNETES_VERSION = "1.31"  # policy-validate's default


def _rendered_crds() -> list[dict[str, Any]]:
    return of_kind(documents(default_render()), "CustomResourceDefinition")


@pytest.mark.parametrize("crd", _rendered_crds(), ids=lambda crd: crd["metadata"]["name"])
def test_crd_is_a_valid_structural_crd(crd: dict[str, Any]) -> None:
    assert crd_problems(crd) == []


@pytest.mark.parametrize("crd", _rendered_crds(), ids=lambda crd: crd["metadata"]["name"])
def test_crd_validates_against_the_kubernetes_crd_schema(crd: dict[str, Any]) -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate", reason="kubernetes-validate bundles the schemas")
    kubernetes_validate.validate(crd, KUBERNETES_VERSION, strict=True)


# --- the checker finds what the API server would reject --------------------------------------------

VALID: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.org"},
    "spec": {
        "group": "example.org",
        "names": {"kind": "Widget", "listKind": "WidgetList", "plural": "widgets", "singular": "widget"},
        "scope": "Namespaced",
        "versions": [
            {
                "name": "v1alpha1",
                "served": True,
                "storage": True,
                "additionalPrinterColumns": [{"name": "Size", "type": "integer", "jsonPath": ".spec.size"}],
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "metadata": {"type": "object"},
                            "spec": {
                                "type": "object",
                                "required": ["size"],
                                "properties": {
                                    "size": {"type": "integer", "default": 1, "minimum": 0},
                                    "port": {"x-kubernetes-int-or-string": True},
                                    "mode": {"type": "string", "anyOf": [{"enum": ["a"]}, {"enum": ["b"]}]},
                                    "ports": {
                                        "type": "array",
                                        "x-kubernetes-list-type": "map",
                                        "x-kubernetes-list-map-keys": ["name"],
                                        "items": {
                                            "type": "object",
                                            "required": ["name"],
                                            "properties": {"name": {"type": "string"}},
                                        },
                                    },
                                    "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                                },
                            },
                        },
                    }
                },
            }
        ],
    },
}


def _spec_schema(crd: dict[str, Any]) -> dict[str, Any]:
    return crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]


def test_the_valid_example_passes() -> None:
    assert crd_problems(VALID) == []


def _break_type(c: dict[str, Any]) -> None:
    del _spec_schema(c)["properties"]["size"]["type"]


def _break_junctor_field(c: dict[str, Any]) -> None:
    _spec_schema(c)["anyOf"] = [{"properties": {"colour": {"type": "string"}}}]


def _break_junctor_type(c: dict[str, Any]) -> None:
    _spec_schema(c)["properties"]["mode"]["anyOf"][0]["type"] = "string"


def _break_metadata(c: dict[str, Any]) -> None:
    c["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["metadata"] = {
        "type": "object",
        "properties": {"labels": {"type": "object"}},
    }


def _break_name(c: dict[str, Any]) -> None:
    c["metadata"]["name"] = "widget.example.org"


def _break_storage(c: dict[str, Any]) -> None:
    c["spec"]["versions"].append({**copy.deepcopy(c["spec"]["versions"][0]), "name": "v1beta1"})


def _break_ref(c: dict[str, Any]) -> None:
    _spec_schema(c)["properties"]["size"] = {"$ref": "#/definitions/size"}


def _break_int_or_string(c: dict[str, Any]) -> None:
    _spec_schema(c)["properties"]["port"]["type"] = "string"


def _break_map_keys(c: dict[str, Any]) -> None:
    _spec_schema(c)["properties"]["ports"]["items"]["required"] = []


def _break_default(c: dict[str, Any]) -> None:
    _spec_schema(c)["properties"]["size"]["default"] = -1


def _break_required(c: dict[str, Any]) -> None:
    _spec_schema(c)["required"] = ["sise"]


def _break_both_properties(c: dict[str, Any]) -> None:
    _spec_schema(c)["additionalProperties"] = {"type": "string"}


def _break_unique_items(c: dict[str, Any]) -> None:
    _spec_schema(c)["properties"]["ports"]["uniqueItems"] = True


def _break_column(c: dict[str, Any]) -> None:
    c["spec"]["versions"][0]["additionalPrinterColumns"][0]["type"] = "object"


def _break_preserve_false(c: dict[str, Any]) -> None:
    _spec_schema(c)["properties"]["extra"]["x-kubernetes-preserve-unknown-fields"] = False


def _break_array_items(c: dict[str, Any]) -> None:
    del _spec_schema(c)["properties"]["ports"]["items"]


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (_break_type, "spec.properties.size.type: every property and array item needs a type"),
        (_break_junctor_field, "spec.anyOf[0].properties.colour: must also be specified outside"),
        (_break_junctor_type, "mode.anyOf[0].type: not allowed inside allOf/anyOf/oneOf/not"),
        (_break_metadata, "metadata.properties.labels: only name and generateName may be restricted"),
        (_break_name, "metadata.name: 'widget.example.org' must be <spec.names.plural>.<spec.group>"),
        (_break_storage, "exactly one version must have storage: true"),
        (_break_ref, "size.$ref: $ref is not supported"),
        (_break_int_or_string, "port.type: must be empty with x-kubernetes-int-or-string"),
        (_break_map_keys, "'name' must be required or have a default"),
        (_break_default, "size.default: -1 is less than the minimum of 0"),
        (_break_required, "spec.required: 'sise' is not among the properties"),
        (_break_both_properties, "spec: properties and additionalProperties are mutually exclusive"),
        (_break_unique_items, "ports.uniqueItems: must not be true"),
        (_break_column, "additionalPrinterColumns[0].type: 'object' not one of"),
        (_break_preserve_false, "extra.x-kubernetes-preserve-unknown-fields: must be true or absent"),
        (_break_array_items, "ports.items: an array needs an items schema"),
    ],
    ids=lambda value: value.__name__.removeprefix("_break_") if callable(value) else "",
)
def test_the_checker_names_each_violation(breakage: Any, expected: str) -> None:
    crd = copy.deepcopy(VALID)
    breakage(crd)
    problems = crd_problems(crd)
    assert any(expected in problem for problem in problems), problems
