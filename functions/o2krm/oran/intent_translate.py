"""intent-translate: a TMF921 intent into a TS 28.312 Rel-18 Intent and its first IntentReport.

Nothing is dropped silently. Every verb, object, target and context of the source either
has a place in the 28.312 intent or is carried there as written *and* reported by a
warning finding; the words used to say where it came from (``sourceVerb``,
``sourceTarget``, ``sourceExpression``) are kept as contexts. The full mapping table is
in ``o2krm/fns/intent_translate/README.md``.

Input that cannot be translated raises DomainError with findings naming the field: not a
TMF921 intent, unreadable JSON-LD/Turtle, unknown units, contradictory targets, an
expectation without an object, no expectations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from o2krm.oran import vocabulary as v
from o2krm.oran.findings import DomainError, Finding
from o2krm.oran.tmf921 import read_intent, terms
from o2krm.oran.tmf921.model import (
    Attribute,
    Comparator,
    Expectation,
    ExpectationKind,
    Quantity,
    Requirement,
    SourceIntent,
)
from o2krm.oran.ts28312 import envelope, report
from o2krm.oran.ts28312.consistency import Constraint, contradictions
from o2krm.oran.ts28312.model import (
    RAN_SUBNETWORK,
    Context,
    ExpectationObject,
    ExpectationTarget,
    Intent,
    IntentExpectation,
    ValueRange,
    Verb,
)
from o2krm.oran.ts28312.units import (
    RatioRangeError,
    UnitError,
    duration_seconds,
    json_number,
    normalise,
)

# Context attributes o2krm adds to keep the source visible (documented in the function README).
CTX_SOURCE_VERB: Final = "sourceVerb"
CTX_SOURCE_TARGET: Final = "sourceTarget"
CTX_SOURCE_EXPRESSION: Final = "sourceExpression"
CTX_UNIT: Final = "unit"
CTX_UNMAPPED_OBJECTS: Final = "unmappedObjects"
CTX_REPORT_TRIGGERS: Final = "reportTriggers"
CTX_REPORT_DESTINATIONS: Final = "reportDestinations"
CTX_VALID_FOR: Final = "validFor"

_VERBS: Final[dict[ExpectationKind, Verb]] = {
    ExpectationKind.DELIVERY: "DELIVER",
    ExpectationKind.ASSURANCE: "ENSURE",
}
_CONDITIONS: Final[dict[Comparator, str]] = {
    Comparator.LESS: v.IS_LESS_THAN,
    Comparator.LESS_OR_EQUAL: v.IS_EQUAL_TO_OR_LESS_THAN,
    Comparator.GREATER: v.IS_GREATER_THAN,
    Comparator.GREATER_OR_EQUAL: v.IS_EQUAL_TO_OR_GREATER_THAN,
    Comparator.EQUAL: v.IS_EQUAL_TO,
    Comparator.IN_RANGE: v.IS_WITHIN_RANGE,
}
_RULE_UNMAPPED: Final = "o2krm.intent-translate.unmapped"
_RULE_UNIT: Final = "o2krm.intent-translate.unit"
_RULE_OUTPUT: Final = "o2krm.intent-translate.output-schema"


@dataclass(frozen=True)
class Translation:
    intent: dict[str, Any]  # KRM resource: intent.3gpp.org/v1alpha1 Intent
    report: dict[str, Any]  # KRM resource: intent.3gpp.org/v1alpha1 IntentReport
    findings: list[Finding]  # warnings: what was carried as written or not translated


def translate(resource: dict[str, Any], *, check_schema: bool = False) -> Translation:
    """Translate one TMF921 intent resource (either KRM form).

    ``check_schema`` validates both outputs against the 3GPP documents when the specs
    directory exists (see :mod:`o2krm.oran.ts28312.schema`); a failure is a bug in this
    translator and is raised as a DomainError.
    """
    source = read_intent(resource)
    mapper = _Mapper(source)
    intent = mapper.intent()
    if errors := contradictions(mapper.constraints):
        raise DomainError(errors)

    intent_spec = intent.to_spec()
    report_spec = report.acknowledged(intent.intent_id, intent.expectations)
    if check_schema:
        _check_schema(intent_spec, report_spec)
    origin = envelope.source_reference(v.TMF921_KIND, source.name, source.namespace)
    return Translation(
        intent=envelope.intent_resource(intent_spec, name=source.name, namespace=source.namespace, source=origin),
        report=envelope.report_resource(report_spec, name=source.name, namespace=source.namespace, source=origin),
        findings=[*source.notes, *mapper.notes],
    )


def _check_schema(intent_spec: dict[str, Any], report_spec: dict[str, Any]) -> None:
    from o2krm.oran.ts28312 import schema

    if not schema.available():
        return
    problems = schema.validate_intent_spec(intent_spec) + schema.validate_report_spec(report_spec)
    if problems:
        raise DomainError(
            [
                Finding(
                    f"translated output is not a valid TS 28.312 resource (please report this): {p.message}",
                    field=p.field,
                    rule=_RULE_OUTPUT,
                )
                for p in problems
            ]
        )


@dataclass
class _Scope:
    """What an expectation applies to: the contexts of its expectationObject."""

    functions: set[str] = field(default_factory=set)
    sites: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    service_types: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)

    def empty(self) -> bool:
        return not (self.functions or self.sites or self.regions or self.service_types or self.unmapped)

    def merge(self, other: _Scope) -> None:
        self.functions |= other.functions
        for mine, theirs in (
            (self.sites, other.sites),
            (self.regions, other.regions),
            (self.service_types, other.service_types),
            (self.unmapped, other.unmapped),
        ):
            mine.extend(x for x in theirs if x not in mine)

    def contexts(self) -> tuple[Context, ...]:
        out = []
        if self.sites:
            out.append(Context(v.CTX_TARGET_SITE, v.IS_ONE_OF, list(self.sites)))
        if self.regions:
            out.append(_one_or_many(v.CTX_REGION, self.regions))
        if self.functions:
            out.append(Context(v.CTX_NETWORK_FUNCTIONS, v.IS_ALL_OF, list(terms.order_functions(self.functions))))
        if self.service_types:
            out.append(_one_or_many(v.CTX_SERVICE_TYPE, self.service_types))
        if self.unmapped:
            out.append(Context(CTX_UNMAPPED_OBJECTS, v.IS_ALL_OF, list(self.unmapped)))
        return tuple(out)


class _Mapper:
    def __init__(self, source: SourceIntent) -> None:
        self.source = source
        self.notes: list[Finding] = []
        self.constraints: list[Constraint] = []

    def intent(self) -> Intent:
        stated = [e for e in self.source.expectations if e.kind is not ExpectationKind.REPORTING]
        reporting = [e for e in self.source.expectations if e.kind is ExpectationKind.REPORTING]
        if not stated:
            raise DomainError(
                Finding(
                    "the intent has only reporting expectations: nothing to deliver or ensure",
                    field=self.source.expectations[0].field if self.source.expectations else "spec",
                    rule="o2krm.intent-translate.input",
                )
            )

        scopes = {id(e): self._scope(e) for e in stated}
        for exp in stated:
            if exp.kind is not ExpectationKind.DELIVERY and scopes[id(exp)].empty():
                for delivery in self._deliveries_for(exp, stated):
                    scopes[id(exp)].merge(scopes[id(delivery)])

        ids = _unique_ids([e.id for e in stated])
        expectations = tuple(
            self._expectation(exp, exp_id, scopes[id(exp)]) for exp, exp_id in zip(stated, ids, strict=True)
        )
        contexts = [self._intent_context(a) for a in self.source.contexts]
        if self.source.valid_for:
            contexts.append(Context(CTX_VALID_FOR, v.IS_EQUAL_TO, dict(self.source.valid_for)))
        period, reporting_contexts = self._reporting(reporting)
        return Intent(
            intent_id=self.source.intent_id,
            user_label=self.source.label,
            expectations=expectations,
            contexts=tuple(contexts) + reporting_contexts,
            priority=self.source.priority,
            observation_period=period,
        )

    # --- expectations -------------------------------------------------------------------
    def _expectation(self, exp: Expectation, exp_id: str, scope: _Scope) -> IntentExpectation:
        contexts: list[Context] = []
        if exp.verbs:
            contexts.append(_one_or_all(CTX_SOURCE_VERB, list(exp.verbs)))
        if exp.labels:
            contexts.append(_one_or_all(CTX_SOURCE_TARGET, list(exp.labels)))
        contexts.extend(
            self._plain_context(a, f"expectation {exp.id}") for a in exp.contexts if terms.context_role(a.name) is None
        )
        return IntentExpectation(
            expectation_id=exp_id,
            verb=_VERBS.get(exp.kind) if exp.kind else None,
            obj=ExpectationObject(RAN_SUBNETWORK, scope.contexts()),
            targets=tuple(self._target(r) for r in exp.requirements),
            contexts=tuple(contexts),
        )

    def _scope(self, exp: Expectation) -> _Scope:
        scope = _Scope(sites=list(dict.fromkeys(exp.sites)))
        for name in exp.objects:
            functions = terms.network_functions(name)
            if functions:
                scope.functions.update(functions)
            else:
                scope.unmapped.append(name)
                self._warn(
                    f"expectation {exp.id}: object {name!r} is not an O-RAN network function this pipeline deploys "
                    f"({', '.join(v.NETWORK_FUNCTIONS)}; written e.g. o-ran-cu, o-ran-du); it is kept "
                    f"as the {CTX_UNMAPPED_OBJECTS} object context",
                    exp.field,
                    name,
                )
        for attribute in exp.contexts:
            self._scope_context(attribute, scope, f"expectation {exp.id}")
        return scope

    def _scope_context(self, attribute: Attribute, scope: _Scope, where: str) -> None:
        role = terms.context_role(attribute.name)
        if role == v.CTX_TARGET_SITE:
            scope.sites.extend(x for x in attribute.values if x not in scope.sites)
        elif role == v.CTX_REGION:
            scope.regions.extend(x for x in attribute.values if x not in scope.regions)
        elif role == v.CTX_SERVICE_TYPE:
            for value in attribute.values:
                scope.service_types.append(self._service_type(value, attribute.field, where))
        elif role == v.CTX_NETWORK_FUNCTIONS:
            for value in attribute.values:
                functions = terms.network_functions(value)
                if functions:
                    scope.functions.update(functions)
                else:
                    scope.unmapped.append(value)
                    self._warn(
                        f"{where}: network function {value!r} in context {attribute.name!r} is not one of "
                        f"{', '.join(v.NETWORK_FUNCTIONS)}; it is kept as {CTX_UNMAPPED_OBJECTS}",
                        attribute.field,
                        value,
                    )

    def _service_type(self, value: str, field: str, where: str) -> str:
        canonical = terms.service_type(value)
        if canonical is None:
            self._warn(
                f"{where}: service type {value!r} is not one of {', '.join(v.SERVICE_TYPES)}; it is carried as written",
                field,
                value,
            )
            return value
        return canonical

    def _deliveries_for(self, exp: Expectation, stated: Sequence[Expectation]) -> list[Expectation]:
        """The delivery expectations an assurance applies to: those with the same TIO
        icm:target, or (seed form, no target links) every delivery of the intent."""
        deliveries = [e for e in stated if e.kind is ExpectationKind.DELIVERY]
        if exp.target_ref is None:
            return deliveries
        return [e for e in deliveries if e.target_ref == exp.target_ref]

    # --- targets ---------------------------------------------------------------------------
    def _target(self, req: Requirement) -> ExpectationTarget:
        name = terms.metric_name(req.metric)
        if name.canonical is None:
            self._warn(
                f"target {req.metric!r} has no canonical TS 28.312 name in this pipeline "
                f"({', '.join(v.TARGET_UNITS)}); it is carried as written and no stage acts on it",
                req.field,
                req.source,
            )
            values, unit = [b.value for b in req.bounds], _single_unit(req.bounds)
        else:
            values, unit = self._normalised(name.canonical, req)
        if req.comparator is Comparator.IN_RANGE and values[0] > values[-1]:
            raise DomainError(
                Finding(
                    f"range {req.source!r} starts above its end; write the lower bound first",
                    field=req.field,
                    current=req.source,
                    rule="o2krm.intent-translate.input",
                )
            )
        condition = _condition(req.comparator, name.canonical)
        self.constraints.append(Constraint(name.target_name, condition, tuple(values), req.field, req.source))

        value_range: ValueRange = [json_number(x) for x in values] if len(values) > 1 else json_number(values[0])
        contexts = [Context(CTX_SOURCE_EXPRESSION, v.IS_EQUAL_TO, req.source)]
        if unit:
            contexts.append(Context(CTX_UNIT, v.IS_EQUAL_TO, unit))
        return ExpectationTarget(name.target_name, condition, value_range, tuple(contexts))

    def _normalised(self, canonical: str, req: Requirement) -> tuple[list[Decimal], str]:
        values = []
        for bound in req.bounds:
            try:
                result = normalise(canonical, bound.value, bound.unit)
            except UnitError as exc:
                raise DomainError(
                    Finding(
                        f"{req.source!r}: {exc}",
                        field=req.field,
                        current=bound.unit,
                        proposed=exc.accepted[0] if exc.accepted else None,
                        rule=_RULE_UNIT,
                    )
                ) from None
            except RatioRangeError as exc:
                raise DomainError(
                    Finding(f"{req.source!r}: {exc}", field=req.field, current=req.source, rule=_RULE_UNIT)
                ) from None
            if result.assumed:
                self._warn(
                    f"{req.source!r} gives no unit; read as {result.unit}",
                    req.field,
                    req.source,
                    rule=_RULE_UNIT,
                )
            values.append(result.value)
        return values, v.TARGET_UNITS[canonical]

    # --- contexts -----------------------------------------------------------------------------
    def _intent_context(self, attribute: Attribute) -> Context:
        role = terms.context_role(attribute.name)
        if role is None:
            return self._plain_context(attribute, "intent")
        if role == v.CTX_TARGET_SITE:
            return Context(role, v.IS_ONE_OF, list(attribute.values))
        if role == v.CTX_SERVICE_TYPE:
            return _one_or_many(role, [self._service_type(x, attribute.field, "intent") for x in attribute.values])
        if role == v.CTX_NETWORK_FUNCTIONS:
            scope = _Scope()
            self._scope_context(attribute, scope, "intent")
            return scope.contexts()[0]
        return _one_or_many(role, list(attribute.values))

    def _plain_context(self, attribute: Attribute, where: str) -> Context:
        self._warn(
            f"{where}: context {attribute.name!r} = {', '.join(attribute.values)!s} has no meaning "
            "for this pipeline; it is carried as written and no stage acts on it",
            attribute.field,
            attribute.name,
        )
        return _one_or_all(attribute.name, list(attribute.values))

    def _reporting(self, reporting: Sequence[Expectation]) -> tuple[int | None, tuple[Context, ...]]:
        """Reporting expectations have no 28.312 counterpart: their interval becomes the
        intent's observationPeriod, their triggers and destinations intent contexts."""
        periods: list[int] = []
        triggers: list[str] = []
        destinations: list[str] = []
        for exp in reporting:
            if exp.reporting is None or exp.requirements or exp.contexts:
                self._warn(
                    f"reporting expectation {exp.id} ({', '.join(exp.verbs)}) has no TS 28.312 "
                    "counterpart: only its report triggers, destinations and interval are "
                    "translated (to intentContexts and observationPeriod)",
                    exp.field,
                    exp.id,
                )
            if exp.reporting is None:
                continue
            triggers.extend(t for t in exp.reporting.triggers if t not in triggers)
            destinations.extend(d for d in exp.reporting.destinations if d not in destinations)
            if exp.reporting.interval is not None:
                seconds = self._seconds(exp.reporting.interval, exp)
                if seconds is not None:
                    periods.append(seconds)
        contexts = []
        if triggers:
            contexts.append(Context(CTX_REPORT_TRIGGERS, v.IS_ALL_OF, triggers))
        if destinations:
            contexts.append(Context(CTX_REPORT_DESTINATIONS, v.IS_ALL_OF, destinations))
        return (min(periods) if periods else None), tuple(contexts)

    def _seconds(self, interval: Quantity, exp: Expectation) -> int | None:
        try:
            seconds = duration_seconds(interval.value, interval.unit)
        except UnitError as exc:
            raise DomainError(
                Finding(
                    f"reporting interval of {exp.id}: {exc}",
                    field=exp.field,
                    current=interval.unit,
                    rule=_RULE_UNIT,
                )
            ) from None
        if seconds != seconds.to_integral_value() or seconds < 1:
            self._warn(
                f"reporting interval {interval} of {exp.id} is not a whole number of seconds; "
                "observationPeriod was not set",
                exp.field,
                str(interval),
            )
            return None
        return int(seconds)

    def _warn(self, message: str, where: str, current: object = None, rule: str = _RULE_UNMAPPED) -> None:
        self.notes.append(Finding(message, severity="warning", field=where, current=current, rule=rule))


