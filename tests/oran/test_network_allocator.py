"""The allocator: exact allocations, stickiness, hand-set values and every error it reports."""

from __future__ import annotations

import ipaddress
import random
from typing import Any

import pytest

from o2krm.oran.findings import DomainError, Finding
from o2krm.oran.network import (
    DEFAULT_ATTACHMENTS,
    AllocationPlan,
    Hints,
    PoolCatalog,
    allocate,
    build_pool_catalog,
    hints_from_network_config,
    request_from_provisioning_request,
    site_pools_from_catalog,
)
from o2krm.oran.network import rules as r
from o2krm.oran.network.hints import SubnetHint, VlanHint
from o2krm.oran.network.origin import Origin
from tests.oran.network_support import network_block, pool_catalog, pr_doc, request
from tests.oran.pr_support import site_catalog

SITE = "edge-us-west-1"  # the shared example catalog's only site with a network block
NC = "spec.templateParameters.networkConfig"


def seed_catalog() -> PoolCatalog:
    return build_pool_catalog(site_pools_from_catalog(site_catalog()))


def table(plan: AllocationPlan) -> list[tuple[Any, ...]]:
    """One row per network: request, network, vlan, then per family subnet, gateway, addresses."""
    rows = []
    for a in plan.allocations:
        row: list[Any] = [a.request, a.network, a.vlan]
        for fam in a.families:
            row += [str(fam.subnet), str(fam.gateway), {f: str(ad) for f, ad in fam.addresses}]
        rows.append(tuple(row))
    return rows


def pinned_plan(catalog: PoolCatalog, *prs: dict[str, Any], records: Hints | None = None) -> AllocationPlan:
    requests, pins = [], Hints()
    for pr in prs:
        req = request_from_provisioning_request(pr, DEFAULT_ATTACHMENTS)
        assert req is not None
        requests.append(req)
        found, warnings = hints_from_network_config(pr, req, DEFAULT_ATTACHMENTS, "f1")
        assert warnings == []
        pins = pins + found
    return allocate(requests, catalog, Hints.combine(records or Hints(), pins))


def error_fields(excinfo: pytest.ExceptionInfo[DomainError]) -> list[tuple[str, str | None, str | None]]:
    return [(f.severity, f.field, f.rule) for f in excinfo.value.findings]


# --- golden --------------------------------------------------------------------------------
def test_two_requests_on_the_example_catalog() -> None:
    plan = allocate([request("ran-b", SITE, ["DU"]), request("ran-a", SITE)], seed_catalog())
    assert table(plan) == [
        ("ran-a", "n2", 100, "10.10.0.0/28", "10.10.0.1", {"CU-CP": "10.10.0.2"},
         "fd00:10::/64", "fd00:10::1", {"CU-CP": "fd00:10::2"}),
        ("ran-a", "n3", 101, "10.10.4.0/28", "10.10.4.1", {"CU-UP": "10.10.4.2"}),
        ("ran-a", "e1", 102, "10.10.8.0/28", "10.10.8.1", {"CU-CP": "10.10.8.2", "CU-UP": "10.10.8.3"}),
        ("ran-a", "f1", 103, "10.10.12.0/28", "10.10.12.1",
         {"CU-CP": "10.10.12.2", "CU-UP": "10.10.12.3", "DU": "10.10.12.4"}),
        ("ran-b", "f1", 104, "10.10.12.16/28", "10.10.12.17", {"DU": "10.10.12.18"}),
    ]  # fmt: skip
    assert plan.warnings == ()
    assert [a.network for a in plan.for_request("ran-a")] == ["n2", "n3", "e1", "f1"]


def test_same_input_in_any_order_gives_the_same_plan() -> None:
    requests = [request(f"ran-{i:02d}", SITE, ["CU-CP", "DU"] if i % 2 else ["DU"]) for i in range(12)]
    first = allocate(requests, seed_catalog())
    for seed in range(5):
        shuffled = requests[:]
        random.Random(seed).shuffle(shuffled)
        assert allocate(shuffled, seed_catalog()) == first


