"""From one 28.312 expectation target to gate thresholds, or findings that say why not.

A gate is a conjunction: every threshold must hold. So IS_WITHIN_RANGE becomes two
thresholds (>= low, <= high, inclusive), while conditions that need a disjunction or a set
(IS_OUTSIDE_RANGE, IS_ONE_OF, IS_NOT_ONE_OF, IS_ALL_OF) cannot be a threshold gate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real

from o2krm.oran import vocabulary as v
from o2krm.oran.findings import Finding
from o2krm.oran.intent_view import Target
from o2krm.oran.slo.measurements import PhysicalRange
from o2krm.oran.slo.models import Operator

OPERATORS: dict[str, Operator] = {
    v.IS_LESS_THAN: "<",
    v.IS_EQUAL_TO_OR_LESS_THAN: "<=",
    v.IS_GREATER_THAN: ">",
    v.IS_EQUAL_TO_OR_GREATER_THAN: ">=",
    v.IS_EQUAL_TO: "==",
}
RANGE_OPERATORS: tuple[Operator, Operator] = (">=", "<=")
UNGATEABLE = (v.IS_OUTSIDE_RANGE, v.IS_ONE_OF, v.IS_NOT_ONE_OF, v.IS_ALL_OF)

RULE_CONDITION = "o2krm.slo.unsupported-condition"
RULE_VALUE = "o2krm.slo.bad-value"
RULE_PHYSICAL = "o2krm.slo.physical-range"
RULE_UNSATISFIABLE = "o2krm.slo.unsatisfiable"


def intent_tags() -> dict[str, str]:
    """Tags of a finding about the intent (the adapter attaches it to the Intent resource)."""
    return {"resource": v.INTENT_3GPP_KIND}


@dataclass(frozen=True)
class Threshold:
    operator: Operator
    value: int | float


def thresholds_for(target: Target, physical: PhysicalRange) -> tuple[list[Threshold], list[Finding]]:
    """Thresholds for ``target``, or (``[]``, error findings)."""
    shape, findings = _shape(target)
    if findings:
        return [], findings
    findings = [f for t in shape for f in _physical_findings(target, t, physical)]
    return ([], findings) if findings else (shape, [])


def _shape(target: Target) -> tuple[list[Threshold], list[Finding]]:
    condition_field = f"{target.field_path}.targetCondition"
    value_field = f"{target.field_path}.targetValueRange"
    values = target.values
    if target.condition in OPERATORS:
        if len(values) != 1 or not _is_number(values[0]):
            return [], [_error(target, value_field, "one number", values, RULE_VALUE)]
        return [Threshold(OPERATORS[target.condition], values[0])], []
    if target.condition == v.IS_WITHIN_RANGE:
        if len(values) != 2 or not all(_is_number(x) for x in values):
            return [], [_error(target, value_field, "two numbers [low, high]", values, RULE_VALUE)]
        low, high = values
        if low > high:
            finding = _error(target, value_field, "low <= high", values, RULE_VALUE, proposed=[high, low])
            return [], [finding]
        return [Threshold(RANGE_OPERATORS[0], low), Threshold(RANGE_OPERATORS[1], high)], []
    supported = ", ".join([*OPERATORS, v.IS_WITHIN_RANGE])
    why = (
        "a gate requires every threshold to hold, so it cannot express this condition"
        if target.condition in UNGATEABLE
        else "it is not a 28.312 condition"
    )
    message = (
        f"target {target.original_name!r}: condition {target.condition!r} cannot be a threshold gate "
        f"({why}); use one of {supported}"
    )
    return [], [Finding(message, "error", condition_field, target.condition, None, RULE_CONDITION, intent_tags())]


def _physical_findings(target: Target, threshold: Threshold, physical: PhysicalRange) -> list[Finding]:
    value_field = f"{target.field_path}.targetValueRange"
    value = threshold.value
    unit = target.unit or ""
    if not physical.contains(value):
        proposed = value / 100 if physical.high == 1 and 1 < value <= 100 else None
        hint = f"; {value:g} looks like a percentage, write {proposed:g}" if proposed is not None else ""
        message = (
            f"target {target.original_name!r}: {value:g} {unit} is outside physical sense "
            f"(must be {physical.describe()}){hint}"
        )
        return [Finding(message, "error", value_field, value, proposed, RULE_PHYSICAL, intent_tags())]
    never = (threshold.operator == ">" and value >= physical.high) or (
        threshold.operator == "<" and value <= physical.low
    )
    if never:
        message = (
            f"target {target.original_name!r}: '{threshold.operator} {value:g} {unit}' can never hold "
            f"(values are {physical.describe()})"
        )
        return [Finding(message, "error", value_field, value, None, RULE_UNSATISFIABLE, intent_tags())]
    return []


def _is_number(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def _error(
    target: Target,
    field: str,
    expected: str,
    values: tuple[object, ...],
    rule: str,
    proposed: object = None,
) -> Finding:
    current = list(values) if len(values) != 1 else values[0]
    message = (
        f"target {target.original_name!r} with {target.condition}: targetValueRange must be {expected}, got {current!r}"
    )
    return Finding(message, "error", field, current, proposed, rule, intent_tags())
