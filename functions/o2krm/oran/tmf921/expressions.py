"""Reading the short condition texts of the seed form: ``latency<10ms``, ``<1ms``, ``99.999%``.

Grammar (spaces allowed between parts)::

    condition  := metric comparator quantity | metric quantity ".." quantity
    value      := [comparator] quantity | quantity ".." quantity
    comparator := "<" | "<=" | ">" | ">=" | "=" | "==" | "≤" | "≥"
    quantity   := number [unit]

A condition needs its comparator (or range): without it, ``edge-cluster-us-west-1`` would
read as "edge-cluster-us-west- equals 1".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from o2krm.oran.tmf921.model import Comparator, Quantity

_COMPARATORS = {
    "<": Comparator.LESS,
    "<=": Comparator.LESS_OR_EQUAL,
    "=<": Comparator.LESS_OR_EQUAL,
    "≤": Comparator.LESS_OR_EQUAL,
    ">": Comparator.GREATER,
    ">=": Comparator.GREATER_OR_EQUAL,
    "=>": Comparator.GREATER_OR_EQUAL,
    "≥": Comparator.GREATER_OR_EQUAL,
    "=": Comparator.EQUAL,
    "==": Comparator.EQUAL,
}
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_UNIT = r"[A-Za-zµμ%/][A-Za-z0-9µμ%/]*"
_QUANTITY = rf"(?P<{{n}}>{_NUMBER})\s*(?P<{{u}}>{_UNIT})?"
_OP = r"(?P<op><=|>=|=<|=>|==|<|>|=|≤|≥)"
_METRIC = r"(?P<metric>[A-Za-z][A-Za-z0-9_.\- ]*?)"

_VALUE = re.compile(rf"^\s*{_OP}?\s*{_QUANTITY.format(n='n1', u='u1')}\s*$")
_RANGE = re.compile(rf"^\s*{_QUANTITY.format(n='n1', u='u1')}\s*\.\.\s*{_QUANTITY.format(n='n2', u='u2')}\s*$")
_CONDITION = re.compile(rf"^\s*{_METRIC}\s*{_OP}\s*{_QUANTITY.format(n='n1', u='u1')}\s*$")
_RANGE_CONDITION = re.compile(
    rf"^\s*{_METRIC}\s+{_QUANTITY.format(n='n1', u='u1')}\s*\.\.\s*{_QUANTITY.format(n='n2', u='u2')}\s*$"
)


@dataclass(frozen=True)
class Parsed:
    comparator: Comparator | None
    bounds: tuple[Quantity, ...]
    metric: str | None = None


def parse_condition(text: str) -> Parsed | None:
    """``latency<10ms`` -> (latency, <, 10 ms); ``latency 2..8ms``; anything else -> None."""
    match = _CONDITION.match(text) or _RANGE_CONDITION.match(text)
    if match is None:
        return None
    parsed = _from_match(match)
    return Parsed(parsed.comparator, parsed.bounds, match.group("metric").strip())


def parse_value(text: str) -> Parsed | None:
    """``<1ms`` -> (<, 1 ms); ``99.999%`` -> (None, 99.999 %); ``2..8 ms``; else None."""
    match = _VALUE.match(text) or _RANGE.match(text)
    return _from_match(match) if match else None


def _from_match(match: re.Match[str]) -> Parsed:
    groups = match.groupdict()
    first = Quantity(_decimal(groups["n1"]), groups["u1"])
    if groups.get("n2") is not None:
        second = Quantity(_decimal(groups["n2"]), groups["u2"])
        # "2..8ms": the unit written once applies to both bounds
        if first.unit is None and second.unit is not None:
            first = Quantity(first.value, second.unit)
        return Parsed(Comparator.IN_RANGE, (first, second))
    op = groups.get("op")
    return Parsed(_COMPARATORS[op] if op else None, (first,))


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only numbers
        raise ValueError(f"not a number: {text!r}") from exc
