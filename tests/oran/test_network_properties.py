"""Property tests over random sites, pools and requests: no collisions, deterministic, sticky."""

from __future__ import annotations

import ipaddress
import itertools
import random
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from o2krm.oran.findings import DomainError
from o2krm.oran.network import (
    DEFAULT_ATTACHMENTS,
    AllocationPlan,
    AttachmentRequest,
    PoolCatalog,
    allocate,
    networks_of,
)
from o2krm.oran.network import rules as r
from o2krm.oran.network.addressing import offset_in, usable_reason
from tests.oran.network_support import pool_catalog, request

NETWORKS = ("n2", "n3", "e1", "f1")
FUNCTIONS = tuple(DEFAULT_ATTACHMENTS)


@st.composite
def network_blocks(draw: st.DrawFn, site_index: int) -> dict[str, Any]:
    start = draw(st.integers(1, 4000))
    size = draw(st.integers(8, 80))
    networks = {}
    for n, network in enumerate(NETWORKS):
        families = draw(st.sampled_from(["ipv4", "ipv6", "dual"]))
        spec: dict[str, Any] = {}
        if families in ("ipv4", "dual"):
            plen = draw(st.integers(20, 25))
            spec["ipv4Prefix"] = f"10.{site_index * 4 + n}.0.0/{plen}"
            spec["subnetPrefixLength"] = draw(st.integers(plen + 3, min(plen + 8, 29)))
        if families in ("ipv6", "dual"):
            plen = draw(st.sampled_from([48, 56, 112]))
            spec["ipv6Prefix"] = f"fd00:{site_index}:{n}::/{plen}"
            length = draw(st.integers(plen + 3, min(plen + 8, 120)))
            spec["ipv6SubnetPrefixLength" if families == "dual" else "subnetPrefixLength"] = length
        networks[network] = spec
    return {"vlanRange": {"start": start, "end": min(start + size, 4094)}, "networks": networks}


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[dict[str, Any], list[tuple[str, str, list[str]]]]:
    site_count = draw(st.integers(1, 3))
    blocks = {f"s{i}": draw(network_blocks(i)) for i in range(site_count)}
    if site_count > 1 and draw(st.booleans()):  # s1 shares s0's pools (its own VLAN range)
        blocks["s1"] = {**blocks["s1"], "networks": blocks["s0"]["networks"]}
    count = draw(st.integers(1, 14))
    requests = []
    for i in range(count):
        site = f"s{draw(st.integers(0, site_count - 1))}"
        functions = draw(st.lists(st.sampled_from(FUNCTIONS), min_size=1, max_size=3, unique=True))
        requests.append((f"r{i:02d}", site, functions))
    return blocks, requests


@dataclass
class Scenario:
    catalog: PoolCatalog
    requests: list[AttachmentRequest]


def build(blocks: dict[str, Any], specs: list[tuple[str, str, list[str]]]) -> Scenario:
    return Scenario(pool_catalog(blocks), [request(n, s, f) for n, s, f in specs])


def try_allocate(scenario: Scenario, records: Any = None) -> AllocationPlan | None:
    """The plan, or None when the random pools are too small (the only acceptable error)."""
    try:
        return allocate(scenario.requests, scenario.catalog, records)
    except DomainError as err:
        assert {f.rule for f in err.findings if f.severity == "error"} == {r.POOL_EXHAUSTED}, err.findings
        return None


def check_collision_free(plan: AllocationPlan, scenario: Scenario) -> None:
    vlans: dict[str, set[int]] = {}
    subnets: list[Any] = []
    for a in plan.allocations:
        site = scenario.catalog.for_site(a.site)
        assert site is not None
        assert a.vlan in site.vlan_range
        assert a.vlan not in vlans.setdefault(a.site, set()), f"VLAN {a.vlan} twice at {a.site}"
        vlans[a.site].add(a.vlan)
        assert [f.family for f in a.families] == list(site.families(a.network))
        for fam in a.families:
            pool = site.pool(a.network, fam.family)
            assert pool is not None
            assert fam.subnet.subnet_of(pool.prefix) and fam.subnet.prefixlen == pool.subnet_length  # type: ignore[arg-type]
            assert usable_reason(fam.subnet, fam.gateway) is None
            offsets = [offset_in(fam.subnet, fam.gateway)]
            assert [fn for fn, _ in fam.addresses] == list(a.functions)
            for _, address in fam.addresses:
                assert usable_reason(fam.subnet, address) is None
                offsets.append(offset_in(fam.subnet, address))
            assert len(set(offsets)) == len(offsets), "address handed out twice"
            subnets.append(fam.subnet)
    ordered = sorted(subnets, key=lambda n: (n.version, int(n.network_address)))
    for before, after in itertools.pairwise(ordered):
        assert not (before.version == after.version and before.overlaps(after)), f"{before} overlaps {after}"


