"""Finding targets that no value can meet (``latency < 1`` together with ``latency > 5``).

Each TS 28.312 condition on a number bounds the allowed values from below, from above or
both. Constraints on the same target name are intersected in order; the first one that
empties the interval is reported together with the constraint it contradicts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from o2krm.oran import vocabulary as v
from o2krm.oran.findings import Finding

RULE = "o2krm.intent-translate.contradictory-targets"


@dataclass(frozen=True)
class Constraint:
    target: str
    condition: str
    values: tuple[Decimal, ...]
    field: str
    source: str  # how the user wrote it, for the message


@dataclass
class _Bound:
    value: Decimal
    inclusive: bool
    origin: Constraint


def contradictions(constraints: Sequence[Constraint]) -> list[Finding]:
    by_target: dict[str, list[Constraint]] = {}
    for constraint in constraints:
        by_target.setdefault(constraint.target, []).append(constraint)
    findings = []
    for target in sorted(by_target):
        finding = _first_contradiction(target, by_target[target])
        if finding:
            findings.append(finding)
    return findings


def _first_contradiction(target: str, constraints: list[Constraint]) -> Finding | None:
    low: _Bound | None = None
    high: _Bound | None = None
    for c in constraints:
        for value, inclusive, is_upper in _bounds(c):
            bound = _Bound(value, inclusive, c)
            if is_upper and (high is None or _tighter_upper(bound, high)):
                high = bound
            if not is_upper and (low is None or _tighter_lower(bound, low)):
                low = bound
        if low and high and _empty(low, high):
            first, second = (low, high) if high.origin is c else (high, low)
            if first.origin is second.origin:
                what = f"{c.source} ({c.field}) is an empty range"
            else:
                what = (
                    f"{first.origin.source} ({first.origin.field}) and {second.origin.source} "
                    f"({second.origin.field}) leave no possible value"
                )
            return Finding(
                f"contradictory targets for {target}: {what}; correct or remove one of them",
                field=c.field,
                current=c.source,
                rule=RULE,
            )
    return None


def _bounds(c: Constraint) -> list[tuple[Decimal, bool, bool]]:
    """(value, inclusive, is_upper) for each bound a condition sets."""
    if not c.values:
        return []
    first, last = c.values[0], c.values[-1]
    return {
        v.IS_LESS_THAN: [(first, False, True)],
        v.IS_EQUAL_TO_OR_LESS_THAN: [(first, True, True)],
        v.IS_GREATER_THAN: [(first, False, False)],
        v.IS_EQUAL_TO_OR_GREATER_THAN: [(first, True, False)],
        v.IS_EQUAL_TO: [(first, True, False), (first, True, True)],
        v.IS_WITHIN_RANGE: [(first, True, False), (last, True, True)],
    }.get(c.condition, [])


def _tighter_upper(new: _Bound, old: _Bound) -> bool:
    return new.value < old.value or (new.value == old.value and not new.inclusive)


def _tighter_lower(new: _Bound, old: _Bound) -> bool:
    return new.value > old.value or (new.value == old.value and not new.inclusive)


def _empty(low: _Bound, high: _Bound) -> bool:
    return low.value > high.value or (low.value == high.value and not (low.inclusive and high.inclusive))
