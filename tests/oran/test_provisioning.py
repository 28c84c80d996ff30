"""ProvisioningRequests from 28.312 intents: content, schema validity, names, fan-out, errors."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from o2krm.oran import vocabulary as v
from o2krm.oran.findings import DomainError, Finding
from o2krm.oran.provisioning import (
    PR_NAME_NAMESPACE,
    plan_package,
    plan_requests,
    provisioning_request_name,
)
from o2krm.oran.sites import SiteCatalog
from o2krm.oran.sizing import SizingPolicy, load_policy
from o2krm.oran.templates import TemplateCatalog
from tests.oran.pr_support import (
    SEED_TARGETS,
    assert_valid_pr,
    catalog_of,
    intent,
    site,
    site_catalog,
    target,
    template_catalog,
    templates_of,
)


@pytest.fixture(scope="module")
def sites() -> SiteCatalog:
    return SiteCatalog.from_resources([site_catalog()])


@pytest.fixture(scope="module")
def templates() -> TemplateCatalog:
    return TemplateCatalog.from_resources([template_catalog()])


@pytest.fixture(scope="module")
def policy() -> SizingPolicy:
    return load_policy()


def plan(resource: dict[str, Any], sites: SiteCatalog, templates: TemplateCatalog) -> list[dict[str, Any]]:
    requests = plan_requests(resource, sites, templates, load_policy())
    for pr in requests:
        assert_valid_pr(pr)
    return requests


def errors_of(call: Any) -> list[Finding]:
    with pytest.raises(DomainError) as raised:
        call()
    return raised.value.findings


def test_a_single_site_intent_gives_one_complete_request(sites: SiteCatalog, templates: TemplateCatalog) -> None:
    (pr,) = plan(intent(sites=["edge-cluster-us-west-1"], targets=SEED_TARGETS), sites, templates)
    assert pr == {
        "apiVersion": "o2ims.provisioning.oran.org/v1alpha1",
        "kind": "ProvisioningRequest",
        "metadata": {
            "name": "6d5be75b-7500-5029-8a9d-0ada5af7035a",
            "labels": {
                "o2krm.io/intent": "edge-ran-intent",
                "o2krm.io/site": "edge-us-west-1",
                "intent.source": "tmf921",
                "workflow.stage": "provisioning",
            },
        },
        "spec": {
            "name": "edge-ran-intent at edge-us-west-1: O-RAN CU-CP, CU-UP, DU (eMBB)",
            "description": (
                "Deploys O-RAN CU-CP, CU-UP, DU for eMBB on O-Cloud site edge-us-west-1 "
                "(cluster edge-cluster-us-west-1, region us-west-1) for TS 28.312 intent edge-ran-intent "
                "to meet latency < 10 ms, throughput > 1000 Mbps; sized by the eMBB profile for "
                "1000 Mbit/s (the intent's throughput target), CPU headroom x1.2."
            ),
            "templateName": "oran-cu-du",
            "templateVersion": "v1",
            "templateParameters": {
                "targetCluster": "edge-cluster-us-west-1",
                "resourceRequirements": {"cpu": "8400m", "memory": "11Gi", "storage": "20Gi"},
                "networkConfig": {},
                "networkFunctions": ["CU-CP", "CU-UP", "DU"],
                "serviceType": "eMBB",
                "sloTargets": [
                    {"name": "latency", "condition": "IS_LESS_THAN", "value": 10, "unit": "ms"},
                    {"name": "throughput", "condition": "IS_GREATER_THAN", "value": 1000, "unit": "Mbps"},
                ],
            },
        },
    }


def test_names_are_version_5_uuids_of_intent_id_and_site() -> None:
    assert uuid.uuid5(uuid.NAMESPACE_DNS, "provisioningrequest.o2krm.io") == PR_NAME_NAMESPACE
    name = uuid.UUID(provisioning_request_name("edge-ran-intent", "edge-us-west-1"))
    assert name.version == 5
    assert str(name) == "6d5be75b-7500-5029-8a9d-0ada5af7035a"  # stable across releases: renders keep names
    # the separator keeps (intent, site) pairs apart: site names cannot contain it
    assert provisioning_request_name("a-b", "c") != provisioning_request_name("a", "b-c")


def test_the_name_follows_spec_id_not_metadata_name(sites: SiteCatalog, templates: TemplateCatalog) -> None:
    (pr,) = plan(intent("renamed", sites=["edge-us-west-1"], intent_id="edge-ran-intent"), sites, templates)
    assert pr["metadata"]["name"] == provisioning_request_name("edge-ran-intent", "edge-us-west-1")
    assert pr["metadata"]["labels"][v.LABEL_INTENT] == "renamed"
    no_id = intent("fallback", sites=["edge-us-west-1"])
    del no_id["spec"]["id"]
    (pr,) = plan(no_id, sites, templates)
    assert pr["metadata"]["name"] == provisioning_request_name("fallback", "edge-us-west-1")


def test_a_multi_site_intent_fans_out_over_the_seeds_four_sites(sites: SiteCatalog, templates: TemplateCatalog) -> None:
    requests = plan(intent(sites=["edge-cluster-*"], targets=SEED_TARGETS), sites, templates)
    assert [pr["metadata"]["labels"][v.LABEL_SITE] for pr in requests] == [
        "edge-eu-central-1",
        "edge-eu-west-1",
        "edge-us-east-1",
        "edge-us-west-1",
    ]
    assert [pr["spec"]["templateParameters"]["targetCluster"] for pr in requests] == [
        "edge-cluster-eu-central-1",
        "edge-cluster-eu-west-1",
        "edge-cluster-us-east-1",
        "edge-cluster-us-west-1",
    ]
    assert len({pr["metadata"]["name"] for pr in requests}) == 4
    for pr in requests:
        site_name = pr["metadata"]["labels"][v.LABEL_SITE]
        assert pr["metadata"]["name"] == provisioning_request_name("edge-ran-intent", site_name)
    assert {str(pr["spec"]["templateParameters"]["resourceRequirements"]) for pr in requests} == {
        "{'cpu': '8400m', 'memory': '11Gi', 'storage': '20Gi'}"
    }


def test_urllc_sizing_reaches_the_request(sites: SiteCatalog, templates: TemplateCatalog) -> None:
    urllc = intent(
        "urllc-scaling",
        sites=["edge-cluster-us-west-1"],
        service_type="URLLC",
        targets=[target("latency", v.IS_LESS_THAN, 1), target("reliability", v.IS_GREATER_THAN, 0.99999)],
    )
    (pr,) = plan(urllc, sites, templates)
    params = pr["spec"]["templateParameters"]
    assert params["resourceRequirements"] == {"cpu": "7", "memory": "8500Mi", "storage": "20Gi"}
    assert params["serviceType"] == "URLLC"
    assert params["sloTargets"][1] == {
        "name": "reliability",
        "condition": "IS_GREATER_THAN",
        "value": 0.99999,
        "unit": "ratio",
    }
    assert "to meet latency < 1 ms, reliability > 0.99999;" in pr["spec"]["description"]
    assert "URLLC profile (latency-critical)" in pr["spec"]["description"]


def test_a_du_only_intent_gets_the_du_template(sites: SiteCatalog, templates: TemplateCatalog) -> None:
    (pr,) = plan(intent(sites=["edge-us-east-1"], functions=["DU"]), sites, templates)
    assert (pr["spec"]["templateName"], pr["spec"]["templateVersion"]) == ("oran-du", "v1")
    assert pr["spec"]["templateParameters"]["networkFunctions"] == ["DU"]


def test_functions_come_out_in_pipeline_order(sites: SiteCatalog, templates: TemplateCatalog) -> None:
    (pr,) = plan(intent(sites=["edge-us-east-1"], functions=["DU", "CU-UP", "CU-CP"]), sites, templates)
    assert pr["spec"]["templateParameters"]["networkFunctions"] == ["CU-CP", "CU-UP", "DU"]


def test_the_seed_api_version_and_a_source_label_are_honoured(sites: SiteCatalog, templates: TemplateCatalog) -> None:
    seed = intent(sites=["edge-us-west-1"], api_version=v.INTENT_3GPP_SEED_API, labels={"intent.source": "manual"})
    (pr,) = plan(seed, sites, templates)
    assert pr["metadata"]["labels"]["intent.source"] == "manual"


def test_ranges_and_lists_in_slo_targets(sites: SiteCatalog, templates: TemplateCatalog) -> None:
    ranged = intent(sites=["edge-us-west-1"], targets=[target("throughput", v.IS_WITHIN_RANGE, [500, 2000])])
    (pr,) = plan(ranged, sites, templates)
    assert pr["spec"]["templateParameters"]["sloTargets"] == [
        {"name": "throughput", "condition": "IS_WITHIN_RANGE", "value": [500, 2000], "unit": "Mbps"}
    ]
    assert "throughput within 500-2000 Mbps" in pr["spec"]["description"]


# --- template choice -------------------------------------------------------------------------


CU_DU = ["CU-CP", "CU-UP", "DU"]


def template(name: str, version: str, functions: list[str], service_types: list[str] | None = None) -> dict:
    entry: dict[str, Any] = {"name": name, "version": version, "networkFunctions": functions}
    if service_types is not None:
        entry["serviceTypes"] = service_types
    return entry


@pytest.mark.parametrize(
    ("catalog", "expected"),
    [
        ([template("cu-du", "v2", CU_DU), template("cu-du", "v10", CU_DU)], "cu-du@v10"),
        ([template("t", "1.9.0", CU_DU), template("t", "1.10.0", CU_DU)], "t@1.10.0"),
        ([template("wide", "v1", [*CU_DU, "RIC"]), template("exact", "v1", CU_DU)], "exact@v1"),
        ([template("any", "v1", CU_DU), template("embb", "v1", CU_DU, ["eMBB"])], "embb@v1"),
        ([template("urllc", "v1", CU_DU, ["URLLC"]), template("any", "v1", CU_DU)], "any@v1"),
    ],
)  # fmt: skip
def test_template_choice(catalog: list[dict[str, Any]], expected: str) -> None:
    chosen = TemplateCatalog.from_resources([templates_of(*catalog)]).select(list(v.NETWORK_FUNCTIONS), "eMBB")
    assert chosen.ref == expected


def test_two_equally_fitting_templates_are_an_error() -> None:
    catalog = TemplateCatalog.from_resources([templates_of(template("a", "v1", ["DU"]), template("b", "v1", ["DU"]))])
    (finding,) = errors_of(lambda: catalog.select(["DU"], "eMBB"))
    assert "templates a, b fit DU for eMBB equally well" in finding.message


def test_no_fitting_template_lists_the_catalog(sites: SiteCatalog, templates: TemplateCatalog) -> None:
    (finding,) = errors_of(lambda: templates.select(["CU-CP", "CU-UP"], "V2X"))
    assert "no provisioning template deploys CU-CP, CU-UP for V2X" in finding.message
    assert "oran-cu-du@v1 deploys CU-CP, CU-UP, DU for eMBB, URLLC, mMTC" in finding.message
    assert "oran-du@v1 deploys DU for any service type" in finding.message


def test_a_duplicate_template_is_an_error() -> None:
    catalog = templates_of(template("t", "v1", ["DU"]), template("t", "v1", ["DU", "CU-UP"]))
    (finding,) = errors_of(lambda: TemplateCatalog.from_resources([catalog]))
    assert finding.field == "spec.templates[1]"
    assert "duplicate template t version v1" in finding.message


def test_no_template_catalog_says_to_add_one(sites: SiteCatalog) -> None:
    empty = TemplateCatalog.from_resources([])
    (finding,) = errors_of(lambda: plan_requests(intent(sites=["edge-us-west-1"]), sites, empty, load_policy()))
    assert "add a ProvisioningTemplateCatalog" in finding.message


# --- bad intents -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda i: i.update(kind="IntentReport"), "apiVersion", "expected a 3GPP TS 28.312 Intent"),
        (lambda i: i.update(apiVersion=v.TMF921_V5_API), "apiVersion", "intent.3gpp.org/v1alpha1"),
        (lambda i: i.pop("metadata"), "metadata.name", "no metadata.name"),
        (lambda i: i["metadata"].update(name="x" * 64), "metadata.name", "cannot be a label value"),
        (lambda i: i.pop("spec"), "spec", "Intent-Single"),
        (lambda i: i["spec"]["intentExpectations"][0]["expectationObject"].update(objectContexts=[]), "spec",
         "names no O-RAN function"),
    ],
)  # fmt: skip
def test_malformed_intents(sites: SiteCatalog, templates: TemplateCatalog, change: Any, field: str, words: str) -> None:
    resource = intent(sites=["edge-us-west-1"])
    change(resource)
    (finding,) = errors_of(lambda: plan_requests(resource, sites, templates, load_policy()))
    assert finding.field == field
    assert words in finding.message


def test_an_unknown_site_is_an_error(sites: SiteCatalog, templates: TemplateCatalog) -> None:
    (finding,) = errors_of(
        lambda: plan_requests(intent(sites=["edge-cluster-mars-1"]), sites, templates, load_policy())
    )
    assert "targetSite 'edge-cluster-mars-1' matches no O-Cloud site" in finding.message


def test_exceeding_a_sites_capacity_is_an_error_naming_the_site(templates: TemplateCatalog) -> None:
    small = SiteCatalog.from_resources(
        [catalog_of(site("edge-big", "r1"), site("edge-small", "r1", cpu="8", memory="8Gi"))]
    )
    (finding,) = errors_of(lambda: plan_requests(intent(sites=["edge-*"]), small, templates, load_policy()))
    assert finding.tags == {"site": "edge-small"}
    assert finding.message.startswith(
        "O-Cloud site edge-small (cluster edge-cluster-small) lacks the capacity: "
        "intent edge-ran-intent needs cpu 8400m > 8; memory 11Gi > 8Gi."
    )
    assert "raise the capacity of edge-small in the OCloudSiteCatalog" in finding.message


# --- the whole package ---------------------------------------------------------------------------


def test_a_package_plans_each_intent(sites: SiteCatalog, templates: TemplateCatalog, policy: SizingPolicy) -> None:
    plans = plan_package(
        [
            intent("a", sites=["edge-us-west-1"]),
            intent("b", sites=["nowhere"]),
            intent("c", regions=["eu-*"]),
        ],
        sites,
        templates,
        policy,
    )
    assert [(p.index, p.name, p.ok, len(p.requests)) for p in plans] == [
        (0, "a", True, 1),
        (1, "b", False, 0),
        (2, "c", True, 2),
    ]
    assert "'nowhere' matches no O-Cloud site" in plans[1].findings[0].message


def test_intents_that_fit_alone_but_not_together_are_errors(templates: TemplateCatalog, policy: SizingPolicy) -> None:
    one = SiteCatalog.from_resources([catalog_of(site("edge-a", "r1", cpu="12"), site("edge-b", "r1"))])
    plans = plan_package(
        [intent("x", sites=["edge-a"]), intent("y", sites=["edge-*"]), intent("z", sites=["edge-b"])],
        one,
        templates,
        policy,
    )
    assert [(p.name, p.ok) for p in plans] == [("x", False), ("y", False), ("z", True)]
    (finding,) = plans[0].findings
    assert finding == plans[1].findings[0]
    assert "intents x, y together need cpu 16800m > 12" in finding.message
    assert plans[0].requests == [] and plans[1].requests == [] and len(plans[2].requests) == 1


def test_two_intents_with_one_id_are_an_error(
    sites: SiteCatalog, templates: TemplateCatalog, policy: SizingPolicy
) -> None:
    plans = plan_package(
        [
            intent("a", sites=["edge-us-west-1"], intent_id="same"),
            intent("b", sites=["edge-us-east-1"], intent_id="same"),
        ],
        sites,
        templates,
        policy,
    )
    assert plans[0].ok and not plans[1].ok
    (finding,) = plans[1].findings
    assert finding.field == "spec.id"
    assert "also the id of intent a" in finding.message


@settings(max_examples=40, deadline=None)
@given(
    st.permutations(range(4)),
    st.lists(st.sampled_from(["edge-cluster-*", "edge-us-west-1", "all edge sites", "edge-eu-*"]), min_size=1),
    st.sampled_from(["eMBB", "URLLC", "mMTC"]),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=30).filter(
        lambda s: s[0].isalnum() and s[-1].isalnum()
    ),
)
def test_planning_is_deterministic(order: list[int], targets: list[str], service_type: str, intent_id: str) -> None:
    catalog = site_catalog()
    shuffled = copy.deepcopy(catalog)
    shuffled["spec"]["sites"] = [catalog["spec"]["sites"][i] for i in order]
    resource = intent(sites=targets, service_type=service_type, targets=SEED_TARGETS, intent_id=intent_id)
    templates = TemplateCatalog.from_resources([template_catalog()])
    first = plan_requests(resource, SiteCatalog.from_resources([catalog]), templates, load_policy())
    again = plan_requests(copy.deepcopy(resource), SiteCatalog.from_resources([shuffled]), templates, load_policy())
    assert first == again
    names = [pr["metadata"]["name"] for pr in first]
    assert names == [provisioning_request_name(intent_id, pr["metadata"]["labels"][v.LABEL_SITE]) for pr in first]
    for pr in first:
        assert_valid_pr(pr)
