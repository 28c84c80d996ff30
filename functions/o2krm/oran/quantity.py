"""Kubernetes resource quantities ("500m", "16Gi", "1e3"), exact, on ``Decimal``.

Parsing and canonical formatting follow ``k8s.io/apimachinery`` ``resource.Quantity``:

- grammar ``<sign>?<number><suffix>`` with binary (Ki..Ei), decimal (n, u, m, "", k..E) and
  exponent (e3, E-3) suffixes; the suffix family is remembered and reused when formatting;
- values finer than one nano are rounded away from zero ("0.9n" -> "1n");
- canonical form: no fractional digits, the largest suffix that loses nothing ("1.5" -> "1500m",
  "1.5Gi" -> "1536Mi"); binary values below 1024 or with a fraction are written in decimal SI.

One deliberate difference: Kubernetes silently caps binary quantities at 2^63-1 and lets decimal
ones grow without bound. Nothing in a resource request is that large, so such values are rejected
here instead of being changed behind the user's back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_UP, Context, Decimal, localcontext
from enum import StrEnum
from functools import lru_cache, total_ordering


class QuantityFormat(StrEnum):
    DECIMAL_SI = "DecimalSI"  # 12M  = 12 * 10^6
    BINARY_SI = "BinarySI"  # 12Mi = 12 * 2^20
    DECIMAL_EXPONENT = "DecimalExponent"  # 12e6


class QuantityError(ValueError):
    """A value that is not a Kubernetes quantity; the message says what is accepted."""


MAX_MAGNITUDE = Decimal(2**63 - 1)
_NANO = Decimal("1e-9")
_MAX_TEXT_LENGTH = 100  # keeps every computation below exact within _EXACT's precision

_BINARY_SUFFIXES: dict[str, int] = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}  # powers of 1024
_DECIMAL_SUFFIXES: dict[str, int] = {
    "n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18,
}  # fmt: skip
_DECIMAL_SUFFIX_BY_EXPONENT = {exp: suffix for suffix, exp in _DECIMAL_SUFFIXES.items()}
_BINARY_SUFFIX_BY_POWER = {power: suffix for suffix, power in _BINARY_SUFFIXES.items()}

_QUANTITY_RE = re.compile(
    r"(?P<number>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))"
    r"(?P<suffix>[KMGTPE]i|[eE][+-]?[0-9]+|[numkMGTPE]?)"
)
# "256GB", "256 Gb", "1K", "4gi", "1 Gi": a number and a unit letter written the way people write bytes.
_UNIT_SLIP = re.compile(r"(?P<number>[0-9]+(?:\.[0-9]*)?)\s*(?P<letter>[kKmMgGtTpPeE])(?:[iI]?[bB]?|[iI])")
_BINARY_NAMES = {"K": "2^10", "M": "2^20", "G": "2^30", "T": "2^40", "P": "2^50", "E": "2^60"}
_DECIMAL_NAMES = {"K": "10^3", "M": "10^6", "G": "10^9", "T": "10^12", "P": "10^15", "E": "10^18"}
# Wide enough that sums and products of in-range quantities never round.
_EXACT = Context(prec=200, Emax=10**6, Emin=-(10**6))

ACCEPTED_FORMS = 'a number with an optional suffix, e.g. "500m", "2", "16Gi", "512Mi", "10G" or "1e3"'


@total_ordering
@dataclass(frozen=True, slots=True, eq=False)
class Quantity:
    """An exact amount in base units (cores, bytes) and the suffix family it is written in."""

    amount: Decimal
    format: QuantityFormat = QuantityFormat.DECIMAL_SI

    def __str__(self) -> str:
        return format_quantity(self.amount, self.format)

    def __repr__(self) -> str:
        return f"Quantity({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Quantity):
            return self.amount == other.amount
        return NotImplemented

    def __lt__(self, other: Quantity) -> bool:
        return self.amount < other.amount

    def __hash__(self) -> int:
        return hash(self.amount)

    def __add__(self, other: Quantity) -> Quantity:
        return Quantity(_EXACT.add(self.amount, other.amount), self.format)

    def __sub__(self, other: Quantity) -> Quantity:
        return Quantity(_EXACT.subtract(self.amount, other.amount), self.format)

    def scaled(self, factor: Decimal | int) -> Quantity:
        return Quantity(_EXACT.multiply(self.amount, Decimal(factor)), self.format)

    def round_up_to(self, step: Quantity) -> Quantity:
        """The smallest multiple of ``step`` that is at least this amount (steps: 1m, 1, 1Mi, 1Gi)."""
        if step.amount <= 0:
            raise QuantityError(f"rounding step must be positive, got {step}")
        with localcontext(_EXACT):
            multiples = (self.amount / step.amount).to_integral_value(rounding=ROUND_CEILING)
            return Quantity(multiples * step.amount, self.format)

    def as_cores_text(self) -> str:
        """Plain decimal text for messages: "8", "2.5"."""
        return _plain(self.amount)


def parse_quantity(value: object) -> Quantity:
    """Parse a quantity from YAML: a string such as "16Gi", or an int or float (read as decimal)."""
    if isinstance(value, Quantity):
        return value
    if type(value) is str:
        return _parse_text(value)  # quantities are immutable: the same text, the same one
    return _parse(value)


@lru_cache(maxsize=4096)  # the fake O-Cloud adds up every request's quantities per create
def _parse_text(value: str) -> Quantity:
    return _parse(value)


def _parse(value: object) -> Quantity:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise QuantityError(f"expected a quantity, got {type(value).__name__} {value!r}; write {ACCEPTED_FORMS}")
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        raise QuantityError(f"{value!r} is not a quantity; write {ACCEPTED_FORMS}")
    text = value if isinstance(value, str) else _plain(Decimal(str(value)))
    if len(text) > _MAX_TEXT_LENGTH:
        raise QuantityError(f"quantity is {len(text)} characters long; at most {_MAX_TEXT_LENGTH} are accepted")
    match = _QUANTITY_RE.fullmatch(text)
    if match is None:
        raise QuantityError(f"{text!r} is not a Kubernetes quantity; {_suggestion(text)}")
    number = Decimal(match["number"])
    suffix = match["suffix"]
    if suffix in _BINARY_SUFFIXES:
        fmt = QuantityFormat.BINARY_SI
        amount = _EXACT.multiply(number, Decimal(1024 ** _BINARY_SUFFIXES[suffix]))
    elif suffix[:1] in ("e", "E") and len(suffix) > 1:
        fmt = QuantityFormat.DECIMAL_EXPONENT
        exponent = int(suffix[1:])
        if abs(exponent) > 1000:
            raise QuantityError(f"{text!r}: exponent {exponent} is out of range")
        amount = _EXACT.scaleb(number, exponent)
    else:
        fmt = QuantityFormat.DECIMAL_SI
        amount = _EXACT.scaleb(number, _DECIMAL_SUFFIXES[suffix])
    if abs(amount) > MAX_MAGNITUDE:
        raise QuantityError(f"{text!r} is larger than the largest quantity (2^63-1 base units)")
    amount = _round_to_nano(amount) if amount else Decimal(0)
    if fmt is QuantityFormat.BINARY_SI and 0 < abs(amount) < 1:
        fmt = QuantityFormat.DECIMAL_SI  # as Kubernetes does: fractions of a byte read as decimal
    return Quantity(amount, fmt)


def _suggestion(text: str) -> str:
    """What to write instead, for the usual slips: byte units (GB), capital K, lowercase gi, spaces."""
    slip = _UNIT_SLIP.fullmatch(text.strip())
    if slip and not text.endswith("e"):  # "1e" is an unfinished exponent, not exa
        number, letter = slip["number"], slip["letter"].upper()
        decimal = "k" if letter == "K" else letter
        return f'write "{number}{letter}i" ({_BINARY_NAMES[letter]}) or "{number}{decimal}" ({_DECIMAL_NAMES[letter]})'
    return f"write {ACCEPTED_FORMS}"


def format_quantity(amount: Decimal, fmt: QuantityFormat = QuantityFormat.DECIMAL_SI) -> str:
    """Canonical text of ``amount`` in the given suffix family (amount already at nano precision)."""
    amount = _round_to_nano(amount)
    if amount == 0:
        return "0"
    if fmt is QuantityFormat.BINARY_SI:
        binary = _format_binary(amount)
        if binary is not None:
            return binary
        fmt = QuantityFormat.DECIMAL_SI
    return _format_decimal(amount, fmt)


def _format_binary(amount: Decimal) -> str | None:
    """``amount`` as <integer><Ki..Ei>, or None where Kubernetes falls back to decimal SI."""
    if abs(amount) < 1024 or amount != amount.to_integral_value():
        return None
    mantissa = int(amount)
    power = 0
    while power < 6 and mantissa % 1024 == 0:
        mantissa //= 1024
        power += 1
    return f"{mantissa}{_BINARY_SUFFIX_BY_POWER.get(power, '')}"


def _format_decimal(amount: Decimal, fmt: QuantityFormat) -> str:
    sign, digits, exponent = amount.normalize(_EXACT).as_tuple()
    assert isinstance(exponent, int)  # finite by construction
    # The suffix exponent must be a multiple of 3 no larger than the value's own exponent,
    # so that the mantissa stays an integer and is as small as possible.
    suffix_exponent = (exponent // 3) * 3
    mantissa = int("".join(map(str, digits))) * 10 ** (exponent - suffix_exponent)
    text = f"{'-' if sign else ''}{mantissa}"
    if fmt is QuantityFormat.DECIMAL_SI and suffix_exponent in _DECIMAL_SUFFIX_BY_EXPONENT:
        return text + _DECIMAL_SUFFIX_BY_EXPONENT[suffix_exponent]
    return text if suffix_exponent == 0 else f"{text}e{suffix_exponent}"


def _round_to_nano(amount: Decimal) -> Decimal:
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -9:
        return amount
    return amount.quantize(_NANO, rounding=ROUND_UP, context=_EXACT)


def _plain(amount: Decimal) -> str:
    """Decimal text without exponent: 1E+3 -> "1000", 2.50 -> "2.5"."""
    return f"{amount.normalize(_EXACT):f}"


CPU_MILLI = Quantity(Decimal("0.001"))
CPU_CORE = Quantity(Decimal(1))
MEBIBYTE = Quantity(Decimal(1024**2), QuantityFormat.BINARY_SI)
GIBIBYTE = Quantity(Decimal(1024**3), QuantityFormat.BINARY_SI)