def check_complete(plan: AllocationPlan, scenario: Scenario) -> None:
    wanted = {(q.name, net) for q in scenario.requests for net in networks_of(q.functions, DEFAULT_ATTACHMENTS)}
    assert {(a.request, a.network) for a in plan.allocations} == wanted


COMMON = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@COMMON
@given(scenarios())
def test_collision_free_and_complete(scenario_input: tuple[dict[str, Any], list]) -> None:
    scenario = build(*scenario_input)
    plan = try_allocate(scenario)
    if plan is not None:
        check_complete(plan, scenario)
        check_collision_free(plan, scenario)


@COMMON
@given(scenarios(), st.randoms(use_true_random=False))
def test_deterministic_whatever_the_order(scenario_input: tuple[dict[str, Any], list], rnd: random.Random) -> None:
    scenario = build(*scenario_input)
    plan = try_allocate(scenario)
    shuffled = scenario.requests[:]
    rnd.shuffle(shuffled)
    again = try_allocate(Scenario(scenario.catalog, shuffled))
    assert again == plan
    if plan is not None:
        records = plan.as_records()
        shuffled_records = type(records)(
            tuple(rnd.sample(records.vlans, len(records.vlans))),
            tuple(rnd.sample(records.subnets, len(records.subnets))),
            tuple(rnd.sample(records.addresses, len(records.addresses))),
        )
        assert allocate(scenario.requests, scenario.catalog, shuffled_records) == plan


@COMMON
@given(scenarios(), st.data())
def test_sticky_under_additions_and_removals(scenario_input: tuple[dict[str, Any], list], data: st.DataObject) -> None:
    blocks, specs = scenario_input
    first = build(blocks, specs)
    plan = try_allocate(first)
    if plan is None:
        return
    kept = [s for s in specs if data.draw(st.booleans(), label=f"keep {s[0]}")]
    added_count = data.draw(st.integers(0, 6), label="added")
    sites = sorted(blocks)
    added = [
        (f"new{i}", data.draw(st.sampled_from(sites)),
         data.draw(st.lists(st.sampled_from(FUNCTIONS), min_size=1, max_size=3, unique=True)))
        for i in range(added_count)
    ]  # fmt: skip
    second = build(blocks, kept + added)
    later = try_allocate(second, plan.as_records())
    if later is None:
        return
    assert later.warnings == ()
    for name, _, _ in kept:
        assert later.for_request(name) == plan.for_request(name), f"{name} moved"
    check_complete(later, second)
    check_collision_free(later, second)


def test_shared_pool_is_collision_free_across_sites() -> None:
    shared = {"f1": {"ipv4Prefix": "10.0.0.0/26"}}
    blocks = {
        "a": {"vlanRange": {"start": 10, "end": 20}, "networks": shared},
        "b": {"vlanRange": {"start": 10, "end": 20}, "networks": shared},
    }
    scenario = build(blocks, [("x", "a", ["DU"]), ("y", "b", ["DU"]), ("z", "a", ["DU"])])
    plan = allocate(scenario.requests, scenario.catalog)
    check_collision_free(plan, scenario)
    assert [(a.request, a.vlan, str(a.families[0].subnet)) for a in plan.allocations] == [
        ("x", 10, "10.0.0.0/28"), ("z", 11, "10.0.0.16/28"), ("y", 10, "10.0.0.32/28")]  # fmt: skip
    assert ipaddress.ip_network("10.0.0.0/26").num_addresses == 64
