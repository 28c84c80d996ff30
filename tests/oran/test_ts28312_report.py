"""The first IntentReport, and keeping what later stages filled in when an intent is re-translated."""

from __future__ import annotations

import copy
from typing import Any

from o2krm.oran.ts28312 import report
from o2krm.oran.ts28312.model import ExpectationTarget, Intent, IntentExpectation

FULFILLED = {"fulfilmentStatus": report.FULFILLED}


def intent(*specs: tuple[str, dict[str, int]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """An Intent-Single and its fresh report; ``specs``: (expectation id, {target: value})."""
    expectations = tuple(
        IntentExpectation(
            exp_id, "ENSURE", None, tuple(ExpectationTarget(t, "IS_LESS_THAN", x) for t, x in targets.items())
        )
        for exp_id, targets in specs
    )
    return Intent("i", "i", expectations).to_spec(), report.acknowledged("i", expectations)


def filled(spec: dict[str, Any]) -> dict[str, Any]:
    """What a later stage might write: everything fulfilled, achieved values, a timestamp."""
    out = copy.deepcopy(spec)
    out["lastUpdatedTime"] = "2025-01-01T00:00:00Z"
    out["intentFulfilmentReport"]["intentFulfilmentInfo"] = FULFILLED
    for result in out["intentFulfilmentReport"]["expectationFulfilmentResult"]:
        result["expectationFulfilmentInfo"] = FULFILLED
        for target in result.get("targetFulfilmentResult", []):
            target["targetFulfilmentInfo"] = FULFILLED
            target["targetAchievedValue"] = 0.5
    return out


def test_acknowledged_report_shape() -> None:
    _, spec = intent(("e1", {}), ("e2", {"latency": 10}))
    info = {"fulfilmentStatus": "NOT_FULFILLED", "notFullfilledState": "ACKNOWLEDGED"}
    assert spec == {
        "id": "i-report",
        "intentReference": "Intent=i",
        "intentFulfilmentReport": {
            "intentFulfilmentInfo": info,
            "expectationFulfilmentResult": [
                {"expectaitonId": "e1", "expectationFulfilmentInfo": info},
                {"expectaitonId": "e2", "expectationFulfilmentInfo": info,
                 "targetFulfilmentResult": [{"targetName": "latency", "targetFulfilmentInfo": info}]},
            ],
        },
    }  # fmt: skip


def test_unchanged_intent_keeps_the_whole_filled_report() -> None:
    spec, fresh = intent(("e1", {"latency": 10, "throughput": 1000}))
    previous = filled(fresh)
    assert report.carry_over(fresh, previous, intent=spec, previous_intent=spec) == previous


def test_changed_intent_keeps_state_only_where_it_still_applies() -> None:
    old_spec, old_report = intent(("e1", {"latency": 10, "jitter": 2}), ("e2", {"latency": 3}), ("gone", {}))
    new_spec, fresh = intent(("e1", {"latency": 10, "jitter": 1, "throughput": 5}), ("e2", {"latency": 3}), ("new", {}))
    out = report.carry_over(fresh, filled(old_report), intent=new_spec, previous_intent=old_spec)
    body = out["intentFulfilmentReport"]
    assert body["intentFulfilmentInfo"] == fresh["intentFulfilmentReport"]["intentFulfilmentInfo"]
    assert "lastUpdatedTime" not in out
    e1, e2, new = body["expectationFulfilmentResult"]
    # e1 changed: its own state resets, its unchanged target keeps its state, changed/new ones reset
    assert e1["expectationFulfilmentInfo"]["fulfilmentStatus"] == report.NOT_FULFILLED
    latency, jitter, throughput = e1["targetFulfilmentResult"]
    assert latency == {"targetName": "latency", "targetFulfilmentInfo": FULFILLED, "targetAchievedValue": 0.5}
    assert jitter["targetFulfilmentInfo"]["fulfilmentStatus"] == report.NOT_FULFILLED
    assert "targetAchievedValue" not in jitter
    assert throughput["targetFulfilmentInfo"]["fulfilmentStatus"] == report.NOT_FULFILLED
    # e2 unchanged: all kept
    assert e2["expectationFulfilmentInfo"] == FULFILLED
    assert e2["targetFulfilmentResult"][0]["targetAchievedValue"] == 0.5
    assert new == fresh["intentFulfilmentReport"]["expectationFulfilmentResult"][2]


def test_garbage_previous_reports_are_ignored() -> None:
    spec, fresh = intent(("e1", {}))
    for previous in (
        None,
        "x",
        {},
        {"intentFulfilmentReport": []},
        {
            "intentFulfilmentReport": {
                "expectationFulfilmentResult": ["x", {"expectaitonId": "e1", "targetFulfilmentResult": "y"}]
            }
        },
    ):
        assert report.carry_over(fresh, previous, intent=spec, previous_intent=spec) == fresh
        assert report.carry_over(fresh, filled(fresh), intent=spec, previous_intent=previous) == fresh  # fmt: skip
