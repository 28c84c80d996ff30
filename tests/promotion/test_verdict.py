"""The pure gate decision: samples and targets in, phase, reason and exit code out."""

from __future__ import annotations

import copy
import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from o2krm.promotion.gates import Gate, read_gate
from o2krm.promotion.verdict import Outcome, Phase, Reason, Series, TargetStatus, evaluate_gate, holds

from .conftest import edge_ran_gate

AT = 1_800_000_000.0
STEP = 30.0
STEPS = tuple(AT - STEP * k for k in range(10, -1, -1))  # 11 steps over 5m, the last at AT


def gate(**spec: Any) -> Gate:
    obj = copy.deepcopy(edge_ran_gate())
    for key, value in spec.items():
        target = obj["spec"]["failurePolicy"] if key in obj["spec"]["failurePolicy"] else obj["spec"]
        target[key] = value
    return read_gate(obj)


def series(*values: float | None, newest: float | None = AT - 5) -> Series:
    """Values at the last len(values) steps; None leaves the step out."""
    steps = STEPS[len(STEPS) - len(values) :]
    return Series(tuple((t, v) for t, v in zip(steps, values, strict=True) if v is not None), newest)


def good(n: int = 11) -> dict[str, Series]:
    return {"latency_p95_ms": series(*[4.75] * n), "throughput_mbps": series(*[1200.0] * n)}


def test_pass() -> None:
    result = evaluate_gate(gate(), good(), AT)
    assert (result.phase, result.reason, result.outcome) == (Phase.PASSED, Reason.TARGETS_MET, Outcome.PASSED)
    assert (result.sample_count, result.failed_evaluations) == (11, 0)
    assert [(t.status, t.value, t.held, t.observed_at) for t in result.targets] == [
        (TargetStatus.HELD, 4.75, True, AT),
        (TargetStatus.HELD, 1200.0, True, AT),
    ]
    assert result.message == "every target held at all 11 evaluations with data in the last 5m"


def test_fail_names_targets_and_values() -> None:
    measured = {"latency_p95_ms": series(*[24.25] * 11), "throughput_mbps": series(*[1200.0] * 11)}
    result = evaluate_gate(gate(), measured, AT)
    assert (result.phase, result.reason, result.outcome) == (Phase.FAILED, Reason.TARGETS_NOT_MET, Outcome.FAILED)
    assert result.failed_evaluations == 11
    assert [t.status for t in result.targets] == [TargetStatus.VIOLATED, TargetStatus.HELD]
    assert result.targets[0].message == "measured 24.25, required < 10 ms"
    assert result.message == (
        "11 failed evaluation(s), failureLimit 0: latency_p95_ms < 10 ms broken at 11 of 11 evaluations (latest 24.25)"
    )


def test_no_data_and_nan_fail_closed() -> None:
    for missing in (Series(), series(*[math.nan] * 11, newest=None)):
        result = evaluate_gate(gate(), {"latency_p95_ms": missing, "throughput_mbps": good()["throughput_mbps"]}, AT)
        assert (result.phase, result.reason, result.outcome) == (Phase.FAILED, Reason.NO_DATA, Outcome.NO_DATA)
        assert result.targets[0].status == TargetStatus.NO_DATA and result.targets[0].value is None
        assert result.targets[0].held is None
    inconclusive = evaluate_gate(gate(onMissingData="Inconclusive"), {"throughput_mbps": good()["throughput_mbps"]}, AT)
    assert (inconclusive.phase, inconclusive.outcome) == (Phase.INCONCLUSIVE, Outcome.NO_DATA)


def test_data_that_stopped_before_the_latest_evaluation_is_no_data() -> None:
    measured = good()
    measured["throughput_mbps"] = series(*[1200.0] * 9, None, None)
    result = evaluate_gate(gate(), measured, AT)
    assert (result.phase, result.reason) == (Phase.FAILED, Reason.NO_DATA)
    assert result.targets[1].message == "no data at the latest evaluation (data until 9 step(s) earlier in the window)"


def test_stale_data_fails_closed_and_wins_over_its_artefacts() -> None:
    measured = {
        "latency_p95_ms": series(*[4.75] * 11, newest=AT - 200),
        "throughput_mbps": series(*[1200.0] * 5, *[400.0] * 6, newest=AT - 200),  # rate() of a silent series sags
    }
    result = evaluate_gate(gate(), measured, AT)
    assert (result.phase, result.reason, result.outcome) == (Phase.FAILED, Reason.STALE_DATA, Outcome.NO_DATA)
    assert result.targets[0].message == "newest sample is 200s old, more than maxDataAge 1m"
    assert result.targets[0].held is True  # the value met the target; its age did not
    unknown_age = evaluate_gate(gate(), {**good(), "latency_p95_ms": series(*[4.75] * 11, newest=None)}, AT)
    assert unknown_age.reason == Reason.STALE_DATA
    assert "older than the lookback" in unknown_age.targets[0].message
    assert evaluate_gate(gate(onStaleData="Inconclusive"), measured, AT).phase == Phase.INCONCLUSIVE
    relaxed = evaluate_gate(gate(maxDataAge="5m"), {**good(), "latency_p95_ms": measured["latency_p95_ms"]}, AT)
    assert relaxed.phase == Phase.PASSED


