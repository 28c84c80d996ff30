"""Allocations that already exist: what makes the allocator sticky.

Two kinds of prior values reach the allocator:

- *records*: what network-config wrote last time (the status of its IPClaims and VLANClaims).
  A record that no longer fits (its pool shrank, it collides with a hand-set value) is dropped
  with a warning and the allocation moves.
- *pins*: values set by hand in a ProvisioningRequest's ``templateParameters.networkConfig``.
  A pin that does not fit is an error; it never moves silently.

A value in the ProvisioningRequest that equals the record is not a pin: it is simply what
network-config wrote there (see ``Hints.combine``).
"""

from __future__ import annotations

from dataclasses import dataclass

from o2krm.oran.network.addressing import Family, IPAddress, IPNetwork, family_of
from o2krm.oran.network.origin import Origin

NetKey = tuple[str, str, str]  # site, request, network
SubnetKey = tuple[str, str, str, Family]  # site, request, network, family
AddressKey = tuple[str, str, str, Family, str]  # site, request, network, family, function


@dataclass(frozen=True, slots=True)
class VlanHint:
    site: str
    request: str
    network: str
    vlan: int
    origin: Origin
    pinned: bool = False

    @property
    def key(self) -> NetKey:
        return (self.site, self.request, self.network)


@dataclass(frozen=True, slots=True)
class SubnetHint:
    site: str
    request: str
    network: str
    subnet: IPNetwork
    gateway: IPAddress | None
    origin: Origin  # the subnet field
    gateway_origin: Origin | None = None
    pinned: bool = False

    @property
    def family(self) -> Family:
        return family_of(self.subnet)

    @property
    def key(self) -> SubnetKey:
        return (self.site, self.request, self.network, self.family)


@dataclass(frozen=True, slots=True)
class AddressHint:
    site: str
    request: str
    network: str
    function: str
    address: IPAddress
    origin: Origin
    pinned: bool = False

    @property
    def family(self) -> Family:
        return family_of(self.address)

    @property
    def key(self) -> AddressKey:
        return (self.site, self.request, self.network, self.family, self.function)


@dataclass(frozen=True)
class Hints:
    vlans: tuple[VlanHint, ...] = ()
    subnets: tuple[SubnetHint, ...] = ()
    addresses: tuple[AddressHint, ...] = ()

    def __add__(self, other: Hints) -> Hints:
        return Hints(self.vlans + other.vlans, self.subnets + other.subnets, self.addresses + other.addresses)

    @staticmethod
    def combine(records: Hints, pins: Hints) -> Hints:
        """Records plus the pins that say something the records do not."""
        vlan_seen = {(h.key, h.vlan) for h in records.vlans}
        subnet_seen = {(h.key, h.subnet, h.gateway) for h in records.subnets}
        subnet_only = {(h.key, h.subnet) for h in records.subnets}
        address_seen = {(h.key, h.address) for h in records.addresses}
        return records + Hints(
            tuple(h for h in pins.vlans if (h.key, h.vlan) not in vlan_seen),
            tuple(
                h
                for h in pins.subnets
                if (h.key, h.subnet, h.gateway) not in subnet_seen
                and not (h.gateway is None and (h.key, h.subnet) in subnet_only)
            ),
            tuple(h for h in pins.addresses if (h.key, h.address) not in address_seen),
        )
