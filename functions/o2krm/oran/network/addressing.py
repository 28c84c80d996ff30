"""Address arithmetic on top of the ``ipaddress`` module.

Which host addresses of a subnet may be handed out:

- IPv4: never the network address (offset 0) nor the broadcast address (last).
- IPv6: never the Subnet-Router anycast address (offset 0, RFC 4291 2.6.1) nor the reserved
  subnet anycast addresses of RFC 2526 (interface identifiers FDFF:FFFF:FFFF:FF80-FFFF in a
  /64, the highest 128 identifiers otherwise).

A subnet needs room for a gateway and at least one attachment, so IPv4 subnets are /30 or
larger and IPv6 subnets /120 or larger.
"""

from __future__ import annotations

import ipaddress
from typing import Final, Literal

Family = Literal["ipv4", "ipv6"]
FAMILIES: Final[tuple[Family, ...]] = ("ipv4", "ipv6")

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_SUBNET_LENGTH: Final[dict[Family, int]] = {"ipv4": 30, "ipv6": 120}
ADDRESS_BITS: Final[dict[Family, int]] = {"ipv4": 32, "ipv6": 128}
GATEWAY_OFFSET: Final = 1  # the gateway is the first usable address unless one is set by hand

_RFC2526_EUI64_FIRST: Final = 0xFDFF_FFFF_FFFF_FF80
_RFC2526_EUI64_LAST: Final = 0xFDFF_FFFF_FFFF_FFFF
_RFC2526_COUNT: Final = 128


def family_of(value: IPNetwork | IPAddress) -> Family:
    return "ipv4" if value.version == 4 else "ipv6"


def parse_network(text: object) -> IPNetwork:
    """A prefix such as ``10.1.0.0/24``. Host bits must be zero: ``10.1.0.1/24`` is refused."""
    if not isinstance(text, str) or "/" not in text:
        raise ValueError(f"{text!r} is not a prefix in CIDR notation such as 10.1.0.0/24 or fd00:1::/64")
    try:
        return ipaddress.ip_network(text.strip(), strict=True)
    except ValueError as err:
        try:
            loose = ipaddress.ip_network(text.strip(), strict=False)
        except ValueError:
            raise ValueError(f"{text!r} is not a valid IPv4 or IPv6 prefix") from err
        raise ValueError(f"{text!r} has host bits set; the prefix is {loose}") from err


def parse_address(text: object) -> IPAddress:
    """A bare address such as ``10.1.0.1``."""
    if not isinstance(text, str):
        raise ValueError(f"{text!r} is not an IP address")
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError as err:
        raise ValueError(f"{text!r} is not a valid IPv4 or IPv6 address") from err


def parse_interface(text: object) -> tuple[IPAddress, IPNetwork]:
    """An address with its subnet length, ``10.1.0.2/24`` -> (10.1.0.2, 10.1.0.0/24)."""
    if not isinstance(text, str) or "/" not in text:
        raise ValueError(f"{text!r} is not an address with prefix length such as 10.1.0.2/24")
    try:
        interface = ipaddress.ip_interface(text.strip())
    except ValueError as err:
        raise ValueError(f"{text!r} is not a valid address with prefix length") from err
    return interface.ip, interface.network


def subnet_size(subnet: IPNetwork) -> int:
    return 1 << (subnet.max_prefixlen - subnet.prefixlen)


def is_reserved_offset(subnet: IPNetwork, offset: int) -> bool:
    """True for the addresses of ``subnet`` that are never handed out (see module docstring)."""
    size = subnet_size(subnet)
    if offset <= 0 or offset >= size:
        return True
    if subnet.version == 4:
        return offset == size - 1
    if subnet.prefixlen == 64:
        return _RFC2526_EUI64_FIRST <= offset <= _RFC2526_EUI64_LAST
    return offset >= size - _RFC2526_COUNT


def last_usable_offset(subnet: IPNetwork) -> int:
    """Highest offset below the reserved top of the subnet (a /64 has its reserved block inside)."""
    size = subnet_size(subnet)
    if subnet.version == 4:
        return size - 2
    if subnet.prefixlen == 64:
        return size - 1
    return size - _RFC2526_COUNT - 1


def reserved_inner_block(subnet: IPNetwork) -> tuple[int, int] | None:
    """The reserved offsets between 1 and ``last_usable_offset`` (only a /64 has them)."""
    if subnet.version == 6 and subnet.prefixlen == 64:
        return _RFC2526_EUI64_FIRST, _RFC2526_EUI64_LAST
    return None


def offset_in(subnet: IPNetwork, address: IPAddress) -> int | None:
    """Position of ``address`` in ``subnet``, or None when it lies outside."""
    if address.version != subnet.version:
        return None
    offset = int(address) - int(subnet.network_address)
    if 0 <= offset < subnet_size(subnet):
        return offset
    return None


def address_at(subnet: IPNetwork, offset: int) -> IPAddress:
    return subnet.network_address + offset


def usable_reason(subnet: IPNetwork, address: IPAddress) -> str | None:
    """Why ``address`` cannot be used in ``subnet``, or None when it can."""
    offset = offset_in(subnet, address)
    if offset is None:
        return f"{address} is outside {subnet}"
    if is_reserved_offset(subnet, offset):
        if offset == 0:
            what = "network" if subnet.version == 4 else "Subnet-Router anycast"
            return f"{address} is the {what} address of {subnet}"
        if subnet.version == 4:
            return f"{address} is the broadcast address of {subnet}"
        return f"{address} is a reserved subnet anycast address of {subnet} (RFC 2526)"
    return None


def too_small_reason(subnet: IPNetwork) -> str | None:
    family = family_of(subnet)
    limit = MAX_SUBNET_LENGTH[family]
    if subnet.prefixlen > limit:
        return f"{subnet} is too small: {family} subnets need /{limit} or larger (gateway + one address)"
    return None
