"""The engine: deterministic order, config-level findings, the 28.312 hook, defensive reading,
and the pipeline's own outputs passing the validator."""

from __future__ import annotations

import copy
from typing import Any

from o2krm.oran import vocabulary as v
from o2krm.oran.findings import Finding
from o2krm.oran.policy import PolicyConfig, validate
from tests.oran.policy.support import DATA, crd_catalog, load_documents

EDGE = load_documents(DATA / "good" / "oran-edge-package.yaml")


def findings(resources: list[Any], **kwargs: Any) -> list[tuple[int | None, str | None, str | None]]:
    return [(i, f.rule, f.field) for i, f in validate(resources, PolicyConfig(), crd_catalog(), **kwargs)]


def test_order_is_by_resource_then_field_whatever_the_input_order() -> None:
    bad = load_documents(DATA / "bad" / "pss.restricted.privilege-escalation.yaml")
    workload = copy.deepcopy(bad[0])
    workload["spec"]["template"]["spec"]["containers"][0]["image"] = "du:latest"
    workload["spec"]["replicas"] = "one"
    first = validate([workload, bad[1]], PolicyConfig(), crd_catalog())
    assert [f.field for _, f in first] == sorted(f.field or "" for _, f in first)
    assert first == validate([workload, bad[1]], PolicyConfig(), crd_catalog())


def test_of_two_colliding_requests_the_later_in_the_package_is_reported() -> None:
    bad = load_documents(DATA / "bad" / "consistency.vlan-overlap.yaml")
    requests = [r for r in bad if r["kind"] == v.PR_KIND]
    for order in (requests, requests[::-1]):
        ((index, finding),) = validate(
            order,
            PolicyConfig(severity={"consistency.missing-slogate": "off", "consistency.missing-measurementjob": "off"}),
            crd_catalog(),
        )
        assert (index, finding.rule) == (1, "consistency.vlan-overlap")
        assert order[0]["metadata"]["name"] in finding.message


def test_items_that_are_not_objects_are_reported_not_crashed_on() -> None:
    assert findings(["just text", None, 3]) == [
        (0, "schema.not-krm", "apiVersion"),
        (1, "schema.not-krm", "apiVersion"),
        (2, "schema.not-krm", "apiVersion"),
    ]


def test_malformed_fields_do_not_crash_any_rule_family() -> None:
    weird: list[Any] = [
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": 3}, "spec": []},
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": "nginx", "volumes": [1]}},
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": {"name": "r"},
            "rules": [None, {"verbs": 1}],
        },
        {"apiVersion": v.PR_API, "kind": v.PR_KIND, "metadata": {"name": "x"}, "spec": {"templateParameters": []}},
        {
            "apiVersion": v.SLOGATE_API,
            "kind": v.SLOGATE_KIND,
            "metadata": {"name": "g"},
            "spec": {"sloTargets": [None]},
        },
        {
            "apiVersion": v.INTENT_3GPP_API,
            "kind": "Intent",
            "metadata": {"name": "i"},
            "spec": {"intentExpectations": 5},
        },
    ]
    result = validate(weird, PolicyConfig(), crd_catalog(), intent_validator=lambda: None)
    assert {f.rule for _, f in result} >= {"schema.invalid"}
    assert all(f.message for _, f in result)


def test_an_injected_intent_validator_maps_onto_intent_invalid() -> None:
    def validator(spec: Any) -> list[Finding]:
        return [Finding("spec.id: missing", field="spec.id"), Finding("a remark", severity="info", field="spec")]

    found = findings(EDGE, intent_validator=lambda: validator)
    intent_index = next(i for i, r in enumerate(EDGE) if r["kind"] == "Intent")
    assert found == [(intent_index, "consistency.intent-invalid", "spec.id")]


def test_intents_are_never_skipped_silently_when_the_schema_is_unavailable() -> None:
    intent_index = next(i for i, r in enumerate(EDGE) if r["kind"] == "Intent")
    result = validate(EDGE, PolicyConfig(), crd_catalog(), intent_validator=lambda: None)
    assert [(i, f.rule, f.severity) for i, f in result] == [(intent_index, "consistency.intent-unchecked", "info")]
    assert "O2KRM_SPECS_DIR" in result[0][1].message


def test_no_intents_no_validator_call() -> None:
    def explode() -> None:
        raise AssertionError("the validator provider is called only when intents are present")

    assert findings([EDGE[0]], intent_validator=explode) == []


def test_the_project_crds_of_crds_dir_are_used() -> None:
    gate = copy.deepcopy(next(r for r in EDGE if r["kind"] == v.SLOGATE_KIND))
    gate["spec"]["minSampleCount"] = 0
    assert ("schema.invalid", "spec.minSampleCount") in [
        (f.rule, f.field) for _, f in validate([gate], PolicyConfig(), crd_catalog())
    ]


def test_custom_resource_metadata_is_checked_as_object_meta() -> None:
    pr = copy.deepcopy(next(r for r in EDGE if r["kind"] == v.PR_KIND))
    pr["metadata"]["labels"]["replicas"] = 3
    pr["metadata"]["owner"] = "me"
    got = [(f.rule, f.field) for i, f in validate([pr], PolicyConfig(), crd_catalog()) if f.rule == "schema.invalid"]
    assert got == [("schema.invalid", "metadata.labels.replicas"), ("schema.invalid", "metadata.owner")]


def test_local_config_kinds_without_schema_are_not_unknown() -> None:
    catalog = {
        "apiVersion": "example.com/v1",
        "kind": "SiteList",
        "metadata": {"name": "sites", "annotations": {v.LOCAL_CONFIG: "true"}},
    }
    kptfile = {"apiVersion": "kpt.dev/v1", "kind": "Kptfile", "metadata": {"name": "pkg"}}
    assert findings([catalog, kptfile]) == []


def test_slo_gate_inject_output_passes() -> None:
    """What slo-gate-inject generates from the seed-like intent and a request passes the validator."""
    from o2krm.oran.intent_view import IntentView
    from o2krm.oran.slo.plan import plan_gate

    intent = copy.deepcopy(next(r for r in EDGE if r["kind"] == "Intent"))
    request = copy.deepcopy(next(r for r in EDGE if r["kind"] == v.PR_KIND))
    gate, job, _ = plan_gate(IntentView.from_spec(intent["spec"], default_id=intent["metadata"]["name"]), request)
    assert gate is not None and job is not None
    assert findings([intent, request, gate, job]) == []
    # and the validator notices when the intent moves on without the gate
    intent["spec"]["intentExpectations"][0]["expectationTargets"][0]["targetValueRange"] = 5
    assert ("consistency.threshold-mismatch", "spec.sloTargets[0].threshold") in [
        (rule, field) for _, rule, field in findings([intent, request, gate, job])
    ]


def test_v1beta1_crds_with_one_schema_for_all_versions() -> None:
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1beta1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "version": "v1",
            "names": {"kind": "Widget"},
            "validation": {
                "openAPIV3Schema": {
                    "type": "object",
                    "properties": {"spec": {"type": "object", "properties": {"size": {"type": "integer"}}}},
                }
            },
        },
    }
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": "big"}}
    assert [(i, f.rule, f.field) for i, f in validate([widget], PolicyConfig(), [crd])] == [
        (0, "schema.invalid", "spec.size")
    ]
