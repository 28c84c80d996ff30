"""network-config: VLAN, subnet, gateway and addresses for every ProvisioningRequest, with Nephio
IPClaims/VLANClaims and Multus NetworkAttachmentDefinitions."""

from o2krm.oran import vocabulary as v
from o2krm.sdk.runner import KrmFunction

FUNCTION = KrmFunction(
    name="network-config",
    summary="allocate VLANs, subnets and gateways and emit IPClaims, VLANClaims and NADs",
    process="o2krm.fns.network_config.fn:network_config",
    config="o2krm.fns.network_config.fn:Config",
    # ProvisioningRequests give work; so do the claims and NADs it made (to prune them).
    kinds=[(v.PR_API.partition("/")[0], v.PR_KIND)],
    owner="network-config",
)
main = FUNCTION.main