def test_sticky_when_requests_come_and_go() -> None:
    catalog = seed_catalog()
    before = allocate([request(n, SITE) for n in ("ran-a", "ran-b", "ran-c")], catalog)
    # ran-b goes, ran-d comes: ran-a and ran-c keep everything, ran-d reuses what ran-b freed
    after = allocate([request(n, SITE) for n in ("ran-a", "ran-c", "ran-d")], catalog, before.as_records())
    assert after.for_request("ran-a") == before.for_request("ran-a")
    assert after.for_request("ran-c") == before.for_request("ran-c")
    assert [a.vlan for a in after.for_request("ran-d")] == [a.vlan for a in before.for_request("ran-b")]
    assert after.warnings == ()


def test_sticky_when_a_function_is_added_to_a_request() -> None:
    catalog = seed_catalog()
    before = allocate([request("ran-a", SITE, ["DU"]), request("ran-b", SITE, ["DU"])], catalog)
    after = allocate([request("ran-a", SITE), request("ran-b", SITE, ["DU"])], catalog, before.as_records())
    (f1_before,) = before.for_request("ran-a")
    f1_after = after.for_request("ran-a")[-1]
    assert (f1_after.network, f1_after.vlan) == ("f1", f1_before.vlan)
    assert f1_after.families[0].subnet == f1_before.families[0].subnet
    assert str(f1_after.families[0].address_of("DU")) == "10.10.12.2"  # DU keeps its address
    assert {f: str(a) for f, a in f1_after.families[0].addresses} == {
        "CU-CP": "10.10.12.3", "CU-UP": "10.10.12.4", "DU": "10.10.12.2"}  # fmt: skip
    assert after.for_request("ran-b") == before.for_request("ran-b")


def test_custom_attachment_table() -> None:
    catalog = pool_catalog({"s": network_block(fh={"ipv4Prefix": "10.1.0.0/24"}, f1={"ipv4Prefix": "10.2.0.0/24"})})
    custom = {"DU": ("f1", "fh"), "RU": ("fh",)}
    req = request_from_provisioning_request(pr_doc("x", "s", ["RU", "DU"]), custom)
    assert req is not None and req.functions == ("DU", "RU")
    plan = allocate([req], catalog, table=custom)
    assert table(plan) == [
        ("x", "f1", 100, "10.2.0.0/28", "10.2.0.1", {"DU": "10.2.0.2"}),
        ("x", "fh", 101, "10.1.0.0/28", "10.1.0.1", {"DU": "10.1.0.2", "RU": "10.1.0.3"}),
    ]


# --- hand-set values -------------------------------------------------------------------------
def test_seed_style_values_are_kept() -> None:
    pr = pr_doc("ran-a", SITE, ["DU"], {"vlan": 150, "subnet": "10.10.13.0/24", "gateway": "10.10.13.254"})
    plan = pinned_plan(seed_catalog(), pr, pr_doc("ran-b", SITE, ["DU"]))
    assert table(plan) == [
        ("ran-a", "f1", 150, "10.10.13.0/24", "10.10.13.254", {"DU": "10.10.13.1"}),
        ("ran-b", "f1", 100, "10.10.12.0/28", "10.10.12.1", {"DU": "10.10.12.2"}),
    ]


def test_seed_style_values_without_any_pool() -> None:
    catalog = pool_catalog({"bare": None})
    pr = pr_doc(
        "edge-ran-deployment", "bare", ["DU"], {"vlan": 100, "subnet": "192.168.100.0/24", "gateway": "192.168.100.1"}
    )
    plan = pinned_plan(catalog, pr)
    assert table(plan) == [
        ("edge-ran-deployment", "f1", 100, "192.168.100.0/24", "192.168.100.1", {"DU": "192.168.100.2"})
    ]


def test_hand_set_addresses_per_network() -> None:
    pr = pr_doc(
        "ran-a",
        SITE,
        ["CU-CP", "DU"],
        {
            "networks": {
                "f1": {"vlan": 120, "ipv4": {"subnet": "10.10.12.32/28", "addresses": {"DU": "10.10.12.40/28"}}},
                "n2": {"ipv6": {"subnet": "fd00:10:0:5::/64", "gateway": "fd00:10:0:5::fe"}},
            }
        },
    )
    plan = pinned_plan(seed_catalog(), pr)
    rows = {row[1]: row for row in table(plan)}
    assert rows["f1"] == (
        "ran-a",
        "f1",
        120,
        "10.10.12.32/28",
        "10.10.12.33",
        {"CU-CP": "10.10.12.34", "DU": "10.10.12.40"},
    )
    assert rows["n2"][6:] == ("fd00:10:0:5::/64", "fd00:10:0:5::fe", {"CU-CP": "fd00:10:0:5::1"})


