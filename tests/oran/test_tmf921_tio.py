"""TMF921 v5 intents with JSON-LD and Turtle expressions in the TM Forum Intent Ontology."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import yaml
from rdflib.compare import isomorphic

from o2krm.oran.findings import DomainError
from o2krm.oran.tmf921 import read_intent
from o2krm.oran.tmf921.model import Comparator, ExpectationKind, Quantity
from o2krm.oran.tmf921.tio import term_key
from o2krm.oran.tmf921.v5 import IntentExpression, parse_expression
from o2krm.oran.ts28312 import schema
from tests.oran.tmf921_support import (
    TIO_FORMS,
    TIO_INTENTS,
    load,
    specs_or_skip,
    tmf921_validator,
    turtle_intent,
    v5_intent,
)

EXPRESSION = "spec.expression.expressionValue"


@pytest.mark.parametrize("name", TIO_INTENTS)
def test_jsonld_and_turtle_forms_state_the_same_graph(name: str) -> None:
    graphs = [
        parse_expression(IntentExpression.model_validate(load(f"{name}.{form}")["spec"]["expression"]))
        for form in TIO_FORMS
    ]
    assert len(graphs[0]) > 10
    assert isomorphic(*graphs)


@pytest.mark.parametrize("name", [f"{n}.{f}" for n in TIO_INTENTS for f in TIO_FORMS])
def test_test_intents_are_tmf921_v5_intent_resources(name: str) -> None:
    spec = load(name)["spec"]
    for schema_name in ("Intent", "Intent_FVO"):
        assert schema.findings(tmf921_validator(schema_name), spec, "spec") == [], schema_name
    expression_schema = spec["expression"]["@type"] if name.endswith("turtle") else "IntentExpression"
    assert schema.findings(tmf921_validator(expression_schema), spec["expression"], "spec.expression") == []


def test_tmf921_jsonld_value_schema_rejects_the_specs_own_example() -> None:
    """Why JSON-LD expressions are checked as IntentExpression and parsed, not validated as
    JsonLdExpression: TMF921's JsonLdExpressionValue requires every property value to be an
    object (common.additionalProperties -> common), which no JSON-LD with an @context prefix
    or a literal value meets, including the Intent example of the TMF921 document itself."""
    document = specs_or_skip() / "TMF921-IntentManagement-v5.0.0.oas.yaml"
    examples = yaml.safe_load(document.read_text())["components"]["examples"]
    expression = examples["Intent_retrieve_example_response"]["value"]["expression"]
    errors = schema.findings(tmf921_validator("JsonLdExpression"), expression, "expression")
    assert any(".@context." in e.field and "is not of type 'object'" in e.message for e in errors)
    assert schema.findings(tmf921_validator("IntentExpression"), expression, "expression") == []


def test_delivery_and_property_expectations_share_their_target() -> None:
    source = read_intent(load("tio-ran-edge-west.turtle"))
    assert (source.intent_id, source.label, source.form, source.priority) == (
        "ran-edge-west", "RAN at the US West edge", "TurtleExpression", 10)  # fmt: skip
    delivery, prop = source.expectations
    assert (delivery.id, delivery.kind, delivery.verbs) == (
        "DE1",
        ExpectationKind.DELIVERY,
        ("icm:DeliveryExpectation",),
    )
    assert delivery.objects == ("o-ran-cu", "o-ran-du")
    assert [(c.name, c.values) for c in delivery.contexts] == [
        ("region", ("us-west-1",)), ("targetSite", ("edge-cluster-us-west-1",))]  # fmt: skip
    assert delivery.target_ref == prop.target_ref == "https://intents.example.com/ran-edge-west/ran"
    assert prop.kind is ExpectationKind.ASSURANCE
    assert [(r.metric, r.comparator, r.bounds) for r in prop.requirements] == [
        ("latency", Comparator.LESS, (Quantity(Decimal(10), "ms"),)),
        ("throughput", Comparator.GREATER, (Quantity(Decimal(1), "Gbps"),)),
    ]


def test_reporting_expectation_gives_triggers_destinations_and_interval() -> None:
    source = read_intent(load("tio-du-with-reports.jsonld"))
    reporting = source.expectations[2]
    assert reporting.kind is ExpectationKind.REPORTING
    assert reporting.reporting is not None
    assert reporting.reporting.interval == Quantity(Decimal(15), "unitMinute")
    assert reporting.reporting.triggers == ("imo:IntentComplies", "imo:IntentDegrades", "QuarterHourReport")
    assert reporting.reporting.destinations == ("noc",)
    assert source.expectations[0].sites == ("edge-cluster-us-east-1", "edge-cluster-us-east-2")


def test_tr290_list_form_and_extension_expectation_class() -> None:
    (scaling,) = read_intent(load("tio-urllc-scaling.turtle")).expectations
    assert scaling.verbs == ("ScalingExpectation",)
    assert scaling.kind is ExpectationKind.DELIVERY
    assert [(r.metric, r.comparator, r.bounds) for r in scaling.requirements] == [
        ("latency", Comparator.LESS, (Quantity(Decimal(1000), "us"),)),
        ("reliability", Comparator.GREATER_OR_EQUAL, (Quantity(Decimal("99.999"), "%"),)),
    ]


def test_any_tio_version_is_read() -> None:
    resource = turtle_intent(
        "ex:I a icm:Intent ; log:allOf ex:D .\nex:D a icm:DeliveryExpectation ; icm:target o2krm:o-ran-du .\n"
    )
    text = resource["spec"]["expression"]["expressionValue"].replace("v3.6.0", "v3.4.0")
    resource["spec"]["expression"]["expressionValue"] = text
    (delivery,) = read_intent(resource).expectations
    assert (delivery.kind, delivery.objects) == (ExpectationKind.DELIVERY, ("o-ran-du",))


def test_unknown_properties_are_warnings_naming_them() -> None:
    source = read_intent(turtle_intent(
        "ex:I a icm:Intent ; log:allOf ex:D ; ex:owner \"team\" .\n"
        "ex:D a icm:DeliveryExpectation ; icm:target ex:ran ; icm:deliveryType o2krm:DU ; ex:budget 5 .\n"
    ))  # fmt: skip
    messages = sorted(n.message for n in source.notes)
    assert len(messages) == 2
    assert "property budget of expectation D" in messages[0]
    assert "property owner of intent" in messages[1]
    assert {n.field for n in source.notes} == {EXPRESSION}


def test_term_keys_ignore_the_tio_version() -> None:
    from rdflib import URIRef

    assert term_key(URIRef("http://tio.models.tmforum.org/tio/v3.6.0/IntentCommonModel/Intent")) == "icm:Intent"
    assert term_key(URIRef("http://tio.models.tmforum.org/tio/v1.0.0/IntentCommonModel#Intent")) == "icm:Intent"
    assert term_key(URIRef("http://tio.models.tmforum.org/tio/v3.6.0/QuantityOntology/smaller")) == "quan:smaller"
    assert term_key(URIRef("https://o2krm.io/ontology/ran/o-ran-du")) == "o-ran-du"


_D = "ex:D a icm:DeliveryExpectation ; icm:target ex:ran ; icm:deliveryType o2krm:DU "


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("ex:I a icm:Intent ; log:allOf ex:D .\nex:D a icm:DeliveryExpectation ; icm:target ex:ran\n",
         "not valid turtle"),
        ("ex:X a ex:Thing .\n", "exactly one icm:Intent; found 0"),
        ("ex:I a icm:Intent . ex:J a icm:Intent .\n", "exactly one icm:Intent; found 2"),
        ("ex:I a icm:Intent .\n", "has no expectations"),
        ("ex:I a icm:Intent ; log:allOf ex:D .\nex:D a icm:DeliveryExpectation ; icm:deliveryType o2krm:DU .\n",
         "exactly one icm:target (what it applies to); found 0"),
        ("ex:I a icm:Intent ; log:allOf ex:D .\nex:D a icm:DeliveryExpectation ; icm:target ex:a, ex:b .\n",
         "found 2"),
        (f"ex:I a icm:Intent ; log:allOf ex:D .\n{_D}; log:allOf ex:C .\n"
         "ex:C a icm:Condition ; set:forAll [ quan:smaller [ rdf:value 3 ; quan:unit \"ms\" ] ] .\n",
         "icm:valuesOfTargetProperty; found 0"),
        (f"ex:I a icm:Intent ; log:allOf ex:D .\n{_D}; log:allOf ex:C .\n"
         "ex:C a icm:Condition ; set:forAll [ icm:valuesOfTargetProperty o2krm:latency ] .\n",
         "exactly one comparison"),
        (f"ex:I a icm:Intent ; log:allOf ex:D .\n{_D}; log:allOf ex:C .\n"
         "ex:C a icm:Condition ; set:forAll [ icm:valuesOfTargetProperty o2krm:latency ;\n"
         "  quan:inRange [ rdf:value 3 ; quan:unit \"ms\" ] ] .\n",
         "quan:inRange needs 2 quantities"),
        (f"ex:I a icm:Intent ; log:allOf ex:D .\n{_D}; log:allOf ex:C .\n"
         "ex:C a icm:Condition ; set:forAll [ icm:valuesOfTargetProperty o2krm:latency ;\n"
         "  quan:smaller [ rdf:value \"ten\" ; quan:unit \"ms\" ] ] .\n",
         "'ten' is not a number"),
    ],
)  # fmt: skip
def test_structural_faults_are_errors(body: str, words: str) -> None:
    with pytest.raises(DomainError) as error:
        read_intent(turtle_intent(body))
    (finding,) = error.value.findings
    assert finding.field == EXPRESSION
    assert words in finding.message


@pytest.mark.parametrize(
    ("expression", "field", "words"),
    [
        ({"@type": "JsonLdExpression", "expressionValue": "{not json"}, EXPRESSION, "not JSON"),
        ({"@type": "JsonLdExpression", "expressionValue": {"@context": "https://example.com/ctx.jsonld"}},
         EXPRESSION, "is remote"),
        ({"@type": "JsonLdExpression",
          "expressionValue": {"@graph": [{"@context": ["https://x.example/c"], "@id": "ex:a"}]}},
         EXPRESSION, "is remote"),
        ({"@type": "JsonLdExpression", "expressionValue": {"@context": 5}}, EXPRESSION, "not valid json-ld"),
        ({"@type": "JsonLdExpression", "expressionValue": {"@context": {"ex": "https://x/"}}}, EXPRESSION,
         "holds no statements"),
        ({"@type": "JsonLdExpression", "expressionValue": 42}, EXPRESSION, "must be a JSON-LD document"),
        ({"@type": "TurtleExpression", "expressionValue": "  "}, EXPRESSION, "must be Turtle text"),
        ({"@type": "IntentExpression", "expressionValue": "x"}, 'spec.expression.@type',
         "use JsonLdExpression or TurtleExpression"),
    ],
)  # fmt: skip
def test_broken_expressions_are_errors(expression: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(DomainError) as error:
        read_intent(v5_intent(expression))
    (finding,) = error.value.findings
    assert finding.field == field
    assert words in finding.message


def test_probe_intents_and_missing_expressions_are_refused() -> None:
    probe = v5_intent({"@type": "TurtleExpression", "expressionValue": "x"})
    probe["spec"]["@type"] = "ProbeIntent"
    with pytest.raises(DomainError, match="must not be provisioned") as error:
        read_intent(probe)
    assert error.value.findings[0].field == "spec.@type"

    missing = v5_intent({})
    del missing["spec"]["expression"]
    with pytest.raises(DomainError, match=r"spec\.expression is missing"):
        read_intent(missing)

    untyped = v5_intent({"@type": "TurtleExpression", "expressionValue": "x"})
    del untyped["spec"]["@type"]
    with pytest.raises(DomainError) as error:
        read_intent(untyped)
    assert error.value.findings[0].field == "spec.@type"


def test_untranslated_tmf921_fields_are_warnings() -> None:
    resource = load("tio-ran-edge-west.turtle")
    resource["spec"]["relatedParty"] = [{"role": "user"}]
    resource["spec"]["priority"] = "urgent"
    resource["spec"]["lifecycleStatus"] = "Active"  # bookkeeping: no warning
    notes = {n.field: n for n in read_intent(resource).notes}
    assert set(notes) == {"spec.relatedParty", "spec.priority"}
    assert all(n.severity == "warning" for n in notes.values())
