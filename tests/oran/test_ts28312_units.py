"""Canonical units of 28.312 targets: latency ms, throughput Mbps, ratios 0..1."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from o2krm.oran import vocabulary as v
from o2krm.oran.ts28312.units import (
    RatioRangeError,
    UnitError,
    accepted_units,
    duration_seconds,
    json_number,
    normalise,
)


@pytest.mark.parametrize(
    ("target", "value", "unit", "expected"),
    [
        (v.TARGET_LATENCY, "10", "ms", "10"),
        (v.TARGET_LATENCY, "1000", "us", "1"),
        (v.TARGET_LATENCY, "250", "µs", "0.25"),
        (v.TARGET_LATENCY, "0.002", "s", "2"),
        (v.TARGET_LATENCY, "500000", "ns", "0.5"),
        (v.TARGET_LATENCY, "2", "MS", "2"),
        (v.TARGET_THROUGHPUT, "1", "Gbps", "1000"),
        (v.TARGET_THROUGHPUT, "1", "gbps", "1000"),
        (v.TARGET_THROUGHPUT, "500", "Mbit/s", "500"),
        (v.TARGET_THROUGHPUT, "2500", "kbps", "2.5"),
        (v.TARGET_THROUGHPUT, "1", "Tbps", "1000000"),
        (v.TARGET_THROUGHPUT, "100", "MB/s", "800"),  # bytes
        (v.TARGET_THROUGHPUT, "100", "Mb/s", "100"),  # bits
        (v.TARGET_THROUGHPUT, "1", "GBps", "8000"),
        (v.TARGET_RELIABILITY, "99.999", "%", "0.99999"),
        (v.TARGET_AVAILABILITY, "0.9999", None, "0.9999"),
        (v.TARGET_SUCCESS_RATE, "99.5", "percent", "0.995"),
        (v.TARGET_SUCCESS_RATE, "1", "ratio", "1"),
    ],
)
def test_conversions(target: str, value: str, unit: str | None, expected: str) -> None:
    result = normalise(target, Decimal(value), unit)
    assert result.value == Decimal(expected)
    assert result.unit == v.TARGET_UNITS[target]
    assert result.assumed is False


def test_exact_decimals_not_floats() -> None:
    """99.999 / 100 in binary floating point is 0.9999900000000001."""
    assert json_number(normalise(v.TARGET_RELIABILITY, Decimal("99.999"), "%").value) == 0.99999
    assert json_number(normalise(v.TARGET_THROUGHPUT, Decimal("1"), "Gbps").value) == 1000
    assert isinstance(json_number(Decimal("1E+3")), int)
    assert isinstance(json_number(Decimal("10.0")), int)


def test_missing_unit_is_assumed_canonical_and_said() -> None:
    assert normalise(v.TARGET_LATENCY, Decimal(5), None).assumed is True
    assert normalise(v.TARGET_RELIABILITY, Decimal("0.5"), None).assumed is False


@pytest.mark.parametrize(
    ("target", "unit"),
    [(v.TARGET_LATENCY, "parsecs"), (v.TARGET_LATENCY, "Mbps"), (v.TARGET_THROUGHPUT, "ms"),
     (v.TARGET_RELIABILITY, "ms"), (v.TARGET_THROUGHPUT, "furlongs")],
)  # fmt: skip
def test_unknown_units_are_refused_with_the_accepted_ones(target: str, unit: str) -> None:
    with pytest.raises(UnitError) as error:
        normalise(target, Decimal(1), unit)
    assert error.value.unit == unit
    assert error.value.accepted == accepted_units(target)
    assert v.TARGET_UNITS[target] in error.value.accepted


@pytest.mark.parametrize(("value", "unit"), [("99.999", None), ("101", "%"), ("-1", "ratio")])
def test_ratios_must_be_within_zero_and_one(value: str, unit: str | None) -> None:
    with pytest.raises(RatioRangeError, match="write a ratio"):
        normalise(v.TARGET_RELIABILITY, Decimal(value), unit)


@pytest.mark.parametrize(
    ("value", "unit", "seconds"),
    [("15", "min", 900), ("15", "unitMinute", 900), ("2", "h", 7200), ("30", None, 30), ("500", "ms", "0.5")],
)
def test_durations(value: str, unit: str | None, seconds: object) -> None:
    assert duration_seconds(Decimal(value), unit) == Decimal(str(seconds))


@given(st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False, allow_infinity=False))
def test_gbps_is_a_thousand_mbps_exactly(value: Decimal) -> None:
    assert normalise(v.TARGET_THROUGHPUT, value, "Gbps").value == value * 1000
    assert normalise(v.TARGET_LATENCY, value, "s").value == value * 1000


@given(st.decimals(min_value=0, max_value=100, places=5, allow_nan=False, allow_infinity=False))
def test_percentages_become_ratios_exactly(value: Decimal) -> None:
    ratio = normalise(v.TARGET_AVAILABILITY, value, "%").value
    assert ratio * 100 == value
    assert json_number(ratio) == float(value / 100)
