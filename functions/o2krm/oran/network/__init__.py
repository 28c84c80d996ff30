"""network-config domain: VLAN, subnet, gateway and address allocation per O-Cloud site,
rendered as Nephio IPClaims/VLANClaims, Multus NetworkAttachmentDefinitions and the
ProvisioningRequest's ``templateParameters.networkConfig``.

Pure logic: no I/O, no SDK. Flow::

    catalog = build_pool_catalog(site_pools_from_catalog(site_catalog))
    request = request_from_provisioning_request(pr, DEFAULT_ATTACHMENTS)
    records, warnings = hints_from_claims(existing_items)
    plan = allocate([request], catalog, Hints.combine(records, pins))
    for allocation in plan.for_request(request.name): vlan_claim(...), ip_claims(...), ...
"""

from o2krm.oran.network.allocator import AllocationPlan, FamilyAllocation, NetworkAllocation, allocate
from o2krm.oran.network.attachments import DEFAULT_ATTACHMENTS, AttachmentTable, networks_of
from o2krm.oran.network.claims import hints_from_claims, ip_claims, vlan_claim
from o2krm.oran.network.hints import AddressHint, Hints, SubnetHint, VlanHint
from o2krm.oran.network.nad import nad_config, network_attachment_definitions
from o2krm.oran.network.network_config import hints_from_network_config, network_config_block
from o2krm.oran.network.origin import Origin
from o2krm.oran.network.pools import (
    PoolCatalog,
    SitePools,
    build_pool_catalog,
    parse_site_network,
    site_pools_from_catalog,
)
from o2krm.oran.network.requests import AttachmentRequest, request_from_provisioning_request
from o2krm.oran.network.settings import RenderSettings

__all__ = [
    "DEFAULT_ATTACHMENTS",
    "AddressHint",
    "AllocationPlan",
    "AttachmentRequest",
    "AttachmentTable",
    "FamilyAllocation",
    "Hints",
    "NetworkAllocation",
    "Origin",
    "PoolCatalog",
    "RenderSettings",
    "SitePools",
    "SubnetHint",
    "VlanHint",
    "allocate",
    "build_pool_catalog",
    "hints_from_claims",
    "hints_from_network_config",
    "ip_claims",
    "nad_config",
    "network_attachment_definitions",
    "network_config_block",
    "networks_of",
    "parse_site_network",
    "request_from_provisioning_request",
    "site_pools_from_catalog",
    "vlan_claim",
]
