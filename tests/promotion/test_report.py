"""IntentReports updated from gate verdicts: TS 28.312-valid, with the measured values and reasons."""

from __future__ import annotations

from typing import Any

import pytest

from o2krm.oran.ts28312 import schema
from o2krm.promotion.gates import read_gate
from o2krm.promotion.report import apply_results, degrade, rfc3339
from o2krm.promotion.report_files import patched
from o2krm.promotion.verdict import GateResult, Series, evaluate_gate

from .conftest import EDGE_RAN, at_site, edge_ran_gate, load
from .test_verdict import AT, gate, good, series

REPORT = load(EDGE_RAN / "intentreport_deploy-edge-ran.yaml")


def failing() -> GateResult:
    measured = {"latency_p95_ms": series(*[24.25] * 11), "throughput_mbps": series(*[1200.0] * 11)}
    return evaluate_gate(gate(), measured, AT)


def assert_valid(spec: dict[str, Any]) -> None:
    if not schema.available():
        pytest.skip("the 3GPP Rel-18 OpenAPI documents are not in the specs directory")
    assert schema.validate_report_spec(spec) == []


def test_a_failed_gate_degrades_target_expectation_and_intent() -> None:
    spec = apply_results(REPORT["spec"], [failing()], at=AT, context="rolled back from edge-ran/v2")
    assert_valid(spec)
    report = spec["intentFulfilmentReport"]
    reason = "latency_p95_ms at edge-us-west-1: measured 24.25 ms, required < 10 ms (broken at 11 of 11 evaluations)"
    assert report["intentFulfilmentInfo"] == {
        "fulfilmentStatus": "NOT_FULFILLED",
        "notFullfilledState": "DEGRADED",
        "notFulfilledReasons": [reason, "rolled back from edge-ran/v2"],
    }
    exp1, exp2 = report["expectationFulfilmentResult"]
    assert exp1 == REPORT["spec"]["intentFulfilmentReport"]["expectationFulfilmentResult"][0]  # unchanged
    assert exp2["expectationFulfilmentInfo"]["notFullfilledState"] == "DEGRADED"
    latency, throughput = exp2["targetFulfilmentResult"]
    assert latency == {
        "targetName": "latency",
        "targetFulfilmentInfo": {
            "fulfilmentStatus": "NOT_FULFILLED",
            "notFullfilledState": "DEGRADED",
            "notFulfilledReasons": [reason],
        },
        "targetAchievedValue": 24.25,
    }
    assert throughput == {
        "targetName": "throughput",
        "targetFulfilmentInfo": {"fulfilmentStatus": "FULFILLED"},
        "targetAchievedValue": 1200,
    }
    assert spec["lastUpdatedTime"] == rfc3339(AT) == "2027-01-15T08:00:00Z"


def test_a_pass_marks_the_report_fulfilled() -> None:
    spec = apply_results(REPORT["spec"], [evaluate_gate(gate(), good(), AT)], at=AT)
    assert_valid(spec)
    report = spec["intentFulfilmentReport"]
    assert report["intentFulfilmentInfo"] == {"fulfilmentStatus": "FULFILLED"}
    assert [e["expectationFulfilmentInfo"] for e in report["expectationFulfilmentResult"]] == [
        {"fulfilmentStatus": "FULFILLED"}
    ] * 2
    assert [
        (t["targetName"], t["targetAchievedValue"])
        for t in report["expectationFulfilmentResult"][1]["targetFulfilmentResult"]
    ] == [
        ("latency", 4.75),
        ("throughput", 1200),
    ]
    assert REPORT["spec"]["intentFulfilmentReport"]["intentFulfilmentInfo"]["fulfilmentStatus"] == "NOT_FULFILLED"


def test_undecided_gates_change_nothing() -> None:
    young = evaluate_gate(gate(), good(3), AT)
    assert apply_results(REPORT["spec"], [young], at=AT) == REPORT["spec"]


def test_no_data_is_a_reason_and_has_no_value() -> None:
    result = evaluate_gate(gate(), {"latency_p95_ms": Series(), "throughput_mbps": good()["throughput_mbps"]}, AT)
    spec = apply_results(REPORT["spec"], [result], at=AT)
    assert_valid(spec)
    latency = spec["intentFulfilmentReport"]["expectationFulfilmentResult"][1]["targetFulfilmentResult"][0]
    assert "targetAchievedValue" not in latency
    assert latency["targetFulfilmentInfo"]["notFulfilledReasons"] == [
        "latency_p95_ms at edge-us-west-1: the query returned no data (no series, or NaN) at the latest evaluation"
    ]


def test_the_worst_site_is_reported_and_one_failing_site_degrades_the_target() -> None:
    west = evaluate_gate(gate(), good(), AT)
    east = at_site(edge_ran_gate(), "edge-us-east-1")
    slow = {"latency_p95_ms": series(*[12.0] * 11), "throughput_mbps": series(*[1100.0] * 11)}
    east_result = evaluate_gate(read_gate(east), slow, AT)
    spec = apply_results(REPORT["spec"], [west, east_result], at=AT)
    latency, throughput = spec["intentFulfilmentReport"]["expectationFulfilmentResult"][1]["targetFulfilmentResult"]
    assert latency["targetAchievedValue"] == 12  # the max, for a "<" target
    assert latency["targetFulfilmentInfo"]["notFulfilledReasons"] == [
        "latency_p95_ms at edge-us-east-1: measured 12 ms, required < 10 ms (broken at 11 of 11 evaluations)"
    ]
    assert throughput["targetAchievedValue"] == 1100  # the min, for a ">" target
    assert throughput["targetFulfilmentInfo"] == {"fulfilmentStatus": "FULFILLED"}


def test_degrade_without_results() -> None:
    spec = degrade(REPORT["spec"], ["operator: CU-UP crash loop"], at=AT)
    assert_valid(spec)
    assert spec["intentFulfilmentReport"]["intentFulfilmentInfo"] == {
        "fulfilmentStatus": "NOT_FULFILLED",
        "notFullfilledState": "DEGRADED",
        "notFulfilledReasons": ["operator: CU-UP crash loop"],
    }


def test_file_edits_touch_only_what_changed() -> None:
    text = (EDGE_RAN / "intentreport_deploy-edge-ran.yaml").read_text()
    new = {**REPORT, "spec": apply_results(REPORT["spec"], [failing()], at=AT)}
    out = patched(text, REPORT, new)
    assert load_text(out) == new
    unchanged_head = text.split("spec:")[0]
    assert out.startswith(unchanged_head)  # metadata, quoting and order kept byte for byte
    assert "config.kubernetes.io/local-config: 'true'" in out


def load_text(text: str) -> Any:
    import yaml

    return yaml.safe_load(text)
