"""The TS 28.312 Rel-18 ``IntentReport-Single`` that intent-translate starts and later stages fill.

A fresh report says what the producer knows right after accepting an intent: nothing is
fulfilled yet (``fulfilmentStatus: NOT_FULFILLED``, state ``ACKNOWLEDGED``) for the
intent, for every expectation and for every target.

Two attribute names are spelled the way ``TS28312_IntentNrm.yaml`` (v18.2.0) spells them,
misspellings included, so that consumers reading the official schema find them:
``notFullfilledState`` and ``expectaitonId``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from o2krm.oran.ts28312.model import IntentExpectation

NOT_FULFILLED: Final = "NOT_FULFILLED"
FULFILLED: Final = "FULFILLED"
ACKNOWLEDGED: Final = "ACKNOWLEDGED"

ATTR_NOT_FULFILLED_STATE: Final = "notFullfilledState"  # sic, TS28312_IntentNrm.yaml
ATTR_EXPECTATION_ID: Final = "expectaitonId"  # sic, TS28312_IntentNrm.yaml


def intent_reference(intent_id: str) -> str:
    """The DN an IntentReport uses to point at its Intent."""
    return f"Intent={intent_id}"


def acknowledged(intent_id: str, expectations: Sequence[IntentExpectation]) -> dict[str, Any]:
    """An IntentReport-Single body: everything NOT_FULFILLED / ACKNOWLEDGED."""
    return {
        "id": f"{intent_id}-report",
        "intentReference": intent_reference(intent_id),
        "intentFulfilmentReport": {
            "intentFulfilmentInfo": _acknowledged_info(),
            "expectationFulfilmentResult": [_expectation_result(e) for e in expectations],
        },
    }


def carry_over(fresh: dict[str, Any], previous: Any, *, intent: dict[str, Any], previous_intent: Any) -> dict[str, Any]:
    """``fresh`` with the fulfilment state a later stage wrote into ``previous`` kept where it
    still describes the intent.

    Re-translating an unchanged intent must not reset what later stages reported, and a
    changed one must not keep a state that was about something else. ``intent`` and
    ``previous_intent`` are the Intent-Single bodies the two reports belong to. State is
    kept per target whose definition is unchanged, per expectation whose definition is
    unchanged, and for the whole report (intent-wide info, lastUpdatedTime, conflict and
    feasibility reports) only when all expectations are unchanged.
    """
    if not isinstance(previous, dict) or not isinstance(previous_intent, dict):
        return fresh
    old_report = previous.get("intentFulfilmentReport")
    if not isinstance(old_report, dict):
        return fresh
    old_results = {r.get(ATTR_EXPECTATION_ID): r for r in _dicts(old_report.get("expectationFulfilmentResult"))}
    new_expectations = _by_id(intent.get("intentExpectations"))
    old_expectations = _by_id(previous_intent.get("intentExpectations"))
    new_report = fresh["intentFulfilmentReport"]
    results = []
    for result in new_report["expectationFulfilmentResult"]:
        exp_id = result[ATTR_EXPECTATION_ID]
        old = old_results.get(exp_id)
        new_def, old_def = new_expectations.get(exp_id), old_expectations.get(exp_id)
        results.append(_carry_result(result, old, new_def, old_def) if old is not None and old_def else result)
    out = {**fresh, "intentFulfilmentReport": {**new_report, "expectationFulfilmentResult": results}}
    if intent.get("intentExpectations") == previous_intent.get("intentExpectations"):
        if isinstance(old_report.get("intentFulfilmentInfo"), dict):
            out["intentFulfilmentReport"]["intentFulfilmentInfo"] = old_report["intentFulfilmentInfo"]
        for key, value in previous.items():
            out.setdefault(key, value)  # lastUpdatedTime, intentConflictReports, ...
    return out


def _carry_result(fresh: dict[str, Any], old: dict[str, Any], new_def: Any, old_def: dict[str, Any]) -> dict[str, Any]:
    out = dict(fresh)
    if new_def == old_def and isinstance(old.get("expectationFulfilmentInfo"), dict):
        out["expectationFulfilmentInfo"] = old["expectationFulfilmentInfo"]
    if "targetFulfilmentResult" not in fresh or not isinstance(new_def, dict):
        return out
    old_results = {t.get("targetName"): t for t in _dicts(old.get("targetFulfilmentResult"))}
    new_targets = _targets(new_def)
    old_targets = _targets(old_def)
    out["targetFulfilmentResult"] = [
        {**t, **{k: v for k, v in old_results[name].items() if k != "targetName"}}
        if (name := t["targetName"]) in old_results and new_targets.get(name) == old_targets.get(name)
        else t
        for t in fresh["targetFulfilmentResult"]
    ]
    return out


def _by_id(expectations: Any) -> dict[Any, dict[str, Any]]:
    return {e.get("expectationId"): e for e in _dicts(expectations)}


def _targets(expectation: dict[str, Any]) -> dict[Any, dict[str, Any]]:
    return {t.get("targetName"): t for t in _dicts(expectation.get("expectationTargets"))}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _expectation_result(expectation: IntentExpectation) -> dict[str, Any]:
    result: dict[str, Any] = {
        ATTR_EXPECTATION_ID: expectation.expectation_id,
        "expectationFulfilmentInfo": _acknowledged_info(),
    }
    if expectation.targets:
        result["targetFulfilmentResult"] = [
            {"targetName": t.name, "targetFulfilmentInfo": _acknowledged_info()} for t in expectation.targets
        ]
    return result


def _acknowledged_info() -> dict[str, str]:
    return {"fulfilmentStatus": NOT_FULFILLED, ATTR_NOT_FULFILLED_STATE: ACKNOWLEDGED}
