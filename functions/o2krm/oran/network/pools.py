"""Address and VLAN pools per O-Cloud site.

A site's ``network`` block (in the OCloudSiteCatalog at ``spec.sites[].network``, or in the
function config) reads::

    network:
      vlanRange: {start: 100, end: 199}
      networks:
        n2: {ipv4Prefix: 10.20.0.0/20, subnetPrefixLength: 28}
        f1: {ipv4Prefix: 10.21.0.0/20, ipv6Prefix: "fd00:21::/48", subnetPrefixLength: 28}

``subnetPrefixLength`` is the length of the subnets carved from ``ipv4Prefix`` (default /28);
for an IPv6-only network it is the IPv6 length. ``ipv6SubnetPrefixLength`` sets the IPv6
length of a dual-stack network (default /64, the standard IPv6 subnet size).

Two pools with the very same prefix and subnet length are one shared pool (every site using
it carves distinct subnets from it); any other overlap between pools is an error, across all
sites, because the subnets of different sites are routed together.

An optional ``reserved`` block lists values held elsewhere (by other packages), never handed
out here::

      reserved:
        vlans: [100, 101, "110-119"]          # VLAN IDs, or inclusive ranges "a-b"
        prefixes: [10.20.0.0/28, "fd00:21::/64"]

A reserved VLAN is taken at its site. A reserved prefix takes every pool subnet it overlaps,
whichever site lists it (for the same reason pools may not overlap across sites).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from o2krm.oran.findings import DomainError, Finding
from o2krm.oran.network import rules
from o2krm.oran.network.addressing import (
    MAX_SUBNET_LENGTH,
    Family,
    IPNetwork,
    family_of,
    parse_network,
)
from o2krm.oran.network.origin import Origin

DEFAULT_SUBNET_LENGTH: dict[Family, int] = {"ipv4": 28, "ipv6": 64}


# --- input shapes ------------------------------------------------------------------------
class VlanRangeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: int = Field(ge=1, le=4094)
    end: int = Field(ge=1, le=4094)

    @model_validator(mode="after")
    def _ordered(self) -> VlanRangeSpec:
        if self.start > self.end:
            raise ValueError(f"start {self.start} is greater than end {self.end}")
        return self


class NetworkPoolSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ipv4Prefix: str | None = None
    ipv6Prefix: str | None = None
    subnetPrefixLength: int | None = Field(default=None, ge=1, le=128)
    ipv6SubnetPrefixLength: int | None = Field(default=None, ge=1, le=128)

    @model_validator(mode="after")
    def _has_prefix(self) -> NetworkPoolSpec:
        if self.ipv4Prefix is None and self.ipv6Prefix is None:
            raise ValueError("set ipv4Prefix, ipv6Prefix or both")
        return self

    def subnet_length(self, family: Family) -> tuple[int, str]:
        """The carve length for ``family`` and the field that set it."""
        if family == "ipv4":
            return self.subnetPrefixLength or DEFAULT_SUBNET_LENGTH["ipv4"], "subnetPrefixLength"
        if self.ipv6SubnetPrefixLength is not None:
            return self.ipv6SubnetPrefixLength, "ipv6SubnetPrefixLength"
        if self.ipv4Prefix is None and self.subnetPrefixLength is not None:
            return self.subnetPrefixLength, "subnetPrefixLength"
        return DEFAULT_SUBNET_LENGTH["ipv6"], "ipv6SubnetPrefixLength"


MAX_VLAN = 4094


def _vlan_span(value: Any) -> tuple[int, int]:
    """``100`` or ``"100"`` -> (100, 100); ``"110-119"`` -> (110, 119), bounds included."""
    malformed = f'{value!r} is not a VLAN ID nor an inclusive range such as "110-119"'
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(malformed)
    if isinstance(value, int):
        start = end = value
    else:
        parts = value.split("-")
        if len(parts) == 1:
            parts *= 2
        if len(parts) != 2 or not all(part.isascii() and part.isdigit() for part in parts):
            raise ValueError(malformed)
        start, end = int(parts[0]), int(parts[1])
    for vlan in (start, end):
        if not 1 <= vlan <= MAX_VLAN:
            raise ValueError(f"VLAN {vlan} is not a VLAN ID (1-{MAX_VLAN})")
    if start > end:
        raise ValueError(f"range {value!r} is empty: {start} is greater than {end}")
    return start, end


class ReservedSpec(BaseModel):
    """Values held elsewhere: never allocated here."""

    model_config = ConfigDict(extra="forbid")

    vlans: list[Annotated[tuple[int, int], BeforeValidator(_vlan_span)]] = Field(default_factory=list)
    prefixes: list[Annotated[IPNetwork, BeforeValidator(parse_network)]] = Field(default_factory=list)


class SiteNetworkSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    vlanRange: VlanRangeSpec
    networks: dict[str, NetworkPoolSpec] = Field(default_factory=dict)
    reserved: ReservedSpec | None = None


# --- domain ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class VlanRange:
    start: int
    end: int
    origin: Origin

    def __contains__(self, vlan: object) -> bool:
        return isinstance(vlan, int) and self.start <= vlan <= self.end

    def __str__(self) -> str:
        return f"{self.start}-{self.end}"


@dataclass(frozen=True, slots=True)
class Pool:
    """One prefix subnets of one length are carved from."""

    network: str
    family: Family
    prefix: IPNetwork
    subnet_length: int
    origin: Origin  # the prefix field
    length_origin: Origin  # the field that sets subnet_length

    # Pools with the same identity are one shared pool: (IP version, first address, length, subnet length)
    identity: tuple[int, int, int, int] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        prefix = self.prefix
        identity = (prefix.version, int(prefix.network_address), prefix.prefixlen, self.subnet_length)
        object.__setattr__(self, "identity", identity)


@dataclass(frozen=True, slots=True)
class Reservation:
    """A prefix held elsewhere, and the list entry that reserves it."""

    prefix: IPNetwork
    origin: Origin
    first: int = field(init=False, repr=False, compare=False)  # first and last address, as integers
    last: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        first = int(self.prefix.network_address)
        object.__setattr__(self, "first", first)
        object.__setattr__(self, "last", first + (1 << (self.prefix.max_prefixlen - self.prefix.prefixlen)) - 1)


@dataclass(frozen=True)
class ReservedValues:
    """A site's ``reserved`` block: VLAN spans (bounds included) and prefixes, with their entries."""

    vlan_spans: tuple[tuple[int, int, Origin], ...] = ()
    prefixes: tuple[Reservation, ...] = ()
    _mask: bytes = field(init=False, repr=False, compare=False)  # _mask[vlan] == 1: reserved

    def __post_init__(self) -> None:
        mask = bytearray(MAX_VLAN + 1)
        for start, end, _ in self.vlan_spans:
            mask[start : end + 1] = b"\x01" * (end - start + 1)
        object.__setattr__(self, "_mask", bytes(mask))

    def holds_vlan(self, vlan: int) -> bool:
        return 0 <= vlan <= MAX_VLAN and self._mask[vlan] == 1

    def vlan_origin(self, vlan: int) -> Origin | None:
        """The entry that reserves ``vlan`` (the first listed), or None."""
        if not self.holds_vlan(vlan):
            return None
        return next(origin for start, end, origin in self.vlan_spans if start <= vlan <= end)


