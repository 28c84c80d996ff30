"""How allocations are rendered into Nephio and Multus resources.

| network | Nephio network instance | why                                            |
|---------|-------------------------|------------------------------------------------|
| n2      | vpc-ran                 | Nephio's OAI CU-CP package puts N2 in vpc-ran   |
| n3      | vpc-ran                 | Nephio's OAI CU-UP package puts N3 in vpc-ran   |
| e1      | vpc-cu-e1               | the E1 network of Nephio's OAI RAN topology     |
| f1      | vpc-cudu-f1             | the F1 network of Nephio's OAI RAN topology     |

Every network defaults to the ``macvlan`` CNI on master interface ``eth1`` (tagged with the
allocated VLAN, ``eth1.<vlan>``), as the OAI packages do; each can be overridden.
"""

from __future__ import annotations

from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from o2krm.oran.network.addressing import IPNetwork, parse_network

CniType = Literal["macvlan", "ipvlan", "sriov"]

DEFAULT_NETWORK_INSTANCES: Final[dict[str, str]] = {
    "n2": "vpc-ran",
    "n3": "vpc-ran",
    "e1": "vpc-cu-e1",
    "f1": "vpc-cudu-f1",
}


class NetworkRendering(BaseModel):
    """Per-network rendering overrides."""

    model_config = ConfigDict(extra="forbid")

    networkInstance: str | None = Field(default=None, min_length=1)
    cniType: CniType | None = None
    routes: list[str] = Field(
        default_factory=list,
        description="Extra route destinations (CIDR) reached through the subnet gateway, "
        "for example the core network prefix for n2.",
    )

    @field_validator("routes")
    @classmethod
    def _prefixes(cls, routes: list[str]) -> list[str]:
        for route in routes:
            parse_network(route)
        return routes


class RenderSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    masterInterface: str = Field(default="eth1", min_length=1, pattern=r"^[^\s./]+$")
    cniType: CniType = "macvlan"
    namespace: str | None = Field(default=None, description="Namespace of the generated resources.")
    primaryNetwork: str = Field(
        default="f1",
        description="Network whose VLAN, subnet and gateway fill the seed's networkConfig "
        "{vlan, subnet, gateway} (the first network of the request when it has no such network).",
    )
    networks: dict[str, NetworkRendering] = Field(default_factory=dict)
    masterInterfaces: dict[str, str] = Field(
        default_factory=dict,
        description="Master interface per site, when a site differs from masterInterface.",
    )

    def network_instance(self, network: str) -> str:
        override = self.networks.get(network)
        if override is not None and override.networkInstance:
            return override.networkInstance
        return DEFAULT_NETWORK_INSTANCES.get(network, f"vpc-{network}")

    def cni_type(self, network: str) -> CniType:
        override = self.networks.get(network)
        return override.cniType if override is not None and override.cniType else self.cniType

    def master_interface(self, site: str) -> str:
        return self.masterInterfaces.get(site, self.masterInterface)

    def extra_routes(self, network: str) -> tuple[IPNetwork, ...]:
        override = self.networks.get(network)
        return tuple(parse_network(r) for r in override.routes) if override is not None else ()
