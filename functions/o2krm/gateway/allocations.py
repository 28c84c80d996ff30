"""Network values held by intents, so that no two intents get the same VLAN or subnet.

network-config allocates within one package: two intents rendered against the same site
catalog would get the same VLANs and subnets. The gateway is the allocator of record across
intents: the ledger knows what each intent's ProvisioningRequests hold (rebuilt from the store
at start), and before an intent is rendered the values the *other* intents hold are written into
its package's site catalog as ``network.reserved`` (which network-config never hands out). One
render at a time reads and takes values (the caller's lock), so two concurrent intents cannot
pick the same ones; an intent holds its values until it is deleted.

The reservations are part of the published package, so ``kpt fn render`` of a published
revision allocates exactly what the gateway did.
"""

from __future__ import annotations

import functools
import ipaddress
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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


class Ledger:
    """What each intent holds. Callers serialise read-render-hold with ``lock``."""

    def __init__(self, held: Mapping[str, Holdings] | None = None) -> None:
        self.lock = threading.Lock()
        self._held: dict[str, Holdings] = dict(held or {})
        self._all: Holdings | None = None  # everything held, kept until the next change

    def others(self, intent_id: str) -> Holdings:
        """Everything held by intents other than ``intent_id`` (for a new intent: the same
        object until something changes, so what is derived from it can be cached)."""
        if intent_id not in self._held:
            if self._all is None:
                self._all = self._union("")
            return self._all
        return self._union(intent_id)

    def _union(self, intent_id: str) -> Holdings:
        vlans: set[tuple[str, int]] = set()
        prefixes: set[str] = set()
        for owner, held in self._held.items():
            if owner != intent_id:
                vlans.update(held.vlans)
                prefixes.update(held.prefixes)
        return Holdings(frozenset(vlans), frozenset(prefixes))

    def hold(self, intent_id: str, held: Holdings) -> Holdings | None:
        """Record what ``intent_id`` holds now; returns what it held before (None: nothing)."""
        previous = self._held.get(intent_id)
        self._all = None
        if held:
            self._held[intent_id] = held
        else:
            self._held.pop(intent_id, None)
        return previous

    def release(self, intent_id: str) -> None:
        self._all = None
        self._held.pop(intent_id, None)

    def restore(self, intent_id: str, previous: Holdings | None) -> None:
        """Undo a ``hold`` whose intent was not stored after all."""
        self._all = None
        if previous is None:
            self._held.pop(intent_id, None)
        else:
            self._held[intent_id] = previous


# --- writing reservations into a package ------------------------------------------------------------
def with_reservations(files: Mapping[str, str], reserved: Holdings) -> dict[str, str]:
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


@dataclass(frozen=True)
class _Prepared:
    vlans: dict[str, list[int | str]]  # site -> VLANs as short ranges
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]  # every held subnet, merged


def _prepared(reserved: Holdings) -> _Prepared:
    """``reserved`` ready to be written: VLANs as ranges per site, subnets merged. Renders come
    one after another with what others hold growing by one intent's values each time, so the
    subnets already merged for the previous render are merged with only the new ones."""
    with _LAST_LOCK:
        last = _LAST[0] if _LAST else None
    if last is not None and last[0] == reserved:
        return last[1]
    by_site: dict[str, list[int]] = {}
    for site, vlan in reserved.vlans:
        by_site.setdefault(site, []).append(vlan)
    if last is not None and last[0].prefixes <= reserved.prefixes:
        start, new = list(last[1].networks), reserved.prefixes - last[0].prefixes
    else:
        start, new = [], reserved.prefixes
    parsed = start + [net for net in map(_network, new) if net is not None]
    # Adjacent subnets merge into one prefix (the same addresses): held subnets are handed out
    # lowest first, so a pool's reservations stay a few lines however many intents hold them.
    merged = [
        net for version in (4, 6) for net in ipaddress.collapse_addresses(n for n in parsed if n.version == version)
    ]
    prepared = _Prepared(
        {site: _as_ranges(sorted(vlans)) for site, vlans in by_site.items()},
        tuple(sorted(merged, key=_network_key)),
    )
    with _LAST_LOCK:
        _LAST[:] = [(reserved, prepared)]
    return prepared


_LAST: list[tuple[Holdings, _Prepared]] = []  # the last one prepared
_LAST_LOCK = threading.Lock()


def _reserve_in(document: str, reserved: Holdings) -> str | None:
    """``document`` with reservations added when it is a site catalog (else None)."""
    if CATALOG_KIND not in document:
        return None
    from o2krm.sdk.patch import patch_text

    node = yamlio.compose(document)
    if node is None:
        return None
    original = yamlio.construct(document, node)
    if not _is_catalog(original):
        return None
    changed = yamlio.construct(document, node)
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


def _reserved_for(site: str, network: Mapping[str, Any], reserved: Holdings) -> dict[str, Any]:
    prepared = _prepared(reserved)
    block: dict[str, Any] = {}
    if prepared.vlans.get(site):
        block["vlans"] = list(prepared.vlans[site])
    pools = list(_pools_of(network))
    inside = [str(net) for net in prepared.networks if _overlaps_any(net, pools)]
    if inside:
        block["prefixes"] = inside
    return block


@functools.lru_cache(maxsize=1 << 16)  # the same held subnets are read for every render
def _network(prefix: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(prefix, strict=False)
    except ValueError:
        return None


def _pools_of(network: Mapping[str, Any]) -> Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    for pool in (network.get("networks") or {}).values():
        if not isinstance(pool, Mapping):
            continue
        for key in ("ipv4Prefix", "ipv6Prefix"):
            try:
                yield ipaddress.ip_network(str(pool[key]), strict=False)
            except (KeyError, ValueError):
                continue


def _overlaps_any(
    subnet: ipaddress.IPv4Network | ipaddress.IPv6Network, pools: list[ipaddress.IPv4Network | ipaddress.IPv6Network]
) -> bool:
    return any(subnet.version == pool.version and subnet.overlaps(pool) for pool in pools)


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
