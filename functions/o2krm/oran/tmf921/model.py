"""The neutral model every TMF921 input form is read into.

The seed's KRM form and the TMF921 v5 Intent (JSON-LD or Turtle in the TM Forum Intent
Ontology) say the same things in different shapes: what to deliver or assure, where, under
which measurable conditions, in which context. The parsers in this package fill these
dataclasses; the translation to TS 28.312 reads only them.

Everything is kept *as written* (names, units, verbs): interpreting the words is the
translator's job, so that what it cannot interpret can still be reported by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from o2krm.oran.findings import Finding


class ExpectationKind(StrEnum):
    DELIVERY = "delivery"  # something must be deployed, created, scaled
    ASSURANCE = "assurance"  # properties must be kept (TIO PropertyExpectation)
    REPORTING = "reporting"  # the owner wants reports (TIO ReportingExpectation)


class Comparator(StrEnum):
    LESS = "<"
    LESS_OR_EQUAL = "<="
    GREATER = ">"
    GREATER_OR_EQUAL = ">="
    EQUAL = "="
    IN_RANGE = "in"  # two bounds, both inclusive (quan:inRange)


@dataclass(frozen=True)
class Quantity:
    value: Decimal
    unit: str | None  # as written: "Gbps", "%", "ms"; None when the source gave none

    def __str__(self) -> str:
        return f"{self.value} {self.unit}" if self.unit else str(self.value)


@dataclass(frozen=True)
class Requirement:
    """A measurable condition: ``metric comparator bounds``.

    ``comparator`` is None when the source gave a bare value ("reliability: 99.999%").
    """

    metric: str
    comparator: Comparator | None
    bounds: tuple[Quantity, ...]
    source: str  # the source text or a rendering of the RDF condition, for audit
    field: str


@dataclass(frozen=True)
class Attribute:
    """One context fact, e.g. ``region = us-west-1``."""

    name: str
    values: tuple[str, ...]
    field: str


@dataclass(frozen=True)
class Reporting:
    interval: Quantity | None = None
    triggers: tuple[str, ...] = ()
    destinations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Expectation:
    id: str
    kind: ExpectationKind | None  # None: the verb or class was not understood (see verbs)
    verbs: tuple[str, ...]  # as written: ("deploy",) or ("icm:DeliveryExpectation",)
    field: str
    objects: tuple[str, ...] = ()  # what it applies to, as written: "o-ran-cu", "DU"
    sites: tuple[str, ...] = ()  # site names or patterns, as written
    target_ref: str | None = None  # TIO icm:target (links property to delivery expectations)
    labels: tuple[str, ...] = ()  # seed target names that name an aspect ("performance")
    requirements: tuple[Requirement, ...] = ()
    contexts: tuple[Attribute, ...] = ()
    reporting: Reporting | None = None


@dataclass(frozen=True)
class SourceIntent:
    name: str  # metadata.name of the KRM resource
    namespace: str | None
    intent_id: str
    label: str
    form: str  # "seed", "JsonLdExpression", "TurtleExpression"
    expectations: tuple[Expectation, ...]
    contexts: tuple[Attribute, ...] = ()
    priority: int | None = None
    valid_for: dict[str, str] | None = None  # TMF921 validFor as a 28.312 TimeWindow
    notes: tuple[Finding, ...] = field(default=())  # warnings found while reading
