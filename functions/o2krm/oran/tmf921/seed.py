"""The seed's simplified KRM form of a TMF921 intent (``tmf921.intent.tmforum.org/v1``).

Two spellings from the seed document are accepted for targets: a list of names
(``expectationTargets: ["edge-cluster-*"]``) and a list of objects with ``targetName``.
A target or object may also be a condition (``latency<10ms``) and a context may carry a
metric (``latency_requirement: "<1ms"``): those become requirements.

Example::

    apiVersion: tmf921.intent.tmforum.org/v1
    kind: Intent
    metadata: {name: deploy-edge-ran}
    spec:
      intentExpectations:
        - expectationTargets: [{targetName: edge-cluster-us-west-1}]
          expectationVerbs: [deploy]
          expectationObjects: [o-ran-cu, o-ran-du]
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from o2krm.oran.findings import DomainError, Finding
from o2krm.oran.tmf921 import terms
from o2krm.oran.tmf921.errors import field_path, validation_findings
from o2krm.oran.tmf921.expressions import parse_condition, parse_value
from o2krm.oran.tmf921.model import (
    Attribute,
    Comparator,
    Expectation,
    ExpectationKind,
    Quantity,
    Requirement,
    SourceIntent,
)

RULE = "o2krm.intent-translate.input"
FORM = "seed"

# 28.312-style conditions written in the seed form (targetCondition / contextCondition)
_CONDITIONS = {
    "IS_LESS_THAN": Comparator.LESS,
    "IS_EQUAL_TO_OR_LESS_THAN": Comparator.LESS_OR_EQUAL,
    "IS_GREATER_THAN": Comparator.GREATER,
    "IS_EQUAL_TO_OR_GREATER_THAN": Comparator.GREATER_OR_EQUAL,
    "IS_EQUAL_TO": Comparator.EQUAL,
    "IS_WITHIN_RANGE": Comparator.IN_RANGE,
}


class _Lenient(BaseModel):
    """Unknown fields are kept (and reported as not understood), not rejected."""

    model_config = ConfigDict(extra="allow", frozen=True)


class SeedTarget(_Lenient):
    targetName: str = Field(min_length=1)
    targetCondition: str | None = None
    targetValueRange: Any = None

    @model_validator(mode="before")
    @classmethod
    def _name_only(cls, data: Any) -> Any:
        return {"targetName": data} if isinstance(data, str) else data


class SeedContext(_Lenient):
    contextAttribute: str = Field(min_length=1)
    contextValue: Any = None
    contextCondition: str | None = None
    contextValueRange: Any = None


class SeedExpectation(_Lenient):
    expectationId: str | None = None
    expectationVerbs: list[str] = []
    expectationVerb: str | None = None
    expectationObjects: list[str] = []
    expectationTargets: list[SeedTarget] = []
    expectationContexts: list[SeedContext] = []


class SeedSpec(_Lenient):
    intentExpectations: list[SeedExpectation] = []
    intentContexts: list[SeedContext] = []
    userLabel: str | None = None
    description: str | None = None


def read_seed(resource: dict[str, Any]) -> SourceIntent:
    name, namespace = _name(resource)
    spec = resource.get("spec")
    if not isinstance(spec, dict):
        raise DomainError(
            Finding(
                "spec is missing or not a mapping: an Intent needs spec.intentExpectations",
                field="spec",
                rule=RULE,
            )
        )
    try:
        model = SeedSpec.model_validate(spec)
    except ValidationError as exc:
        raise DomainError(validation_findings(exc, "spec", RULE)) from None
    if not model.intentExpectations:
        raise DomainError(
            Finding(
                "spec.intentExpectations is empty: an intent needs at least one expectation "
                "(e.g. expectationVerbs: [deploy], expectationObjects: [o-ran-du])",
                field="spec.intentExpectations",
                rule=RULE,
            )
        )
    reader = _Reader()
    reader.extras(model, "spec")
    expectations = tuple(reader.expectation(e, i) for i, e in enumerate(model.intentExpectations))
    _check_unique_ids(expectations)
    contexts = tuple(reader.intent_context(c, i) for i, c in enumerate(model.intentContexts))
    return SourceIntent(
        name=name,
        namespace=namespace,
        intent_id=name,
        label=model.userLabel or model.description or name,
        form=FORM,
        expectations=expectations,
        contexts=contexts,
        notes=tuple(reader.notes),
    )


def _name(resource: dict[str, Any]) -> tuple[str, str | None]:
    metadata = resource.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    if not isinstance(name, str) or not name:
        raise DomainError(Finding("metadata.name is missing", field="metadata.name", rule=RULE))
    namespace = metadata.get("namespace") if isinstance(metadata, dict) else None
    return name, namespace if isinstance(namespace, str) else None


def _check_unique_ids(expectations: tuple[Expectation, ...]) -> None:
    seen: dict[str, str] = {}
    for exp in expectations:
        if exp.id in seen:
            raise DomainError(
                Finding(
                    f"expectationId {exp.id!r} is used twice ({seen[exp.id]} and {exp.field})",
                    field=f"{exp.field}.expectationId",
                    current=exp.id,
                    rule=RULE,
                )
            )
        seen[exp.id] = exp.field


class _Reader:
    def __init__(self) -> None:
        self.notes: list[Finding] = []

    def extras(self, model: BaseModel, where: str) -> None:
        for extra in sorted(model.model_extra or {}):
            path = field_path(where, [extra])
            self.notes.append(
                Finding(
                    f"{path} is not part of the TMF921 intent form and was not translated",
                    severity="warning",
                    field=path,
                    rule="o2krm.intent-translate.unmapped-field",
                )
            )

    def expectation(self, exp: SeedExpectation, index: int) -> Expectation:
        base = f"spec.intentExpectations[{index}]"
        self.extras(exp, base)
        for j, target in enumerate(exp.expectationTargets):
            self.extras(target, f"{base}.expectationTargets[{j}]")
        for j, ctx in enumerate(exp.expectationContexts):
            self.extras(ctx, f"{base}.expectationContexts[{j}]")

        verbs = [*exp.expectationVerbs, *([exp.expectationVerb] if exp.expectationVerb else [])]
        if not exp.expectationObjects:
            raise DomainError(
                Finding(
                    f"{base} has no expectationObjects: say what it applies to "
                    "(e.g. o-ran-cu, o-ran-du) or which metric it sets (e.g. latency<10ms)",
                    field=f"{base}.expectationObjects",
                    rule=RULE,
                )
            )
        objects: list[str] = []
        requirements: list[Requirement] = []
        for j, text in enumerate(exp.expectationObjects):
            parsed = parse_condition(text)
            where = f"{base}.expectationObjects[{j}]"
            if parsed is not None and parsed.metric is not None:
                requirements.append(Requirement(parsed.metric, parsed.comparator, parsed.bounds, text, where))
            else:
                objects.append(text)

        sites: list[str] = []
        labels: list[str] = []
        for j, target in enumerate(exp.expectationTargets):
            where = f"{base}.expectationTargets[{j}]"
            if target.targetCondition is not None or target.targetValueRange is not None:
                requirements.append(self._structured(target, where))
            elif (parsed := parse_condition(target.targetName)) and parsed.metric:
                requirements.append(
                    Requirement(parsed.metric, parsed.comparator, parsed.bounds, target.targetName, where)
                )
            elif terms.is_aspect(target.targetName):
                labels.append(target.targetName)
            else:
                sites.append(target.targetName)

        contexts: list[Attribute] = []
        for j, ctx in enumerate(exp.expectationContexts):
            where = f"{base}.expectationContexts[{j}]"
            if terms.is_metric(ctx.contextAttribute):
                requirements.append(self._metric_context(ctx, where))
            else:
                contexts.append(Attribute(ctx.contextAttribute, _strings(_context_value(ctx)), where))

        return Expectation(
            id=exp.expectationId or f"exp-{index + 1}",
            kind=self._kind(verbs, base),
            verbs=tuple(verbs),
            field=base,
            objects=tuple(objects),
            sites=tuple(sites),
            labels=tuple(labels),
            requirements=tuple(requirements),
            contexts=tuple(contexts),
        )

    def intent_context(self, ctx: SeedContext, index: int) -> Attribute:
        where = f"spec.intentContexts[{index}]"
        self.extras(ctx, where)
        if terms.is_metric(ctx.contextAttribute):
            raise DomainError(
                Finding(
                    f"{where}: {ctx.contextAttribute!r} is a metric; a TS 28.312 intent has no "
                    "intent-wide targets. Move it to the expectation it belongs to",
                    field=where,
                    current=ctx.contextAttribute,
                    rule=RULE,
                )
            )
        return Attribute(ctx.contextAttribute, _strings(_context_value(ctx)), where)

    def _kind(self, verbs: list[str], base: str) -> ExpectationKind | None:
        kinds: set[ExpectationKind] = set()
        for j, verb in enumerate(verbs):
            kind = terms.verb_kind(verb)
            if kind is None:
                self.notes.append(
                    Finding(
                        f"verb {verb!r} has no TS 28.312 equivalent (DELIVER: deploy, scale, ...; "
                        "ENSURE: maintain, ensure, ...); it is kept as the sourceVerb context",
                        severity="warning",
                        field=f"{base}.expectationVerbs[{j}]",
                        current=verb,
                        rule="o2krm.intent-translate.unmapped-verb",
                    )
                )
            else:
                kinds.add(kind)
        if not verbs:
            self.notes.append(
                Finding(
                    f"{base} has no expectationVerbs; the 28.312 expectation gets no expectationVerb",
                    severity="warning",
                    field=f"{base}.expectationVerbs",
                    proposed=["deploy"],
                    rule="o2krm.intent-translate.unmapped-verb",
                )
            )
        for kind in (ExpectationKind.DELIVERY, ExpectationKind.ASSURANCE, ExpectationKind.REPORTING):
            if kind in kinds:
                return kind
        return None

    def _structured(self, target: SeedTarget, where: str) -> Requirement:
        """A seed target already written the 28.312 way (targetCondition/targetValueRange)."""
        comparator = self._comparator(target.targetCondition, f"{where}.targetCondition")
        bounds = _quantities(target.targetValueRange, f"{where}.targetValueRange")
        source = f"{target.targetName} {target.targetCondition or ''} {target.targetValueRange}"
        return Requirement(target.targetName, comparator, bounds, " ".join(source.split()), where)

    def _metric_context(self, ctx: SeedContext, where: str) -> Requirement:
        value = _context_value(ctx)
        comparator = self._comparator(ctx.contextCondition, f"{where}.contextCondition")
        if isinstance(value, str) and comparator is None:
            parsed = parse_value(value)
            if parsed is None:
                raise DomainError(
                    Finding(
                        f"{where}: cannot read {value!r} as a value of {ctx.contextAttribute}; "
                        "write it like '<10ms', '>=1Gbps', '99.999%' or '2..8ms'",
                        field=f"{where}.contextValue",
                        current=value,
                        rule=RULE,
                    )
                )
            bounds, comparator = parsed.bounds, parsed.comparator
        else:
            bounds = _quantities(value, f"{where}.contextValue")
        source = f"{ctx.contextAttribute}: {value}"
        return Requirement(ctx.contextAttribute, comparator, bounds, source, where)

    def _comparator(self, condition: str | None, where: str) -> Comparator | None:
        if condition is None:
            return None
        if condition not in _CONDITIONS:
            raise DomainError(
                Finding(
                    f"{where}: {condition!r} is not a condition this translator reads; "
                    f"use one of {', '.join(_CONDITIONS)}",
                    field=where,
                    current=condition,
                    rule=RULE,
                )
            )
        return _CONDITIONS[condition]


def _context_value(ctx: SeedContext) -> Any:
    return ctx.contextValue if ctx.contextValue is not None else ctx.contextValueRange


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return (str(value),)


def _quantities(value: Any, where: str) -> tuple[Quantity, ...]:
    items = value if isinstance(value, list) else [value]
    quantities: list[Quantity] = []
    for i, item in enumerate(items):
        if isinstance(item, bool) or item is None:
            raise DomainError(Finding(f"{where}: {item!r} is not a number", field=where, current=item, rule=RULE))
        if isinstance(item, int | float):
            quantities.append(Quantity(Decimal(str(item)), None))
            continue
        parsed = parse_value(str(item))
        if parsed is None or len(parsed.bounds) != 1 or parsed.comparator is not None:
            path = f"{where}[{i}]" if isinstance(value, list) else where
            raise DomainError(
                Finding(
                    f"{path}: cannot read {item!r} as a number with an optional unit (e.g. 10ms)",
                    field=path,
                    current=item,
                    rule=RULE,
                )
            )
        quantities.append(parsed.bounds[0])
    return tuple(quantities)
