"""ProvisioningRequest addressing: well-formed, gateway inside its subnet, no reuse within a site.

Reads ``spec.templateParameters.networkConfig``: the seed's flat ``{vlan, subnet, gateway}`` and any
nested entries of the same shape (per network instance, e.g. ``networkConfig.n3`` or a list of
interfaces), so a request with F1, E1, N2 and N3 attachments is checked entry by entry. A request
belongs to the site in its ``o2krm.io/site`` label, else ``templateParameters.targetCluster``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from o2krm.oran import vocabulary as v
from o2krm.oran.policy.package import Item, Package, Violation, as_map, path

PR_GROUP = v.PR_API.split("/")[0]
NETWORK_CONFIG_FIELD = "spec.templateParameters.networkConfig"
_ENTRY_KEYS = ("vlan", "subnet", "gateway")
_MAX_DEPTH = 3

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class NetworkEntry:
    item: Item
    field: str  # of the entry, e.g. spec.templateParameters.networkConfig.n3
    vlan: int | None
    subnet: IPNetwork | None

    def describe(self) -> str:
        return f"{self.item.describe()} ({self.field})"


def check(package: Package) -> Iterator[Violation]:
    by_site: dict[str, list[NetworkEntry]] = {}
    for item in package.of_kind(PR_GROUP, v.PR_KIND):
        config = as_map(item.spec.get("templateParameters")).get("networkConfig")
        entries = list(_entries(config, NETWORK_CONFIG_FIELD, 0))
        # The seed's flat {vlan, subnet, gateway} beside per-network entries summarises one of
        # them (the request's primary attachment): it is checked, but not counted twice.
        nested = any(field != NETWORK_CONFIG_FIELD for field, _ in entries)
        for field, raw in entries:
            entry, problems = _read_entry(item, field, raw)
            yield from problems
            site = _site(item)
            summary = nested and field == NETWORK_CONFIG_FIELD
            if site and not summary and (entry.vlan is not None or entry.subnet is not None):
                by_site.setdefault(site, []).append(entry)
    for site in sorted(by_site):
        yield from _overlaps(site, by_site[site])


def _site(item: Item) -> str:
    site = item.labels.get(v.LABEL_SITE) or as_map(item.spec.get("templateParameters")).get("targetCluster")
    return site if isinstance(site, str) else ""


def _entries(node: Any, field: str, depth: int) -> Iterator[tuple[str, Mapping[str, Any]]]:
    if isinstance(node, Mapping):
        if any(key in node for key in _ENTRY_KEYS):
            yield field, node
        if depth < _MAX_DEPTH:
            for key in sorted(k for k in node if isinstance(k, str) and k not in _ENTRY_KEYS):
                yield from _entries(node[key], path(field, key), depth + 1)
    elif isinstance(node, list) and depth < _MAX_DEPTH:
        for i, element in enumerate(node):
            yield from _entries(element, path(field, i), depth + 1)


def _read_entry(item: Item, field: str, raw: Mapping[str, Any]) -> tuple[NetworkEntry, list[Violation]]:
    problems: list[Violation] = []

    def invalid(key: str, message: str, proposed: Any = None) -> None:
        problems.append(
            Violation(
                item.index,
                "consistency.network-config-invalid",
                message,
                path(field, key),
                raw.get(key),
                proposed,
            )
        )

    vlan = raw.get("vlan")
    if vlan is not None and (isinstance(vlan, bool) or not isinstance(vlan, int) or not 1 <= vlan <= 4094):
        invalid("vlan", f"VLAN {vlan!r} is not a usable 802.1Q VLAN ID; use an integer from 1 to 4094")
        vlan = None
    subnet = _network(raw.get("subnet"), item, path(field, "subnet"), problems)
    gateway_value = raw.get("gateway")
    if gateway_value is not None:
        try:
            gateway = ipaddress.ip_address(str(gateway_value))
        except ValueError:
            invalid("gateway", f"gateway {gateway_value!r} is not an IP address")
        else:
            if subnet is not None:
                problems.extend(_gateway_problems(item, path(field, "gateway"), gateway, subnet))
    return NetworkEntry(item, field, vlan, subnet), problems


def _network(value: Any, item: Item, field: str, problems: list[Violation]) -> IPNetwork | None:
    if value is None:
        return None
    rule = "consistency.network-config-invalid"
    try:
        return ipaddress.ip_network(str(value))
    except ValueError:
        pass
    try:
        loose = ipaddress.ip_network(str(value), strict=False)
    except ValueError:
        problems.append(Violation(item.index, rule, f"subnet {value!r} is not a CIDR prefix", field, value))
        return None
    problems.append(
        Violation(
            item.index,
            rule,
            f"subnet {value!r} has host bits set; the prefix is {loose}",
            field,
            value,
            str(loose),
        )
    )
    return loose


def _gateway_problems(
    item: Item, field: str, gateway: ipaddress.IPv4Address | ipaddress.IPv6Address, subnet: IPNetwork
) -> Iterator[Violation]:
    rule = "consistency.gateway-outside-subnet"
    first_host = next(subnet.hosts(), None)
    proposed = str(first_host) if first_host is not None else None
    if gateway.version != subnet.version or gateway not in subnet:
        yield Violation(
            item.index, rule, f"gateway {gateway} is outside subnet {subnet}", field, str(gateway), proposed
        )
    elif subnet.num_addresses > 2 and gateway == subnet.network_address:
        yield Violation(
            item.index,
            rule,
            f"gateway {gateway} is the network address of {subnet}, not a host",
            field,
            str(gateway),
            proposed,
        )
    elif isinstance(subnet, ipaddress.IPv4Network) and subnet.num_addresses > 2 and gateway == subnet.broadcast_address:
        yield Violation(
            item.index,
            rule,
            f"gateway {gateway} is the broadcast address of {subnet}, not a host",
            field,
            str(gateway),
            proposed,
        )


def _overlaps(site: str, entries: list[NetworkEntry]) -> Iterator[Violation]:
    first_with_vlan: dict[int, NetworkEntry] = {}
    for entry in entries:
        if entry.vlan is None:
            continue
        earlier = first_with_vlan.setdefault(entry.vlan, entry)
        if earlier is not entry:
            yield Violation(
                entry.item.index,
                "consistency.vlan-overlap",
                f"VLAN {entry.vlan} at site {site!r} is already used by {earlier.describe()}; "
                "each network of a site needs its own VLAN",
                path(entry.field, "vlan"),
                entry.vlan,
            )
    for version in (4, 6):
        yield from _subnet_overlaps(site, [e for e in entries if e.subnet is not None and e.subnet.version == version])


def _subnet_overlaps(site: str, entries: list[NetworkEntry]) -> Iterator[Violation]:
    """Of two overlapping prefixes the later in the package is reported, and the ones left are disjoint.

    Sorted by start address, the prefixes kept so far are disjoint, so only the last kept one can
    overlap the next: one pass, no pairwise comparison.
    """
    ordered = sorted(entries, key=lambda e: (_start(e), -_prefix_length(e), e.item.index, e.field))
    kept: NetworkEntry | None = None
    for entry in ordered:
        if kept is None or not _overlap(kept, entry):
            kept = entry
            continue
        later, earlier = sorted((entry, kept), key=lambda e: (e.item.index, e.field), reverse=True)
        yield Violation(
            later.item.index,
            "consistency.subnet-overlap",
            f"subnet {later.subnet} at site {site!r} overlaps {earlier.subnet} of {earlier.describe()}",
            path(later.field, "subnet"),
            str(later.subnet),
        )
        kept = earlier


def _start(entry: NetworkEntry) -> int:
    return int(entry.subnet.network_address) if entry.subnet is not None else 0


def _prefix_length(entry: NetworkEntry) -> int:
    return entry.subnet.prefixlen if entry.subnet is not None else 0


def _overlap(a: NetworkEntry, b: NetworkEntry) -> bool:
    return a.subnet is not None and b.subnet is not None and a.subnet.overlaps(b.subnet)
