"""The seed form's condition texts: ``latency<10ms``, ``<1ms``, ``99.999%``, ``2..8ms``."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from o2krm.oran.tmf921.expressions import parse_condition, parse_value
from o2krm.oran.tmf921.model import Comparator, Quantity


@pytest.mark.parametrize(
    ("text", "metric", "comparator", "bounds"),
    [
        ("latency<10ms", "latency", Comparator.LESS, [("10", "ms")]),
        ("throughput>1Gbps", "throughput", Comparator.GREATER, [("1", "Gbps")]),
        ("latency <= 10 ms", "latency", Comparator.LESS_OR_EQUAL, [("10", "ms")]),
        ("success_rate>=99.5%", "success_rate", Comparator.GREATER_OR_EQUAL, [("99.5", "%")]),
        ("availability = 0.9999", "availability", Comparator.EQUAL, [("0.9999", None)]),
        ("latency≤5ms", "latency", Comparator.LESS_OR_EQUAL, [("5", "ms")]),
        ("throughput > 500 Mbit/s", "throughput", Comparator.GREATER, [("500", "Mbit/s")]),
        ("latency 2..8ms", "latency", Comparator.IN_RANGE, [("2", "ms"), ("8", "ms")]),
        ("e2e latency<1.5ms", "e2e latency", Comparator.LESS, [("1.5", "ms")]),
    ],
)
def test_conditions(text: str, metric: str, comparator: Comparator, bounds: list[tuple[str, str | None]]) -> None:
    parsed = parse_condition(text)
    assert parsed is not None
    assert parsed.metric == metric
    assert parsed.comparator is comparator
    assert parsed.bounds == tuple(Quantity(Decimal(v), u) for v, u in bounds)


@pytest.mark.parametrize(
    "text",
    ["edge-cluster-us-west-1", "o-ran-du", "performance", "edge-cluster-*", "latency", "<10ms", "10ms", ""],
)
def test_names_are_not_conditions(text: str) -> None:
    """A site name ending in a digit must not read as 'edge-cluster-us-west- equals 1'."""
    assert parse_condition(text) is None


@pytest.mark.parametrize(
    ("text", "comparator", "bounds"),
    [
        ("<1ms", Comparator.LESS, [("1", "ms")]),
        ("99.999%", None, [("99.999", "%")]),
        (">= 1 Gbps", Comparator.GREATER_OR_EQUAL, [("1", "Gbps")]),
        ("2..8 ms", Comparator.IN_RANGE, [("2", "ms"), ("8", "ms")]),
        ("10", None, [("10", None)]),
    ],
)
def test_values(text: str, comparator: Comparator | None, bounds: list[tuple[str, str | None]]) -> None:
    parsed = parse_value(text)
    assert parsed is not None
    assert parsed.comparator is comparator
    assert parsed.bounds == tuple(Quantity(Decimal(v), u) for v, u in bounds)


@pytest.mark.parametrize("text", ["low", "high", "fast", "<", "1ms..", "ten ms"])
def test_unreadable_values(text: str) -> None:
    assert parse_value(text) is None


OPS = {"<": Comparator.LESS, "<=": Comparator.LESS_OR_EQUAL, ">": Comparator.GREATER,
       ">=": Comparator.GREATER_OR_EQUAL, "=": Comparator.EQUAL}  # fmt: skip


@given(
    metric=st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,15}", fullmatch=True),
    op=st.sampled_from(sorted(OPS)),
    value=st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False, allow_infinity=False),
    unit=st.sampled_from(["ms", "us", "Gbps", "Mbps", "%", "MB/s", None]),
    spaces=st.booleans(),
)
def test_any_written_condition_reads_back(metric: str, op: str, value: Decimal, unit: str | None, spaces: bool) -> None:
    sep = " " if spaces else ""
    text = f"{metric}{sep}{op}{sep}{value}{unit or ''}"
    parsed = parse_condition(text)
    assert parsed is not None, text
    assert (parsed.metric, parsed.comparator) == (metric, OPS[op])
    assert parsed.bounds == (Quantity(value, unit),)