@pytest.mark.parametrize(
    ("config", "field", "rule"),
    [
        ({"vlan": 250}, f"{NC}.vlan", r.VLAN_OUT_OF_RANGE),
        ({"vlan": 150, "subnet": "10.10.12.0/28", "gateway": "10.10.13.1"}, f"{NC}.gateway", r.GATEWAY_OUTSIDE_SUBNET),
        ({"subnet": "10.10.12.0/28", "gateway": "10.10.12.15"}, f"{NC}.gateway", r.ADDRESS_INVALID),
        ({"subnet": "10.10.12.0/28", "gateway": "10.10.12.0"}, f"{NC}.gateway", r.ADDRESS_INVALID),
        ({"subnet": "192.168.0.0/24"}, f"{NC}.subnet", r.SUBNET_OUTSIDE_POOL),
        ({"subnet": "10.10.12.0/31"}, f"{NC}.subnet", r.INVALID_VALUE),
        ({"subnet": "10.10.12.0/30"}, f"{NC}.subnet", r.POOL_EXHAUSTED),  # gateway + 1 < 3 functions
        ({"subnet": "10.10.0.0/28"}, f"{NC}.subnet", r.SUBNET_OUTSIDE_POOL),  # the n2 pool, not f1's
        (
            {"networks": {"f1": {"ipv4": {"subnet": "10.10.12.0/28", "addresses": {"DU": "10.10.12.1"}}}}},
            f"{NC}.networks.f1.ipv4.addresses.DU",
            r.COLLISION,
        ),  # the gateway
        (
            {"networks": {"f1": {"ipv4": {"addresses": {"DU": "10.10.99.1"}}}}},
            f"{NC}.networks.f1.ipv4.addresses.DU",
            r.ADDRESS_INVALID,
        ),
    ],
)
def test_bad_hand_set_values(config: dict, field: str, rule: str) -> None:
    pr = pr_doc("ran-a", SITE, None, config)
    with pytest.raises(DomainError) as excinfo:
        pinned_plan(seed_catalog(), pr)
    (finding,) = [f for f in excinfo.value.findings if f.severity == "error"]
    assert (finding.field, finding.rule) == (field, rule)
    assert finding.tags == {"kind": "ProvisioningRequest", "name": "ran-a"}


def test_hand_set_values_that_collide_between_requests() -> None:
    a = pr_doc("ran-a", SITE, ["DU"], {"vlan": 150, "subnet": "10.10.12.0/26"})
    b = pr_doc("ran-b", SITE, ["DU"], {"vlan": 150, "subnet": "10.10.12.32/28"})
    with pytest.raises(DomainError) as excinfo:
        pinned_plan(seed_catalog(), a, b)
    assert error_fields(excinfo) == [("error", f"{NC}.vlan", r.COLLISION), ("error", f"{NC}.subnet", r.COLLISION)]
    assert all(f.tags["name"] == "ran-b" for f in excinfo.value.findings)
    assert "ran-a" in excinfo.value.findings[0].message


def test_hand_set_subnet_inside_another_networks_pool() -> None:
    catalog = pool_catalog({"s": network_block(n2={"ipv4Prefix": "10.0.0.0/24"})})
    pr = pr_doc("ran-a", "s", ["DU"], {"vlan": 107, "subnet": "10.0.0.16/28"})  # f1 has no pool at s
    with pytest.raises(DomainError) as excinfo:
        pinned_plan(catalog, pr)
    assert error_fields(excinfo) == [("error", f"{NC}.subnet", r.COLLISION)]
    assert "pool 10.0.0.0/24 of network n2" in excinfo.value.findings[0].message


