"""The allocator: VLAN IDs, subnets, gateways and addresses for every request at every site.

Guarantees (the property tests check each of them):

- deterministic: the plan depends on the inputs only, never on their order;
- sticky: a recorded or hand-set allocation is kept as long as it is still valid, so adding
  or removing other requests never moves it;
- collision-free: no VLAN twice within a site, no subnet overlapping another (across all
  sites), every subnet inside its pool, every gateway and address inside its subnet and never
  a network, broadcast or reserved address, no address twice;
- clear of values held elsewhere: never a VLAN the site's ``reserved`` block lists, never a
  subnet overlapping a reserved prefix. A hand-set or recorded value that is reserved is an
  error (it is held twice), never silently moved.

Order of work: hand-set values (pins) first, then records, then fresh allocations, each in
(site, request, network, family) order; fresh values are the lowest free ones.
"""

from __future__ import annotations

import ipaddress
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, TypeVar

from o2krm.oran.findings import DomainError, Finding
from o2krm.oran.network import rules
from o2krm.oran.network.addressing import (
    FAMILIES,
    GATEWAY_OFFSET,
    Family,
    IPAddress,
    IPNetwork,
    address_at,
    last_usable_offset,
    offset_in,
    reserved_inner_block,
    subnet_size,
    too_small_reason,
    usable_reason,
)
from o2krm.oran.network.attachments import DEFAULT_ATTACHMENTS, AttachmentTable, network_sort_key
from o2krm.oran.network.hints import AddressHint, Hints, NetKey, SubnetHint, SubnetKey, VlanHint
from o2krm.oran.network.origin import Origin
from o2krm.oran.network.pools import (
    NO_RESERVED,
    Pool,
    PoolCatalog,
    Reservation,
    ReservedValues,
    SitePools,
    VlanRange,
)
from o2krm.oran.network.requests import AttachmentRequest

_H = TypeVar("_H", VlanHint, SubnetHint, AddressHint)


class Problem(NamedTuple):
    message: str
    rule: str
    blame: Origin | None = None  # the field to blame when not the hint's own
    held: bool = False  # the value is reserved (held elsewhere): an error even for a record


# --- the plan ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class FamilyAllocation:
    family: Family
    subnet: IPNetwork
    gateway: IPAddress
    addresses: tuple[tuple[str, IPAddress], ...]  # (function, address), functions in table order

    def address_of(self, function: str) -> IPAddress | None:
        for name, address in self.addresses:
            if name == function:
                return address
        return None

    # Text forms, made once: IPv6 addresses are slow to format and every output repeats them.
    _texts: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def interface_of(self, function: str) -> str | None:
        """``10.1.0.2/28``: the address with its subnet length, as IPClaim status.prefix has it."""
        texts = self._texts
        if function not in texts:
            address = self.address_of(function)
            if address is None:
                return None
            texts[function] = f"{address}/{self.subnet.prefixlen}"
        return texts[function]

    @property
    def subnet_text(self) -> str:
        return self._text(" subnet", self.subnet)

    @property
    def gateway_text(self) -> str:
        return self._text(" gateway", self.gateway)

    def _text(self, key: str, value: object) -> str:
        text = self._texts.get(key)
        if text is None:
            text = self._texts[key] = str(value)
        return text


@dataclass(frozen=True, slots=True)
class NetworkAllocation:
    """One network of one request: a VLAN, and per address family a subnet, gateway, addresses."""

    site: str
    request: str
    network: str
    vlan: int
    functions: tuple[str, ...]
    families: tuple[FamilyAllocation, ...]  # ipv4 before ipv6

    def family(self, family: Family) -> FamilyAllocation | None:
        for allocation in self.families:
            if allocation.family == family:
                return allocation
        return None


