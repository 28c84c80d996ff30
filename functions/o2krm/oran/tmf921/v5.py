"""A TMF921 v5 Intent resource in a KRM envelope (``tmf921.intent.tmforum.org/v5``).

The envelope is ours; its ``spec`` is the TMF921 v5 ``Intent`` resource body exactly as
the TMF921 Intent Management API v5.0.0 defines it (``@type``, ``id``, ``name``,
``expression``, ...). The expression is a ``JsonLdExpression`` (``expressionValue`` is a
JSON-LD document, given as a mapping) or a ``TurtleExpression`` (``expressionValue`` is
Turtle text), both in the TM Forum Intent Ontology; see :mod:`o2krm.oran.tmf921.tio`::

    apiVersion: tmf921.intent.tmforum.org/v5
    kind: Intent
    metadata: {name: ran-edge-west}
    spec:
      "@type": Intent
      name: RAN at the US West edge
      expression:
        "@type": TurtleExpression
        iri: urn:o2krm:intent:ran-edge-west
        expressionValue: |
          @prefix icm: <http://tio.models.tmforum.org/tio/v3.6.0/IntentCommonModel/> .
          ...

JSON-LD documents must carry their ``@context`` inline: a function runs without network,
so a remote context (a URL) is refused with a message saying so.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from o2krm.oran.findings import DomainError, Finding
from o2krm.oran.tmf921.errors import validation_findings
from o2krm.oran.tmf921.model import SourceIntent
from o2krm.oran.tmf921.tio import TioReader

RULE = "o2krm.intent-translate.input"
JSON_LD = "JsonLdExpression"
TURTLE = "TurtleExpression"
_EXPRESSION_FIELD = "spec.expression.expressionValue"

# Bookkeeping of the REST resource: meaningful to the TMF921 API, not to the network.
_BOOKKEEPING = frozenset(
    {"@baseType", "@schemaLocation", "href", "version", "lifecycleStatus", "creationDate",
     "lastUpdate", "statusChangeDate"}
)  # fmt: skip
# TMF921 Intent fields with content that TS 28.312 has no place for: reported, not lost.
_NOT_TRANSLATED = (
    "characteristic", "relatedParty", "attachment", "intentRelationship", "intentSpecification",
    "context", "isBundle",
)  # fmt: skip


class TimePeriod(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
    startDateTime: str | None = None
    endDateTime: str | None = None


class IntentExpression(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)
    type_: str = Field(alias="@type")
    iri: str | None = None
    expressionValue: Any = None


class TMF921Intent(BaseModel):
    """The TMF921 v5 ``Intent`` resource (the fields this translator reads)."""

    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)
    type_: str = Field(alias="@type")
    id: str | None = None
    name: str | None = None
    description: str | None = None
    priority: str | None = None
    validFor: TimePeriod | None = None
    expression: IntentExpression | None = None


def read_v5(resource: dict[str, Any]) -> SourceIntent:
    name, namespace = _name(resource)
    spec = resource.get("spec")
    if not isinstance(spec, dict):
        raise DomainError(
            Finding("spec is missing or not a mapping: it holds the TMF921 v5 Intent", field="spec", rule=RULE)
        )
    try:
        body = TMF921Intent.model_validate(spec)
    except ValidationError as exc:
        raise DomainError(validation_findings(exc, "spec", RULE)) from None
    if body.type_ == "ProbeIntent":
        raise DomainError(
            Finding(
                "spec is a ProbeIntent: a probe asks whether an intent could be handled and must not "
                "be provisioned. Use @type: Intent to translate it",
                field="spec.@type",
                current=body.type_,
                proposed="Intent",
                rule=RULE,
            )
        )
    if body.type_ != "Intent":
        raise DomainError(
            Finding(
                f"spec @type is {body.type_!r}; expected Intent",
                field="spec.@type",
                current=body.type_,
                proposed="Intent",
                rule=RULE,
            )
        )
    if body.expression is None:
        raise DomainError(
            Finding(
                f"spec.expression is missing: a TMF921 Intent states its expectations in a {JSON_LD} or {TURTLE}",
                field="spec.expression",
                rule=RULE,
            )
        )

    notes = _unmapped_fields(body)
    graph = parse_expression(body.expression)
    reader = TioReader(graph, _EXPRESSION_FIELD)
    expectations, contexts = reader.read()
    priority, priority_note = _priority(body.priority)
    return SourceIntent(
        name=name,
        namespace=namespace,
        intent_id=body.id or name,
        label=body.name or name,
        form=body.expression.type_,
        expectations=expectations,
        contexts=contexts,
        priority=priority,
        valid_for=_time_window(body.validFor),
        notes=tuple(notes + priority_note + reader.notes),
    )


def parse_expression(expression: IntentExpression) -> Any:
    """The expression as an rdflib Graph; DomainError when it is not valid JSON-LD/Turtle."""
    from rdflib import Graph

    value = expression.expressionValue
    graph = Graph()
    if expression.type_ == JSON_LD:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise DomainError(_syntax(f"expressionValue is not JSON: {exc}")) from None
        if not isinstance(value, dict | list):
            raise DomainError(_syntax("expressionValue of a JsonLdExpression must be a JSON-LD document"))
        _refuse_remote_contexts(value)
        data = json.dumps(value)
        fmt = "json-ld"
    elif expression.type_ == TURTLE:
        if not isinstance(value, str) or not value.strip():
            raise DomainError(_syntax("expressionValue of a TurtleExpression must be Turtle text"))
        data = value
        fmt = "turtle"
    else:
        raise DomainError(
            Finding(
                f"spec.expression @type is {expression.type_!r}; use {JSON_LD} or {TURTLE}",
                field="spec.expression.@type",
                current=expression.type_,
                rule=RULE,
            )
        )
    try:
        with warnings.catch_warnings():  # rdflib's JSON-LD parser uses its own deprecated API
            warnings.simplefilter("ignore", DeprecationWarning)
            graph.parse(data=data, format=fmt)
    except Exception as exc:  # rdflib raises many types (BadSyntax, JSON-LD errors, ValueError)
        problem, line = _parse_problem(exc, data)
        raise DomainError(_syntax(f"expressionValue is not valid {fmt}: {problem}", current=line)) from None
    if len(graph) == 0:
        raise DomainError(_syntax(f"expressionValue holds no statements (no {fmt} triples)"))
    return graph


def _parse_problem(exc: Exception, text: str) -> tuple[str, str | None]:
    """The reason and the offending line: rdflib's Turtle errors carry both apart from a
    long excerpt of the document."""
    why, line = getattr(exc, "_why", None), getattr(exc, "lines", None)
    if isinstance(why, str) and isinstance(line, int):
        lines = text.splitlines()
        offending = next((lines[i].strip() for i in range(min(line, len(lines) - 1), -1, -1) if lines[i].strip()), None)
        return f"line {line + 1}: {why}", offending
    message = str(exc).strip()
    return (message.splitlines()[0] if message else type(exc).__name__), None


def _refuse_remote_contexts(value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "@context":
                contexts = item if isinstance(item, list) else [item]
                remote = [c for c in contexts if isinstance(c, str)]
                if remote:
                    raise DomainError(
                        _syntax(
                            f"JSON-LD @context {remote[0]!r} is remote; functions run without network. "
                            'Write the prefixes inline, e.g. {"icm": '
                            '"http://tio.models.tmforum.org/tio/v3.6.0/IntentCommonModel/"}'
                        )
                    )
            _refuse_remote_contexts(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_remote_contexts(item)


def _syntax(message: str, current: str | None = None) -> Finding:
    return Finding(message, field=_EXPRESSION_FIELD, current=current, rule="o2krm.intent-translate.expression")


def _name(resource: dict[str, Any]) -> tuple[str, str | None]:
    metadata = resource.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    if not isinstance(name, str) or not name:
        raise DomainError(Finding("metadata.name is missing", field="metadata.name", rule=RULE))
    namespace = metadata.get("namespace") if isinstance(metadata, dict) else None
    return name, namespace if isinstance(namespace, str) else None


def _unmapped_fields(body: TMF921Intent) -> list[Finding]:
    extra = body.model_extra or {}
    notes = []
    for key in sorted(extra):
        value = extra[key]
        if key in _BOOKKEEPING or value in (None, [], {}, "", False):
            continue
        known = key in _NOT_TRANSLATED
        notes.append(
            Finding(
                f"spec.{key} {'has no TS 28.312 equivalent' if known else 'is not a TMF921 Intent field'}"
                " and was not translated",
                severity="warning",
                field=f"spec.{key}",
                rule="o2krm.intent-translate.unmapped-field",
            )
        )
    return notes


def _priority(priority: str | None) -> tuple[int | None, list[Finding]]:
    if priority is None:
        return None, []
    if priority.strip().isdigit() and 1 <= int(priority) <= 100:
        return int(priority), []
    return None, [
        Finding(
            f"spec.priority {priority!r} is not a number from 1 to 100 (TS 28.312 intentPriority) "
            "and was not translated",
            severity="warning",
            field="spec.priority",
            current=priority,
            rule="o2krm.intent-translate.unmapped-field",
        )
    ]


def _time_window(period: TimePeriod | None) -> dict[str, str] | None:
    if period is None:
        return None
    window = {"startTime": period.startDateTime, "endTime": period.endDateTime}
    cleaned = {k: v for k, v in window.items() if v}
    return cleaned or None
