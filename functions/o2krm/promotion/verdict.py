"""Deciding an SLOGate from measured samples: pure, no I/O, fail closed.

Each measurement is read as a range over the gate's ``measurementWindow`` at a step of its
``evaluationPeriod``: every step is one *evaluation*, what a controller evaluating the gate every
period would have seen. Then:

- a step has data when every target's metric has a number there (NaN is no data);
- a step *failed* when it has data and some target did not hold;
- the *latest* evaluation is the step at the end of the window (now);
- a target's newest raw sample older than ``failurePolicy.maxDataAge`` makes its data stale.

The gate's phase, first rule that applies:

1. a query error                                       -> Error
2. no data or stale data at the latest evaluation      -> Inconclusive when the policy says so, else
   it counts as one more failed evaluation: Failed (NoData / StaleData) beyond ``failureLimit``,
   Evaluating within it. This comes before the values: a series that stopped reporting drags
   its rates down, so values over stale data are artefacts, not findings.
3. more failed evaluations than ``failureLimit``       -> Failed (TargetsNotMet)
4. the latest evaluation failed (within the limit)     -> Evaluating (FailureWithinLimit)
5. fewer evaluations with data than ``minSampleCount`` -> Evaluating (InsufficientSamples)
6. otherwise                                           -> Passed

Only Passed promotes. ``outcome`` maps a result onto the exit codes the command line documents.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from o2krm.promotion.gates import Gate, GateTarget
from o2krm.promotion.outcome import Outcome

STEP_TOLERANCE = 1e-3  # seconds: Prometheus step timestamps are exact multiples, floats are not


@dataclass(frozen=True)
class Series:
    """What one measurement query returned over the window.

    ``points`` are (timestamp, value) pairs, sorted by time; ``newest_sample_at`` is the timestamp
    of the newest raw sample the query read (None: none within Prometheus' lookback); ``error`` is
    set instead when the query could not be answered.
    """

    points: tuple[tuple[float, float], ...] = ()
    newest_sample_at: float | None = None
    error: str | None = None

    def value_at(self, at: float) -> float | None:
        for ts, value in reversed(self.points):
            if abs(ts - at) <= STEP_TOLERANCE:
                return None if math.isnan(value) else value
            if ts < at:
                break
        return None


class TargetStatus(StrEnum):
    HELD = "Held"
    VIOLATED = "Violated"
    NO_DATA = "NoData"
    STALE = "Stale"
    ERROR = "Error"


class Phase(StrEnum):
    PASSED = "Passed"
    FAILED = "Failed"
    EVALUATING = "Evaluating"
    INCONCLUSIVE = "Inconclusive"
    ERROR = "Error"


class Reason(StrEnum):
    TARGETS_MET = "TargetsMet"
    TARGETS_NOT_MET = "TargetsNotMet"
    NO_DATA = "NoData"
    STALE_DATA = "StaleData"
    FAILURE_WITHIN_LIMIT = "FailureWithinLimit"
    INSUFFICIENT_SAMPLES = "InsufficientSamples"
    QUERY_ERROR = "QueryError"


@dataclass(frozen=True)
class TargetResult:
    target: GateTarget
    status: TargetStatus
    value: float | None  # at the latest evaluation
    observed_at: float | None  # timestamp of that value
    newest_sample_at: float | None
    samples: int  # steps in the window where this metric had data
    violations: int  # of those, steps where the target did not hold
    message: str = ""

    @property
    def held(self) -> bool | None:
        """Whether the latest value met the target (None without a value), whatever its freshness."""
        return None if self.value is None else holds(self.target.operator, self.value, self.target.threshold)


@dataclass(frozen=True)
class GateResult:
    gate: Gate
    phase: Phase
    reason: Reason
    message: str
    evaluated_at: float
    sample_count: int
    failed_evaluations: int
    targets: tuple[TargetResult, ...] = field(default_factory=tuple)

    @property
    def outcome(self) -> Outcome:
        if self.phase == Phase.ERROR:
            return Outcome.ERROR
        if self.phase == Phase.PASSED:
            return Outcome.PASSED
        if self.reason == Reason.TARGETS_NOT_MET:
            return Outcome.FAILED
        if self.reason in (Reason.NO_DATA, Reason.STALE_DATA):
            return Outcome.NO_DATA
        return Outcome.EVALUATING

    @property
    def decided(self) -> bool:
        """Passed, Failed or Error: re-evaluating will not change a watch's result."""
        return self.phase in (Phase.PASSED, Phase.FAILED, Phase.ERROR)

    @property
    def missing_data(self) -> bool:
        return any(t.status in (TargetStatus.NO_DATA, TargetStatus.STALE) for t in self.targets)


def holds(operator: str, value: float, threshold: float) -> bool:
    if operator == "<":
        return value < threshold
    if operator == "<=":
        return value <= threshold
    if operator == ">":
        return value > threshold
    if operator == ">=":
        return value >= threshold
    if operator == "==":
        return value == threshold
    raise ValueError(f"unknown operator {operator!r}")


def evaluate_gate(gate: Gate, series: Mapping[str, Series], at: float, *, earlier_missing: int = 0) -> GateResult:
    """The gate's verdict at time ``at`` (the end of the window) from ``series`` (metric -> Series).

    ``earlier_missing`` counts earlier evaluations of a watch that had no fresh data; with
    ``onMissingData: Fail`` they count against ``failureLimit`` like failed evaluations.
    """
    targets = gate.spec.slo_targets
    steps = _steps(targets, series)
    sample_count, failed = _history(targets, series, steps)
    results = tuple(_target_result(gate, t, series.get(t.metric, Series()), at) for t in targets)
    policy = gate.spec.failure_policy
    limit = policy.failure_limit

    def result(phase: Phase, reason: Reason, message: str) -> GateResult:
        return GateResult(gate, phase, reason, message, at, sample_count, failed, results)

    errors = [r for r in results if r.status == TargetStatus.ERROR]
    if errors:
        return result(Phase.ERROR, Reason.QUERY_ERROR, "; ".join(f"{r.target.metric}: {r.message}" for r in errors))
    missing = [r for r in results if r.status == TargetStatus.NO_DATA]
    stale = [r for r in results if r.status == TargetStatus.STALE]
    if missing or stale:
        reason = Reason.NO_DATA if missing else Reason.STALE_DATA
        what = "; ".join(f"{r.target.metric}: {r.message}" for r in missing + stale)
        fails = (missing and policy.on_missing_data == "Fail") or (stale and policy.on_stale_data == "Fail")
        if not fails:
            return result(Phase.INCONCLUSIVE, reason, f"{what} (failurePolicy: Inconclusive)")
        counted = failed + earlier_missing + 1
        if counted > limit:
            return result(Phase.FAILED, reason, f"{what}; fails closed")
        return result(Phase.EVALUATING, reason, f"{what}; failed evaluation {counted} of {limit} tolerated")
    if failed > limit:
        return result(Phase.FAILED, Reason.TARGETS_NOT_MET, _not_met(results, failed, limit))
    if any(r.status == TargetStatus.VIOLATED for r in results):
        return result(
            Phase.EVALUATING,
            Reason.FAILURE_WITHIN_LIMIT,
            f"{_not_met(results, failed, limit)}; within failureLimit {limit}",
        )
    needed = gate.spec.min_sample_count
    if sample_count < needed:
        return result(
            Phase.EVALUATING,
            Reason.INSUFFICIENT_SAMPLES,
            f"{sample_count} of {needed} evaluations with data in the last {gate.spec.measurement_window}; "
            "a young deployment is not a healthy one yet",
        )
    return result(
        Phase.PASSED,
        Reason.TARGETS_MET,
        f"every target held at all {sample_count} evaluations with data in the last {gate.spec.measurement_window}"
        if failed == 0
        else f"every target holds; {failed} earlier failed evaluation(s) within failureLimit {limit}",
    )


def _steps(targets: Sequence[GateTarget], series: Mapping[str, Series]) -> list[float]:
    stamps = sorted({ts for t in targets for ts, _ in series.get(t.metric, Series()).points})
    merged: list[float] = []
    for ts in stamps:
        if not merged or ts - merged[-1] > STEP_TOLERANCE:
            merged.append(ts)
    return merged


def _history(targets: Sequence[GateTarget], series: Mapping[str, Series], steps: Sequence[float]) -> tuple[int, int]:
    with_data = failed = 0
    for step in steps:
        values = [(t, series.get(t.metric, Series()).value_at(step)) for t in targets]
        if any(value is None for _, value in values):
            continue
        with_data += 1
        if not all(holds(t.operator, value, t.threshold) for t, value in values if value is not None):
            failed += 1
    return with_data, failed


def _target_result(gate: Gate, target: GateTarget, measured: Series, at: float) -> TargetResult:
    present = [(ts, val) for ts, val in measured.points if not math.isnan(val)]
    violations = sum(1 for _, val in present if not holds(target.operator, val, target.threshold))
    latest = measured.value_at(at)

    def result(status: TargetStatus, message: str = "") -> TargetResult:
        return TargetResult(
            target,
            status,
            latest,
            at if latest is not None else None,
            measured.newest_sample_at,
            len(present),
            violations,
            message,
        )

    if measured.error is not None:
        return result(TargetStatus.ERROR, measured.error)
    if latest is None:
        return result(
            TargetStatus.NO_DATA,
            "the query returned no data (no series, or NaN) at the latest evaluation"
            if not present
            else f"no data at the latest evaluation (data until {len(present)} step(s) earlier in the window)",
        )
    max_age = gate.max_data_age_seconds
    if measured.newest_sample_at is None or at - measured.newest_sample_at > max_age:
        age = (
            "older than the lookback"
            if measured.newest_sample_at is None
            else f"{at - measured.newest_sample_at:.0f}s old"
        )
        return result(
            TargetStatus.STALE, f"newest sample is {age}, more than maxDataAge {gate.spec.failure_policy.max_data_age}"
        )
    if holds(target.operator, latest, target.threshold):
        return result(TargetStatus.HELD)
    return result(TargetStatus.VIOLATED, f"measured {format_value(latest)}, required {target.describe_requirement()}")


def _not_met(results: Sequence[TargetResult], failed: int, limit: int) -> str:
    broken = [r for r in results if r.violations]
    detail = ", ".join(
        f"{r.target.metric} {r.target.describe_requirement()} broken at {r.violations} of {r.samples} evaluations"
        + (f" (latest {format_value(r.value)})" if r.value is not None else "")
        for r in broken
    )
    return f"{failed} failed evaluation(s), failureLimit {limit}: {detail}"


def format_value(value: float | None) -> str:
    """A measured value for people: up to 6 significant digits, no float noise (1199.9999999 -> 1200)."""
    if value is None:
        return "<no data>"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return f"{value:.6g}"
