"""Reading the seed's KRM form (tmf921.intent.tmforum.org/v1) into the neutral model."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from o2krm.oran.findings import DomainError
from o2krm.oran.tmf921 import is_tmf921_intent, read_intent
from o2krm.oran.tmf921.model import Comparator, ExpectationKind, Quantity
from tests.oran.tmf921_support import load, seed_intent


def test_seed_example_one_reads_sites_objects_and_conditions() -> None:
    source = read_intent(load("seed-deploy-edge-ran"))
    assert (source.name, source.intent_id, source.form) == ("deploy-edge-ran", "deploy-edge-ran", "seed")
    deploy, maintain = source.expectations
    assert deploy.kind is ExpectationKind.DELIVERY
    assert deploy.verbs == ("deploy",)
    assert deploy.objects == ("o-ran-cu", "o-ran-du")
    assert deploy.sites == ("edge-cluster-us-west-1",)
    assert deploy.requirements == ()
    assert maintain.kind is ExpectationKind.ASSURANCE
    assert maintain.objects == ()
    assert maintain.labels == ("performance",)
    assert [(r.metric, r.comparator, r.bounds) for r in maintain.requirements] == [
        ("latency", Comparator.LESS, (Quantity(Decimal(10), "ms"),)),
        ("throughput", Comparator.GREATER, (Quantity(Decimal(1), "Gbps"),)),
    ]
    assert maintain.requirements[0].field == "spec.intentExpectations[1].expectationObjects[0]"
    assert source.notes == ()


def test_seed_example_three_reads_metric_contexts_and_name_only_targets() -> None:
    (scale,) = read_intent(load("seed-urllc-scaling")).expectations
    assert scale.sites == ("edge-cluster-*",)
    assert scale.kind is ExpectationKind.DELIVERY
    latency, reliability = scale.requirements
    assert (latency.metric, latency.comparator, latency.bounds) == (
        "latency_requirement", Comparator.LESS, (Quantity(Decimal(1), "ms"),))  # fmt: skip
    assert (reliability.comparator, reliability.bounds) == (None, (Quantity(Decimal("99.999"), "%"),))
    assert latency.field == "spec.intentExpectations[0].expectationContexts[0]"


def test_targets_written_the_28312_way_are_read() -> None:
    resource = seed_intent({
        "expectationVerbs": ["ensure"],
        "expectationObjects": ["o-ran-du"],
        "expectationTargets": [
            {"targetName": "latency", "targetCondition": "IS_WITHIN_RANGE", "targetValueRange": ["2ms", 8]},
        ],
    })  # fmt: skip
    (req,) = read_intent(resource).expectations[0].requirements
    assert req.comparator is Comparator.IN_RANGE
    assert req.bounds == (Quantity(Decimal(2), "ms"), Quantity(Decimal(8), None))


def test_unknown_fields_and_verbs_are_warnings_naming_the_field() -> None:
    resource = seed_intent({"expectationVerbs": ["optimise"], "expectationObjects": ["o-ran-du"], "priority": 3})
    resource["spec"]["owner"] = "team-ran"
    source = read_intent(resource)
    notes = {(n.field, n.severity) for n in source.notes}
    assert notes == {
        ("spec.owner", "warning"),
        ("spec.intentExpectations[0].priority", "warning"),
        ("spec.intentExpectations[0].expectationVerbs[0]", "warning"),
    }
    assert source.expectations[0].kind is None
    assert source.expectations[0].verbs == ("optimise",)


@pytest.mark.parametrize(
    ("resource", "field", "words"),
    [
        (seed_intent(), "spec.intentExpectations", "at least one expectation"),
        (seed_intent({"expectationVerbs": ["deploy"]}), "spec.intentExpectations[0].expectationObjects",
         "no expectationObjects"),
        (seed_intent({"expectationVerbs": ["deploy"], "expectationObjects": []}),
         "spec.intentExpectations[0].expectationObjects", "no expectationObjects"),
        (seed_intent({"expectationObjects": ["o-ran-du"], "expectationVerbs": "deploy"}),
         "spec.intentExpectations[0].expectationVerbs", "valid list"),
        (seed_intent({"expectationObjects": ["o-ran-du"], "expectationTargets": [{"name": "x"}]}),
         "spec.intentExpectations[0].expectationTargets[0].targetName", "Field required"),
        (seed_intent({"expectationObjects": ["o-ran-du"],
                      "expectationContexts": [{"contextAttribute": "latency", "contextValue": "low"}]}),
         "spec.intentExpectations[0].expectationContexts[0].contextValue", "cannot read 'low'"),
        (seed_intent({"expectationObjects": ["o-ran-du"],
                      "expectationTargets": [{"targetName": "latency", "targetCondition": "BELOW",
                                              "targetValueRange": 3}]}),
         "spec.intentExpectations[0].expectationTargets[0].targetCondition", "'BELOW'"),
        (seed_intent({"expectationId": "a", "expectationObjects": ["o-ran-du"]},
                     {"expectationId": "a", "expectationObjects": ["o-ran-cu"]}),
         "spec.intentExpectations[1].expectationId", "used twice"),
        ({**seed_intent({"expectationObjects": ["o-ran-du"]}), "metadata": {}}, "metadata.name", "missing"),
        ({**seed_intent(), "spec": None}, "spec", "missing"),
    ],
)  # fmt: skip
def test_bad_input_names_the_field(resource: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(DomainError) as error:
        read_intent(resource)
    (finding,) = error.value.findings
    assert finding.field == field
    assert finding.severity == "error"
    assert words in finding.message


def test_intent_wide_metric_is_refused() -> None:
    resource = seed_intent({"expectationObjects": ["o-ran-du"]})
    resource["spec"]["intentContexts"] = [{"contextAttribute": "latency", "contextValue": "<5ms"}]
    with pytest.raises(DomainError, match="Move it to the expectation") as error:
        read_intent(resource)
    assert error.value.findings[0].field == "spec.intentContexts[0]"


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        ({"apiVersion": "tmf921.intent.tmforum.org/v1", "kind": "Intent"}, True),
        ({"apiVersion": "tmf921.intent.tmforum.org/v5", "kind": "Intent"}, True),
        ({"apiVersion": "intent.3gpp.org/v1alpha1", "kind": "Intent"}, False),
        ({"apiVersion": "tmf921.intent.tmforum.org/v1", "kind": "IntentReport"}, False),
        ({"apiVersion": "v1", "kind": "ConfigMap"}, False),
    ],
)
def test_which_resources_are_tmf921_intents(resource: dict[str, Any], expected: bool) -> None:
    assert is_tmf921_intent(resource) is expected


def test_not_an_intent_is_an_error_naming_apiversion() -> None:
    with pytest.raises(DomainError, match="not a TMF921 intent") as error:
        read_intent({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}})
    assert error.value.findings[0].field == "apiVersion"
