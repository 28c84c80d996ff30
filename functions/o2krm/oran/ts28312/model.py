"""The parts of a TS 28.312 Rel-18 ``Intent-Single`` that o2krm writes.

Field names and order follow ``TS28312_IntentNrm.yaml`` (IntentExpectation,
ExpectationObject, ExpectationTarget, Context). ``to_dict`` gives the JSON/YAML shape;
empty optional parts are left out rather than written as empty lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Verb = Literal["DELIVER", "ENSURE"]
ObjectType = Literal["RAN_SubNetwork", "EdgeService_Support", "5GC_SubNetwork"]
ValueRange = int | float | str | bool | list[Any] | dict[str, Any]

RAN_SUBNETWORK: ObjectType = "RAN_SubNetwork"


@dataclass(frozen=True)
class Context:
    attribute: str
    condition: str
    value_range: ValueRange

    def to_dict(self) -> dict[str, Any]:
        return {
            "contextAttribute": self.attribute,
            "contextCondition": self.condition,
            "contextValueRange": self.value_range,
        }


@dataclass(frozen=True)
class ExpectationTarget:
    name: str
    condition: str
    value_range: ValueRange
    contexts: tuple[Context, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "targetName": self.name,
            "targetCondition": self.condition,
            "targetValueRange": self.value_range,
        }
        if self.contexts:
            out["targetContexts"] = [c.to_dict() for c in self.contexts]
        return out


@dataclass(frozen=True)
class ExpectationObject:
    object_type: ObjectType
    contexts: tuple[Context, ...] = ()
    instance: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"objectType": self.object_type}
        if self.instance:
            out["objectInstance"] = self.instance
        if self.contexts:
            out["objectContexts"] = [c.to_dict() for c in self.contexts]
        return out


@dataclass(frozen=True)
class IntentExpectation:
    expectation_id: str
    verb: Verb | None
    obj: ExpectationObject | None
    targets: tuple[ExpectationTarget, ...] = ()
    contexts: tuple[Context, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"expectationId": self.expectation_id}
        if self.verb:
            out["expectationVerb"] = self.verb
        if self.obj:
            out["expectationObject"] = self.obj.to_dict()
        if self.targets:
            out["expectationTargets"] = [t.to_dict() for t in self.targets]
        if self.contexts:
            out["expectationContexts"] = [c.to_dict() for c in self.contexts]
        return out


@dataclass(frozen=True)
class Intent:
    intent_id: str
    user_label: str
    expectations: tuple[IntentExpectation, ...]
    contexts: tuple[Context, ...] = ()
    admin_state: Literal["ACTIVATED", "DEACTIVATED"] = "ACTIVATED"
    priority: int | None = None
    observation_period: int | None = None  # seconds

    def to_spec(self) -> dict[str, Any]:
        """The Intent-Single body: the ``spec`` of the KRM envelope."""
        out: dict[str, Any] = {
            "id": self.intent_id,
            "userLabel": self.user_label,
            "intentExpectations": [e.to_dict() for e in self.expectations],
        }
        if self.contexts:
            out["intentContexts"] = [c.to_dict() for c in self.contexts]
        out["intentAdminState"] = self.admin_state
        if self.priority is not None:
            out["intentPriority"] = self.priority
        if self.observation_period is not None:
            out["observationPeriod"] = self.observation_period
        return out
