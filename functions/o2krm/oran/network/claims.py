"""Nephio IPClaim and VLANClaim resources with their status already filled.

Nephio resolves claims with an IPAM/VLAN backend; network-config resolves them offline and
writes the result where Nephio's backend would (``status.prefix``/``status.gateway``,
``status.vlanID``). The spec carries the same values (``spec.prefix``, ``spec.vlanID``), which
Nephio reads as a request for exactly that prefix or VLAN, so a real backend agrees.

The claims are the allocator's memory: ``hints_from_claims`` reads them back as records.
They are marked ``config.kubernetes.io/local-config: "true"`` as Nephio's interface-fn marks
its claims: they describe the package, they are not applied to a cluster. Claims carry no
``status.conditions``: a condition needs a ``lastTransitionTime`` and a render must not
depend on the clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from o2krm.oran import vocabulary as v
from o2krm.oran.findings import Finding
from o2krm.oran.network import rules
from o2krm.oran.network.addressing import family_of, parse_address, parse_interface
from o2krm.oran.network.allocator import NetworkAllocation
from o2krm.oran.network.hints import AddressHint, Hints, SubnetHint, VlanHint
from o2krm.oran.network.names import (
    LABEL_FUNCTION,
    LABEL_NETWORK,
    NEPHIO_ADDRESS_FAMILY,
    NEPHIO_CLUSTER_NAME,
    NEPHIO_NETWORK_NAME,
    ip_claim_name,
    request_of,
    source_of,
    vlan_claim_name,
)
from o2krm.oran.network.origin import Origin
from o2krm.oran.network.settings import RenderSettings

IPCLAIM_KIND = "IPClaim"
VLANCLAIM_KIND = "VLANClaim"


def _metadata(
    name: str, allocation: NetworkAllocation, settings: RenderSettings, function: str | None = None
) -> dict[str, Any]:
    labels = {v.LABEL_SITE: allocation.site, LABEL_NETWORK: allocation.network}
    if function is not None:
        labels[LABEL_FUNCTION] = function
    meta: dict[str, Any] = {"name": name}
    if settings.namespace:
        meta["namespace"] = settings.namespace
    meta["labels"] = labels
    meta["annotations"] = {v.ANN_SOURCE: source_of(allocation.request), v.LOCAL_CONFIG: "true"}
    return meta


def vlan_claim(allocation: NetworkAllocation, settings: RenderSettings) -> dict[str, Any]:
    """One VLANClaim per network of a request; the site is the VLAN index (the VLAN domain)."""
    return {
        "apiVersion": v.VLANCLAIM_API,
        "kind": VLANCLAIM_KIND,
        "metadata": _metadata(vlan_claim_name(allocation.request, allocation.network), allocation, settings),
        "spec": {"vlanIndex": {"name": allocation.site}, "vlanID": allocation.vlan},
        "status": {"vlanID": allocation.vlan},
    }


def ip_claims(allocation: NetworkAllocation, settings: RenderSettings) -> list[dict[str, Any]]:
    """One IPClaim of kind ``network`` per function and address family, as Nephio's interface-fn
    makes them; ``status.prefix`` is the address with the subnet length (``10.1.0.2/28``)."""
    claims = []
    for function in allocation.functions:
        for fam in allocation.families:
            interface = fam.interface_of(function)
            if interface is None:
                continue
            claims.append(
                {
                    "apiVersion": v.IPCLAIM_API,
                    "kind": IPCLAIM_KIND,
                    "metadata": _metadata(
                        ip_claim_name(allocation.request, function, allocation.network, fam.family),
                        allocation,
                        settings,
                        function,
                    ),
                    "spec": {
                        "kind": "network",
                        "networkInstance": {"name": settings.network_instance(allocation.network)},
                        "addressFamily": fam.family,
                        "prefix": interface,
                        "selector": {
                            "matchLabels": {
                                NEPHIO_ADDRESS_FAMILY: fam.family,
                                NEPHIO_CLUSTER_NAME: allocation.site,
                                NEPHIO_NETWORK_NAME: allocation.network,
                            }
                        },
                    },
                    "status": {"prefix": interface, "gateway": fam.gateway_text},
                }
            )
    return claims


def hints_from_claims(items: Iterable[Mapping[str, Any]]) -> tuple[Hints, list[Finding]]:
    """Records from IPClaims and VLANClaims written by network-config (other items are skipped).

    A claim that cannot be read is reported as a warning and forgotten: its allocation is made
    again.
    """
    vlans: list[VlanHint] = []
    subnets: dict[tuple[object, ...], SubnetHint] = {}
    addresses: list[AddressHint] = []
    warnings: list[Finding] = []
    for item in items:
        kind = item.get("kind")
        if item.get("apiVersion") not in (v.IPCLAIM_API, v.VLANCLAIM_API) or kind not in (
            IPCLAIM_KIND,
            VLANCLAIM_KIND,
        ):
            continue
        meta = item.get("metadata") or {}
        labels = meta.get("labels") or {}
        annotations = meta.get("annotations") or {}
        request = request_of(annotations.get(v.ANN_SOURCE))
        site, network = labels.get(v.LABEL_SITE), labels.get(LABEL_NETWORK)
        if not (request and isinstance(site, str) and isinstance(network, str)):
            continue
        origin = Origin(str(kind), str(meta.get("name", "")), "status", meta.get("namespace"))
        status = item.get("status") or {}
        spec = item.get("spec") or {}
        try:
            if kind == VLANCLAIM_KIND:
                vlan = status.get("vlanID", spec.get("vlanID"))
                if not isinstance(vlan, int) or isinstance(vlan, bool):
                    raise ValueError(f"status.vlanID {vlan!r} is not a VLAN ID")
                vlans.append(VlanHint(site, request, network, vlan, origin.at("vlanID")))
                continue
            function = labels.get(LABEL_FUNCTION)
            if not isinstance(function, str):
                continue
            address, subnet = parse_interface(status.get("prefix", spec.get("prefix")))
            gateway = parse_address(status["gateway"]) if status.get("gateway") else None
            if gateway is not None and family_of(gateway) != family_of(address):
                raise ValueError(f"status.gateway {gateway} is not an {family_of(address)} address")
        except ValueError as err:
            warnings.append(
                origin.finding(
                    f"recorded allocation unreadable, it will be made again: {err}",
                    rule=rules.RECORD_DROPPED,
                    severity="warning",
                )
            )
            continue
        addresses.append(AddressHint(site, request, network, function, address, origin.at("prefix")))
        subnet_hint = SubnetHint(site, request, network, subnet, gateway, origin.at("prefix"), origin.at("gateway"))
        # claims of one subnet agree; keep the first by name so the choice is order-free
        key = (*subnet_hint.key, subnet, gateway)
        if key not in subnets or subnets[key].origin.name > origin.name:
            subnets[key] = subnet_hint
    ordered = sorted(subnets.values(), key=lambda h: (h.key, h.origin.name))
    return Hints(tuple(vlans), tuple(ordered), tuple(addresses)), warnings
