"""SLO gating is complete and faithful: every ProvisioningRequest has its SLOGate and MeasurementJob,
the references between them resolve, and each gate threshold says what its source intent says.

Links, as the CRDs in crds/ define them: an SLOGate names its request in
``spec.provisioningRequestRef.name`` and its job in ``spec.measurementJobRef.name`` (default: the
gate's own name, same namespace); a MeasurementJob names its request in ``spec.targetResources``
(``resourceType: ProvisioningRequest``); a gate threshold names its intent target in
``spec.sloTargets[].source`` (intent, expectationId, targetName, targetCondition). Thresholds are in
the intent's units, so they must equal the intent's numbers. Gate targets without ``source``, and
sources whose intent is not in the package, cannot be compared and are skipped.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any, Final

from o2krm.oran import vocabulary as v
from o2krm.oran.intent_view import IntentView, Target
from o2krm.oran.policy.package import Item, Package, Violation, as_list, as_map, path

PR_GROUP: Final = v.PR_API.split("/")[0]
GATE_GROUP: Final = v.SLOGATE_API.split("/")[0]
JOB_GROUP: Final = v.MEASUREMENT_JOB_API.split("/")[0]
INTENT_GROUP: Final = v.INTENT_3GPP_API.split("/")[0]

# measured <operator> threshold, per 28.312 condition; IS_WITHIN_RANGE [low, high] is ">=" low and "<=" high.
OPERATORS: Final[dict[str, str]] = {
    v.IS_LESS_THAN: "<",
    v.IS_EQUAL_TO_OR_LESS_THAN: "<=",
    v.IS_GREATER_THAN: ">",
    v.IS_EQUAL_TO_OR_GREATER_THAN: ">=",
    v.IS_EQUAL_TO: "==",
}


def check(package: Package) -> Iterator[Violation]:
    requests = package.of_kind(PR_GROUP, v.PR_KIND)
    gates = package.of_kind(GATE_GROUP, v.SLOGATE_KIND)
    jobs = package.of_kind(JOB_GROUP, v.MEASUREMENT_JOB_KIND)
    if not (requests or gates or jobs):
        return
    request_names = {item.name for item in requests}
    gated = {_gate_request(gate) for gate in gates}
    measured = {name for job in jobs for name in _job_requests(job)}
    for item in requests:
        if item.name not in gated:
            yield Violation(
                item.index,
                "consistency.missing-slogate",
                f"{item.describe()} has no SLOGate (spec.provisioningRequestRef.name: {item.name}); "
                "run slo-gate-inject, or add a gate",
                "metadata.name",
                item.name,
            )
        if item.name not in measured:
            yield Violation(
                item.index,
                "consistency.missing-measurementjob",
                f"{item.describe()} has no MeasurementJob (spec.targetResources naming ProvisioningRequest "
                f"{item.name}); run slo-gate-inject, or add a job",
                "metadata.name",
                item.name,
            )
    jobs_by_key = {(job.namespace, job.name): job for job in jobs}
    for gate in gates:
        yield from _gate_references(gate, request_names, jobs_by_key)
    for job in jobs:
        for field, name in _job_request_fields(job):
            if name not in request_names:
                yield _dangling(job, field, f"ProvisioningRequest {name!r}", name)
    intents = _intents(package)
    for gate in gates:
        yield from _thresholds(gate, intents)


def _gate_request(gate: Item) -> str:
    name = as_map(gate.spec.get("provisioningRequestRef")).get("name")
    return name if isinstance(name, str) else ""


def _job_request_fields(job: Item) -> Iterator[tuple[str, str]]:
    for i, target in enumerate(as_list(job.spec.get("targetResources"))):
        target = as_map(target)
        if target.get("resourceType") == v.PR_KIND and isinstance(target.get("resourceName"), str):
            yield path(path("spec.targetResources", i), "resourceName"), target["resourceName"]


def _job_requests(job: Item) -> Iterator[str]:
    return (name for _, name in _job_request_fields(job))


def _dangling(item: Item, field: str, what: str, current: Any) -> Violation:
    return Violation(
        item.index,
        "consistency.dangling-reference",
        f"{item.describe()} refers to {what}, which is not in the package",
        field,
        current,
    )


def _gate_references(gate: Item, requests: set[str], jobs: Mapping[tuple[str, str], Item]) -> Iterator[Violation]:
    request = _gate_request(gate)
    if request and request not in requests:
        yield _dangling(gate, "spec.provisioningRequestRef.name", f"ProvisioningRequest {request!r}", request)
    job_ref = as_map(gate.spec.get("measurementJobRef")).get("name")
    job_name = job_ref if isinstance(job_ref, str) else gate.name
    job = jobs.get((gate.namespace, job_name))
    if job is None:
        field = "spec.measurementJobRef.name" if isinstance(job_ref, str) else "metadata.name"
        yield _dangling(gate, field, f"MeasurementJob {job_name!r}", job_name)
        return
    measurements = {as_map(m).get("name") for m in as_list(job.spec.get("measurements"))}
    for i, target in enumerate(as_list(gate.spec.get("sloTargets"))):
        metric = as_map(target).get("metric")
        if metric not in measurements:
            yield _dangling(
                gate,
                path(path("spec.sloTargets", i), "metric"),
                f"measurement {metric!r} of MeasurementJob {job_name!r}",
                metric,
            )


def _intents(package: Package) -> dict[str, IntentView]:
    """28.312 intents by metadata.name and by spec.id (a gate source may use either)."""
    found: dict[str, IntentView] = {}
    for item in package.of_kind(INTENT_GROUP, v.INTENT_3GPP_KIND):
        view = IntentView.from_spec(item.spec, default_id=item.name)
        for key in (item.name, view.intent_id):
            if key:
                found.setdefault(key, view)
    return found


def _thresholds(gate: Item, intents: Mapping[str, IntentView]) -> Iterator[Violation]:
    gated_intents: dict[str, set[tuple[str, str]]] = {}
    for i, raw in enumerate(as_list(gate.spec.get("sloTargets"))):
        target = as_map(raw)
        source = as_map(target.get("source"))
        intent = intents.get(str(source.get("intent", "")))
        if not source or intent is None:
            continue
        field = path("spec.sloTargets", i)
        key = (str(source.get("expectationId", "")), str(source.get("targetName", "")))
        gated_intents.setdefault(str(source.get("intent")), set()).add(key)
        matches = [t for t in intent.targets if (t.expectation_id, t.original_name) == key]
        if not matches:
            yield _mismatch(
                gate,
                path(field, "source"),
                f"intent {source.get('intent')!r} has no target {key[1]!r} in expectation {key[0]!r}; "
                "regenerate the gate from the intent",
                dict(source),
            )
            continue
        yield from _compare(gate, field, target, matches[0])
    for intent_name in sorted(gated_intents):
        for target in intents[intent_name].targets:
            measurable = target.name in v.TARGET_UNITS and (target.condition in OPERATORS or _is_range(target))
            if measurable and (target.expectation_id, target.original_name) not in gated_intents[intent_name]:
                yield _mismatch(
                    gate,
                    "spec.sloTargets",
                    f"intent {intent_name!r} target {target.original_name!r} ({target.condition} "
                    f"{_values(target)}) has no threshold in this gate; regenerate the gate from the intent",
                    None,
                )


def _compare(gate: Item, field: str, target: Mapping[str, Any], intent_target: Target) -> Iterator[Violation]:
    operator, threshold, unit = target.get("operator"), target.get("threshold"), target.get("unit")
    if operator not in OPERATORS.values() or not _is_number(threshold):
        return  # malformed: schema.invalid says so; comparing it would only repeat that
    expected = _expected(intent_target)
    wanted = " or ".join(f"{op} {value:g}" for op, value in expected) or "no threshold gate"
    said = f"intent target {intent_target.original_name!r} is {intent_target.condition} {_values(intent_target)}"
    if not any(operator == op and _same(threshold, value) for op, value in expected):
        ok_operator = any(operator == op for op, _ in expected)
        yield _mismatch(
            gate,
            path(field, "threshold" if ok_operator else "operator"),
            f"gate says {operator} {threshold} but the {said}: expected {wanted}",
            threshold if ok_operator else operator,
            next((value for op, value in expected if op == operator), None) if ok_operator else None,
        )
    if unit is not None and intent_target.unit is not None and unit != intent_target.unit:
        yield _mismatch(
            gate,
            path(field, "unit"),
            f"gate threshold is in {unit!r} but the intent target {intent_target.original_name!r} is in "
            f"{intent_target.unit!r}",
            unit,
            intent_target.unit,
        )


def _expected(target: Target) -> list[tuple[str, float]]:
    if target.condition in OPERATORS and len(target.values) == 1 and _is_number(target.values[0]):
        return [(OPERATORS[target.condition], target.values[0])]
    if _is_range(target):
        low, high = target.values
        return [(">=", low), ("<=", high)]
    return []


def _is_range(target: Target) -> bool:
    return target.condition == v.IS_WITHIN_RANGE and len(target.values) == 2 and all(map(_is_number, target.values))


def _values(target: Target) -> str:
    return str(list(target.values)) if len(target.values) != 1 else str(target.values[0])


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _same(a: Any, b: Any) -> bool:
    return _is_number(a) and _is_number(b) and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _mismatch(gate: Item, field: str, message: str, current: Any, proposed: Any = None) -> Violation:
    return Violation(
        gate.index,
        "consistency.threshold-mismatch",
        f"{gate.describe()}: {message}",
        field,
        current,
        proposed,
    )
