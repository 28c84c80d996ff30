"""Reading an intent graph in the TM Forum Intent Ontology (TIO, TR290 v3.x) with rdflib.

Shape read (prefixes: icm IntentCommonModel, log LogicalOperators, set SetOperators,
quan QuantityOntology; any TIO version, matched by module name)::

    ex:I1  a icm:Intent ;          log:allOf ( ex:DE1 ex:PE1 ex:RE1 ex:CX1 ) .
    ex:DE1 a icm:DeliveryExpectation ;
           icm:target ex:ran ;  icm:deliveryType o2krm:CU, o2krm:DU ;
           icm:chooseFrom [ rdfs:member "edge-cluster-us-west-1" ] ;   # candidate sites
           log:allOf ( ex:CX1 ) .
    ex:PE1 a icm:PropertyExpectation ;  icm:target ex:ran ;  log:allOf ( ex:CO1 ) .
    ex:CO1 a icm:Condition ;
           set:forAll [ icm:valuesOfTargetProperty ex:latency ;
                        quan:smaller [ rdf:value 10 ; quan:unit "ms" ] ] .
    ex:CX1 a icm:Context ;  o2krm:region "us-west-1" .
    ex:RE1 a icm:ReportingExpectation ;  icm:target ex:I1 ;
           icm:reportTriggers [ rdfs:member imo:StateComplies ] .

The TR290 list form of a condition, ``set:forAll ( _:X [ icm:valuesOfTargetProperty ( P ) ]
quan:smaller ( _:X Q ) )``, is read too. Context properties are read by their local name,
whatever their namespace (``targetSite``, ``region``, ``serviceType``, ...).

Everything the reader does not understand becomes a warning note naming the subject and
the property; structural faults (no intent, expectation without target, unreadable
condition) raise DomainError.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from o2krm.oran.findings import DomainError, Finding
from o2krm.oran.tmf921 import terms
from o2krm.oran.tmf921.model import (
    Attribute,
    Comparator,
    Expectation,
    ExpectationKind,
    Quantity,
    Reporting,
    Requirement,
)

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

RULE = "o2krm.intent-translate.expression"

_TIO_IRI = re.compile(r"^https?://tio\.models\.tmforum\.org/tio/v\d+(?:\.\d+)*/(?P<module>[A-Za-z]+)[/#](?P<local>.+)$")
_TIO_MODULES = {
    "IntentCommonModel": "icm",
    "LogicalOperators": "log",
    "SetOperators": "set",
    "QuantityOntology": "quan",
    "IntentManagementOntology": "imo",
    "MetricsAndObservations": "met",
    "FunctionOntology": "fun",
}
_W3C = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf",
    "http://www.w3.org/2000/01/rdf-schema#": "rdfs",
    "http://purl.org/dc/terms/": "dct",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://www.w3.org/2004/02/skos/core#": "skos",
}
_COMPARATORS = {
    "quan:smaller": Comparator.LESS,
    "quan:greater": Comparator.GREATER,
    "quan:larger": Comparator.GREATER,  # spelling used by several TIO v3.6 intents
    "quan:atMost": Comparator.LESS_OR_EQUAL,
    "quan:atLeast": Comparator.GREATER_OR_EQUAL,
    "quan:exactly": Comparator.EQUAL,
    "quan:inRange": Comparator.IN_RANGE,
}
_PROSE = frozenset({"rdfs:comment", "rdfs:label", "dct:description", "dct:title", "dc:description",
                    "skos:prefLabel"})  # fmt: skip
_EXPECTATION_KEYS = frozenset(
    {"rdf:type", "icm:target", "icm:deliveryType", "icm:deliveryDescription", "icm:chooseFrom",
     "log:allOf", "icm:context", "icm:reportTriggers", "icm:reportDestinations",
     "icm:reportDestination"} | _PROSE
)  # fmt: skip
_CONDITION_TYPES = frozenset({"icm:Condition", "log:Condition"})


def term_key(node: Node) -> str:
    """A readable, namespace-version-free name: ``icm:Intent``, ``rdf:value``, else local name."""
    from rdflib import BNode, Literal

    if isinstance(node, Literal):
        return str(node)
    if isinstance(node, BNode):
        return "_:blank"
    iri = str(node)
    match = _TIO_IRI.match(iri)
    if match and match.group("module") in _TIO_MODULES:
        return f"{_TIO_MODULES[match.group('module')]}:{match.group('local').strip('/')}"
    for namespace, prefix in _W3C.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return local_name(iri)


def local_name(iri: str) -> str:
    trimmed = iri.rstrip("/#")
    cut = max(trimmed.rfind("/"), trimmed.rfind("#"), trimmed.rfind(":"))
    return trimmed[cut + 1 :] or trimmed


class TioReader:
    """Reads one icm:Intent from a graph. ``where`` is the field path of the expression."""

    def __init__(self, graph: Graph, where: str) -> None:
        self.graph = graph
        self.where = where
        self.notes: list[Finding] = []

    # --- entry ---------------------------------------------------------------------
    def read(self) -> tuple[tuple[Expectation, ...], tuple[Attribute, ...]]:
        intent = self._the_intent()
        expectations: list[Expectation] = []
        contexts: list[Attribute] = []
        for member in self._members(intent):
            types = self._types(member)
            if types & _CONDITION_TYPES:
                self._warn(
                    f"condition {self._name(member)} is attached to the intent; TS 28.312 "
                    "has no intent-wide targets. Attach it to an expectation with log:allOf"
                )
            elif "icm:Context" in types:
                contexts.extend(self._context(member))
            elif self._is_expectation(member, types):
                expectations.append(self._expectation(member, types, len(expectations)))
            else:
                self._warn(
                    f"intent member {self._name(member)} ({', '.join(sorted(types)) or 'no type'})"
                    " is neither an expectation nor a context and was not translated"
                )
        for ctx in self._values(intent, "icm:context"):
            contexts.extend(self._context(ctx))
        self._unknown_properties(intent, {"rdf:type", "log:allOf", "icm:context", *_PROSE}, "intent")
        if not expectations:
            raise DomainError(
                self._error(
                    f"intent {self._name(intent)} has no expectations: list them with log:allOf "
                    "(icm:DeliveryExpectation, icm:PropertyExpectation, icm:ReportingExpectation)"
                )
            )
        return tuple(expectations), tuple(contexts)

    # --- structure -----------------------------------------------------------------
    def _the_intent(self) -> Node:
        from rdflib import RDF

        intents = sorted({s for s, o in self.graph.subject_objects(RDF.type) if term_key(o) == "icm:Intent"}, key=str)
        if len(intents) != 1:
            found = ", ".join(self._name(i) for i in intents) or "none"
            raise DomainError(
                self._error(f"the expression must describe exactly one icm:Intent; found {len(intents)} ({found})")
            )
        return intents[0]

    def _members(self, node: Node) -> list[Node]:
        """Objects of log:allOf: an RDF list keeps its order, repeated values are sorted."""
        members: list[Node] = []
        repeated: list[Node] = []
        for value in self._values(node, "log:allOf"):
            if self._is_list(value):
                members.extend(self._list(value))
            else:
                repeated.append(value)
        return members + sorted(repeated, key=str)

    def _is_expectation(self, node: Node, types: set[str]) -> bool:
        return any(t.endswith("Expectation") for t in types) or bool(self._values(node, "icm:target"))

    def _expectation(self, node: Node, types: set[str], index: int) -> Expectation:
        from rdflib import BNode

        name = self._name(node)
        exp_id = name if not isinstance(node, BNode) else f"expectation-{index + 1}"
        verb = _expectation_class(types)
        kind = terms.verb_kind(verb)
        if kind is None:
            self._warn(
                f"expectation {name} has class {verb}, which has no TS 28.312 verb; it is "
                "translated without expectationVerb",
                current=verb,
            )

        targets = self._values(node, "icm:target")
        if len(targets) != 1:
            raise DomainError(
                self._error(
                    f"expectation {name} must have exactly one icm:target (what it applies to); found {len(targets)}"
                )
            )
        target = targets[0]
        target_name = self._name(target) if not isinstance(target, BNode) else None

        objects = [self._name(v) for v in self._values(node, "icm:deliveryType")]
        objects += [self._name(v) for v in self._values(node, "icm:deliveryDescription")]
        objects += sorted(t for t in self._types(target) if t != "icm:Target")
        if not objects and kind is ExpectationKind.DELIVERY and target_name:
            objects.append(target_name)
        sites = [self._name(site) for box in self._values(node, "icm:chooseFrom") for site in self._container(box)]

        requirements: list[Requirement] = []
        contexts: list[Attribute] = []
        for member in self._members(node) + self._values(node, "icm:context"):
            member_types = self._types(member)
            if member_types & _CONDITION_TYPES:
                requirements.append(self._condition(member))
            elif "icm:Context" in member_types:
                contexts.extend(self._context(member))
            else:
                self._warn(
                    f"{self._name(member)} in expectation {name} is neither an icm:Condition "
                    "nor an icm:Context and was not translated"
                )
        self._unknown_properties(node, _EXPECTATION_KEYS, f"expectation {name}")

        reporting = self._reporting(node) if kind is ExpectationKind.REPORTING else None
        return Expectation(
            id=exp_id,
            kind=kind,
            verbs=(verb,),
            field=self.where,
            objects=tuple(dict.fromkeys(objects)),
            sites=tuple(dict.fromkeys(sites)),
            target_ref=str(target) if not isinstance(target, BNode) else f"_:{target}",
            labels=(target_name,) if target_name else (),
            requirements=tuple(requirements),
            contexts=tuple(contexts),
            reporting=reporting,
        )

    def _reporting(self, node: Node) -> Reporting:
        """Triggers and destinations are containers; a periodic trigger is an event class
        with ``time:delay ( <last report instant> <duration> )``, which gives the interval."""
        triggers = [t for box in self._values(node, "icm:reportTriggers") for t in self._container(box)]
        destinations = [
            d
            for key in ("icm:reportDestinations", "icm:reportDestination")
            for box in self._values(node, key)
            for d in self._container(box)
        ]
        intervals = [
            self._duration(item)
            for trigger in triggers
            for delay in self._values(trigger, "delay")
            for item in self._items(delay)
            if self._values(item, "numericDuration")
        ]
        return Reporting(
            min(intervals, key=lambda q: q.value) if intervals else None,
            tuple(dict.fromkeys(self._name(t) for t in triggers)),
            tuple(dict.fromkeys(self._name(d) for d in destinations)),
        )

    def _duration(self, node: Node) -> Quantity:
        """A time:DurationDescription: time:numericDuration with time:unitType."""
        values = self._values(node, "numericDuration")
        units = self._values(node, "unitType") or self._values(node, "temporalUnit")
        unit = self._name(units[0]) if units else None
        return Quantity(self._number(values[0], f"duration {self._name(node)}"), unit)

    # --- conditions ------------------------------------------------------------------
    def _condition(self, node: Node) -> Requirement:
        name = self._name(node)
        metrics: list[Node] = []
        comparisons: list[tuple[str, list[Node]]] = []
        self._walk(node, metrics, comparisons, set())
        metrics = list(dict.fromkeys(metrics))
        if len(metrics) != 1:
            raise DomainError(
                self._error(
                    f"condition {name} must name exactly one property with icm:valuesOfTargetProperty; "
                    f"found {len(metrics)}"
                )
            )
        if len(comparisons) != 1:
            raise DomainError(
                self._error(
                    f"condition {name} must hold exactly one comparison ({', '.join(_COMPARATORS)}); "
                    f"found {len(comparisons)}"
                )
            )
        op, arguments = comparisons[0]
        comparator = _COMPARATORS[op]
        bounds = tuple(self._quantity(a, name) for a in arguments if self._is_quantity(a))
        expected = 2 if comparator is Comparator.IN_RANGE else 1
        if len(bounds) != expected:
            raise DomainError(
                self._error(
                    f"condition {name}: {op} needs {expected} quantit{'ies' if expected > 1 else 'y'} "
                    f"(rdf:value with quan:unit); found {len(bounds)}"
                )
            )
        metric = self._name(metrics[0])
        source = f"{metric} {op} {' '.join(str(b) for b in bounds)}"
        return Requirement(metric, comparator, bounds, source, self.where)

    def _walk(
        self, node: Node, metrics: list[Node], comparisons: list[tuple[str, list[Node]]], seen: set[Node]
    ) -> None:
        from rdflib import RDF, BNode, URIRef

        if node in seen:
            return
        seen.add(node)
        if self._is_list(node):
            items = self._list(node)
            i = 0
            while i < len(items):
                item = items[i]
                if isinstance(item, URIRef) and term_key(item) in _COMPARATORS and i + 1 < len(items):
                    comparisons.append((term_key(item), self._items(items[i + 1])))
                    i += 2
                    continue
                if isinstance(item, BNode):
                    self._walk(item, metrics, comparisons, seen)
                i += 1
            return
        for predicate, value in self.graph.predicate_objects(node):
            key = term_key(predicate)
            if key == "icm:valuesOfTargetProperty":
                metrics.extend(self._items(value))
            elif key in _COMPARATORS:
                comparisons.append((key, self._items(value)))
            elif predicate != RDF.type and (key == "set:forAll" or isinstance(value, BNode)):
                self._walk(value, metrics, comparisons, seen)

    def _is_quantity(self, node: Node) -> bool:
        from rdflib import RDF, Literal

        return isinstance(node, Literal) or (node, RDF.value, None) in self.graph

    def _quantity(self, node: Node, condition: str) -> Quantity:
        from rdflib import RDF, Literal

        if isinstance(node, Literal):
            return Quantity(self._number(node, f"condition {condition}"), None)
        value = self.graph.value(node, RDF.value)
        units = self._values(node, "quan:unit")
        unit = self._name(units[0]) if units else None
        return Quantity(self._number(value, f"condition {condition}"), unit)

    def _number(self, literal: Node | None, what: str) -> Decimal:
        try:
            return Decimal(str(literal).strip())
        except InvalidOperation:
            raise DomainError(self._error(f"{what}: {str(literal)!r} is not a number")) from None

    # --- contexts --------------------------------------------------------------------
    def _context(self, node: Node) -> list[Attribute]:
        from rdflib import RDF

        listed: dict[str, list[str]] = {}
        repeated: dict[str, list[str]] = {}
        for predicate, value in self.graph.predicate_objects(node):
            key = term_key(predicate)
            if predicate == RDF.type or key in _PROSE:
                continue
            name = key.rsplit(":", 1)[-1]
            if self._is_list(value):
                listed.setdefault(name, []).extend(self._name(i) for i in self._list(value))
            else:
                repeated.setdefault(name, []).append(self._name(value))
        return [
            Attribute(
                name,
                tuple(dict.fromkeys([*listed.get(name, []), *sorted(repeated.get(name, []))])),
                self.where,
            )
            for name in sorted({*listed, *repeated})
        ]

    # --- graph helpers -----------------------------------------------------------------
    def _values(self, node: Node, key: str) -> list[Node]:
        """Objects of every predicate whose key is ``key`` (``icm:target``) or whose local
        name is ``key`` (``numericDuration``), in a stable order."""
        found = [
            value
            for predicate, value in self.graph.predicate_objects(node)
            if (k := term_key(predicate)) == key or k.rsplit(":", 1)[-1] == key
        ]
        return sorted(found, key=lambda n: (type(n).__name__, str(n))) if len(found) > 1 else found

    def _types(self, node: Node) -> set[str]:
        from rdflib import RDF

        return {term_key(t) for t in self.graph.objects(node, RDF.type)}

    def _is_list(self, node: Node) -> bool:
        from rdflib import RDF

        return node == RDF.nil or (node, RDF.first, None) in self.graph

    def _list(self, node: Node) -> list[Node]:
        from rdflib.collection import Collection

        return list(Collection(self.graph, node))

    def _items(self, node: Node) -> list[Node]:
        return self._list(node) if self._is_list(node) else [node]

    def _container(self, node: Node) -> list[Node]:
        """Members of an rdfs:Container (rdfs:member or rdf:_n), an RDF list, or the value itself."""
        from rdflib import RDFS, BNode

        if self._is_list(node):
            return self._list(node)
        numbered = sorted(
            (
                (int(k[len("rdf:_") :]), v)
                for p, v in self.graph.predicate_objects(node)
                if (k := term_key(p)).startswith("rdf:_") and k[len("rdf:_") :].isdigit()
            ),
            key=lambda item: item[0],
        )
        members = [v for _, v in numbered] + sorted(self.graph.objects(node, RDFS.member), key=str)
        if members:
            return members
        return [] if isinstance(node, BNode) else [node]

    def _name(self, node: Node) -> str:
        return term_key(node)

    def _unknown_properties(self, node: Node, known: Iterable[str], what: str) -> None:
        known_keys = set(known)
        for key in sorted({term_key(p) for p in self.graph.predicates(node)}):
            if key not in known_keys and key.rsplit(":", 1)[-1] not in known_keys:
                self._warn(
                    f"property {key} of {what} has no TS 28.312 equivalent and was not translated",
                    current=key,
                )

    def _warn(self, message: str, current: object = None) -> None:
        self.notes.append(
            Finding(
                message,
                severity="warning",
                field=self.where,
                current=current,
                rule="o2krm.intent-translate.unmapped-term",
            )
        )

    def _error(self, message: str) -> Finding:
        return Finding(message, field=self.where, rule=RULE)


def _expectation_class(types: set[str]) -> str:
    """The most specific expectation class: TIO's own first, then any *Expectation, sorted."""
    expectation_types = sorted(t for t in types if t.endswith("Expectation"))
    tio = [t for t in expectation_types if t.startswith("icm:") and t != "icm:Expectation"]
    if tio:
        return tio[0]
    others = [t for t in expectation_types if not t.startswith("icm:")]
    return (others or expectation_types or ["icm:Expectation"])[0]