NO_RESERVED = ReservedValues()


class ReservedPrefixes:
    """Reserved prefixes of every site, for overlap look-ups in logarithmic time.

    Prefixes nest or are disjoint; only the outermost ones are kept (a subnet overlapping a
    nested one overlaps its outer one too), so the rest are disjoint and sorted by address.
    The same prefix listed twice is named by its first entry by (kind, name, field).
    """

    def __init__(self, reservations: Iterable[Reservation]) -> None:
        ordered = sorted(
            reservations,
            key=lambda r: (r.prefix.version, r.first, r.prefix.prefixlen, r.origin.kind, r.origin.name, r.origin.field),
        )
        self._kept: dict[int, list[Reservation]] = {4: [], 6: []}
        for reservation in ordered:
            kept = self._kept[reservation.prefix.version]
            if kept and reservation.first <= kept[-1].last:
                continue  # nested in the previous one
            kept.append(reservation)
        self._lasts = {version: [r.last for r in kept] for version, kept in self._kept.items()}

    def __bool__(self) -> bool:
        return any(self._kept.values())

    def overlapping(self, prefix: IPNetwork) -> list[Reservation]:
        """The kept reservations that overlap ``prefix``, in address order."""
        kept, lasts = self._kept[prefix.version], self._lasts[prefix.version]
        first, last = int(prefix.network_address), int(prefix.broadcast_address)
        found = []
        for index in range(bisect_right(lasts, first - 1), len(kept)):
            if kept[index].first > last:
                break
            found.append(kept[index])
        return found

    def first_overlap(self, prefix: IPNetwork) -> Reservation | None:
        kept, lasts = self._kept[prefix.version], self._lasts[prefix.version]
        index = bisect_right(lasts, int(prefix.network_address) - 1)
        if index < len(kept) and kept[index].first <= int(prefix.broadcast_address):
            return kept[index]
        return None