def test_too_few_samples_is_not_a_pass() -> None:
    result = evaluate_gate(gate(), good(4), AT)
    assert (result.phase, result.reason, result.outcome) == (
        Phase.EVALUATING,
        Reason.INSUFFICIENT_SAMPLES,
        Outcome.EVALUATING,
    )
    assert result.sample_count == 4
    assert result.message.startswith("4 of 10 evaluations with data in the last 5m")
    assert evaluate_gate(gate(minSampleCount=4), good(4), AT).phase == Phase.PASSED


def test_failure_limit_counts_failed_evaluations() -> None:
    measured = good()
    measured["throughput_mbps"] = series(*[1200.0] * 3, *[700.0] * 4, *[1200.0] * 4)  # an outage in the window
    assert evaluate_gate(gate(), measured, AT).reason == Reason.TARGETS_NOT_MET
    tolerant = evaluate_gate(gate(failureLimit=4), measured, AT)
    assert tolerant.phase == Phase.PASSED
    assert tolerant.message == "every target holds; 4 earlier failed evaluation(s) within failureLimit 4"
    latest_bad = good()
    latest_bad["throughput_mbps"] = series(*[1200.0] * 10, 700.0)
    within = evaluate_gate(gate(failureLimit=1), latest_bad, AT)
    assert (within.phase, within.reason, within.outcome) == (
        Phase.EVALUATING,
        Reason.FAILURE_WITHIN_LIMIT,
        Outcome.EVALUATING,
    )


def test_missing_evaluations_of_a_watch_count_against_the_limit() -> None:
    no_data = {"latency_p95_ms": Series(), "throughput_mbps": good()["throughput_mbps"]}
    assert evaluate_gate(gate(failureLimit=2), no_data, AT).phase == Phase.EVALUATING
    assert evaluate_gate(gate(failureLimit=2), no_data, AT, earlier_missing=1).phase == Phase.EVALUATING
    assert evaluate_gate(gate(failureLimit=2), no_data, AT, earlier_missing=2).phase == Phase.FAILED


def test_query_error_is_an_error() -> None:
    measured = {**good(), "throughput_mbps": Series(error="Prometheus refused the query: parse error")}
    result = evaluate_gate(gate(), measured, AT)
    assert (result.phase, result.reason, result.outcome) == (Phase.ERROR, Reason.QUERY_ERROR, Outcome.ERROR)
    assert result.message == "throughput_mbps: Prometheus refused the query: parse error"
    nothing = evaluate_gate(gate(), {}, AT)  # nothing measured: no data, not an error
    assert (nothing.phase, nothing.reason) == (Phase.FAILED, Reason.NO_DATA)


def test_operators() -> None:
    assert [holds(op, 10, 10) for op in ("<", "<=", ">", ">=", "==")] == [False, True, False, True, True]
    assert [holds(op, 9.5, 10) for op in ("<", "<=", ">", ">=", "==")] == [True, True, False, False, False]


values = st.lists(st.one_of(st.none(), st.just(math.nan), st.floats(0, 2000, allow_nan=False)), min_size=0, max_size=11)


@settings(max_examples=200, deadline=None)
@given(latency=values, throughput=values, limit=st.integers(0, 3), newest_age=st.one_of(st.none(), st.floats(0, 600)))
def test_never_passes_without_fresh_data_and_enough_good_samples(
    latency: list[float | None], throughput: list[float | None], limit: int, newest_age: float | None
) -> None:
    newest = None if newest_age is None else AT - newest_age
    measured = {
        "latency_p95_ms": series(*latency, newest=newest),
        "throughput_mbps": series(*throughput, newest=newest),
    }
    result = evaluate_gate(gate(failureLimit=limit), measured, AT)
    if result.phase != Phase.PASSED:
        assert result.outcome != Outcome.PASSED
        return
    assert newest_age is not None and newest_age <= 60
    assert result.sample_count >= 10 and result.failed_evaluations <= limit
    latest = [m.value_at(AT) for m in measured.values()]
    assert latest[0] is not None and latest[0] < 10 and latest[1] is not None and latest[1] > 1000
