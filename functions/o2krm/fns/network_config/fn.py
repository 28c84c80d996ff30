"""network-config: addresses every ProvisioningRequest's network attachments.

Inputs: the ProvisioningRequests (site label, ``templateParameters.networkFunctions``, any
hand-set ``templateParameters.networkConfig``), the OCloudSiteCatalogs' network blocks, the
function config, and the IPClaims and VLANClaims this function made before (its memory).
Output: ``templateParameters.networkConfig`` filled in, and per request a VLANClaim per network,
an IPClaim per function, network and address family, and a NetworkAttachmentDefinition per
function and network, upserted and pruned. The logic is ``o2krm.oran.network``; this module
moves resources in and findings out.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from o2krm.fns._results import add_finding
from o2krm.oran import vocabulary as v
from o2krm.oran.findings import DomainError, Finding
from o2krm.oran.network import (
    DEFAULT_ATTACHMENTS,
    AttachmentRequest,
    AttachmentTable,
    Hints,
    Origin,
    PoolCatalog,
    RenderSettings,
    allocate,
    build_pool_catalog,
    hints_from_claims,
    hints_from_network_config,
    ip_claims,
    network_attachment_definitions,
    network_config_block,
    parse_site_network,
    request_from_provisioning_request,
    site_pools_from_catalog,
    vlan_claim,
)
from o2krm.oran.network.network_config import NETWORK_CONFIG_PATH
from o2krm.oran.network.settings import CniType, NetworkRendering
from o2krm.sdk.config import config_fields
from o2krm.sdk.kubeobject import KubeObject
from o2krm.sdk.resourcelist import ResourceList

OWNER = "network-config"
PR_GROUP = v.PR_API.partition("/")[0]
O2KRM_GROUP = v.O2KRM_API.partition("/")[0]
_INTERFACE = r"^[^\s./]+$"


class SiteOverride(BaseModel):
    """Per-site settings; ``network`` has the site catalog's shape and replaces the catalog's block."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    masterInterface: str | None = Field(default=None, min_length=1, pattern=_INTERFACE)
    network: dict[str, Any] | None = None


class Config(BaseModel):
    """functionConfig: ConfigMap ``data`` (maps and lists as YAML flow strings) or a typed ``spec``."""

    model_config = ConfigDict(extra="forbid")

    attachments: dict[str, list[str]] | None = Field(
        default=None, description="Networks per network function; replaces the default table."
    )
    primaryNetwork: str = Field(default="f1", min_length=1)
    masterInterface: str = Field(default="eth1", min_length=1, pattern=_INTERFACE)
    cniType: CniType = "macvlan"
    namespace: str | None = Field(default=None, min_length=1)
    networks: dict[str, NetworkRendering] = Field(default_factory=dict)
    sites: list[SiteOverride] = Field(default_factory=list)
    defaults: dict[str, Any] | None = Field(
        default=None, description="A network block (site catalog shape) for every site without one."
    )

    @field_validator("attachments")
    @classmethod
    def _attachments(cls, table: dict[str, list[str]] | None) -> dict[str, list[str]] | None:
        for function, networks in (table or {}).items():
            if not networks or not all(isinstance(n, str) and n for n in networks):
                raise ValueError(f"{function}: give a non-empty list of network names")
        return table

    def table(self) -> AttachmentTable:
        if self.attachments is None:
            return DEFAULT_ATTACHMENTS
        return {function: tuple(dict.fromkeys(nets)) for function, nets in self.attachments.items()}

    def render_settings(self) -> RenderSettings:
        return RenderSettings(
            masterInterface=self.masterInterface,
            cniType=self.cniType,
            namespace=self.namespace,
            primaryNetwork=self.primaryNetwork,
            networks=self.networks,
            masterInterfaces={s.name: s.masterInterface for s in self.sites if s.masterInterface},
        )