@dataclass(frozen=True)
class SitePools:
    site: str
    vlan_range: VlanRange
    pools: Mapping[tuple[str, Family], Pool] = field(default_factory=dict)
    reserved: ReservedValues = NO_RESERVED

    def pool(self, network: str, family: Family) -> Pool | None:
        return self.pools.get((network, family))

    def families(self, network: str) -> tuple[Family, ...]:
        return tuple(f for f in ("ipv4", "ipv6") if (network, f) in self.pools)


@dataclass(frozen=True)
class PoolCatalog:
    """Pools of every known site, plus optional default pools for sites without their own."""

    sites: Mapping[str, SitePools] = field(default_factory=dict)
    default: SitePools | None = None

    def for_site(self, site: str) -> SitePools | None:
        found = self.sites.get(site)
        if found is not None:
            return found
        if self.default is not None:
            return SitePools(site, self.default.vlan_range, self.default.pools, self.default.reserved)
        return None

    @cached_property
    def reserved_prefixes(self) -> ReservedPrefixes:
        """Every site's reserved prefixes (and the default's): each applies to any pool it overlaps."""
        blocks = [self.sites[site] for site in sorted(self.sites)]
        if self.default is not None:
            blocks.append(self.default)
        return ReservedPrefixes(r for block in blocks for r in block.reserved.prefixes)

    def all_pools(self) -> Iterator[Pool]:
        for site in sorted(self.sites):
            yield from self.sites[site].pools.values()
        if self.default is not None:
            yield from self.default.pools.values()


# --- parsing -----------------------------------------------------------------------------
def parse_site_network(block: Any, site: str, origin: Origin) -> SitePools:
    """Read one site's ``network`` block; ``origin`` points at the block itself."""
    try:
        spec = SiteNetworkSpec.model_validate(block)
    except ValidationError as err:
        raise DomainError(_validation_findings(err, origin)) from None
    findings: list[Finding] = []
    pools: dict[tuple[str, Family], Pool] = {}
    for network in sorted(spec.networks):
        pool_spec = spec.networks[network]
        net_origin = origin.at("networks", network)
        for family, text in (("ipv4", pool_spec.ipv4Prefix), ("ipv6", pool_spec.ipv6Prefix)):
            if text is None:
                continue
            pool, problems = _make_pool(network, family, text, pool_spec, net_origin)
            findings.extend(problems)
            if pool is not None:
                pools[(network, family)] = pool
    if findings:
        raise DomainError(findings)
    vlan = VlanRange(spec.vlanRange.start, spec.vlanRange.end, origin.at("vlanRange"))
    return SitePools(site, vlan, pools, _reserved_values(spec.reserved, origin.at("reserved")))


def _reserved_values(spec: ReservedSpec | None, origin: Origin) -> ReservedValues:
    if spec is None or not (spec.vlans or spec.prefixes):
        return NO_RESERVED
    vlans = origin.at("vlans")
    prefixes = origin.at("prefixes")
    return ReservedValues(
        tuple((start, end, vlans.at(index)) for index, (start, end) in enumerate(spec.vlans)),
        tuple(Reservation(prefix, prefixes.at(index)) for index, prefix in enumerate(spec.prefixes)),
    )


def _make_pool(
    network: str, family: Family, text: str, spec: NetworkPoolSpec, origin: Origin
) -> tuple[Pool | None, list[Finding]]:
    prefix_field = "ipv4Prefix" if family == "ipv4" else "ipv6Prefix"
    prefix_origin = origin.at(prefix_field)
    try:
        prefix = parse_network(text)
    except ValueError as err:
        return None, [prefix_origin.finding(str(err), rule=rules.INVALID_VALUE, current=text)]
    if family_of(prefix) != family:
        return None, [
            prefix_origin.finding(
                f"{prefix_field} {text} is not an {family} prefix",
                rule=rules.INVALID_VALUE,
                current=text,
            )
        ]
    length, length_field = spec.subnet_length(family)
    length_origin = origin.at(length_field)
    limit = MAX_SUBNET_LENGTH[family]
    if not prefix.prefixlen <= length <= limit:
        return None, [
            length_origin.finding(
                f"{family} subnets of /{length} cannot be carved from {prefix}: use a length between "
                f"/{prefix.prefixlen} and /{limit} (room for a gateway and an address)",
                rule=rules.INVALID_VALUE,
                current=length,
                proposed=max(prefix.prefixlen, min(DEFAULT_SUBNET_LENGTH[family], limit)),
            )
        ]
    return Pool(network, family, prefix, length, prefix_origin, length_origin), []


