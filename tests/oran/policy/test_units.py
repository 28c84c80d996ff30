"""Small pieces with many cases: image references, label selectors, network overlap (against brute force)."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from o2krm.oran import vocabulary as v
from o2krm.oran.policy.network import selects
from o2krm.oran.policy.network_config import check as check_network_config
from o2krm.oran.policy.package import Package
from o2krm.oran.policy.supply_chain import image_tag, is_pinned, normalise

DIGEST = "sha256:" + "ab" * 32


@pytest.mark.parametrize(
    ("image", "tag", "pinned", "normal"),
    [
        ("nginx", None, False, "docker.io/library/nginx:latest"),
        ("nginx:1.27", "1.27", False, "docker.io/library/nginx:1.27"),
        ("org/app:v1", "v1", False, "docker.io/org/app:v1"),
        ("localhost:5000/app", None, False, "localhost:5000/app:latest"),
        ("registry.example.com:5000/oran/du", None, False, "registry.example.com:5000/oran/du:latest"),
        (f"ghcr.io/o/du:v1@{DIGEST}", "v1", True, f"ghcr.io/o/du:v1@{DIGEST}"),
        (f"ghcr.io/o/du@{DIGEST}", None, True, f"ghcr.io/o/du@{DIGEST}"),
        ("ghcr.io/o/du@sha256:abc", None, False, "ghcr.io/o/du@sha256:abc"),
    ],
)
def test_image_references(image: str, tag: str | None, pinned: bool, normal: str) -> None:
    assert (image_tag(image), is_pinned(image), normalise(image)) == (tag, pinned, normal)


@pytest.mark.parametrize(
    ("selector", "labels", "selected"),
    [
        ({}, {"app": "du"}, True),
        ({"matchLabels": {"app": "du"}}, {"app": "du", "tier": "ran"}, True),
        ({"matchLabels": {"app": "cu"}}, {"app": "du"}, False),
        ({"matchExpressions": [{"key": "app", "operator": "In", "values": ["du", "cu"]}]}, {"app": "cu"}, True),
        ({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["du"]}]}, {"app": "du"}, False),
        ({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["du"]}]}, {}, True),
        ({"matchExpressions": [{"key": "app", "operator": "Exists"}]}, {}, False),
        ({"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}, {}, True),
    ],
)
def test_label_selectors(selector: dict[str, Any], labels: dict[str, str], selected: bool) -> None:
    assert selects(selector, labels) is selected


def _request(name: str, site: str, vlan: int, subnet: str) -> dict[str, Any]:
    network = ipaddress.ip_network(subnet)
    return {
        "apiVersion": v.PR_API,
        "kind": v.PR_KIND,
        "metadata": {"name": name, "labels": {v.LABEL_SITE: site}},
        "spec": {
            "templateParameters": {
                "networkConfig": {"vlan": vlan, "subnet": subnet, "gateway": str(next(network.hosts()))}
            }
        },
    }


requests = st.lists(
    st.tuples(
        st.sampled_from(["site-a", "site-b"]),
        st.integers(100, 104),
        st.integers(0, 15).map(lambda n: n * 16),
        st.sampled_from([24, 25, 26, 27, 28]),
    ),
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(requests)
def test_overlaps_match_brute_force(entries: list[tuple[str, int, int, int]]) -> None:
    resources = [
        _request(f"pr-{i}", site, vlan, str(ipaddress.ip_network(f"10.0.{third}.0/{length}", strict=False)))
        for i, (site, vlan, third, length) in enumerate(entries)
    ]
    found = list(check_network_config(Package(resources)))
    assert all(f.rule in ("consistency.vlan-overlap", "consistency.subnet-overlap") for f in found)

    config = [r["spec"]["templateParameters"]["networkConfig"] for r in resources]
    site = [r["metadata"]["labels"][v.LABEL_SITE] for r in resources]

    def vlan_clash(i: int, j: int) -> bool:
        return site[i] == site[j] and config[i]["vlan"] == config[j]["vlan"]

    def subnet_clash(i: int, j: int) -> bool:
        a, b = (ipaddress.ip_network(config[k]["subnet"]) for k in (i, j))
        return site[i] == site[j] and a.overlaps(b)

    for rule, clash in (("vlan", vlan_clash), ("subnet", subnet_clash)):
        flagged = [f.index for f in found if f.rule == f"consistency.{rule}-overlap"]
        assert len(flagged) == len(set(flagged)), "each request is reported once"
        kept = [i for i in range(len(resources)) if i not in flagged]
        assert not any(clash(i, j) for i in kept for j in kept if i < j), "what is left is collision-free"
        assert all(any(clash(i, j) for j in range(len(resources)) if j != i) for i in flagged)
        # the first request of a clash is never the one reported
        assert all(any(clash(i, j) and j < i for j in range(len(resources))) for i in flagged)


def test_nested_network_entries_are_checked_each() -> None:
    pr = _request("du", "site-a", 100, "10.0.0.0/24")
    pr["spec"]["templateParameters"]["networkConfig"] = {
        "n3": {"vlan": 100, "subnet": "10.0.0.0/24", "gateway": "10.0.0.1"},
        "f1": {"vlan": 100, "subnet": "10.0.0.128/25", "gateway": "10.0.1.1"},
    }
    found = sorted((f.rule, f.field) for f in check_network_config(Package([pr])))
    base = "spec.templateParameters.networkConfig"
    assert found == [
        ("consistency.gateway-outside-subnet", f"{base}.f1.gateway"),
        ("consistency.subnet-overlap", f"{base}.n3.subnet"),
        ("consistency.vlan-overlap", f"{base}.n3.vlan"),
    ]


def test_ipv6_gateway_and_prefixes() -> None:
    pr = _request("du", "site-a", 100, "10.0.0.0/24")
    pr["spec"]["templateParameters"]["networkConfig"] = {
        "n3": {"vlan": 100, "subnet": "2001:db8::/64", "gateway": "2001:db8::1"},
        "n2": {"vlan": 101, "subnet": "2001:db8:1::/64", "gateway": "10.0.0.1"},
    }
    found = [(f.rule, f.field) for f in check_network_config(Package([pr]))]
    assert found == [("consistency.gateway-outside-subnet", "spec.templateParameters.networkConfig.n2.gateway")]
