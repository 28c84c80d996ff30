"""pr-generate: O2 IMS ProvisioningRequests from the package's 3GPP TS 28.312 Intents.

Inputs (all local-config): the Intents, one or more OCloudSiteCatalogs and one or more
ProvisioningTemplateCatalogs. Output: one ProvisioningRequest per intent and target site,
upserted (hand-added fields survive) and pruned when an intent no longer targets the site.
The planning is ``o2krm.oran.provisioning.plan_package``; this module only moves findings
onto the resources they are about.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from o2krm.fns._results import add_finding
from o2krm.oran import vocabulary as v
from o2krm.oran.findings import DomainError, Finding
from o2krm.oran.provisioning import plan_package
from o2krm.oran.sites import SiteCatalog
from o2krm.oran.sizing import SizingPolicy, load_policy
from o2krm.oran.templates import TemplateCatalog
from o2krm.sdk.config import config_fields
from o2krm.sdk.kubeobject import KubeObject
from o2krm.sdk.resourcelist import ResourceList

OWNER = "pr-generate"
INTENT_GROUP = v.INTENT_3GPP_API.partition("/")[0]
O2KRM_GROUP = v.O2KRM_API.partition("/")[0]


class Config(BaseModel):
    """functionConfig: ConfigMap ``data`` or the ``spec`` of a typed config."""

    model_config = ConfigDict(extra="forbid")

    sizing: dict[str, Any] | None = Field(
        default=None,
        description="Overrides of the sizing profile table, merged key by key into the defaults "
        "(a null removes a key). In a ConfigMap, write it as one YAML flow mapping string.",
    )


def pr_generate(rl: ResourceList, config: Config) -> None:
    intents = list(rl.items.of_group(INTENT_GROUP, v.INTENT_3GPP_KIND))
    site_catalogs = list(rl.items.of_group(O2KRM_GROUP, v.SITE_CATALOG_KIND))
    template_catalogs = list(rl.items.of_group(O2KRM_GROUP, v.TEMPLATE_CATALOG_KIND))
    if not intents:
        rl.results.error(
            f"the package has no 3GPP TS 28.312 Intent ({v.INTENT_3GPP_API}, kind Intent): add the intent "
            "to provision (intent-translate makes one from a TMF921 intent)"
        )
        return
    for kind, found in ((v.SITE_CATALOG_KIND, site_catalogs), (v.TEMPLATE_CATALOG_KIND, template_catalogs)):
        if not found:
            rl.results.error(
                f"the package has no {kind} ({v.O2KRM_API}); add one (local-config) so that "
                "intents can be placed on O-Cloud sites and templates"
            )
    policy = _policy(rl, config)
    sites = _catalog(rl, SiteCatalog.from_resources, site_catalogs)
    templates = _catalog(rl, TemplateCatalog.from_resources, template_catalogs)
    if rl.results.has_errors or policy is None or sites is None or templates is None:
        return
    generator = rl.generator(OWNER)
    for plan in plan_package([intent.data for intent in intents], sites, templates, policy):
        intent = intents[plan.index]
        _report(rl, plan.findings, intent)
        for request in plan.requests:
            generator.upsert(request, source=intent)
    if not rl.results.has_errors:
        generator.prune()


def _policy(rl: ResourceList, config: Config) -> SizingPolicy | None:
    _, prefix = config_fields(rl.function_config)
    try:
        return load_policy(config.sizing, field_prefix=f"{prefix}.sizing" if prefix else "sizing")
    except DomainError as error:
        _report(rl, error.findings, rl.function_config)
        return None


def _catalog(rl: ResourceList, read: Any, objects: Sequence[KubeObject]) -> Any:
    try:
        return read([obj.data for obj in objects])
    except DomainError as error:
        for finding in error.findings:
            index = finding.tags.get("resourceIndex")
            _report(rl, [finding], objects[int(index)] if index is not None else None)
        return None


def _report(rl: ResourceList, findings: Sequence[Finding], obj: KubeObject | None) -> None:
    for finding in findings:
        tags = {key: value for key, value in finding.tags.items() if key != "resourceIndex"}
        add_finding(rl, finding, obj, tags=tags)
