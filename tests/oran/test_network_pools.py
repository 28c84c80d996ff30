"""Pools: the site catalog's network block, its validation and the overlap rules."""

from __future__ import annotations

import ipaddress

import pytest

from o2krm.oran.findings import DomainError
from o2krm.oran.network import build_pool_catalog, parse_site_network, site_pools_from_catalog
from o2krm.oran.network import rules as r
from o2krm.oran.network.addressing import is_reserved_offset, last_usable_offset, usable_reason
from o2krm.oran.network.origin import Origin
from tests.oran.network_support import SITE_CATALOG_CRD, catalog_doc, network_block, schema_errors
from tests.oran.pr_support import site_catalog

ORIGIN = Origin("OCloudSiteCatalog", "sites", "spec.sites[0].network")


def errors_of(excinfo: pytest.ExceptionInfo[DomainError]) -> list[tuple[str | None, str | None]]:
    return [(f.field, f.rule) for f in excinfo.value.findings]


def test_reads_the_shared_example_catalog() -> None:
    (site,) = site_pools_from_catalog(site_catalog())
    assert site.site == "edge-us-west-1"
    assert (site.vlan_range.start, site.vlan_range.end) == (100, 199)
    n2_v4, n2_v6 = site.pool("n2", "ipv4"), site.pool("n2", "ipv6")
    assert n2_v4 is not None and n2_v6 is not None
    assert n2_v4.prefix == ipaddress.ip_network("10.10.0.0/22") and n2_v4.subnet_length == 28
    assert n2_v6.prefix == ipaddress.ip_network("fd00:10::/48") and n2_v6.subnet_length == 64
    assert n2_v4.origin.field == "spec.sites[0].network.networks.n2.ipv4Prefix"
    assert site.families("f1") == ("ipv4",)
    assert site.pool("f1", "ipv4").subnet_length == 28  # type: ignore[union-attr]


def test_catalog_documents_used_here_are_valid_catalogs() -> None:
    doc = catalog_doc(
        {
            "a": network_block(
                n2={
                    "ipv4Prefix": "10.0.0.0/24",
                    "ipv6SubnetPrefixLength": 64,
                    "ipv6Prefix": "fd00::/48",
                    "subnetPrefixLength": 26,
                }
            )
        }
    )
    assert schema_errors(doc, SITE_CATALOG_CRD) == []


@pytest.mark.parametrize(
    ("spec", "family", "length", "field"),
    [
        ({"ipv4Prefix": "10.0.0.0/16"}, "ipv4", 28, "subnetPrefixLength"),
        ({"ipv6Prefix": "fd00::/48"}, "ipv6", 64, "ipv6SubnetPrefixLength"),
        ({"ipv6Prefix": "fd00::/48", "subnetPrefixLength": 56}, "ipv6", 56, "subnetPrefixLength"),
        (
            {"ipv4Prefix": "10.0.0.0/16", "ipv6Prefix": "fd00::/48", "subnetPrefixLength": 24},
            "ipv6",
            64,
            "ipv6SubnetPrefixLength",
        ),
        ({"ipv6Prefix": "fd00::/48", "ipv6SubnetPrefixLength": 60}, "ipv6", 60, "ipv6SubnetPrefixLength"),
    ],
)
def test_subnet_length_defaults(spec: dict, family: str, length: int, field: str) -> None:
    site = parse_site_network(network_block(f1=spec), "a", ORIGIN)
    pool = site.pool("f1", family)  # type: ignore[arg-type]
    assert pool is not None and pool.subnet_length == length
    assert pool.length_origin.field == f"spec.sites[0].network.networks.f1.{field}"


@pytest.mark.parametrize(
    ("block", "field", "text"),
    [
        (network_block(f1={"ipv4Prefix": "10.0.0.1/24"}), "networks.f1.ipv4Prefix", "host bits set"),
        (network_block(f1={"ipv4Prefix": "fd00::/48"}), "networks.f1.ipv4Prefix", "not an ipv4 prefix"),
        (
            network_block(f1={"ipv4Prefix": "10.0.0.0/24", "subnetPrefixLength": 31}),
            "networks.f1.subnetPrefixLength",
            "/30",
        ),
        (
            network_block(f1={"ipv4Prefix": "10.0.0.0/24", "subnetPrefixLength": 20}),
            "networks.f1.subnetPrefixLength",
            "cannot be carved",
        ),
        (
            network_block(f1={"ipv6Prefix": "fd00::/48", "ipv6SubnetPrefixLength": 124}),
            "networks.f1.ipv6SubnetPrefixLength",
            "/120",
        ),
        (network_block(f1={}), "networks.f1", "set ipv4Prefix, ipv6Prefix or both"),
        (network_block(f1={"ipv4Prefix": "10.0.0.0/24", "prefixLen": 28}), "networks.f1.prefixLen", "unknown field"),
        (network_block(vlan=(300, 200)), "vlanRange", "greater than end"),
        (network_block(vlan=(0, 200)), "vlanRange.start", "greater than or equal to 1"),
        ({"networks": {}}, "vlanRange", "required"),
    ],
)
def test_bad_blocks_name_the_field(block: dict, field: str, text: str) -> None:
    with pytest.raises(DomainError) as excinfo:
        parse_site_network(block, "a", ORIGIN)
    (finding,) = excinfo.value.findings
    assert finding.field == f"spec.sites[0].network.{field}"
    assert text in finding.message
    assert finding.rule == r.INVALID_VALUE
    assert finding.tags == {"kind": "OCloudSiteCatalog", "name": "sites"}


