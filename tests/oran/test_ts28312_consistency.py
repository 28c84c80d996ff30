"""Contradictory targets: constraints on one target that no value meets together."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from o2krm.oran import vocabulary as v
from o2krm.oran.ts28312.consistency import RULE, Constraint, contradictions


def c(condition: str, *values: int | str, target: str = "latency", field: str = "f") -> Constraint:
    return Constraint(target, condition, tuple(Decimal(str(x)) for x in values), field, f"{condition} {values}")


def test_less_than_one_and_greater_than_five_contradict() -> None:
    (finding,) = contradictions([c(v.IS_LESS_THAN, 1, field="a"), c(v.IS_GREATER_THAN, 5, field="b")])
    assert finding.field == "b"
    assert finding.rule == RULE
    assert finding.severity == "error"
    assert "contradictory targets for latency" in finding.message
    assert "(a)" in finding.message and "(b)" in finding.message


@pytest.mark.parametrize(
    "constraints",
    [
        [c(v.IS_LESS_THAN, 10), c(v.IS_GREATER_THAN, 5)],
        [c(v.IS_EQUAL_TO_OR_LESS_THAN, 5), c(v.IS_EQUAL_TO_OR_GREATER_THAN, 5)],
        [c(v.IS_WITHIN_RANGE, 2, 8), c(v.IS_LESS_THAN, 3)],
        [c(v.IS_LESS_THAN, 1, target="latency"), c(v.IS_GREATER_THAN, 5, target="throughput")],
        [c(v.IS_EQUAL_TO, 4), c(v.IS_WITHIN_RANGE, 4, 9)],
    ],
)
def test_compatible_constraints(constraints: list[Constraint]) -> None:
    assert contradictions(constraints) == []


@pytest.mark.parametrize(
    "constraints",
    [
        [c(v.IS_LESS_THAN, 5), c(v.IS_EQUAL_TO_OR_GREATER_THAN, 5)],
        [c(v.IS_EQUAL_TO, 3), c(v.IS_EQUAL_TO, 4)],
        [c(v.IS_WITHIN_RANGE, 2, 8), c(v.IS_GREATER_THAN, 8)],
        [c(v.IS_WITHIN_RANGE, 8, 2)],
    ],
)
def test_contradicting_constraints(constraints: list[Constraint]) -> None:
    assert len(contradictions(constraints)) == 1


def _satisfies(x: Decimal, con: Constraint) -> bool:
    a, b = con.values[0], con.values[-1]
    return {
        v.IS_LESS_THAN: x < a,
        v.IS_EQUAL_TO_OR_LESS_THAN: x <= a,
        v.IS_GREATER_THAN: x > a,
        v.IS_EQUAL_TO_OR_GREATER_THAN: x >= a,
        v.IS_EQUAL_TO: x == a,
        v.IS_WITHIN_RANGE: a <= x <= b,
    }[con.condition]


ONE_VALUE = [v.IS_LESS_THAN, v.IS_EQUAL_TO_OR_LESS_THAN, v.IS_GREATER_THAN, v.IS_EQUAL_TO_OR_GREATER_THAN,
             v.IS_EQUAL_TO]  # fmt: skip
constraint = st.one_of(
    st.builds(lambda cond, x: c(cond, x), st.sampled_from(ONE_VALUE), st.integers(0, 20)),
    st.builds(lambda lo, hi: c(v.IS_WITHIN_RANGE, lo, hi), st.integers(0, 20), st.integers(0, 20)),
)


@given(st.lists(constraint, min_size=1, max_size=6))
def test_agrees_with_brute_force(constraints: list[Constraint]) -> None:
    """Some value meets all constraints exactly when no contradiction is reported. Between
    integer bounds 0..20, the candidates n/2 for n in -2..42 decide every case."""
    candidates = [Decimal(n) / 2 for n in range(-2, 43)]
    feasible = any(all(_satisfies(x, con) for con in constraints) for x in candidates)
    assert (contradictions(constraints) == []) is feasible
