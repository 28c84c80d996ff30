"""Kubernetes quantities: parsing, canonical form and arithmetic as apimachinery does them."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from o2krm.oran.quantity import (
    CPU_CORE,
    CPU_MILLI,
    GIBIBYTE,
    MAX_MAGNITUDE,
    MEBIBYTE,
    Quantity,
    QuantityError,
    QuantityFormat,
    format_quantity,
    parse_quantity,
)

DEC, BIN, EXP = QuantityFormat.DECIMAL_SI, QuantityFormat.BINARY_SI, QuantityFormat.DECIMAL_EXPONENT
CANONICAL = re.compile(r"-?(0|[1-9][0-9]*)([KMGTPE]i|[numkMGTPE]|e-?[1-9][0-9]*)?")


@pytest.mark.parametrize(
    ("text", "canonical", "fmt", "amount"),
    [
        ("1.5", "1500m", DEC, "1.5"),
        ("1.5Gi", "1536Mi", BIN, "1610612736"),
        ("16Gi", "16Gi", BIN, "17179869184"),
        ("1024Ki", "1Mi", BIN, "1048576"),
        ("1000Ki", "1000Ki", BIN, "1024000"),
        ("1.5Ki", "1536", BIN, "1536"),  # binary, but no binary suffix divides it
        ("0.5Ki", "512", BIN, "512"),  # below 1024: written as decimal
        ("0.5Mi", "512Ki", BIN, "524288"),
        ("8000m", "8", DEC, "8"),
        ("1000", "1k", DEC, "1000"),
        ("1500", "1500", DEC, "1500"),
        ("1024.5", "1024500m", DEC, "1024.5"),
        ("1.2345", "1234500u", DEC, "1.2345"),
        ("100u", "100u", DEC, "0.0001"),
        ("0.9n", "1n", DEC, "0.000000001"),  # finer than nano rounds away from zero
        ("0.1n", "1n", DEC, "0.000000001"),
        ("1E", "1E", DEC, "1000000000000000000"),  # exa, not an exponent
        ("1e3", "1e3", EXP, "1000"),
        ("1000e-3", "1", EXP, "1"),
        ("12.5e2", "1250", EXP, "1250"),
        ("1.5e-3", "1500e-6", EXP, "0.0015"),
        ("-1.5Gi", "-1536Mi", BIN, "-1610612736"),
        ("+2", "2", DEC, "2"),
        ("5.", "5", DEC, "5"),
        (".5", "500m", DEC, "0.5"),
        ("0", "0", DEC, "0"),
        ("-0", "0", DEC, "0"),
        ("+0.000", "0", DEC, "0"),
        ("7Ei", "7Ei", BIN, str(7 * 2**60)),
    ],
)
def test_parse_and_canonical_form(text: str, canonical: str, fmt: QuantityFormat, amount: str) -> None:
    q = parse_quantity(text)
    assert q.amount == Decimal(amount)
    assert q.format is fmt
    assert str(q) == canonical


@pytest.mark.parametrize(("value", "canonical"), [(8, "8"), (0.5, "500m"), (1e18, "1E"), (12e6, "12M")])
def test_yaml_numbers_read_as_decimal(value: float, canonical: str) -> None:
    assert str(parse_quantity(value)) == canonical


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("", 'write a number with an optional suffix, e.g. "500m", "2", "16Gi"'),
        ("1e", 'e.g. "500m"'),  # an unfinished exponent, not exa
        ("Gi", 'e.g. "500m"'),
        ("1.5.5", 'e.g. "500m"'),
        ("1e1.5", 'e.g. "500m"'),
        (".", 'e.g. "500m"'),
        ("+", 'e.g. "500m"'),
        ("64 cores", 'e.g. "500m"'),
        ("１", 'e.g. "500m"'),  # full-width digit
        (" 1", 'e.g. "500m"'),
        ("256GB", 'write "256Gi" (2^30) or "256G" (10^9)'),
        ("1.5 TB", 'write "1.5Ti" (2^40) or "1.5T" (10^12)'),
        ("1 Gi", 'write "1Gi" (2^30) or "1G" (10^9)'),
        ("1gi", 'write "1Gi" (2^30) or "1G" (10^9)'),
        ("1Kb", 'write "1Ki" (2^10) or "1k" (10^3)'),
        ("1K", 'write "1Ki" (2^10) or "1k" (10^3)'),  # decimal kilo is lowercase k
        ("8Ei", "larger than the largest quantity"),
        ("9223372036854775808", "larger than the largest quantity"),
        ("1e99999", "exponent 99999 is out of range"),
        ("1" * 101, "at most 100"),
        (True, "got bool"),
        (None, "got NoneType"),
        ([1], "got list"),
        (float("nan"), "is not a quantity"),
        (float("inf"), "is not a quantity"),
    ],
)
def test_bad_quantities_say_what_to_write(value: object, hint: str) -> None:
    with pytest.raises(QuantityError, match=re.escape(hint)):
        parse_quantity(value)


def test_equality_and_order_ignore_the_suffix_family() -> None:
    assert parse_quantity("1Gi") == parse_quantity("1073741824")
    assert hash(parse_quantity("1Gi")) == hash(parse_quantity("1073741824"))
    assert parse_quantity("1G") < parse_quantity("1Gi")
    assert parse_quantity("999m") < parse_quantity("1") <= parse_quantity("1000m")
    assert sorted(map(parse_quantity, ["2", "500m", "1k"])) == [parse_quantity(x) for x in ["500m", "2", "1k"]]


def test_arithmetic_is_exact_and_keeps_the_left_format() -> None:
    total = parse_quantity("1.5Gi") + parse_quantity("512Mi")
    assert str(total) == "2Gi"
    assert str(parse_quantity("2Gi") - parse_quantity("1Mi")) == "2047Mi"
    assert str(parse_quantity("0.1") + parse_quantity("0.2")) == "300m"  # no float drift
    assert str(parse_quantity("7").scaled(Decimal("1.2"))) == "8400m"
    assert str(parse_quantity("1Gi").scaled(Decimal("8.3"))) == "8912057139200m"  # 1073741824 * 8.3 = 8912057139.2


@pytest.mark.parametrize(
    ("value", "step", "expected"),
    [
        ("6450m", CPU_CORE, "7"),
        ("7", CPU_CORE, "7"),
        ("8.4001", CPU_MILLI, "8401m"),
        ("8499.2Mi", MEBIBYTE, "8500Mi"),
        ("20Gi", GIBIBYTE, "20Gi"),
        ("20.001Gi", GIBIBYTE, "21Gi"),
        ("0", GIBIBYTE, "0"),
    ],
)
def test_round_up_to(value: str, step: Quantity, expected: str) -> None:
    q = parse_quantity(value)
    assert str(q.round_up_to(step)) == expected


def test_round_up_to_rejects_a_zero_step() -> None:
    with pytest.raises(QuantityError, match="positive"):
        parse_quantity("1").round_up_to(Quantity(Decimal(0)))


# --- properties --------------------------------------------------------------------------

nano_amounts = st.integers(min_value=-(10**15), max_value=10**15).map(lambda n: Decimal(n).scaleb(-9))
int_amounts = st.integers(min_value=-int(MAX_MAGNITUDE), max_value=int(MAX_MAGNITUDE)).map(Decimal)
formats = st.sampled_from(list(QuantityFormat))


@given(st.one_of(nano_amounts, int_amounts), formats)
def test_formatting_round_trips_exactly(amount: Decimal, fmt: QuantityFormat) -> None:
    text = format_quantity(amount, fmt)
    assert CANONICAL.fullmatch(text), text
    parsed = parse_quantity(text)
    assert parsed.amount == amount
    # As in Kubernetes, a binary amount without a binary suffix ("125000") re-reads as decimal
    # ("125k"); from there the text is a fixed point.
    settled = str(parsed)
    assert str(parse_quantity(settled)) == settled
    if fmt is not BIN:
        assert settled == text


@given(int_amounts.filter(lambda a: abs(a) >= 1024))
def test_binary_form_uses_the_largest_exact_suffix(amount: Decimal) -> None:
    text = format_quantity(amount, BIN)
    mantissa = int(re.match(r"-?\d+", text).group())  # type: ignore[union-attr]
    if not text.endswith("Ei"):
        assert mantissa % 1024 != 0, text


@given(nano_amounts.filter(lambda a: a != 0))
def test_decimal_form_has_no_fraction_and_the_largest_suffix(amount: Decimal) -> None:
    text = format_quantity(amount, DEC)
    mantissa = int(re.match(r"-?\d+", text).group())  # type: ignore[union-attr]
    assert mantissa % 1000 != 0, text


quantity_texts = st.builds(
    lambda sign, whole, frac, suffix: f"{sign}{whole}{frac}{suffix}",
    st.sampled_from(["", "+", "-"]),
    st.integers(min_value=0, max_value=10**6).map(str),
    st.one_of(st.just(""), st.just("."), st.integers(min_value=0, max_value=10**6).map(lambda n: f".{n}")),
    st.sampled_from(["", "n", "u", "m", "k", "M", "G", "T", "Ki", "Mi", "Gi", "Ti", "e3", "E-2", "e+6"]),
)


@given(quantity_texts)
def test_any_well_formed_text_parses_and_keeps_its_value(text: str) -> None:
    q = parse_quantity(text)
    again = parse_quantity(str(q))
    assert again == q
    assert str(again) == str(q)


@given(st.lists(int_amounts.map(lambda a: Quantity(a / 2)), min_size=1, max_size=5))
def test_sums_are_order_independent(quantities: list[Quantity]) -> None:
    forward = quantities[0]
    for q in quantities[1:]:
        forward = forward + q
    backward = quantities[-1]
    for q in reversed(quantities[:-1]):
        backward = backward + q
    assert forward == backward
    assert forward.amount == sum((q.amount for q in quantities), Decimal(0))


@given(nano_amounts.filter(lambda a: a >= 0), st.sampled_from([CPU_MILLI, CPU_CORE, MEBIBYTE, GIBIBYTE]))
def test_round_up_gives_the_smallest_multiple_not_below(amount: Decimal, step: Quantity) -> None:
    rounded = Quantity(amount).round_up_to(step)
    assert rounded.amount >= amount
    assert rounded.amount - amount < step.amount
    assert (rounded.amount / step.amount) == (rounded.amount / step.amount).to_integral_value()