def site_pools_from_catalog(catalog: Mapping[str, Any]) -> list[SitePools]:
    """Network blocks of an OCloudSiteCatalog (``spec.sites[].network``); sites without one are skipped."""
    meta = catalog.get("metadata") or {}
    base = Origin(
        str(catalog.get("kind", "OCloudSiteCatalog")),
        str(meta.get("name", "")),
        "spec.sites",
        meta.get("namespace"),
    )
    spec = catalog.get("spec") or {}
    sites = spec.get("sites") if isinstance(spec, Mapping) else None
    if sites is None:
        return []
    if not isinstance(sites, list):
        raise DomainError(base.finding("spec.sites must be a list of sites", rule=rules.INVALID_VALUE))
    found: list[SitePools] = []
    findings: list[Finding] = []
    for index, entry in enumerate(sites):
        if not isinstance(entry, Mapping) or entry.get("network") is None:
            continue
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            findings.append(
                base.at(index, "name").finding("a site with a network block needs a name", rule=rules.INVALID_VALUE)
            )
            continue
        try:
            found.append(parse_site_network(entry["network"], name, base.at(index, "network")))
        except DomainError as err:
            findings.extend(err.findings)
    if findings:
        raise DomainError(findings)
    return found


def build_pool_catalog(
    sites: Iterable[SitePools],
    default: SitePools | None = None,
    overrides: Iterable[SitePools] = (),
) -> PoolCatalog:
    """Index the pools by site and refuse overlapping pools.

    ``sites`` come from site catalogs: a site given twice is an error. ``overrides`` (from the
    function config) replace a catalog's block for the same site; ``default`` serves every site
    that has neither.
    """
    by_site: dict[str, SitePools] = {}
    findings: list[Finding] = []
    for site in sites:
        earlier = by_site.get(site.site)
        if earlier is not None:
            findings.append(
                site.vlan_range.origin.finding(
                    f"site {site.site} has a network block twice "
                    f"(also in {earlier.vlan_range.origin.resource}); keep one",
                    rule=rules.INVALID_VALUE,
                )
            )
            continue
        by_site[site.site] = site
    for site in overrides:
        by_site[site.site] = site
    catalog = PoolCatalog(by_site, default)
    findings.extend(pool_overlap_findings(catalog.all_pools()))
    if findings:
        raise DomainError(findings)
    return catalog


def pool_overlap_findings(pools: Iterable[Pool]) -> list[Finding]:
    """Partial overlaps, and shared prefixes carved at different lengths."""
    findings: list[Finding] = []
    by_prefix: dict[tuple[int, int, int], list[Pool]] = {}
    for pool in pools:
        by_prefix.setdefault(pool.identity[:3], []).append(pool)
    for group in by_prefix.values():
        first = group[0]
        for other in group[1:]:
            if other.subnet_length != first.subnet_length:
                findings.append(
                    other.length_origin.finding(
                        f"pool {other.prefix} is also used by {first.origin.resource} at "
                        f"{first.origin.field} with /{first.subnet_length} subnets; "
                        "a shared pool needs one subnet length",
                        rule=rules.POOL_OVERLAP,
                        current=other.subnet_length,
                        proposed=first.subnet_length,
                    )
                )
    # sweep over distinct prefixes in address order: an overlap starts before the previous ends
    distinct = sorted(
        (g[0] for g in by_prefix.values()),
        key=lambda p: (p.prefix.version, int(p.prefix.network_address), p.prefix.prefixlen),
    )
    widest: Pool | None = None
    for pool in distinct:
        if (
            widest is not None
            and widest.prefix.version == pool.prefix.version
            and int(pool.prefix.network_address) <= int(widest.prefix.broadcast_address)
        ):
            findings.append(
                pool.origin.finding(
                    f"pool {pool.prefix} ({pool.network}) overlaps pool {widest.prefix} "
                    f"({widest.network}) of {widest.origin.resource} at {widest.origin.field}; "
                    "pools must not overlap",
                    rule=rules.POOL_OVERLAP,
                    current=str(pool.prefix),
                )
            )
            if int(pool.prefix.broadcast_address) <= int(widest.prefix.broadcast_address):
                continue
        widest = pool
    return findings


def _validation_findings(err: ValidationError, origin: Origin) -> list[Finding]:
    findings = []
    for problem in err.errors(include_url=False):
        loc = [part for part in problem["loc"] if isinstance(part, str | int)]
        current = problem.get("input")
        findings.append(
            origin.at(*loc).finding(
                _explain(problem),
                rule=rules.INVALID_VALUE,
                current=current if isinstance(current, str | int | float | bool) else None,
            )
        )
    return findings


def _explain(problem: Any) -> str:
    if problem["type"] == "missing":
        return "required field is missing; add it"
    if problem["type"] == "extra_forbidden":
        return "unknown field; remove it or fix its spelling"
    return str(problem["msg"]).removeprefix("Value error, ")
