"""The SLOGate and MeasurementJob CRDs are structural (what the API server demands of a v1
CRD), carry their documentation, and accept the seed's shapes where they are sound."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from o2krm.oran import vocabulary as v
from tests.oran.slo_support import (
    MEASUREMENT_JOB_CRD,
    SLOGATE_CRD,
    crd,
    crd_schema,
    schema_errors,
    seed_object,
)

CRD_FILES = [SLOGATE_CRD, MEASUREMENT_JOB_CRD]
TYPES = {"object", "array", "string", "integer", "number", "boolean"}
JUNCTORS = ("allOf", "anyOf", "oneOf", "not")
PRINTER_TYPES = {"integer", "number", "string", "boolean", "date"}


def nodes(schema: dict[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    yield path, schema
    for name, child in schema.get("properties", {}).items():
        yield from nodes(child, f"{path}.{name}")
    if isinstance(schema.get("additionalProperties"), dict):
        yield from nodes(schema["additionalProperties"], f"{path}.*")
    if "items" in schema:
        yield from nodes(schema["items"], f"{path}[]")


@pytest.fixture(params=CRD_FILES, ids=lambda p: p.name)
def crd_path(request: pytest.FixtureRequest) -> Path:
    return request.param


def test_crd_envelope(crd_path: Path) -> None:
    doc = crd(crd_path)
    spec = doc["spec"]
    assert doc["apiVersion"] == "apiextensions.k8s.io/v1"
    assert doc["kind"] == "CustomResourceDefinition"
    assert doc["metadata"]["name"] == f"{spec['names']['plural']}.{spec['group']}"
    assert crd_path.name == f"{spec['group']}_{spec['names']['plural']}.yaml"
    assert spec["scope"] == "Namespaced"
    assert [ver["name"] for ver in spec["versions"] if ver["storage"]] == ["v1alpha1"]
    for column in spec["versions"][0]["additionalPrinterColumns"]:
        assert column["type"] in PRINTER_TYPES and column["jsonPath"].startswith(".")


@pytest.mark.parametrize(
    ("path", "api_version", "kind"),
    [
        (SLOGATE_CRD, v.SLOGATE_API, v.SLOGATE_KIND),
        (MEASUREMENT_JOB_CRD, v.MEASUREMENT_JOB_API, v.MEASUREMENT_JOB_KIND),
    ],
)
def test_crd_serves_the_vocabulary_kind(path: Path, api_version: str, kind: str) -> None:
    spec = crd(path)["spec"]
    assert f"{spec['group']}/{spec['versions'][0]['name']}" == api_version
    assert spec["names"]["kind"] == kind


def test_schema_is_structural(crd_path: Path) -> None:
    """The rules of a structural schema, plus the API server's other checks we can run offline."""
    schema = crd_schema(crd_path)
    jsonschema.Draft4Validator.check_schema(schema)
    assert schema["type"] == "object"
    assert schema["properties"]["metadata"] == {"type": "object"}  # only name restrictions allowed
    for path, node in nodes(schema):
        exempt = node.get("x-kubernetes-int-or-string") or node.get("x-kubernetes-preserve-unknown-fields")
        assert exempt or node.get("type") in TYPES, f"{path}: no type"
        assert "$ref" not in node, path
        assert not any(j in node for j in JUNCTORS), f"{path}: logical junctors need extra care; none used"
        assert not ("properties" in node and "additionalProperties" in node), path
        assert node.get("uniqueItems") is not True, f"{path}: uniqueItems is forbidden"
        if node.get("type") == "array":
            assert "items" in node, f"{path}: array without items"
        if "pattern" in node:
            re.compile(node["pattern"])
        if "enum" in node:
            for value in node["enum"]:
                jsonschema.validate(value, {"type": node["type"]})
        if "default" in node:
            jsonschema.validate(node["default"], node)
        if node.get("x-kubernetes-list-type") == "map":
            keys = node["x-kubernetes-list-map-keys"]
            item = node["items"]
            keyed = [k for k in keys if k in item.get("required", []) or "default" in item["properties"][k]]
            assert keyed == keys, f"{path}: list-map keys must be required or defaulted"
        for rule in node.get("x-kubernetes-validations", []):
            assert rule["rule"] and rule["message"], path


