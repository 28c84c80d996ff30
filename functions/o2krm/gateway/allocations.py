"""Network values held by intents, so that no two intents get the same VLAN or subnet.

network-config allocates within one package: two intents rendered against the same site
catalog would get the same VLANs and subnets. The gateway is the allocator of record across
intents: the ledger knows what each intent's ProvisioningRequests hold (rebuilt from the store
at start), and before an intent is rendered the values the *other* intents hold are written into
its package's site catalog as ``network.reserved`` (which network-config never hands out).
Renders read and take values one after another (in the rendering process, which keeps a ledger
of its own in step, see render_worker.py; or in the gateway under the ledger's lock), so two
concurrent intents cannot pick the same ones; an intent holds its values until it is deleted.

The reservations are part of the published package, so ``kpt fn render`` of a published
revision allocates exactly what the gateway did.
"""

from __future__ import annotations

import functools
import ipaddress
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from o2krm.oran import vocabulary as v
from o2krm.sdk import yamlio
from o2krm.tools import pipeline

CATALOG_KIND = "OCloudSiteCatalog"
CATALOG_GROUP = "o2krm.io"


@dataclass(frozen=True)
class Holdings:
    """VLANs per site, and subnets (anywhere: pools may be shared by sites)."""

    vlans: frozenset[tuple[str, int]] = frozenset()
    prefixes: frozenset[str] = frozenset()

    def __or__(self, other: Holdings) -> Holdings:
        return Holdings(self.vlans | other.vlans, self.prefixes | other.prefixes)

    def __bool__(self) -> bool:
        return bool(self.vlans or self.prefixes)

    def to_json(self) -> dict[str, Any]:
        return {"vlans": sorted([site, vlan] for site, vlan in self.vlans), "prefixes": sorted(self.prefixes)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Holdings:
        data = data or {}
        return cls(
            frozenset((str(site), int(vlan)) for site, vlan in data.get("vlans") or ()),
            frozenset(str(prefix) for prefix in data.get("prefixes") or ()),
        )


def held_by(requests: Mapping[str, Mapping[str, Any]]) -> Holdings:
    """What the ProvisioningRequests ``requests`` hold: each network's VLAN at the request's
    site, and its subnets (network-config writes them into ``templateParameters.networkConfig``)."""
    vlans: set[tuple[str, int]] = set()
    prefixes: set[str] = set()
    for request in requests.values():
        site = ((request.get("metadata") or {}).get("labels") or {}).get(v.LABEL_SITE)
        config = ((request.get("spec") or {}).get("templateParameters") or {}).get("networkConfig")
        if not isinstance(site, str) or not isinstance(config, Mapping):
            continue
        networks = config.get("networks") if isinstance(config.get("networks"), Mapping) else {}
        blocks: list[Any] = [config, *networks.values()]
        for block in blocks:
            if not isinstance(block, Mapping):
                continue
            if isinstance(block.get("vlan"), int):
                vlans.add((site, block["vlan"]))
            for subnet in (block.get("subnet"), *(_subnet(block.get(f)) for f in ("ipv4", "ipv6"))):
                if isinstance(subnet, str):
                    prefixes.add(subnet)
    return Holdings(frozenset(vlans), frozenset(prefixes))


def _subnet(family: Any) -> Any:
    return family.get("subnet") if isinstance(family, Mapping) else None


@dataclass(frozen=True)
class Reserved:
    """What one render must not hand out, ready to be written into site catalogs: per site the
    VLANs held there as short ranges, and every held subnet with adjacent ones merged (held
    subnets are handed out lowest first, so this stays a few lines however many intents hold
    values). Small to send to the render process, whatever the number of intents."""

    vlans: Mapping[str, tuple[int | str, ...]] = field(default_factory=dict)
    prefixes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.vlans or self.prefixes)

    @classmethod
    def of(cls, held: Holdings) -> Reserved:
        by_site: dict[str, list[int]] = {}
        for site, vlan in held.vlans:
            by_site.setdefault(site, []).append(vlan)
        return cls(
            {site: tuple(_as_ranges(sorted(vlans))) for site, vlans in sorted(by_site.items())},
            _merged(_network(p) for p in held.prefixes),
        )

    def to_json(self) -> dict[str, Any]:
        return {"vlans": {site: list(ranges) for site, ranges in self.vlans.items()}, "prefixes": list(self.prefixes)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Reserved:
        vlans = data.get("vlans") or {}
        return cls(
            {str(site): tuple(r if isinstance(r, int) else str(r) for r in ranges) for site, ranges in vlans.items()},
            tuple(str(p) for p in data.get("prefixes") or ()),
        )


class Ledger:
    """What each intent holds. Callers serialise read-render-hold with ``lock``.

    What everybody holds is kept up to date as intents take and release values (counted, so
    that values two intents happen to share stay held until both let go), and ready as
    Reserved until the next change: a render costs the same with ten intents held or thousands.
    """

    def __init__(self, held: Mapping[str, Holdings] | None = None) -> None:
        self.lock = threading.Lock()
        self._held: dict[str, Holdings] = {}
        self._vlans: dict[str, dict[int, int]] = {}  # site -> VLAN -> how many intents hold it
        self._prefixes: dict[str, int] = {}  # subnet -> how many intents hold it
        self._ranges: dict[str, tuple[int | str, ...]] = {}  # per site, dropped when it changes
        self._merged: tuple[str, ...] | None = ()  # every held subnet merged; None: to merge afresh
        self._added: list[str] = []  # subnets added since ``_merged``
        self._everything: Reserved | None = None  # until the next change
        for intent_id, holdings in (held or {}).items():
            self.hold(intent_id, holdings)

    def holdings(self) -> dict[str, Holdings]:
        """What each intent holds (a copy)."""
        return dict(self._held)

    def others(self, intent_id: str) -> Reserved:
        """What intents other than ``intent_id`` hold (for a new intent: what everybody holds,
        the same object until something changes)."""
        mine = self._held.get(intent_id)
        if mine is None:
            return self._all()
        # Everything held, less what only this intent holds.
        vlans = {
            (site, vlan)
            for site, counts in self._vlans.items()
            for vlan, holders in counts.items()
            if holders > 1 or (site, vlan) not in mine.vlans
        }
        prefixes = {prefix for prefix, holders in self._prefixes.items() if holders > 1 or prefix not in mine.prefixes}
        return Reserved.of(Holdings(frozenset(vlans), frozenset(prefixes)))

    def hold(self, intent_id: str, held: Holdings) -> Holdings | None:
        """Record what ``intent_id`` holds now; returns what it held before (None: nothing)."""
        previous = self._held.pop(intent_id, None)
        if held:
            self._count(held, +1)
            self._held[intent_id] = held
        if previous is not None:
            self._count(previous, -1)
        return previous

    def release(self, intent_id: str) -> None:
        self.hold(intent_id, Holdings())

    def restore(self, intent_id: str, previous: Holdings | None) -> None:
        """Undo a ``hold`` whose intent was not stored after all."""
        self.hold(intent_id, previous or Holdings())

    def _count(self, held: Holdings, step: int) -> None:
        self._everything = None
        for site, vlan in held.vlans:
            counts = self._vlans.setdefault(site, {})
            left = counts.get(vlan, 0) + step
            if left > 0:
                counts[vlan] = left
            else:
                counts.pop(vlan, None)
            self._ranges.pop(site, None)
        for prefix in held.prefixes:
            left = self._prefixes.get(prefix, 0) + step
            if left > 0:
                if prefix not in self._prefixes:
                    self._added.append(prefix)
                self._prefixes[prefix] = left
            else:
                self._prefixes.pop(prefix, None)
                self._merged, self._added = None, []  # merging cannot be undone: merge afresh

    def _all(self) -> Reserved:
        if self._everything is None:
            for site, counts in self._vlans.items():
                if site not in self._ranges:
                    self._ranges[site] = tuple(_as_ranges(sorted(counts))) if counts else ()
            if self._merged is None:
                self._merged = _merged(_network(p) for p in self._prefixes)
            elif self._added:
                self._merged = _merged([*map(_network, self._merged), *map(_network, self._added)])
            self._added = []
            vlans = {site: ranges for site, ranges in sorted(self._ranges.items()) if ranges}
            self._everything = Reserved(vlans, self._merged)
        return self._everything


# --- writing reservations into a package ------------------------------------------------------------
def with_reservations(files: Mapping[str, str], reserved: Reserved) -> dict[str, str]:
    """``files`` with ``reserved`` written into every site catalog: per site with a network
    block, its VLANs held elsewhere and the held subnets inside its pools."""
    if not reserved:
        return dict(files)
    out = dict(files)
    for path, text in files.items():
        documents = pipeline.split_documents(text)
        changed = [_reserve_in(document, reserved) for document in documents]
        if any(new is not None for new in changed):
            kept = (new if new is not None else old for old, new in zip(documents, changed, strict=True))
            out[path] = "---\n".join(kept)
    return out


def _merged(networks: Iterable[_Net | None]) -> tuple[str, ...]:
    """The subnets as few prefixes as cover the same addresses, in address order."""
    known = [net for net in networks if net is not None]
    merged = [
        net for version in (4, 6) for net in ipaddress.collapse_addresses(n for n in known if n.version == version)
    ]
    return tuple(str(net) for net in sorted(merged, key=_network_key))


def _reserve_in(document: str, reserved: Reserved) -> str | None:
    """``document`` with reservations added when it is a site catalog (else None)."""
    if CATALOG_KIND not in document:
        return None
    from o2krm.sdk.kubeobject import _plain_copy
    from o2krm.sdk.patch import patch_text

    node = yamlio.compose(document)
    if node is None:
        return None
    original = yamlio.construct(document, node)
    if not _is_catalog(original):
        return None
    changed = _plain_copy(original)
    touched = False
    for site in (changed.get("spec") or {}).get("sites") or []:
        if not isinstance(site, dict) or not isinstance(site.get("network"), dict):
            continue
        block = _reserved_for(str(site.get("name")), site["network"], reserved)
        if block:
            site["network"]["reserved"] = block
            touched = True
    return patch_text(document, node, original, changed) if touched else None


def _is_catalog(resource: Any) -> bool:
    return (
        isinstance(resource, dict)
        and resource.get("kind") == CATALOG_KIND
        and str(resource.get("apiVersion", "")).partition("/")[0] == CATALOG_GROUP
    )


def _reserved_for(site: str, network: Mapping[str, Any], reserved: Reserved) -> dict[str, Any]:
    block: dict[str, Any] = {}
    if reserved.vlans.get(site):
        block["vlans"] = list(reserved.vlans[site])
    pools = [_span(pool) for pool in _pools_of(network)]
    inside = [prefix for prefix in reserved.prefixes if _inside_any(prefix, pools)]
    if inside:
        block["prefixes"] = inside
    return block


_Net = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=1 << 16)  # the same held subnets are read for every render
def _network(prefix: str) -> _Net | None:
    try:
        return ipaddress.ip_network(prefix, strict=False)
    except ValueError:
        return None


