"""Rendering: IPClaims, VLANClaims, NADs and networkConfig, checked against the official CRDs,
against Nephio's nad-fn output format, and read back as records."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from o2krm.oran import vocabulary as v
from o2krm.oran.network import (
    AllocationPlan,
    Hints,
    RenderSettings,
    allocate,
    hints_from_claims,
    ip_claims,
    nad_config,
    network_attachment_definitions,
    network_config_block,
    vlan_claim,
)
from o2krm.oran.network import rules as r
from o2krm.oran.network.settings import NetworkRendering
from tests.oran.network_support import (
    IPCLAIM_CRD,
    NAD_CRD,
    VLANCLAIM_CRD,
    network_block,
    pool_catalog,
    pr_crd_path,
    pr_doc,
    request,
    schema_errors,
    validation_problems,
)

SITES = {
    "edge-a": network_block(
        (100, 199),
        n2={"ipv4Prefix": "10.20.0.0/24", "ipv6Prefix": "fd00:20::/48"},
        n3={"ipv4Prefix": "10.30.0.0/24"},
        e1={"ipv4Prefix": "10.40.0.0/24"},
        f1={"ipv4Prefix": "10.50.0.0/24", "ipv6Prefix": "fd00:50::/48"},
    ),
    "edge-b": network_block((300, 399), f1={"ipv6Prefix": "fd00:51::/48", "subnetPrefixLength": 120}),
}


def plan_and_catalog() -> tuple[AllocationPlan, Any]:
    catalog = pool_catalog(SITES)
    plan = allocate([request("ran-a", "edge-a"), request("ran-b", "edge-b", ["DU"])], catalog)
    return plan, catalog


def rendered(settings: RenderSettings | None = None) -> list[dict[str, Any]]:
    settings = settings or RenderSettings()
    plan, catalog = plan_and_catalog()
    out: list[dict[str, Any]] = []
    for a in plan.allocations:
        out.append(vlan_claim(a, settings))
        out.extend(ip_claims(a, settings))
        out.extend(network_attachment_definitions(a, catalog.for_site(a.site), settings))
    return out


def of_kind(items: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [i for i in items if i["kind"] == kind]


# --- schemas -------------------------------------------------------------------------------
@pytest.mark.parametrize("settings", [RenderSettings(), RenderSettings(namespace="ran", cniType="sriov")])
def test_every_rendered_resource_is_valid_against_its_crd(settings: RenderSettings) -> None:
    items = rendered(settings)
    crds = {"IPClaim": IPCLAIM_CRD, "VLANClaim": VLANCLAIM_CRD, "NetworkAttachmentDefinition": NAD_CRD}
    assert {i["kind"] for i in items} == set(crds)
    for item in items:
        assert validation_problems(item, crds[item["kind"]]) == [], item["metadata"]["name"]


def test_schema_check_can_fail() -> None:
    claim = of_kind(rendered(), "IPClaim")[0]
    broken = copy.deepcopy(claim)
    broken["spec"]["addressFamily"] = "ip4"
    broken["status"]["gatway"] = broken["status"].pop("gateway")
    problems = validation_problems(broken, IPCLAIM_CRD)
    assert any("addressFamily" in p for p in problems) and any("gatway" in p for p in problems)


def test_network_config_keeps_the_request_valid() -> None:
    plan, _ = plan_and_catalog()
    pr = pr_doc("ran-a", "edge-a")
    pr["spec"]["templateParameters"]["networkConfig"] = network_config_block(plan.for_request("ran-a"), "f1")
    assert schema_errors(pr, pr_crd_path()) == []


# --- exact shapes --------------------------------------------------------------------------
def test_vlan_claim() -> None:
    plan, _ = plan_and_catalog()
    assert vlan_claim(plan.allocations[0], RenderSettings()) == {
        "apiVersion": "vlan.resource.nephio.org/v1alpha1",
        "kind": "VLANClaim",
        "metadata": {
            "name": "ran-a-n2",
            "labels": {"o2krm.io/site": "edge-a", "o2krm.io/network": "n2"},
            "annotations": {
                "o2krm.io/source": "ProvisioningRequest/ran-a",
                "config.kubernetes.io/local-config": "true",
            },
        },
        "spec": {"vlanIndex": {"name": "edge-a"}, "vlanID": 100},
        "status": {"vlanID": 100},
    }


def test_ip_claims_per_function_and_family() -> None:
    plan, _ = plan_and_catalog()
    f1 = plan.for_request("ran-a")[-1]
    claims = ip_claims(f1, RenderSettings())
    assert [c["metadata"]["name"] for c in claims] == [
        "ran-a-cu-cp-f1-ipv4", "ran-a-cu-cp-f1-ipv6", "ran-a-cu-up-f1-ipv4", "ran-a-cu-up-f1-ipv6",
        "ran-a-du-f1-ipv4", "ran-a-du-f1-ipv6"]  # fmt: skip
    du_v6 = claims[-1]
    assert du_v6["spec"] == {
        "kind": "network",
        "networkInstance": {"name": "vpc-cudu-f1"},
        "addressFamily": "ipv6",
        "prefix": "fd00:50::4/64",
        "selector": {
            "matchLabels": {
                "nephio.org/address-family": "ipv6",
                "nephio.org/cluster-name": "edge-a",
                "nephio.org/network-name": "f1",
            }
        },
    }
    assert du_v6["status"] == {"prefix": "fd00:50::4/64", "gateway": "fd00:50::1"}
    assert du_v6["metadata"]["labels"]["o2krm.io/network-function"] == "DU"


def test_nad_macvlan_dual_stack() -> None:
    plan, catalog = plan_and_catalog()
    f1 = plan.for_request("ran-a")[-1]
    nads = network_attachment_definitions(f1, catalog.for_site("edge-a"), RenderSettings())
    assert [n["metadata"]["name"] for n in nads] == ["ran-a-cu-cp-f1", "ran-a-cu-up-f1", "ran-a-du-f1"]
    assert nads[2]["spec"]["config"] == (
        '{"cniVersion":"0.3.1","plugins":[{"type":"macvlan","capabilities":{"ips":true},"master":"eth1.103",'
        '"mode":"bridge","ipam":{"type":"static","addresses":[{"address":"10.50.0.4/28","gateway":"10.50.0.1"},'
        '{"address":"fd00:50::4/64","gateway":"fd00:50::1"}],"routes":[{"dst":"10.50.0.0/24","gw":"10.50.0.1"},'
        '{"dst":"fd00:50::/48","gw":"fd00:50::1"}]}},{"type":"tuning","capabilities":{"mac":true},"ipam":{}}]}'
    )
    assert "local-config" not in json.dumps(nads[2]["metadata"])  # NADs are applied


def test_nad_routes_cover_the_network_instance_and_extra_routes() -> None:
    settings = RenderSettings(
        networks={"n2": NetworkRendering(routes=["10.0.0.0/8", "fd00:ffff::/32"])},
        masterInterfaces={"edge-a": "ens3f0"},
        cniType="ipvlan",
    )
    plan, catalog = plan_and_catalog()
    n2, n3 = plan.for_request("ran-a")[:2]
    config = json.loads(network_attachment_definitions(n2, catalog.for_site("edge-a"), settings)[0]["spec"]["config"])
    (plugin,) = config["plugins"]
    assert (plugin["type"], plugin["mode"], plugin["master"]) == ("ipvlan", "l2", "ens3f0.100")
    # n2 and n3 share the vpc-ran network instance: n2 routes reach the n3 pool too
    assert plugin["ipam"]["routes"] == [
        {"dst": "10.0.0.0/8", "gw": "10.20.0.1"},
        {"dst": "10.20.0.0/24", "gw": "10.20.0.1"},
        {"dst": "10.30.0.0/24", "gw": "10.20.0.1"},
        {"dst": "fd00:20::/48", "gw": "fd00:20::1"},
        {"dst": "fd00:ffff::/32", "gw": "fd00:20::1"},
    ]
    n3_config = json.loads(
        network_attachment_definitions(n3, catalog.for_site("edge-a"), settings)[0]["spec"]["config"]
    )
    assert [x["dst"] for x in n3_config["plugins"][0]["ipam"]["routes"]] == ["10.20.0.0/24", "10.30.0.0/24"]


def test_nad_config_matches_nephio_nad_fn_output() -> None:
    # Nephio nad-fn golden case create_full_resources (n3 interface, ipvlan on eth1, VLAN 100):
    # krm-functions/nad-fn/fn/testdata/golden/create_full_resources/_expected.yaml
    expected = (
        '{"cniVersion":"0.3.1","plugins":[{"type":"ipvlan","capabilities":{"ips":true},"master":"eth1.100",'
        '"mode":"l2","ipam":{"type":"static","addresses":[{"address":"172.2.0.254/24","gateway":"172.2.0.1"}],'
        '"routes":[{"dst":"172.2.0.0/16","gw":"172.2.0.1"},{"dst":"172.3.0.0/16","gw":"172.2.0.1"}]}}]}'
    )
    routes = [("172.3.0.0/16", "172.2.0.1"), ("172.2.0.0/16", "172.2.0.1")]
    assert nad_config("ipvlan", "eth1.100", [("172.2.0.254/24", "172.2.0.1")], routes) == expected
    # ... and only_ipclaim_macvlanType: macvlan adds the tuning plugin, no routes key without routes
    assert nad_config("macvlan", "eth1", [("13.0.0.2/24", "13.0.0.1")]) == (
        '{"cniVersion":"0.3.1","plugins":[{"type":"macvlan","capabilities":{"ips":true},"master":"eth1",'
        '"mode":"bridge","ipam":{"type":"static","addresses":[{"address":"13.0.0.2/24","gateway":"13.0.0.1"}]}},'
        '{"type":"tuning","capabilities":{"mac":true},"ipam":{}}]}'
    )
    assert json.loads(nad_config("sriov", "eth1.7", [("13.0.0.2/24", "13.0.0.1")]))["plugins"][0]["mode"] == "bridge"


def test_network_config_block() -> None:
    plan, _ = plan_and_catalog()
    assert network_config_block(plan.for_request("ran-b"), "f1") == {
        "vlan": 300,
        "subnet": "fd00:51::/120",
        "gateway": "fd00:51::1",
        "networks": {
            "f1": {
                "vlan": 300,
                "ipv6": {"subnet": "fd00:51::/120", "gateway": "fd00:51::1", "addresses": {"DU": "fd00:51::2/120"}},
            }
        },
    }
    block = network_config_block(plan.for_request("ran-a"), "n3")
    assert (block["vlan"], block["subnet"]) == (101, "10.30.0.0/28")
    assert list(block["networks"]) == ["n2", "n3", "e1", "f1"]
    assert network_config_block(plan.for_request("ran-b"), "n2")["vlan"] == 300  # falls back to f1


# --- read back -----------------------------------------------------------------------------
def test_claims_read_back_as_records_reproduce_the_plan() -> None:
    plan, catalog = plan_and_catalog()
    items = rendered()
    records, warnings = hints_from_claims(reversed(items))
    assert warnings == []
    assert len(records.vlans) == 5 and len(records.addresses) == 12
    again = allocate([request("ran-b", "edge-b", ["DU"]), request("ran-a", "edge-a")], catalog, records)
    assert again == plan


def test_unreadable_claims_are_warnings() -> None:
    items = rendered()
    vlan = copy.deepcopy(of_kind(items, "VLANClaim")[0])
    vlan["status"]["vlanID"] = "100"
    ip = copy.deepcopy(of_kind(items, "IPClaim")[0])
    ip["status"]["prefix"] = "10.20.0.2"
    foreign = copy.deepcopy(of_kind(items, "IPClaim")[1])
    del foreign["metadata"]["annotations"][v.ANN_SOURCE]
    records, warnings = hints_from_claims([vlan, ip, foreign, {"apiVersion": "v1", "kind": "ConfigMap"}])
    assert records == Hints()
    assert [(w.tags["kind"], w.field, w.rule, w.severity) for w in warnings] == [
        ("VLANClaim", "status", r.RECORD_DROPPED, "warning"),
        ("IPClaim", "status", r.RECORD_DROPPED, "warning"),
    ]
