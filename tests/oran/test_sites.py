"""The O-Cloud site catalog and how intent targets resolve against it."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from o2krm.oran.findings import DomainError
from o2krm.oran.sites import SiteCatalog
from tests.oran.pr_support import catalog_of, site, site_catalog

SEED_SITES = ["edge-eu-central-1", "edge-eu-west-1", "edge-us-east-1", "edge-us-west-1"]


@pytest.fixture(scope="module")
def seed() -> SiteCatalog:
    return SiteCatalog.from_resources([site_catalog()])


@pytest.fixture(scope="module")
def tiered() -> SiteCatalog:
    return SiteCatalog.from_resources(
        [
            catalog_of(
                site("edge-us-west-1", "us-west-1"),
                site("edge-us-west-2", "us-west-1"),
                site("regional-us-west", "us-west-1", cluster="regional-cluster-us-west", tier="regional"),
                site("core-us", "us-central-1", cluster="core-cluster-us", tier="central"),
                site("lab", "us-central-1", cluster="lab-cluster", tier=None),
            )
        ]
    )


def names(sites: tuple[Any, ...]) -> list[str]:
    return [s.name for s in sites]


def errors_of(call: Any) -> list[Any]:
    with pytest.raises(DomainError) as raised:
        call()
    return raised.value.findings


# --- reading the catalog -----------------------------------------------------------------


def test_the_seed_catalog_reads_into_four_sites_sorted_by_name(seed: SiteCatalog) -> None:
    assert names(seed.sites) == SEED_SITES
    west = seed.get("edge-us-west-1")
    assert west is not None
    assert (west.cluster, west.region, west.tier) == ("edge-cluster-us-west-1", "us-west-1", "edge")
    assert (str(west.capacity.cpu), str(west.capacity.memory), str(west.capacity.storage)) == (
        "64",
        "256Gi",
        "2Ti",
    )
    assert west.labels == {"topology.kubernetes.io/zone": "us-west-1a"}
    assert west.network is not None and west.network["vlanRange"] == {"start": 100, "end": 199}
    assert seed.get("nowhere") is None


def test_sites_from_several_catalogs_combine() -> None:
    catalog = SiteCatalog.from_resources(
        [catalog_of(site("edge-b", "r1")), catalog_of(site("edge-a", "r2"), name="more")]
    )
    assert names(catalog.sites) == ["edge-a", "edge-b"]


@pytest.mark.parametrize(
    ("mutate", "field", "words"),
    [
        (lambda s: s["capacity"].update(cpu="lots"), "spec.sites[0].capacity.cpu", "16Gi"),
        (lambda s: s["capacity"].update(memory="0"), "spec.sites[0].capacity.memory", "positive"),
        (lambda s: s["capacity"].update(storage="-1Ti"), "spec.sites[0].capacity.storage", "positive"),
        (lambda s: s["capacity"].pop("cpu"), "spec.sites[0].capacity.cpu", "required field is missing"),
        (lambda s: s.pop("capacity"), "spec.sites[0].capacity", "required field is missing"),
        (lambda s: s.update(capcity={}), "spec.sites[0].capcity", "unknown field"),
        (lambda s: s.update(name="Edge_West"), "spec.sites[0].name", "DNS label"),
        (lambda s: s.update(name="e" * 64), "spec.sites[0].name", "DNS label"),
        (lambda s: s.update(cluster="Cluster 1"), "spec.sites[0].cluster", "DNS subdomain"),
        (lambda s: s.update(region=""), "spec.sites[0].region", "1-63 letters"),
        (lambda s: s.update(tier="far-edge"), "spec.sites[0].tier", "edge"),
        (lambda s: s.update(labels={"zone": 1}), "spec.sites[0].labels.zone", "string"),
    ],
)  # fmt: skip
def test_bad_sites_name_the_field(mutate: Any, field: str, words: str) -> None:
    entry = site("edge-us-west-1", "us-west-1")
    mutate(entry)
    (finding,) = errors_of(lambda: SiteCatalog.from_resources([catalog_of(entry, name="mine")]))
    assert finding.field == field
    assert words in finding.message
    assert "OCloudSiteCatalog/mine" in finding.message
    assert finding.tags["resourceIndex"] == "0"


@pytest.mark.parametrize(
    ("resource", "field"),
    [
        ({"apiVersion": "o2krm.io/v1alpha1", "kind": "OCloudSiteCatalog", "metadata": {"name": "x"}}, "spec"),
        (catalog_of(), "spec.sites"),
    ],
)
def test_a_catalog_without_sites_is_an_error(resource: dict[str, Any], field: str) -> None:
    (finding,) = errors_of(lambda: SiteCatalog.from_resources([resource]))
    assert finding.field == field


def test_a_duplicate_site_name_is_an_error_naming_both_places() -> None:
    first = catalog_of(site("edge-a", "r1"), name="one")
    second = catalog_of(site("edge-b", "r1"), site("edge-a", "r2", cluster="other"), name="two")
    (finding,) = errors_of(lambda: SiteCatalog.from_resources([first, second]))
    assert finding.field == "spec.sites[1].name"
    assert finding.tags["resourceIndex"] == "1"
    assert "duplicate site name 'edge-a'" in finding.message
    assert "OCloudSiteCatalog/one spec.sites[0]" in finding.message


def test_a_cluster_listed_for_two_sites_is_an_error() -> None:
    catalog = catalog_of(site("edge-a", "r1", cluster="shared"), site("edge-b", "r1", cluster="shared"))
    (finding,) = errors_of(lambda: SiteCatalog.from_resources([catalog]))
    assert finding.field == "spec.sites[1].cluster"
    assert "duplicate site cluster 'shared'" in finding.message


def test_every_problem_of_every_catalog_is_reported_at_once() -> None:
    bad = site("edge-a", "r1", cpu="many")
    findings = errors_of(
        lambda: SiteCatalog.from_resources([catalog_of(bad), catalog_of(site("X", "r1", cluster="x"))])
    )
    assert [(f.tags["resourceIndex"], f.field) for f in findings] == [
        ("0", "spec.sites[0].capacity.cpu"),
        ("1", "spec.sites[0].name"),
    ]


# --- resolving intent targets ------------------------------------------------------------


@pytest.mark.parametrize(
    ("targets", "regions", "expected"),
    [
        (["edge-us-west-1"], [], ["edge-us-west-1"]),  # site name
        (["edge-cluster-us-west-1"], [], ["edge-us-west-1"]),  # cluster name, as the seed writes it
        (["edge-cluster-*"], [], SEED_SITES),
        (["edge-cluster-us-*"], [], ["edge-us-east-1", "edge-us-west-1"]),
        (["edge-??-west-1"], [], ["edge-eu-west-1", "edge-us-west-1"]),
        (["edge-cluster-us-west-1", "edge-cluster-us-*"], [], ["edge-us-east-1", "edge-us-west-1"]),  # union
        (["all edge sites"], [], SEED_SITES),
        (["All  Edge  Sites"], [], SEED_SITES),
        (["all sites"], [], SEED_SITES),
        (["all"], [], SEED_SITES),
        ([], ["us-west-1"], ["edge-us-west-1"]),
        ([], ["eu-*"], ["edge-eu-central-1", "edge-eu-west-1"]),
        ([], ["us-west-1", "us-east-1"], ["edge-us-east-1", "edge-us-west-1"]),
        (["edge-cluster-*"], ["eu-west-1"], ["edge-eu-west-1"]),  # region narrows the targets
        (["all edge sites"], ["us-*"], ["edge-us-east-1", "edge-us-west-1"]),
    ],
)
def test_targets_resolve(seed: SiteCatalog, targets: list[str], regions: list[str], expected: list[str]) -> None:
    assert names(seed.resolve(targets, regions)) == expected


@pytest.mark.parametrize(
    ("targets", "expected"),
    [
        (["all edge sites"], ["edge-us-west-1", "edge-us-west-2"]),
        (["all regional sites"], ["regional-us-west"]),
        (["all central sites"], ["core-us"]),
        (["all sites"], ["core-us", "edge-us-west-1", "edge-us-west-2", "lab", "regional-us-west"]),
        (["*"], ["core-us", "edge-us-west-1", "edge-us-west-2", "lab", "regional-us-west"]),
    ],
)
def test_tier_phrases_select_by_tier(tiered: SiteCatalog, targets: list[str], expected: list[str]) -> None:
    assert names(tiered.resolve(targets, [])) == expected


def test_a_target_matching_no_site_is_an_error_listing_the_sites(seed: SiteCatalog) -> None:
    (finding,) = errors_of(lambda: seed.resolve(["edge-cluster-us-west-9"], []))
    assert finding.severity == "error"
    assert finding.field == "spec"
    assert finding.current == "edge-cluster-us-west-9"
    assert finding.proposed == "edge-cluster-us-west-1"
    assert "targetSite 'edge-cluster-us-west-9' matches no O-Cloud site" in finding.message
    assert "edge-us-west-1 (cluster edge-cluster-us-west-1, region us-west-1)" in finding.message


def test_exact_names_are_case_sensitive_but_suggested(seed: SiteCatalog) -> None:
    (finding,) = errors_of(lambda: seed.resolve(["EDGE-US-WEST-1"], []))
    assert finding.proposed == "edge-us-west-1"


def test_a_glob_matching_nothing_is_an_error(seed: SiteCatalog) -> None:
    (finding,) = errors_of(lambda: seed.resolve(["core-*"], []))
    assert "'core-*' matches no O-Cloud site" in finding.message


def test_every_unmatched_target_is_reported(seed: SiteCatalog) -> None:
    findings = errors_of(lambda: seed.resolve(["nowhere", "edge-us-west-1", "nothing-*"], []))
    assert [f.current for f in findings] == ["nowhere", "nothing-*"]


def test_a_region_without_sites_is_an_error(seed: SiteCatalog) -> None:
    (finding,) = errors_of(lambda: seed.resolve([], ["ap-south-1"]))
    assert "region 'ap-south-1' has no O-Cloud site" in finding.message
    assert "eu-central-1, eu-west-1, us-east-1, us-west-1" in finding.message


def test_a_target_outside_the_region_is_an_error(seed: SiteCatalog) -> None:
    (finding,) = errors_of(lambda: seed.resolve(["edge-cluster-us-west-1"], ["eu-west-1"]))
    assert "selects edge-us-west-1, but none of them is in region 'eu-west-1'" in finding.message


def test_an_intent_without_targets_or_regions_is_an_error(seed: SiteCatalog) -> None:
    (finding,) = errors_of(lambda: seed.resolve([], []))
    assert "names no site" in finding.message and "targetSite" in finding.message


def test_an_unknown_tier_is_an_error(seed: SiteCatalog) -> None:
    (finding,) = errors_of(lambda: seed.resolve(["all far-edge sites"], []))
    assert "unknown tier 'far-edge'" in finding.message


def test_an_empty_catalog_says_to_add_one() -> None:
    (finding,) = errors_of(lambda: SiteCatalog.from_resources([]).resolve(["edge-a"], []))
    assert "add an OCloudSiteCatalog" in finding.message


@settings(max_examples=60, deadline=None)
@given(
    st.permutations(range(4)),
    st.lists(st.sampled_from(["edge-cluster-us-*", "edge-eu-west-1", "all edge sites", "edge-??-*"]), min_size=1),
)
def test_resolution_ignores_catalog_and_target_order(order: list[int], targets: list[str]) -> None:
    catalog = site_catalog()
    reordered = copy.deepcopy(catalog)
    reordered["spec"]["sites"] = [catalog["spec"]["sites"][i] for i in order]
    expected = SiteCatalog.from_resources([catalog]).resolve(targets, [])
    assert SiteCatalog.from_resources([reordered]).resolve(list(reversed(targets)), []) == expected