def test_a_hand_set_value_beats_a_record() -> None:
    catalog = seed_catalog()
    before = allocate([request("ran-a", SITE, ["DU"])], catalog)  # ran-a: VLAN 100, 10.10.12.0/28
    b = pr_doc("ran-b", SITE, ["DU"], {"vlan": 100, "subnet": "10.10.12.0/28"})
    plan = pinned_plan(catalog, pr_doc("ran-a", SITE, ["DU"]), b, records=before.as_records())
    assert table(plan) == [
        ("ran-a", "f1", 101, "10.10.12.16/28", "10.10.12.17", {"DU": "10.10.12.18"}),
        ("ran-b", "f1", 100, "10.10.12.0/28", "10.10.12.1", {"DU": "10.10.12.2"}),
    ]
    assert [(f.severity, f.rule) for f in plan.warnings] == [("warning", r.RECORD_DROPPED)] * 2


def test_values_equal_to_the_records_are_not_pins() -> None:
    catalog = seed_catalog()
    before = allocate([request("ran-a", SITE, ["DU"])], catalog)
    (a,) = before.allocations
    fam = a.families[0]
    written = {"vlan": a.vlan, "subnet": str(fam.subnet), "gateway": str(fam.gateway)}
    pr = pr_doc("ran-a", SITE, ["DU"], written)
    req = request_from_provisioning_request(pr, DEFAULT_ATTACHMENTS)
    assert req is not None
    pins, warnings = hints_from_network_config(pr, req, DEFAULT_ATTACHMENTS, "f1")
    assert warnings == []
    assert Hints.combine(before.as_records(), pins) == before.as_records()


def test_unused_hand_set_values_are_a_warning() -> None:
    pr = pr_doc("ran-a", SITE, ["DU"], {"networks": {"n2": {"vlan": 150}}})
    plan = pinned_plan(seed_catalog(), pr)
    assert [(f.severity, f.field, f.rule) for f in plan.warnings] == [
        ("warning", f"{NC}.networks.n2.vlan", r.UNUSED_PIN)
    ]


@pytest.mark.parametrize(
    ("config", "field", "text"),
    [
        ({"vlan": "100"}, f"{NC}.vlan", "integer"),
        ({"vlan": True}, f"{NC}.vlan", "integer"),
        ({"subnet": "192.168.100.1/24"}, f"{NC}.subnet", "host bits set; the prefix is 192.168.100.0/24"),
        ({"gateway": "10.0.0.1"}, f"{NC}.gateway", "without subnet"),
        ({"gatway": "10.0.0.1"}, f"{NC}.gatway", "unknown key"),
        ({"networks": {"f1": {"ipv4": {"subnet": "fd00::/64"}}}}, f"{NC}.networks.f1.ipv4.subnet", "not an ipv4"),
        (
            {"networks": {"f1": {"ipv6": {"addresses": {"DU": "10.0.0.1"}}}}},
            f"{NC}.networks.f1.ipv6.addresses.DU",
            "not an ipv6",
        ),
        ({"networks": ["f1"]}, f"{NC}.networks", "map network names"),
        ("vlan 100", NC, "must be a mapping"),
    ],
)
def test_malformed_network_config(config: Any, field: str, text: str) -> None:
    pr = pr_doc("ran-a", SITE, ["DU"], config)
    req = request_from_provisioning_request(pr, DEFAULT_ATTACHMENTS)
    assert req is not None
    with pytest.raises(DomainError) as excinfo:
        hints_from_network_config(pr, req, DEFAULT_ATTACHMENTS, "f1")
    (finding,) = excinfo.value.findings
    assert finding.field == field and text in finding.message


# --- errors --------------------------------------------------------------------------------
def test_pool_exhausted_names_the_pool_once() -> None:
    catalog = pool_catalog({"s": network_block(f1={"ipv4Prefix": "10.0.0.0/26"})})  # four /28
    with pytest.raises(DomainError) as excinfo:
        allocate([request(f"ran-{i}", "s", ["DU"]) for i in range(6)], catalog)
    (finding,) = excinfo.value.findings
    assert (finding.field, finding.rule) == ("spec.sites[0].network.networks.f1.ipv4Prefix", r.POOL_EXHAUSTED)
    assert finding.tags == {"kind": "OCloudSiteCatalog", "name": "sites"}
    assert "2 request(s) (ran-4, ran-5)" in finding.message