@dataclass(frozen=True)
class AllocationPlan:
    allocations: tuple[NetworkAllocation, ...]
    warnings: tuple[Finding, ...] = ()
    _by_request: dict[str, tuple[NetworkAllocation, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def for_request(self, name: str) -> tuple[NetworkAllocation, ...]:
        if not self._by_request and self.allocations:
            grouped: dict[str, list[NetworkAllocation]] = {}
            for allocation in self.allocations:
                grouped.setdefault(allocation.request, []).append(allocation)
            self._by_request.update({k: tuple(v) for k, v in grouped.items()})
        return self._by_request.get(name, ())

    def as_records(self, origin: Origin | None = None) -> Hints:
        """The plan as records, as if read back from the claims it produces."""
        where = origin or Origin("NetworkAllocation", "plan")
        vlans, subnets, addresses = [], [], []
        for a in self.allocations:
            vlans.append(VlanHint(a.site, a.request, a.network, a.vlan, where))
            for fa in a.families:
                subnets.append(SubnetHint(a.site, a.request, a.network, fa.subnet, fa.gateway, where))
                addresses.extend(
                    AddressHint(a.site, a.request, a.network, fn, address, where) for fn, address in fa.addresses
                )
        return Hints(tuple(vlans), tuple(subnets), tuple(addresses))


def allocate(
    requests: Iterable[AttachmentRequest],
    catalog: PoolCatalog,
    hints: Hints | None = None,
    table: AttachmentTable = DEFAULT_ATTACHMENTS,
) -> AllocationPlan:
    """Allocate every network of every request. Raises DomainError listing all problems."""
    return _Allocator(catalog, table).run(list(requests), hints or Hints())


# --- state -------------------------------------------------------------------------------
class _Slots:
    """The subnets of one pool, by index; shared by every site that uses the same pool.

    A hand-set subnet wider than the pool's subnet length covers several slots; a very wide one
    (a /40 in a pool carved in /64s) is kept as a range rather than slot by slot. Reserved
    prefixes are kept as sorted, disjoint slot ranges (``held``), looked up by bisection.
    """

    __slots__ = (
        "base",
        "count",
        "cursor",
        "held",
        "held_stops",
        "length",
        "make",
        "owner",
        "pool",
        "step",
        "wide",
    )
    WIDE = 4096

    def __init__(self, pool: Pool, reservations: Sequence[Reservation] = ()) -> None:
        self.pool = pool
        self.length = pool.subnet_length
        self.base = int(pool.prefix.network_address)
        self.step = 1 << (pool.prefix.max_prefixlen - pool.subnet_length)
        self.count = 1 << (pool.subnet_length - pool.prefix.prefixlen)
        self.owner: dict[int, SubnetKey] = {}
        self.wide: list[tuple[range, SubnetKey]] = []
        self.cursor = 0
        self.make = ipaddress.IPv4Network if pool.prefix.version == 4 else ipaddress.IPv6Network
        # reservations are disjoint and in address order, so their slot ranges are in order too
        self.held: list[tuple[range, Reservation]] = []
        for reservation in reservations:
            start = max(0, (reservation.first - self.base) // self.step)
            stop = min(self.count, (reservation.last - self.base) // self.step + 1)
            if start < stop:
                self.held.append((range(start, stop), reservation))
        self.held_stops = [taken.stop for taken, _ in self.held]

    def span(self, subnet: IPNetwork) -> range:
        start = int(subnet.network_address) - self.base
        return range(start // self.step, (start + subnet_size(subnet) - 1) // self.step + 1)

    def holder(self, slots: range) -> SubnetKey | None:
        for taken, key in self.wide:
            if taken.start < slots.stop and slots.start < taken.stop:
                return key
        if len(slots) <= self.WIDE:
            candidates: Iterable[int] = (slot for slot in slots if slot in self.owner)
        else:
            candidates = sorted(slot for slot in self.owner if slot in slots)
        return next((self.owner[slot] for slot in candidates), None)

    def reservation(self, slots: range) -> Reservation | None:
        """The first reservation that takes any of ``slots``."""
        index = bisect_right(self.held_stops, slots.start)
        if index < len(self.held) and self.held[index][0].start < slots.stop:
            return self.held[index][1]
        return None

    def _held_range(self, slot: int) -> range | None:
        index = bisect_right(self.held_stops, slot)
        if index < len(self.held) and self.held[index][0].start <= slot:
            return self.held[index][0]
        return None

    def take(self, slots: range, key: SubnetKey) -> None:
        if len(slots) > self.WIDE:
            self.wide.append((slots, key))
            return
        for slot in slots:
            self.owner[slot] = key

    def take_next(self, key: SubnetKey) -> IPNetwork | None:
        while self.cursor < self.count:
            if self.cursor in self.owner:
                self.cursor += 1
                continue
            covering = next((taken for taken, _ in self.wide if self.cursor in taken), None)
            if covering is None and self.held:
                covering = self._held_range(self.cursor)
            if covering is None:
                break
            self.cursor = covering.stop
        if self.cursor >= self.count:
            return None
        slot = self.cursor
        self.owner[slot] = key
        self.cursor += 1
        return self.make((self.base + slot * self.step, self.length))


@dataclass
class _Need:
    request: AttachmentRequest
    network: str
    functions: tuple[str, ...]
    site_pools: SitePools | None
    families: list[Family] = field(default_factory=list)


class _Allocator:
    def __init__(self, catalog: PoolCatalog, table: AttachmentTable) -> None:
        self.catalog = catalog
        self.table = table
        self.errors: list[Finding] = []
        self.warnings: list[Finding] = []
        self.slots: dict[tuple[int, int, int, int], _Slots] = {}
        self.vlan_owner: dict[str, dict[int, NetKey]] = {}
        self.vlan_cursor: dict[str, int] = {}
        self.loose: list[tuple[IPNetwork, SubnetKey]] = []  # hand-set subnets outside any pool
        self.vlans: dict[NetKey, int] = {}
        self.subnets: dict[SubnetKey, tuple[IPNetwork, IPAddress, Origin | None]] = {}
        self.needs: dict[NetKey, _Need] = {}
        self.exhausted: dict[tuple[str, str], tuple[Origin, str, str, list[str]]] = {}

    # --- driver ----------------------------------------------------------------------------
    def run(self, requests: list[AttachmentRequest], hints: Hints) -> AllocationPlan:
        self._collect_needs(requests)
        vlan_hints = self._group(hints.vlans, "VLAN")
        subnet_hints = self._group(hints.subnets, "subnet")
        address_hints: dict[tuple[str, ...], list[AddressHint]] = {}
        for key, group in self._group(hints.addresses, "address").items():
            address_hints.setdefault(key[:4], []).extend(group)
        self._add_pinned_families(subnet_hints)
        self._check_pools_exist()
        for pinned in (True, False):
            for key in sorted(vlan_hints, key=_key_order):
                if key in self.needs:
                    self._place_vlan(key, [h for h in vlan_hints[key] if h.pinned is pinned])
        for pinned in (True, False):
            for key in sorted(subnet_hints, key=_key_order):
                if key[:3] in self.needs:
                    self._place_subnet(key, [h for h in subnet_hints[key] if h.pinned is pinned])
        for key in sorted(self.needs, key=_key_order):
            self._fresh(key)
        allocations = [self._finish(key, address_hints) for key in sorted(self.needs, key=_key_order)]
        self._report_exhaustion()
        if self.errors:
            raise DomainError(self.errors + self.warnings)
        return AllocationPlan(tuple(a for a in allocations if a is not None), tuple(self.warnings))

    def _collect_needs(self, requests: list[AttachmentRequest]) -> None:
        seen: dict[str, AttachmentRequest] = {}
        for request in sorted(requests, key=lambda r: (r.site, r.name)):
            if request.name in seen:
                self.errors.append(
                    request.origin.finding(
                        f"{request.origin.resource} appears twice (sites {seen[request.name].site} and "
                        f"{request.site}); request names must be unique",
                        rule=rules.COLLISION,
                    )
                )
                continue
            seen[request.name] = request
            site_pools = self.catalog.for_site(request.site)
            for network, functions in request.networks(self.table).items():
                need = _Need(request, network, functions, site_pools)
                if site_pools is not None:
                    need.families.extend(site_pools.families(network))
                self.needs[(request.site, request.name, network)] = need

    def _group(self, hints: Sequence[_H], what: str) -> dict[tuple[str, ...], list[_H]]:
        grouped: dict[tuple[str, ...], list[_H]] = {}
        for hint in hints:
            net_key = (hint.site, hint.request, hint.network)
            need = self.needs.get(net_key)
            used = need is not None and (not isinstance(hint, AddressHint) or hint.function in need.functions)
            if not used:
                if hint.pinned:
                    self.warnings.append(
                        hint.origin.finding(
                            f"{what} for network {hint.network} is ignored: no function of "
                            f"{hint.origin.resource} attaches to it",
                            rule=rules.UNUSED_PIN,
                            severity="warning",
                        )
                    )
                continue
            grouped.setdefault(hint.key, []).append(hint)
        for group in grouped.values():
            group.sort(key=lambda h: (h.origin.kind, h.origin.name, h.origin.field))
        return grouped

    def _add_pinned_families(self, subnet_hints: Mapping[tuple[str, ...], list[SubnetHint]]) -> None:
        for key, hints in subnet_hints.items():
            need = self.needs[key[:3]]
            family = key[3]
            if family not in need.families and any(h.pinned for h in hints):
                need.families.append(family)
                need.families.sort(key=FAMILIES.index)

    def _check_pools_exist(self) -> None:
        missing: dict[str, list[NetKey]] = {}
        for key, need in self.needs.items():
            if not need.families:
                missing.setdefault(need.request.name, []).append(key)
        for name in sorted(missing, key=lambda n: missing[n][0][:2]):
            keys = sorted(missing[name], key=_key_order)
            request = self.needs[keys[0]].request
            site = request.site
            networks = [key[2] for key in keys]
            if self.needs[keys[0]].site_pools is None:
                problem = f"site {site} has no network block"
            else:
                problem = f"site {site} has no pool for network {', '.join(networks)}"
            self.errors.append(
                request.origin.at("spec", "templateParameters", "networkFunctions").finding(
                    f"{problem} (needed by {request.origin.resource}): add "
                    f"spec.sites[].network.networks.{{{','.join(networks)}}} for site {site} to the "
                    "OCloudSiteCatalog or the network-config function config",
                    rule=rules.NO_POOL,
                )
            )
            for key in keys:
                del self.needs[key]

    # --- VLANs -----------------------------------------------------------------------------
    def _place_vlan(self, key: NetKey, hints: list[VlanHint]) -> None:
        if not hints or key in self.vlans:
            return
        if hints[0].pinned and len({h.vlan for h in hints}) > 1:
            values = ", ".join(f"{h.vlan} at {h.origin.field}" for h in hints)
            self._reject(hints[1], Problem(f"conflicting VLANs for network {key[2]}: {values}", rules.CONFLICTING_PINS))
            return
        for hint in hints:
            problem = self._vlan_problem(key, hint)
            if problem is None:
                self.vlans[key] = hint.vlan
                self.vlan_owner.setdefault(key[0], {})[hint.vlan] = key
                return
            self._reject(hint, problem)

    def _vlan_problem(self, key: NetKey, hint: VlanHint) -> Problem | None:
        site_pools = self.needs[key].site_pools
        vlan_range = site_pools.vlan_range if site_pools is not None else None
        if vlan_range is not None and hint.vlan not in vlan_range:
            return Problem(
                f"VLAN {hint.vlan} for network {key[2]} is outside the VLAN range {vlan_range} of site "
                f"{key[0]} ({vlan_range.origin.resource} {vlan_range.origin.field})",
                rules.VLAN_OUT_OF_RANGE,
            )
        if vlan_range is None and not 1 <= hint.vlan <= 4094:
            return Problem(f"VLAN {hint.vlan} is not a VLAN ID (1-4094)", rules.VLAN_OUT_OF_RANGE)
        reserved = site_pools.reserved.vlan_origin(hint.vlan) if site_pools is not None else None
        if reserved is not None:
            return Problem(
                f"VLAN {hint.vlan} for network {key[2]} at site {key[0]} is reserved "
                f"({reserved.resource} {reserved.field})",
                rules.COLLISION,
                held=True,
            )
        holder = self.vlan_owner.get(key[0], {}).get(hint.vlan)
        if holder is not None and holder != key:
            return Problem(
                f"VLAN {hint.vlan} at site {key[0]} is already used by network {holder[2]} of "
                f"ProvisioningRequest {holder[1]}",
                rules.COLLISION,
            )
        return None

    def _next_vlan(self, key: NetKey, vlan_range: VlanRange, reserved: ReservedValues = NO_RESERVED) -> int | None:
        site = key[0]
        used = self.vlan_owner.setdefault(site, {})
        vlan = max(self.vlan_cursor.get(site, vlan_range.start), vlan_range.start)
        while vlan <= vlan_range.end and (vlan in used or reserved.holds_vlan(vlan)):
            vlan += 1
        self.vlan_cursor[site] = vlan + 1
        if vlan > vlan_range.end:
            return None
        used[vlan] = key
        return vlan

    # --- subnets ---------------------------------------------------------------------------
    def _place_subnet(self, key: SubnetKey, hints: list[SubnetHint]) -> None:
        if not hints or key in self.subnets:
            return
        if hints[0].pinned:
            merged = self._merge_pins(key, hints)
            if merged is None:
                return
            hints = [merged]
        for hint in hints:
            problem = self._subnet_problem(key, hint)
            if problem is not None:
                self._reject(hint, problem)
                continue
            pool = self._pool(key)
            if pool is not None:
                slots = self._slots(pool)
                slots.take(slots.span(hint.subnet), key)
            else:
                self.loose.append((hint.subnet, key))
            gateway = hint.gateway or address_at(hint.subnet, GATEWAY_OFFSET)
            self.subnets[key] = (hint.subnet, gateway, hint.origin)
            return

    def _merge_pins(self, key: SubnetKey, hints: list[SubnetHint]) -> SubnetHint | None:
        """One hand-set subnet from several places (the seed's triplet and networks.<name>), or
        None after reporting that they disagree."""
        subnets = {h.subnet for h in hints}
        gateways = {h.gateway for h in hints if h.gateway is not None}
        if len(subnets) > 1 or len(gateways) > 1:
            values = ", ".join(f"{h.subnet} gateway {h.gateway} at {h.origin.field}" for h in hints)
            problem = Problem(f"conflicting {key[3]} subnets for network {key[2]}: {values}", rules.CONFLICTING_PINS)
            self._reject(hints[1], problem)
            return None
        return next((h for h in hints if h.gateway is not None), hints[0])

    def _pool(self, key: SubnetKey) -> Pool | None:
        site_pools = self.needs[key[:3]].site_pools
        return site_pools.pool(key[2], key[3]) if site_pools is not None else None

    def _subnet_problem(self, key: SubnetKey, hint: SubnetHint) -> Problem | None:
        subnet = hint.subnet
        small = too_small_reason(subnet)
        if small is not None:
            return Problem(small, rules.INVALID_VALUE)
        pool = self._pool(key)
        if pool is not None:
            if not subnet.subnet_of(pool.prefix):  # type: ignore[arg-type]
                return Problem(
                    f"subnet {subnet} for network {key[2]} is outside its pool {pool.prefix} "
                    f"({pool.origin.resource} {pool.origin.field})",
                    rules.SUBNET_OUTSIDE_POOL,
                )
            slots = self._slots(pool)
            span = slots.span(subnet)
            reservation = slots.reservation(span)
            if reservation is not None:
                return _reserved_subnet(subnet, key, reservation)
            holder = slots.holder(span)
            if holder is not None and holder != key:
                return Problem(
                    f"subnet {subnet} overlaps the {holder[3]} subnet of network {holder[2]} of "
                    f"ProvisioningRequest {holder[1]} at site {holder[0]}",
                    rules.COLLISION,
                )
        else:
            for other in self.catalog.all_pools():
                if other.prefix.version == subnet.version and other.prefix.overlaps(subnet):  # type: ignore[arg-type]
                    return Problem(
                        f"subnet {subnet} lies in pool {other.prefix} of network {other.network} "
                        f"({other.origin.resource} {other.origin.field}); pick a subnet outside the pools "
                        f"or add a {key[3]} pool for network {key[2]}",
                        rules.COLLISION,
                    )
            reservation = self.catalog.reserved_prefixes.first_overlap(subnet)
            if reservation is not None:
                return _reserved_subnet(subnet, key, reservation)
            for placed, owner in self.loose:
                if placed.version == subnet.version and placed.overlaps(subnet):  # type: ignore[arg-type]
                    return Problem(
                        f"subnet {subnet} overlaps subnet {placed} of network {owner[2]} of "
                        f"ProvisioningRequest {owner[1]}",
                        rules.COLLISION,
                    )
        if hint.gateway is not None:
            reason = usable_reason(subnet, hint.gateway)
            if reason is not None:
                rule = (
                    rules.GATEWAY_OUTSIDE_SUBNET if offset_in(subnet, hint.gateway) is None else rules.ADDRESS_INVALID
                )
                return Problem(
                    f"gateway {hint.gateway} cannot serve subnet {subnet}: {reason}", rule, hint.gateway_origin
                )
        return None

    def _slots(self, pool: Pool) -> _Slots:
        slots = self.slots.get(pool.identity)
        if slots is None:
            reserved = self.catalog.reserved_prefixes
            reservations = reserved.overlapping(pool.prefix) if reserved else ()
            slots = self.slots[pool.identity] = _Slots(pool, reservations)
        return slots

    # --- fresh values ----------------------------------------------------------------------
    def _fresh(self, key: NetKey) -> None:
        need = self.needs[key]
        if key not in self.vlans:
            if need.site_pools is None:
                self.errors.append(
                    need.request.origin.finding(
                        f"site {key[0]} has no VLAN range: set networkConfig.vlan by hand or add a network "
                        "block for the site",
                        rule=rules.NO_POOL,
                    )
                )
            else:
                vlan = self._next_vlan(key, need.site_pools.vlan_range, need.site_pools.reserved)
                if vlan is None:
                    what = f"VLAN range {need.site_pools.vlan_range} of site {key[0]}"
                    self._exhausted(need.site_pools.vlan_range.origin, what, "widen the range", key)
                else:
                    self.vlans[key] = vlan
        for family in need.families:
            subnet_key = (*key, family)
            if subnet_key in self.subnets:
                continue
            pool = need.site_pools.pool(key[2], family) if need.site_pools is not None else None
            if pool is None:
                continue  # only pinned families lack a pool, and a rejected pin is already an error
            subnet = self._slots(pool).take_next(subnet_key)
            if subnet is None:
                what = f"{family} pool {pool.prefix} of network {key[2]} (/{pool.subnet_length} subnets)"
                self._exhausted(pool.origin, what, "widen the pool or carve smaller subnets", key)
                continue
            gateway = type(subnet.network_address)(int(subnet.network_address) + GATEWAY_OFFSET)
            self.subnets[subnet_key] = (subnet, gateway, None)

    def _exhausted(self, origin: Origin, what: str, advice: str, key: NetKey) -> None:
        entry = self.exhausted.setdefault((origin.resource, origin.field), (origin, what, advice, []))
        if key[1] not in entry[3]:
            entry[3].append(key[1])

    def _report_exhaustion(self) -> None:
        for origin, what, advice, requests in self.exhausted.values():
            shown = ", ".join(requests[:5]) + (f" and {len(requests) - 5} more" if len(requests) > 5 else "")
            self.errors.append(
                origin.finding(
                    f"{what} is exhausted: no room left for {len(requests)} request(s) ({shown}); {advice}",
                    rule=rules.POOL_EXHAUSTED,
                )
            )

    # --- addresses -------------------------------------------------------------------------
    def _finish(
        self, key: NetKey, address_hints: Mapping[tuple[str, ...], list[AddressHint]]
    ) -> NetworkAllocation | None:
        need = self.needs[key]
        vlan = self.vlans.get(key)
        families = []
        for family in need.families:
            placed = self.subnets.get((*key, family))
            if placed is None:
                continue
            subnet, gateway, origin = placed
            addresses = self._addresses(key, family, subnet, gateway, origin, need, address_hints)
            if addresses is not None:
                families.append(FamilyAllocation(family, subnet, gateway, addresses))
        if vlan is None or len(families) != len(need.families):
            return None
        return NetworkAllocation(key[0], key[1], key[2], vlan, need.functions, tuple(families))

    def _addresses(
        self,
        key: NetKey,
        family: Family,
        subnet: IPNetwork,
        gateway: IPAddress,
        origin: Origin | None,
        need: _Need,
        address_hints: Mapping[tuple[str, ...], list[AddressHint]],
    ) -> tuple[tuple[str, IPAddress], ...] | None:
        gateway_offset = int(gateway) - int(subnet.network_address)
        used: dict[int, str] = {gateway_offset: "the gateway"}
        chosen: dict[str, IPAddress] = {}
        hints_here = address_hints.get((*key, family), ())
        for pinned in (True, False) if hints_here else ():
            for function in need.functions:
                if function in chosen:
                    continue
                for hint in hints_here:
                    if hint.pinned is not pinned or hint.function != function:
                        continue
                    problem = self._address_problem(subnet, hint, used)
                    if problem is None:
                        chosen[function] = hint.address
                        used[offset_in(subnet, hint.address)] = function  # type: ignore[index]
                        break
                    # a record that died with its recorded subnet is not worth a warning of its own
                    if pinned or origin is not None:
                        self._reject(hint, problem)
        offset = 1
        last = last_usable_offset(subnet)
        inner = reserved_inner_block(subnet)
        base = int(subnet.network_address)
        make = type(subnet.network_address)
        for function in need.functions:
            if function in chosen:
                continue
            while offset <= last and (offset in used or _inside(offset, inner)):
                offset += 1
            if offset > last:
                where = origin or self._pool_length_origin(need, family) or need.request.origin
                self.errors.append(
                    where.finding(
                        f"subnet {subnet} of network {key[2]} ({need.request.origin.resource}) has no free "
                        f"address left for {function}: use a larger subnet",
                        rule=rules.POOL_EXHAUSTED,
                    )
                )
                return None
            chosen[function] = make(base + offset)
            used[offset] = function
        return tuple((function, chosen[function]) for function in need.functions)

    @staticmethod
    def _address_problem(subnet: IPNetwork, hint: AddressHint, used: Mapping[int, str]) -> Problem | None:
        reason = usable_reason(subnet, hint.address)
        if reason is not None:
            return Problem(
                f"address {hint.address} for {hint.function} on network {hint.network}: {reason}",
                rules.ADDRESS_INVALID,
            )
        holder = used.get(offset_in(subnet, hint.address))  # type: ignore[arg-type]
        if holder is not None:
            return Problem(
                f"address {hint.address} for {hint.function} on network {hint.network} is already "
                f"{holder if holder == 'the gateway' else 'the address of ' + holder}",
                rules.COLLISION,
            )
        return None

    @staticmethod
    def _pool_length_origin(need: _Need, family: Family) -> Origin | None:
        pool = need.site_pools.pool(need.network, family) if need.site_pools is not None else None
        return pool.length_origin if pool is not None else None

    # --- findings --------------------------------------------------------------------------
    def _reject(self, hint: VlanHint | SubnetHint | AddressHint, problem: Problem) -> None:
        message, rule, blame, held = problem
        where = blame or hint.origin
        if held and not hint.pinned:
            # a value this package already holds is held elsewhere too: moving it silently
            # would renumber a live network, so a person decides which of the two gives it up
            self.errors.append(
                where.finding(
                    f"{message} but already allocated here ({hint.origin.resource}); free one of the two: "
                    "drop the reservation, or delete this claim and the value in "
                    "spec.templateParameters.networkConfig to have another one allocated",
                    rule=rule,
                )
            )
            return
        if hint.pinned:
            advice = "" if rule == rules.CONFLICTING_PINS else "; change the value, or remove it to have one allocated"
            self.errors.append(where.finding(message + advice, rule=rule))
        else:
            self.warnings.append(
                where.finding(
                    f"recorded allocation dropped and allocated again: {message}",
                    rule=rules.RECORD_DROPPED,
                    severity="warning",
                )
            )


def _reserved_subnet(subnet: IPNetwork, key: SubnetKey, reservation: Reservation) -> Problem:
    return Problem(
        f"subnet {subnet} for network {key[2]} overlaps reserved prefix {reservation.prefix} "
        f"({reservation.origin.resource} {reservation.origin.field})",
        rules.COLLISION,
        held=True,
    )


def _inside(offset: int, block: tuple[int, int] | None) -> bool:
    return block is not None and block[0] <= offset <= block[1]


def _key_order(key: tuple[str, ...]) -> tuple[object, ...]:
    site, request, network, *rest = key
    return (site, request, network_sort_key(network), *rest)