def network_config(rl: ResourceList, config: Config) -> None:
    table, settings = config.table(), config.render_settings()
    generator = rl.generator(OWNER)
    catalog = _pool_catalog(rl, config)
    prs = sorted(rl.items.of_group(PR_GROUP, v.PR_KIND), key=lambda obj: obj.name)
    requests, pins = _requests(rl, prs, table, settings.primaryNetwork)
    records, unreadable = hints_from_claims(obj.data for obj in generator.owned())
    _report(rl, unreadable)
    if catalog is None or rl.results.has_errors:
        return
    try:
        plan = allocate(requests, catalog, Hints.combine(records, pins), table)
    except DomainError as error:
        _report(rl, error.findings)
        return
    _report(rl, plan.warnings)
    by_name = {pr.name: pr for pr in prs}
    for request in sorted(requests, key=lambda r: (r.site, r.name)):
        pr = by_name[request.name]
        allocations = plan.for_request(request.name)
        block = network_config_block(allocations, settings.primaryNetwork)
        if pr.get(NETWORK_CONFIG_PATH) != block:
            pr.set(NETWORK_CONFIG_PATH, block)
        path = posixpath.join(posixpath.dirname(pr.path or ""), f"network_{pr.name}.yaml")
        site_pools = catalog.for_site(request.site)
        for allocation in allocations:
            made = [vlan_claim(allocation, settings), *ip_claims(allocation, settings)]
            made += network_attachment_definitions(allocation, site_pools, settings)
            for item in made:
                generator.upsert(item, source=pr, path=path)
    generator.prune()


def _pool_catalog(rl: ResourceList, config: Config) -> PoolCatalog | None:
    catalogs = [obj.data for obj in rl.items.of_group(O2KRM_GROUP, v.SITE_CATALOG_KIND)]
    holder = rl.function_config
    _, prefix = config_fields(holder)
    base = Origin(holder.kind if holder else "ConfigMap", holder.name if holder else "function-input", prefix)
    findings: list[Finding] = []
    catalog_sites, overrides, default = [], [], None
    for doc in catalogs:
        try:
            catalog_sites.extend(site_pools_from_catalog(doc))
        except DomainError as error:
            findings.extend(error.findings)
    for index, site in enumerate(config.sites):
        if site.network is not None:
            try:
                overrides.append(parse_site_network(site.network, site.name, base.at("sites", index, "network")))
            except DomainError as error:
                findings.extend(error.findings)
    if config.defaults is not None:
        try:
            default = parse_site_network(config.defaults, "*", base.at("defaults"))
        except DomainError as error:
            findings.extend(error.findings)
    if not findings:
        try:
            return build_pool_catalog(catalog_sites, default, overrides)
        except DomainError as error:
            findings.extend(error.findings)
    _report(rl, findings)
    return None


def _requests(
    rl: ResourceList, prs: Sequence[KubeObject], table: AttachmentTable, primary: str
) -> tuple[list[AttachmentRequest], Hints]:
    requests: list[AttachmentRequest] = []
    pins = Hints()
    for pr in prs:
        try:
            request = request_from_provisioning_request(pr.data, table)
            if request is None:
                continue
            found, warnings = hints_from_network_config(pr.data, request, table, primary)
        except DomainError as error:
            _report(rl, error.findings)
            continue
        _report(rl, warnings)
        requests.append(request)
        pins = pins + found
    return requests, pins


def _report(rl: ResourceList, findings: Iterable[Finding]) -> None:
    """Each finding as a result on the resource its tags name (kind, name, namespace)."""
    for finding in findings:
        obj = _find(rl, finding.tags)
        message = finding.message
        if obj is None and finding.tags.get("name"):
            message = f"{finding.tags.get('kind')}/{finding.tags['name']}: {message}"
        add_finding(rl, finding, obj, message=message)


def _find(rl: ResourceList, tags: dict[str, str]) -> KubeObject | None:
    kind, name, namespace = tags.get("kind"), tags.get("name"), tags.get("namespace", "")
    config = rl.function_config
    if config is not None and config.kind == kind and config.name == name:
        return config
    for obj in rl.items:
        if obj.kind == kind and obj.name == name and obj.namespace == namespace:
            return obj
    return None
