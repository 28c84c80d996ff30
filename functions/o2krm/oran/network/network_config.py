"""The ``spec.templateParameters.networkConfig`` block of a ProvisioningRequest.

The user's seed shows ``networkConfig: {vlan, subnet, gateway}``. Those three keys stay, and
hold the request's primary network (F1 by default; IPv4 when it has IPv4). ``networks`` adds
every network of the request::

    networkConfig:
      vlan: 103
      subnet: 10.21.0.0/28
      gateway: 10.21.0.1
      networks:
        f1:
          vlan: 103
          ipv4:
            subnet: 10.21.0.0/28
            gateway: 10.21.0.1
            addresses: {CU-CP: 10.21.0.2/28, CU-UP: 10.21.0.3/28, DU: 10.21.0.4/28}

Any of these values may be set by hand before network-config runs; it then keeps them (a pin)
and refuses them when they are invalid (outside the VLAN range or pool, a gateway outside its
subnet, a collision).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, TypeVar

from o2krm.oran.findings import DomainError, Finding
from o2krm.oran.network import rules
from o2krm.oran.network.addressing import (
    FAMILIES,
    Family,
    IPAddress,
    IPNetwork,
    family_of,
    parse_address,
    parse_network,
)
from o2krm.oran.network.allocator import NetworkAllocation
from o2krm.oran.network.attachments import AttachmentTable
from o2krm.oran.network.hints import AddressHint, Hints, SubnetHint, VlanHint
from o2krm.oran.network.origin import Origin
from o2krm.oran.network.requests import AttachmentRequest

_Parsed = TypeVar("_Parsed", IPNetwork, IPAddress)

NETWORK_CONFIG_PATH: Final = ("spec", "templateParameters", "networkConfig")
_TRIPLET: Final = ("vlan", "subnet", "gateway")
_TOP_KEYS: Final = (*_TRIPLET, "networks")
_NETWORK_KEYS: Final = ("vlan", *FAMILIES)
_FAMILY_KEYS: Final = ("subnet", "gateway", "addresses")


def primary_network(networks: Sequence[str], preferred: str) -> str | None:
    """``preferred`` when the request has it, else its first network."""
    if preferred in networks:
        return preferred
    return networks[0] if networks else None


def network_config_block(allocations: Sequence[NetworkAllocation], preferred: str) -> dict[str, Any]:
    """The block for one request (``allocations`` in canonical network order)."""
    if not allocations:
        return {}
    by_network = {a.network: a for a in allocations}
    primary = by_network[primary_network([a.network for a in allocations], preferred) or ""]
    first = primary.families[0]
    block: dict[str, Any] = {"vlan": primary.vlan, "subnet": first.subnet_text, "gateway": first.gateway_text}
    networks: dict[str, Any] = {}
    for allocation in allocations:
        entry: dict[str, Any] = {"vlan": allocation.vlan}
        for fam in allocation.families:
            entry[fam.family] = {
                "subnet": fam.subnet_text,
                "gateway": fam.gateway_text,
                "addresses": {fn: fam.interface_of(fn) for fn, _ in fam.addresses},
            }
        networks[allocation.network] = entry
    block["networks"] = networks
    return block


def hints_from_network_config(
    pr: Mapping[str, Any], request: AttachmentRequest, table: AttachmentTable, preferred: str
) -> tuple[Hints, list[Finding]]:
    """The hand-set values (pins) of a request's networkConfig, and warnings.

    The seed's ``vlan``/``subnet``/``gateway`` are read as values for the primary network only
    when ``networks`` has no entry for it; otherwise they are a copy network-config derives from
    that entry, and a copy edited by hand is reported (and rewritten) rather than obeyed.
    Raises DomainError on malformed values.
    """
    params = (pr.get("spec") or {}).get("templateParameters") or {}
    block = params.get("networkConfig") if isinstance(params, Mapping) else None
    if block is None:
        return Hints(), []
    origin = request.origin.at(*NETWORK_CONFIG_PATH)
    reader = _Reader(request, origin)
    if not isinstance(block, Mapping):
        reader.fail(origin, "networkConfig must be a mapping such as {vlan: 100, subnet: 10.1.0.0/24, ...}")
        raise DomainError(reader.findings)
    reader.unknown_keys(block, _TOP_KEYS, origin)
    networks = block.get("networks")
    primary = primary_network(list(request.networks(table)), preferred)
    warnings: list[Finding] = []
    if primary is not None and any(k in block for k in _TRIPLET):
        entry = networks.get(primary) if isinstance(networks, Mapping) else None
        if isinstance(entry, Mapping):
            if _triplet(block) != _triplet_of_entry(entry):
                warnings.append(
                    origin.finding(
                        f"networkConfig.vlan, subnet and gateway repeat networks.{primary} and are rewritten "
                        f"from it; to change them, edit networks.{primary}",
                        rule=rules.DERIVED_VALUE,
                        severity="warning",
                        current=None,
                    )
                )
        else:
            reader.vlan(block, primary, origin)
            reader.subnet(block, primary, None, origin)
    if networks is not None:
        nets_origin = origin.at("networks")
        if not isinstance(networks, Mapping):
            reader.fail(nets_origin, "networks must map network names (n2, n3, e1, f1) to their values")
        else:
            for network in sorted(networks, key=str):
                reader.network(str(network), networks[network], nets_origin.at(str(network)))
    if reader.findings:
        raise DomainError(reader.findings)
    return Hints(tuple(reader.vlans), tuple(reader.subnets), tuple(reader.addresses)), warnings


def _triplet(block: Mapping[str, Any]) -> tuple[object, ...]:
    return tuple(block.get(key) for key in _TRIPLET)


def _triplet_of_entry(entry: Mapping[str, Any]) -> tuple[object, ...]:
    family = next((entry[f] for f in FAMILIES if isinstance(entry.get(f), Mapping)), {})
    return (entry.get("vlan"), family.get("subnet"), family.get("gateway"))


class _Reader:
    def __init__(self, request: AttachmentRequest, origin: Origin) -> None:
        self.request = request
        self.origin = origin
        self.findings: list[Finding] = []
        self.vlans: list[VlanHint] = []
        self.subnets: list[SubnetHint] = []
        self.addresses: list[AddressHint] = []

    def fail(self, where: Origin, message: str, current: object = None) -> None:
        self.findings.append(where.finding(message, rule=rules.INVALID_VALUE, current=current))

    def unknown_keys(self, block: Mapping[str, Any], allowed: Sequence[str], where: Origin) -> None:
        for key in block:
            if key not in allowed:
                self.fail(where.at(str(key)), f"unknown key {key!r}; networkConfig here takes {', '.join(allowed)}")

    def vlan(self, block: Mapping[str, Any], network: str, where: Origin) -> None:
        if "vlan" not in block:
            return
        value = block["vlan"]
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(where.at("vlan"), f"vlan must be an integer VLAN ID (1-4094), not {value!r}", value)
            return
        r = self.request
        self.vlans.append(VlanHint(r.site, r.name, network, value, where.at("vlan"), pinned=True))

    def subnet(self, block: Mapping[str, Any], network: str, family: Family | None, where: Origin) -> None:
        subnet = self._parse(block, "subnet", parse_network, where)
        gateway = self._parse(block, "gateway", parse_address, where)
        if subnet is None:
            if gateway is not None:
                self.fail(where.at("gateway"), "gateway is set without subnet: set the subnet it belongs to")
            return
        if family is not None and family_of(subnet) != family:
            self.fail(where.at("subnet"), f"subnet {subnet} is not an {family} prefix", str(subnet))
            return
        if gateway is not None and gateway.version != subnet.version:
            self.fail(
                where.at("gateway"),
                f"gateway {gateway} and subnet {subnet} are of different families",
                str(gateway),
            )
            return
        r = self.request
        self.subnets.append(
            SubnetHint(r.site, r.name, network, subnet, gateway, where.at("subnet"), where.at("gateway"), pinned=True)
        )

    def network(self, network: str, entry: Any, where: Origin) -> None:
        if not isinstance(entry, Mapping):
            self.fail(where, f"networks.{network} must be a mapping with vlan, ipv4 and/or ipv6")
            return
        self.unknown_keys(entry, _NETWORK_KEYS, where)
        self.vlan(entry, network, where)
        for family in FAMILIES:
            values = entry.get(family)
            if values is None:
                continue
            fam_where = where.at(family)
            if not isinstance(values, Mapping):
                self.fail(fam_where, f"{family} must be a mapping with subnet, gateway and addresses")
                continue
            self.unknown_keys(values, _FAMILY_KEYS, fam_where)
            self.subnet(values, network, family, fam_where)
            self._addresses(values.get("addresses"), network, family, fam_where.at("addresses"))

    def _addresses(self, addresses: Any, network: str, family: Family, where: Origin) -> None:
        if addresses is None:
            return
        if not isinstance(addresses, Mapping):
            self.fail(where, "addresses must map function names (CU-CP, CU-UP, DU) to addresses")
            return
        r = self.request
        for function in sorted(addresses, key=str):
            text = addresses[function]
            bare = text.split("/", 1)[0] if isinstance(text, str) else text
            try:
                address = parse_address(bare)
            except ValueError as err:
                self.fail(where.at(str(function)), str(err), text)
                continue
            if family_of(address) != family:
                self.fail(where.at(str(function)), f"{text} is not an {family} address", text)
                continue
            self.addresses.append(
                AddressHint(r.site, r.name, network, str(function), address, where.at(str(function)), pinned=True)
            )

    def _parse(
        self, block: Mapping[str, Any], key: str, parse: Callable[[object], _Parsed], where: Origin
    ) -> _Parsed | None:
        if block.get(key) is None:
            return None
        try:
            return parse(block[key])
        except ValueError as err:
            self.fail(where.at(key), str(err), block[key])
            return None
