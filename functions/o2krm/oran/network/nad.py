"""Multus NetworkAttachmentDefinitions whose ``spec.config`` is what Nephio's nad-fn writes.

nad-fn (nephio-project/nephio, krm-functions/nad-fn with krm-functions/lib/nad/v1) renders
one CNI plugin chain, serialised compactly with keys in this order::

    {"cniVersion":"0.3.1","plugins":[{"type":"ipvlan","capabilities":{"ips":true},
     "master":"eth1.100","mode":"l2","ipam":{"type":"static",
     "addresses":[{"address":"172.2.0.254/24","gateway":"172.2.0.1"}],
     "routes":[{"dst":"172.2.0.0/16","gw":"172.2.0.1"}]}}]}

- mode: ``bridge`` for macvlan and sriov, ``l2`` for ipvlan;
- macvlan adds ``{"type":"tuning","capabilities":{"mac":true},"ipam":{}}``;
- master is ``<masterInterface>.<vlan>`` when a VLAN is claimed;
- addresses are sorted by address text, routes by destination text, ``routes`` is left out
  when there are none.

Routes: nad-fn routes the prefixes of the interface's network instance through the gateway.
Here those are the site's pools of every network in the same network instance (same address
family), plus the network's configured extra routes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Final

from o2krm.oran import vocabulary as v
from o2krm.oran.network.addressing import IPNetwork
from o2krm.oran.network.allocator import NetworkAllocation
from o2krm.oran.network.names import LABEL_FUNCTION, LABEL_NETWORK, nad_name, source_of
from o2krm.oran.network.pools import SitePools
from o2krm.oran.network.settings import CniType, RenderSettings

NAD_KIND: Final = "NetworkAttachmentDefinition"
CNI_VERSION: Final = "0.3.1"
MODES: Final[dict[str, str]] = {"macvlan": "bridge", "sriov": "bridge", "ipvlan": "l2"}


def nad_config(
    cni_type: CniType,
    master: str,
    addresses: Sequence[tuple[str, str]],
    routes: Sequence[tuple[str, str]] = (),
) -> str:
    """The CNI config JSON; ``addresses`` are (address/len, gateway), ``routes`` (dst, gw)."""
    ipam: dict[str, Any] = {
        "type": "static",
        "addresses": [{"address": a, "gateway": g} for a, g in sorted(addresses)],
    }
    if routes:
        ipam["routes"] = [{"dst": d, "gw": g} for d, g in sorted(set(routes))]
    plugins: list[dict[str, Any]] = [
        {
            "type": cni_type,
            "capabilities": {"ips": True},
            "master": master,
            "mode": MODES[cni_type],
            "ipam": ipam,
        }
    ]
    if cni_type == "macvlan":
        plugins.append({"type": "tuning", "capabilities": {"mac": True}, "ipam": {}})
    return json.dumps({"cniVersion": CNI_VERSION, "plugins": plugins}, separators=(",", ":"))


def route_destinations(
    allocation: NetworkAllocation, site_pools: SitePools | None, settings: RenderSettings
) -> list[IPNetwork]:
    instance = settings.network_instance(allocation.network)
    found: list[IPNetwork] = list(settings.extra_routes(allocation.network))
    if site_pools is not None:
        found.extend(
            pool.prefix
            for (network, _), pool in sorted(site_pools.pools.items())
            if settings.network_instance(network) == instance
        )
    return found


def network_attachment_definitions(
    allocation: NetworkAllocation, site_pools: SitePools | None, settings: RenderSettings
) -> list[dict[str, Any]]:
    """One NAD per function attached to the network (each function has its own static address)."""
    cni_type = settings.cni_type(allocation.network)
    master = f"{settings.master_interface(allocation.site)}.{allocation.vlan}"
    destinations = route_destinations(allocation, site_pools, settings)
    routes_of = {
        fam.family: [(str(d), fam.gateway_text) for d in destinations if d.version == fam.subnet.version]
        for fam in allocation.families
    }
    nads = []
    for function in allocation.functions:
        addresses: list[tuple[str, str]] = []
        routes: list[tuple[str, str]] = []
        for fam in allocation.families:
            interface = fam.interface_of(function)
            if interface is None:
                continue
            addresses.append((interface, fam.gateway_text))
            routes.extend(routes_of[fam.family])
        meta: dict[str, Any] = {"name": nad_name(allocation.request, function, allocation.network)}
        if settings.namespace:
            meta["namespace"] = settings.namespace
        meta["labels"] = {
            v.LABEL_SITE: allocation.site,
            LABEL_NETWORK: allocation.network,
            LABEL_FUNCTION: function,
        }
        meta["annotations"] = {v.ANN_SOURCE: source_of(allocation.request)}
        nads.append(
            {
                "apiVersion": v.NAD_API,
                "kind": NAD_KIND,
                "metadata": meta,
                "spec": {"config": nad_config(cni_type, master, addresses, routes)},
            }
        )
    return nads