def test_overlapping_pools_within_a_site() -> None:
    doc = catalog_doc({"a": network_block(n2={"ipv4Prefix": "10.0.0.0/16"}, f1={"ipv4Prefix": "10.0.4.0/22"})})
    with pytest.raises(DomainError) as excinfo:
        build_pool_catalog(site_pools_from_catalog(doc))
    assert errors_of(excinfo) == [("spec.sites[0].network.networks.f1.ipv4Prefix", r.POOL_OVERLAP)]
    assert "10.0.0.0/16" in excinfo.value.findings[0].message


def test_overlapping_pools_across_sites_and_families_kept_apart() -> None:
    doc = catalog_doc(
        {
            "a": network_block(f1={"ipv4Prefix": "10.0.0.0/20", "ipv6Prefix": "fd00::/48"}),
            "b": network_block(f1={"ipv4Prefix": "10.0.8.0/24", "ipv6Prefix": "fd01::/48"}),
        }
    )
    with pytest.raises(DomainError) as excinfo:
        build_pool_catalog(site_pools_from_catalog(doc))
    assert errors_of(excinfo) == [("spec.sites[1].network.networks.f1.ipv4Prefix", r.POOL_OVERLAP)]


def test_identical_pools_are_one_shared_pool_but_need_one_length() -> None:
    shared = {"ipv4Prefix": "10.0.0.0/20"}
    build_pool_catalog(
        site_pools_from_catalog(catalog_doc({"a": network_block(f1=shared), "b": network_block(f1=shared)}))
    )
    doc = catalog_doc({"a": network_block(f1=shared), "b": network_block(f1={**shared, "subnetPrefixLength": 24})})
    with pytest.raises(DomainError) as excinfo:
        build_pool_catalog(site_pools_from_catalog(doc))
    assert errors_of(excinfo) == [("spec.sites[1].network.networks.f1.subnetPrefixLength", r.POOL_OVERLAP)]


def test_site_with_two_network_blocks_is_an_error_unless_overridden() -> None:
    one = site_pools_from_catalog(catalog_doc({"a": network_block(f1={"ipv4Prefix": "10.0.0.0/20"})}, "one"))
    two = site_pools_from_catalog(catalog_doc({"a": network_block(f1={"ipv4Prefix": "10.1.0.0/20"})}, "two"))
    with pytest.raises(DomainError) as excinfo:
        build_pool_catalog(one + two)
    assert excinfo.value.findings[0].tags["name"] == "two"
    catalog = build_pool_catalog(one, overrides=two)
    assert str(catalog.for_site("a").pool("f1", "ipv4").prefix) == "10.1.0.0/20"  # type: ignore[union-attr]


def test_default_pools_serve_sites_without_their_own() -> None:
    default = parse_site_network(
        network_block(f1={"ipv4Prefix": "10.9.0.0/16"}), "*", Origin("ConfigMap", "cfg", "data.defaults")
    )
    catalog = build_pool_catalog([], default=default)
    site = catalog.for_site("anywhere")
    assert site is not None and site.site == "anywhere"
    assert site.pool("f1", "ipv4").origin.field == "data.defaults.networks.f1.ipv4Prefix"  # type: ignore[union-attr]
    assert build_pool_catalog([]).for_site("anywhere") is None


def test_sites_without_network_blocks_are_skipped() -> None:
    assert site_pools_from_catalog(catalog_doc({"a": None})) == []
    assert site_pools_from_catalog({"kind": "OCloudSiteCatalog", "metadata": {"name": "x"}, "spec": {}}) == []


# --- address rules -------------------------------------------------------------------------
def test_reserved_addresses() -> None:
    v4 = ipaddress.ip_network("10.0.0.0/28")
    assert [o for o in range(16) if is_reserved_offset(v4, o)] == [0, 15]
    assert last_usable_offset(v4) == 14
    v6 = ipaddress.ip_network("fd00::/120")
    assert [o for o in range(256) if is_reserved_offset(v6, o)] == [0, *range(128, 256)]
    v6_64 = ipaddress.ip_network("fd00::/64")
    assert is_reserved_offset(v6_64, 0)
    assert is_reserved_offset(v6_64, 0xFDFF_FFFF_FFFF_FF80) and is_reserved_offset(v6_64, 0xFDFF_FFFF_FFFF_FFFF)
    assert not is_reserved_offset(v6_64, 0xFDFF_FFFF_FFFF_FF7F) and not is_reserved_offset(v6_64, 2**64 - 1)
    assert "broadcast" in (usable_reason(v4, ipaddress.ip_address("10.0.0.15")) or "")
    assert "outside" in (usable_reason(v4, ipaddress.ip_address("10.0.0.16")) or "")
    assert "Subnet-Router" in (usable_reason(v6, ipaddress.ip_address("fd00::")) or "")
    assert usable_reason(v4, ipaddress.ip_address("10.0.0.14")) is None