def _condition(comparator: Comparator | None, canonical: str | None) -> str:
    """A bare value ("reliability: 99.999%") is a floor for metrics where more is better
    and a ceiling where less is better; for unknown metrics it is an equality."""
    if comparator is not None:
        return _CONDITIONS[comparator]
    if canonical in terms.HIGHER_IS_BETTER:
        return v.IS_EQUAL_TO_OR_GREATER_THAN
    if canonical in terms.LOWER_IS_BETTER:
        return v.IS_EQUAL_TO_OR_LESS_THAN
    return v.IS_EQUAL_TO


def _single_unit(bounds: Sequence[Quantity]) -> str | None:
    units = {b.unit for b in bounds if b.unit}
    return units.pop() if len(units) == 1 else None


def _one_or_many(attribute: str, values: list[str]) -> Context:
    if len(values) == 1:
        return Context(attribute, v.IS_EQUAL_TO, values[0])
    return Context(attribute, v.IS_ONE_OF, values)


def _one_or_all(attribute: str, values: list[str]) -> Context:
    if len(values) == 1:
        return Context(attribute, v.IS_EQUAL_TO, values[0])
    return Context(attribute, v.IS_ALL_OF, values)


def _unique_ids(ids: list[str]) -> list[str]:
    """Expectation ids as written, with -2, -3 added where two are the same."""
    seen: dict[str, int] = {}
    out = []
    for exp_id in ids:
        count = seen.get(exp_id, 0) + 1
        seen[exp_id] = count
        out.append(exp_id if count == 1 else f"{exp_id}-{count}")
    return out