def test_vlan_range_exhausted() -> None:
    catalog = pool_catalog({"s": network_block((10, 12), f1={"ipv4Prefix": "10.0.0.0/24"})})
    allocate([request(f"ran-{i}", "s", ["DU"]) for i in range(3)], catalog)
    with pytest.raises(DomainError) as excinfo:
        allocate([request(f"ran-{i}", "s", ["DU"]) for i in range(4)], catalog)
    (finding,) = excinfo.value.findings
    assert (finding.field, finding.rule) == ("spec.sites[0].network.vlanRange", r.POOL_EXHAUSTED)
    assert "VLAN range 10-12" in finding.message


def test_subnets_too_small_for_the_functions() -> None:
    catalog = pool_catalog(
        {
            "s": network_block(
                f1={"ipv4Prefix": "10.0.0.0/24", "subnetPrefixLength": 30},
                n3={"ipv4Prefix": "10.0.1.0/24"},
                e1={"ipv4Prefix": "10.0.2.0/24"},
            )
        }
    )
    allocate([request("du-only", "s", ["DU"])], catalog)
    with pytest.raises(DomainError) as excinfo:
        allocate([request("ran", "s", ["CU-UP", "DU"])], catalog)
    assert [(f.field, f.rule) for f in excinfo.value.findings if f.severity == "error"] == [
        ("spec.sites[0].network.networks.f1.subnetPrefixLength", r.POOL_EXHAUSTED)
    ]


def test_site_without_pools() -> None:
    catalog = pool_catalog({"s": network_block(f1={"ipv4Prefix": "10.0.0.0/24"}), "bare": None})
    with pytest.raises(DomainError) as excinfo:
        allocate([request("a", "s", ["CU-CP"]), request("b", "bare", ["DU"])], catalog)
    findings = excinfo.value.findings
    assert [(f.tags["name"], f.field, f.rule) for f in findings] == [
        ("b", "spec.templateParameters.networkFunctions", r.NO_POOL),
        ("a", "spec.templateParameters.networkFunctions", r.NO_POOL),
    ]
    assert findings[0].message.startswith("site bare has no network block")
    assert findings[1].message.startswith("site s has no pool for network n2, e1 (needed by ProvisioningRequest/a)")


def test_hand_set_vlan_alone_is_not_enough_without_pools() -> None:
    catalog = pool_catalog({"bare": None})
    pr = pr_doc("a", "bare", ["DU"], {"vlan": 100})
    with pytest.raises(DomainError) as excinfo:
        pinned_plan(catalog, pr)
    assert [f.rule for f in excinfo.value.findings] == [r.NO_POOL]
    pr = pr_doc("a", "bare", ["DU"], {"subnet": "10.0.0.0/24"})
    with pytest.raises(DomainError) as excinfo:
        pinned_plan(catalog, pr)
    assert [(f.field, f.rule) for f in excinfo.value.findings] == [(None, r.NO_POOL)]
    assert "no VLAN range" in excinfo.value.findings[0].message


def test_the_seed_triplet_is_a_copy_once_networks_has_the_primary() -> None:
    config = {
        "vlan": 150,
        "subnet": "10.10.12.0/28",
        "networks": {"f1": {"vlan": 151, "ipv4": {"subnet": "10.10.12.0/28", "gateway": "10.10.12.14"}}},
    }
    pr = pr_doc("ran-a", SITE, ["DU"], config)
    req = request_from_provisioning_request(pr, DEFAULT_ATTACHMENTS)
    assert req is not None
    pins, warnings = hints_from_network_config(pr, req, DEFAULT_ATTACHMENTS, "f1")
    assert [(w.severity, w.field, w.rule) for w in warnings] == [("warning", NC, r.DERIVED_VALUE)]
    plan = allocate([req], seed_catalog(), pins)
    assert table(plan) == [("ran-a", "f1", 151, "10.10.12.0/28", "10.10.12.14", {"DU": "10.10.12.1"})]
    # the copy as network-config writes it is no warning
    config.update(vlan=151, gateway="10.10.12.14")
    assert hints_from_network_config(pr, req, DEFAULT_ATTACHMENTS, "f1")[1] == []


