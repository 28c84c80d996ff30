"""The TS 28.312 IntentReport after a gate decision: pure, on IntentReport-Single bodies.

intent-translate starts every report NOT_FULFILLED / ACKNOWLEDGED (``o2krm.oran.ts28312.report``).
A decided gate (Passed or Failed) moves it on:

- a gated target that held: ``FULFILLED``, with ``targetAchievedValue``;
- a gated target that broke, had no data or stale data: ``NOT_FULFILLED`` / ``DEGRADED`` with the
  measured value in ``targetAchievedValue`` and why in ``notFulfilledReasons``;
- an expectation: ``DEGRADED`` when one of its targets is, ``FULFILLED`` when all are; one without
  targets (deliver these functions there) is ``FULFILLED`` when every gate of the intent passed;
- the intent: ``FULFILLED`` when every expectation is, ``DEGRADED`` (with every reason) otherwise.

Gates still Evaluating, Inconclusive or in Error change nothing: they have not decided. A target
measured by several gates (one per site) reports the worst value against its condition. Targets
are matched through each gate target's ``source`` (expectationId, targetName).
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from o2krm.oran.ts28312.report import ATTR_EXPECTATION_ID, ATTR_NOT_FULFILLED_STATE, FULFILLED, NOT_FULFILLED
from o2krm.promotion.verdict import GateResult, Phase, TargetResult, TargetStatus, format_value

DEGRADED = "DEGRADED"


@dataclass(frozen=True)
class _Contribution:
    result: GateResult
    target: TargetResult

    @property
    def ok(self) -> bool:
        if self.result.phase == Phase.PASSED:
            return True
        return self.target.status == TargetStatus.HELD and self.target.violations == 0

    def reason(self) -> str:
        t = self.target
        where = self.result.gate.site or self.result.gate.name
        if t.status in (TargetStatus.NO_DATA, TargetStatus.STALE):
            return f"{t.target.metric} at {where}: {t.message}"
        return (
            f"{t.target.metric} at {where}: measured {format_value(t.value)}{_unit(t)}, "
            f"required {t.target.describe_requirement()}"
            + (f" (broken at {t.violations} of {t.samples} evaluations)" if t.violations else "")
        )


def rfc3339(at: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))


def apply_results(
    spec: dict[str, Any], results: Sequence[GateResult], *, at: float, context: str = ""
) -> dict[str, Any]:
    """``spec`` (an IntentReport-Single body) updated from the decided gates among ``results``.

    ``context`` (e.g. "rolled back edge-ran/v2 to edge-ran/v1") is added to the intent's reasons
    when it ends up degraded.
    """
    decided = [r for r in results if r.phase in (Phase.PASSED, Phase.FAILED)]
    out = copy.deepcopy(spec)
    if not decided:
        return out
    report = out.setdefault("intentFulfilmentReport", {})
    by_target: dict[tuple[str, str], list[_Contribution]] = {}
    unmatched: list[_Contribution] = []
    for result in decided:
        for target in result.targets:
            source = target.target.source
            contribution = _Contribution(result, target)
            if source and source.expectation_id and source.target_name:
                by_target.setdefault((source.expectation_id, source.target_name), []).append(contribution)
            else:
                unmatched.append(contribution)

    all_passed = all(r.phase == Phase.PASSED for r in decided) and len(decided) == len(results)
    intent_reasons: list[str] = []
    expectation_states: list[str | None] = []
    for expectation in _dicts(report.get("expectationFulfilmentResult")):
        expectation_id = expectation.get(ATTR_EXPECTATION_ID)
        targets = _dicts(expectation.get("targetFulfilmentResult"))
        reasons: list[str] = []
        states: list[str | None] = []
        for target in targets:
            contributions = by_target.pop((str(expectation_id), str(target.get("targetName"))), [])
            state, target_reasons = _update_target(target, contributions)
            states.append(state if contributions else _state(target.get("targetFulfilmentInfo")))
            reasons.extend(target_reasons)
        if reasons:
            expectation["expectationFulfilmentInfo"] = _degraded(reasons)
            intent_reasons.extend(reasons)
        elif (targets and all(s == FULFILLED for s in states)) or (not targets and all_passed):
            expectation["expectationFulfilmentInfo"] = {"fulfilmentStatus": FULFILLED}
        expectation_states.append(_state(expectation.get("expectationFulfilmentInfo")))

    leftovers = unmatched + [c for contributions in by_target.values() for c in contributions]
    intent_reasons.extend(c.reason() for c in leftovers if not c.ok)
    if intent_reasons:
        report["intentFulfilmentInfo"] = _degraded([*intent_reasons, *([context] if context else [])])
    elif expectation_states and all(s == FULFILLED for s in expectation_states) and all_passed:
        report["intentFulfilmentInfo"] = {"fulfilmentStatus": FULFILLED}
    out["lastUpdatedTime"] = rfc3339(at)
    return out


def degrade(spec: dict[str, Any], reasons: Sequence[str], *, at: float) -> dict[str, Any]:
    """The intent as a whole NOT_FULFILLED / DEGRADED for ``reasons`` (a rollback without gate results)."""
    out = copy.deepcopy(spec)
    out.setdefault("intentFulfilmentReport", {})["intentFulfilmentInfo"] = _degraded(list(reasons))
    out["lastUpdatedTime"] = rfc3339(at)
    return out


def _update_target(target: dict[str, Any], contributions: Sequence[_Contribution]) -> tuple[str | None, list[str]]:
    if not contributions:
        return None, []
    failing = [c for c in contributions if not c.ok]
    worst = _worst(contributions)
    if worst is not None:
        target["targetAchievedValue"] = worst
    else:
        target.pop("targetAchievedValue", None)
    if failing:
        reasons = [c.reason() for c in failing]
        target["targetFulfilmentInfo"] = _degraded(reasons)
        return DEGRADED, reasons
    target["targetFulfilmentInfo"] = {"fulfilmentStatus": FULFILLED}
    return FULFILLED, []


def _worst(contributions: Sequence[_Contribution]) -> float | int | None:
    """The value furthest on the wrong side of its condition (the max for <, the min for >)."""
    scored: list[tuple[float, float]] = []
    for c in contributions:
        value = c.target.value
        if value is None or not math.isfinite(value):
            continue
        operator, threshold = c.target.target.operator, c.target.target.threshold
        badness = value if operator in ("<", "<=") else -value if operator in (">", ">=") else abs(value - threshold)
        scored.append((badness, value))
    if not scored:
        return None
    value = max(scored)[1]
    rounded = float(f"{value:.6g}")  # the report carries what people read, without float noise
    return int(rounded) if rounded.is_integer() else rounded


def _degraded(reasons: list[str]) -> dict[str, Any]:
    return {
        "fulfilmentStatus": NOT_FULFILLED,
        ATTR_NOT_FULFILLED_STATE: DEGRADED,
        "notFulfilledReasons": list(dict.fromkeys(reasons)),
    }


def _state(info: Any) -> str | None:
    if not isinstance(info, dict):
        return None
    if info.get("fulfilmentStatus") == FULFILLED:
        return FULFILLED
    return info.get(ATTR_NOT_FULFILLED_STATE)


def _unit(target: TargetResult) -> str:
    return f" {target.target.unit}" if target.target.unit else ""


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
