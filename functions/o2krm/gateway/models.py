"""Request and response bodies of the gateway's API, as pydantic models.

The TMF921 ones follow the TMF921 Intent Management API v5.0.0 schemas (``Intent_FVO`` for a
create, ``Intent_MVO`` for a patch, ``Intent``, ``IntentReport``, ``Hub_FVO``, ``Hub``,
``Error``); tests validate what the gateway sends against the official OpenAPI document. Only
the fields the gateway reads are spelled out; the others pass through as the client wrote them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# Fields of a TMF921 Intent the server owns: ignored in a create, refused in a patch.
SERVER_FIELDS = ("href", "creationDate", "lastUpdate", "statusChangeDate", "lifecycleStatus")
READ_ONLY_IN_PATCH = ("id", *SERVER_FIELDS)


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class TimePeriod(_Open):
    startDateTime: str | None = None
    endDateTime: str | None = None


class EntityRef(_Open):
    id: str
    name: str | None = None
    href: str | None = None
    type_: str | None = Field(default=None, alias="@type")
    referredType: str | None = Field(default=None, alias="@referredType")


class IntentExpression(_Open):
    type_: str = Field(alias="@type", description="JsonLdExpression or TurtleExpression")
    iri: str = Field(description="Internationalized Resource Identifier of the intent expression")
    expressionValue: dict[str, Any] | list[Any] | str = Field(
        description="JSON-LD document (JsonLdExpression) or Turtle text (TurtleExpression) in the TM Forum "
        "Intent Ontology"
    )


class IntentCreate(_Open):
    """``Intent_FVO``: what a client sends to create an intent."""

    type_: str = Field(alias="@type", description="Intent")
    name: str
    expression: IntentExpression
    id: str | None = Field(default=None, description="optional; the gateway assigns one when absent")
    description: str | None = None
    priority: str | None = None
    validFor: TimePeriod | None = None
    intentSpecification: EntityRef | None = Field(
        default=None, description="the blueprint to render the intent with: its id or name (default: the gateway's)"
    )


class IntentPatch(_Open):
    """``Intent_MVO``: a JSON merge patch (RFC 7396) of an intent."""

    type_: str | None = Field(default=None, alias="@type")
    name: str | None = None
    description: str | None = None
    priority: str | None = None
    validFor: TimePeriod | None = None
    expression: dict[str, Any] | None = None
    intentSpecification: EntityRef | None = None


class Intent(_Open):
    """``Intent``: an intent as the gateway answers it."""

    type_: str = Field(alias="@type")
    id: str
    href: str
    name: str | None = None
    description: str | None = None
    lifecycleStatus: str = Field(
        description="Created, Published, Provisioning, Provisioned, Failed or Deleting (see the gateway README)"
    )
    creationDate: str
    lastUpdate: str
    statusChangeDate: str
    expression: dict[str, Any] | None = None
    intentSpecification: EntityRef | None = None


class IntentRef(_Open):
    type_: Literal["IntentRef"] = Field(alias="@type")
    id: str
    href: str
    name: str | None = None


class ReportExpression(_Open):
    type_: Literal["JsonLdExpression"] = Field(alias="@type")
    iri: str
    expressionValue: dict[str, Any]


class IntentReport(_Open):
    type_: Literal["IntentReport"] = Field(alias="@type")
    id: str
    href: str
    name: str
    description: str
    creationDate: str
    intent: IntentRef
    expression: ReportExpression


class HubCreate(_Open):
    """``Hub_FVO``: a listener registration."""

    type_: str = Field(default="Hub", alias="@type")
    callback: str = Field(description="http(s) URL the gateway POSTs each event to")
    query: str | None = Field(
        default=None, description="eventType=IntentCreateEvent,IntentStatusChangeEvent to receive only those"
    )


class Hub(_Open):
    type_: str = Field(alias="@type")
    id: str
    href: str
    callback: str
    query: str | None = None


class ErrorDetail(BaseModel):
    message: str
    severity: str
    field: str | None = None


class Error(_Open):
    type_: Literal["Error"] = Field(alias="@type")
    code: str
    reason: str
    message: str
    status: str
    details: list[ErrorDetail] | None = None


class SeedMetadata(_Open):
    name: str = Field(description="the intent's name; also its id in the TMF921 API")
    namespace: str | None = None


class SeedIntent(_Open):
    """The seed's intent as a KRM resource: ``tmf921.intent.tmforum.org/v1`` (the seed's simplified
    form) or ``/v5`` (spec = a TMF921 v5 Intent)."""

    apiVersion: str = Field(description="tmf921.intent.tmforum.org/v1 or tmf921.intent.tmforum.org/v5")
    kind: str = Field(description="Intent")
    metadata: SeedMetadata
    spec: dict[str, Any]


class SeedIntentStatus(_Open):
    lifecycleStatus: str
    reason: str
    href: str
    blueprint: str
    packageRevision: str | None = None
    provisioningRequests: list[dict[str, str]]


class SeedIntentAnswer(_Open):
    apiVersion: str
    kind: str
    metadata: dict[str, Any]
    spec: dict[str, Any]
    status: SeedIntentStatus