def test_request_errors() -> None:
    with pytest.raises(DomainError) as excinfo:
        request_from_provisioning_request(pr_doc("x", None, ["DU", "RIC"]), DEFAULT_ATTACHMENTS)
    assert [(f.field, f.rule) for f in excinfo.value.findings] == [
        ("spec.templateParameters.networkFunctions[1]", r.UNKNOWN_FUNCTION),
        ('metadata.labels["o2krm.io/site"]', r.MISSING_SITE),
    ]
    with pytest.raises(DomainError):
        request_from_provisioning_request(
            {**pr_doc("x", "s"), "spec": {"templateParameters": {"networkFunctions": "DU"}}}, DEFAULT_ATTACHMENTS
        )
    no_functions = pr_doc("x", "s")
    del no_functions["spec"]["templateParameters"]["networkFunctions"]
    assert request_from_provisioning_request(no_functions, DEFAULT_ATTACHMENTS) is None


def test_duplicate_request_names() -> None:
    with pytest.raises(DomainError) as excinfo:
        allocate([request("x", SITE, ["DU"]), request("x", SITE, ["DU"])], seed_catalog())
    assert [f.rule for f in excinfo.value.findings] == [r.COLLISION]


# --- records -------------------------------------------------------------------------------
def test_records_that_no_longer_fit_move_with_a_warning() -> None:
    old = pool_catalog({"s": network_block(f1={"ipv4Prefix": "10.0.0.0/24"})})
    before = allocate([request("a", "s", ["DU"]), request("b", "s", ["DU"])], old)
    new = pool_catalog({"s": network_block((100, 100), f1={"ipv4Prefix": "10.0.1.0/24"})})
    with pytest.raises(DomainError) as excinfo:  # one VLAN left for two requests
        allocate([request("a", "s", ["DU"]), request("b", "s", ["DU"])], new, before.as_records())
    assert [f.rule for f in excinfo.value.findings if f.severity == "error"] == [r.POOL_EXHAUSTED]
    plan = allocate([request("a", "s", ["DU"])], new, before.as_records())
    assert table(plan) == [("a", "f1", 100, "10.0.1.0/28", "10.0.1.1", {"DU": "10.0.1.2"})]
    assert [f.rule for f in plan.warnings] == [r.RECORD_DROPPED]  # the subnet; VLAN 100 still fits
    assert "outside its pool 10.0.1.0/24" in plan.warnings[0].message


def test_records_of_other_sites_or_requests_are_ignored() -> None:
    stale = Hints(
        vlans=(VlanHint("other", "a", "f1", 150, Origin("VLANClaim", "a-f1")),),
        subnets=(
            SubnetHint(
                "s", "gone", "f1", ipaddress.ip_network("10.0.0.0/28"), None, Origin("IPClaim", "gone-du-f1-ipv4")
            ),
        ),
    )
    catalog = pool_catalog({"s": network_block(f1={"ipv4Prefix": "10.0.0.0/24"})})
    plan = allocate([request("a", "s", ["DU"])], catalog, stale)
    assert table(plan) == [("a", "f1", 100, "10.0.0.0/28", "10.0.0.1", {"DU": "10.0.0.2"})]
    assert plan.warnings == ()


def finding_messages(findings: tuple[Finding, ...] | list[Finding]) -> list[str]:
    return [f.message for f in findings]


def test_a_very_wide_hand_set_subnet_is_skipped_by_later_allocations() -> None:
    catalog = pool_catalog({"s": network_block(f1={"ipv6Prefix": "fd00::/32"})})  # carved in /64s
    wide = pr_doc("wide", "s", ["DU"], {"vlan": 150, "subnet": "fd00::/40"})  # 2**24 slots
    plan = pinned_plan(catalog, wide, pr_doc("next", "s", ["DU"]))
    assert [(a.request, str(a.families[0].subnet)) for a in plan.allocations] == [
        ("next", "fd00:0:100::/64"),
        ("wide", "fd00::/40"),
    ]
    inside = pr_doc("inside", "s", ["DU"], {"vlan": 151, "subnet": "fd00:0:ff::/64"})
    with pytest.raises(DomainError) as excinfo:
        pinned_plan(catalog, wide, inside)
    assert [(f.tags["name"], f.rule) for f in excinfo.value.findings] == [("wide", r.COLLISION)]