@functools.lru_cache(maxsize=1 << 16)
def _span(prefix: str) -> tuple[int, int, int] | None:
    """(IP version, first address, last address) of a prefix, as numbers."""
    net = _network(prefix)
    if net is None:
        return None
    first = int(net.network_address)
    return net.version, first, first + net.num_addresses - 1


def _pools_of(network: Mapping[str, Any]) -> Iterable[str]:
    for pool in (network.get("networks") or {}).values():
        if not isinstance(pool, Mapping):
            continue
        for key in ("ipv4Prefix", "ipv6Prefix"):
            if key in pool:
                yield str(pool[key])


def _inside_any(prefix: str, pools: list[tuple[int, int, int] | None]) -> bool:
    """Whether ``prefix`` overlaps any of ``pools``."""
    span = _span(prefix)
    if span is None:
        return False
    version, first, last = span
    return any(p is not None and p[0] == version and p[1] <= last and first <= p[2] for p in pools)


def _network_key(net: ipaddress.IPv4Network | ipaddress.IPv6Network) -> tuple[int, int, int]:
    return net.version, int(net.network_address), net.prefixlen


def _as_ranges(vlans: list[int]) -> list[int | str]:
    """Sorted VLAN IDs as a short list: runs of three or more as "a-b"."""
    out: list[int | str] = []
    start = previous = vlans[0]
    for vlan in [*vlans[1:], None]:
        if vlan is not None and vlan == previous + 1:
            previous = vlan
            continue
        if previous - start >= 2:
            out.append(f"{start}-{previous}")
        else:
            out.extend(range(start, previous + 1))
        if vlan is not None:
            start = previous = vlan
    return out