def test_every_field_is_documented(crd_path: Path) -> None:
    undocumented = [
        path
        for path, node in nodes(crd_schema(crd_path))
        if path and not path.endswith((".metadata", "[]", ".*")) and not node.get("description")
    ]
    assert undocumented == []


def test_gate_description_speaks_to_metric_gate_users() -> None:
    text = crd_schema(SLOGATE_CRD)["description"]
    for reference in ("Argo Rollouts", "Flagger", "OpenSLO", "fails closed"):
        assert reference in text


def test_failure_policy_defaults_fail_closed() -> None:
    policy = crd_schema(SLOGATE_CRD)["properties"]["spec"]["properties"]["failurePolicy"]["properties"]
    assert policy["onMissingData"]["default"] == "Fail"
    assert policy["onStaleData"]["default"] == "Fail"
    assert "Pass" not in policy["onMissingData"]["enum"]  # there is no fail-open setting


def test_measurement_job_has_the_o2ims_performance_job_fields() -> None:
    spec = crd_schema(MEASUREMENT_JOB_CRD)["properties"]["spec"]["properties"]
    assert spec["consumerPerformanceJobId"]["type"] == "string"
    assert spec["collectionInterval"]["type"] == "integer"
    assert spec["resourceScopeCriteria"]["additionalProperties"] == {"type": "string"}
    assert spec["measurementSelectionCriteria"]["items"]["additionalProperties"] == {"type": "string"}
    assert spec["state"]["enum"] == ["ACTIVE", "SUSPENDED", "DEPRECATED"]
    status = crd_schema(MEASUREMENT_JOB_CRD)["properties"]["status"]["properties"]
    assert status["status"]["enum"] == ["RUNNING", "FAILED", "DEGRADED", "IDLE", "PENDING_DELETE"]


def test_seed_measurement_job_is_accepted_as_written() -> None:
    assert schema_errors(seed_object(v.MEASUREMENT_JOB_KIND), MEASUREMENT_JOB_CRD) == []


def test_seed_slogate_needs_only_the_request_it_gates() -> None:
    gate = seed_object(v.SLOGATE_KIND)
    assert schema_errors(gate, SLOGATE_CRD) == ["spec: 'provisioningRequestRef' is a required property"]
    fixed = copy.deepcopy(gate)
    fixed["spec"]["provisioningRequestRef"] = {"name": "edge-ran-deployment"}
    assert schema_errors(fixed, SLOGATE_CRD) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("operator", "=<"),
        ("threshold", "10"),
        ("metric", "latency p95"),
    ],
)
def test_slogate_rejects_bad_targets(field: str, value: Any) -> None:
    gate = seed_object(v.SLOGATE_KIND)
    gate = copy.deepcopy(gate)
    gate["spec"]["provisioningRequestRef"] = {"name": "edge-ran-deployment"}
    gate["spec"]["sloTargets"][0][field] = value
    (error,) = schema_errors(gate, SLOGATE_CRD)
    assert error.startswith(f"spec.sloTargets.0.{field}:")


@pytest.mark.parametrize("window", ["5 m", "m5", "5min", "1m1h", ""])
def test_slogate_rejects_non_prometheus_durations(window: str) -> None:
    gate = copy.deepcopy(seed_object(v.SLOGATE_KIND))
    gate["spec"]["provisioningRequestRef"] = {"name": "edge-ran-deployment"}
    gate["spec"]["measurementWindow"] = window
    (error,) = schema_errors(gate, SLOGATE_CRD)
    assert error.startswith("spec.measurementWindow:")
