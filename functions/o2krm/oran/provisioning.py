"""O2 IMS ProvisioningRequests from TS 28.312 intents: one request per target O-Cloud site.

A request is what an O2 IMS implementation accepts (``o2ims.provisioning.oran.org/v1alpha1``,
cluster-scoped): ``spec.templateName``/``templateVersion`` from the template catalog and
``spec.templateParameters`` with what the template needs to deploy the O-RAN functions:

    targetCluster          the site's cluster
    resourceRequirements   {cpu, memory, storage} from the sizing profile, Kubernetes quantities
    networkConfig          {} here; network-config fills in VLAN, subnet and gateway
    networkFunctions       [CU-CP, CU-UP, DU], in that order
    serviceType            eMBB | URLLC | mMTC
    sloTargets             the intent's targets: [{name, condition, value, unit}]

``metadata.name`` is a version-5 UUID of the intent id and the site name, so a re-render keeps it
and O2 IMS implementations that require UUID names (the provisioningItemId) accept it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from o2krm.oran import vocabulary as v
from o2krm.oran.findings import DomainError, Finding
from o2krm.oran.intent_view import IntentView, Target
from o2krm.oran.quantity import Quantity, parse_quantity
from o2krm.oran.sites import Site, SiteCatalog
from o2krm.oran.sizing import Sizing, SizingPolicy, size
from o2krm.oran.templates import TemplateCatalog

# uuid5(NAMESPACE_DNS, "provisioningrequest.o2krm.io"); fixed forever: changing it renames every request.
PR_NAME_NAMESPACE = uuid.UUID("836a7206-3ec6-59b8-8d8b-cf45645225fa")
WORKFLOW_STAGE = "provisioning"
DEFAULT_INTENT_SOURCE = "tmf921"
INTENT_APIS = (v.INTENT_3GPP_API, v.INTENT_3GPP_SEED_API)
RESOURCES = ("cpu", "memory", "storage")

_LABEL_VALUE = re.compile(r"([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?")
_CONDITION_TEXT = {
    v.IS_LESS_THAN: "<",
    v.IS_GREATER_THAN: ">",
    v.IS_EQUAL_TO: "=",
    v.IS_EQUAL_TO_OR_LESS_THAN: "<=",
    v.IS_EQUAL_TO_OR_GREATER_THAN: ">=",
}


def provisioning_request_name(intent_id: str, site_name: str) -> str:
    """Site names never contain "/", so distinct (intent, site) pairs never share a name."""
    return str(uuid.uuid5(PR_NAME_NAMESPACE, f"{intent_id}/{site_name}"))


def plan_requests(
    intent: Mapping[str, Any], sites: SiteCatalog, templates: TemplateCatalog, profiles: SizingPolicy
) -> list[dict[str, Any]]:
    """The ProvisioningRequests for one 28.312 Intent KRM resource, sorted by site name.

    Raises DomainError (fields are paths inside the intent) when the intent is malformed, a
    target selects no site, no template or profile fits, or a site lacks the capacity.
    """
    envelope = _Envelope.read(intent)
    view = envelope.view
    functions = _ordered_functions(view.functions)
    if not functions:
        raise DomainError(
            Finding(
                f"intent {envelope.name} names no O-RAN function to deploy: add a {v.CTX_NETWORK_FUNCTIONS} "
                f"context such as IS_ALL_OF [{', '.join(v.NETWORK_FUNCTIONS)}]",
                field="spec",
            )
        )
    targets = sites.resolve(view.sites, view.regions)
    sizing = size(view, functions, profiles)
    template = templates.select(functions, sizing.service_type)
    overloaded = [f for site in targets if (f := _capacity_finding(site, _demand(sizing), [envelope.name]))]
    if overloaded:
        raise DomainError(overloaded)
    return [
        {
            "apiVersion": v.PR_API,
            "kind": v.PR_KIND,
            "metadata": {
                "name": provisioning_request_name(view.intent_id, site.name),
                "labels": {
                    v.LABEL_INTENT: envelope.name,
                    v.LABEL_SITE: site.name,
                    v.LABEL_INTENT_SOURCE: envelope.source,
                    v.LABEL_WORKFLOW_STAGE: WORKFLOW_STAGE,
                },
            },
            "spec": {
                "name": _human_name(envelope.name, site, sizing),
                "description": _description(envelope.name, site, sizing, view.targets),
                "templateName": template.name,
                "templateVersion": template.version,
                "templateParameters": {
                    "targetCluster": site.cluster,
                    "resourceRequirements": sizing.requirements(),
                    "networkConfig": {},
                    "networkFunctions": list(functions),
                    "serviceType": sizing.service_type,
                    "sloTargets": [_slo_target(t) for t in view.targets],
                },
            },
        }
        for site in targets
    ]


@dataclass
class IntentPlan:
    """The outcome for one intent of the package: its requests, or the findings that stopped it."""

    index: int  # position in the intents passed to plan_package
    name: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)


def plan_package(
    intents: Sequence[Mapping[str, Any]],
    sites: SiteCatalog,
    templates: TemplateCatalog,
    profiles: SizingPolicy,
) -> list[IntentPlan]:
    """Plan every intent, then check what only the whole package shows.

    Two intents with the same id would produce the same request names, and intents that each fit
    a site may not fit it together; both are errors on the intents concerned (their requests dropped).
    """
    plans: list[IntentPlan] = []
    owner_of_id: dict[str, str] = {}
    for index, intent in enumerate(intents):
        plan = IntentPlan(index, _name_of(intent))
        try:
            plan.requests = plan_requests(intent, sites, templates, profiles)
            intent_id = _Envelope.read(intent).view.intent_id
            if intent_id in owner_of_id:
                plan.requests = []
                plan.findings.append(
                    Finding(
                        f"intent id {intent_id!r} is also the id of intent {owner_of_id[intent_id]}; "
                        "ProvisioningRequest names derive from it, so give each intent its own spec.id",
                        field="spec.id",
                        current=intent_id,
                    )
                )
            owner_of_id.setdefault(intent_id, plan.name)
        except DomainError as error:
            plan.findings.extend(error.findings)
        plans.append(plan)
    _check_shared_capacity(plans, sites)
    return plans


def _check_shared_capacity(plans: list[IntentPlan], sites: SiteCatalog) -> None:
    demand: dict[str, dict[str, Quantity]] = {}
    users: dict[str, list[IntentPlan]] = {}
    for plan in plans:
        for request in plan.requests:
            site = request["metadata"]["labels"][v.LABEL_SITE]
            requirements = request["spec"]["templateParameters"]["resourceRequirements"]
            total = demand.setdefault(site, {})
            for resource in RESOURCES:
                amount = parse_quantity(requirements[resource])
                total[resource] = total[resource] + amount if resource in total else amount
            users.setdefault(site, []).append(plan)
    for site_name in sorted(demand):
        site = sites.get(site_name)
        if site is None or len(users[site_name]) < 2:
            continue  # a single intent's overload was reported by plan_requests
        finding = _capacity_finding(site, demand[site_name], [p.name for p in users[site_name]])
        if finding is None:
            continue
        for plan in users[site_name]:
            plan.findings.append(finding)
            plan.requests = []


def _capacity_finding(site: Site, demand: Mapping[str, Quantity], intents: Sequence[str]) -> Finding | None:
    capacity = {"cpu": site.capacity.cpu, "memory": site.capacity.memory, "storage": site.capacity.storage}
    short = [f"{r} {demand[r]} > {capacity[r]}" for r in RESOURCES if demand[r] > capacity[r]]
    if not short:
        return None
    who = f"intent {intents[0]} needs" if len(intents) == 1 else f"intents {', '.join(intents)} together need"
    return Finding(
        f"O-Cloud site {site.name} (cluster {site.cluster}) lacks the capacity: {who} {'; '.join(short)}. "
        f"Lower the intent's targets, target other sites, or raise the capacity of {site.name} "
        f"in the {v.SITE_CATALOG_KIND}",
        field="spec",
        current=", ".join(short),
        tags={"site": site.name},
    )


@dataclass(frozen=True)
class _Envelope:
    name: str
    source: str
    view: IntentView

    @classmethod
    def read(cls, intent: Mapping[str, Any]) -> _Envelope:
        api, kind = intent.get("apiVersion"), intent.get("kind")
        if api not in INTENT_APIS or kind != v.INTENT_3GPP_KIND:
            raise DomainError(
                Finding(
                    f"expected a 3GPP TS 28.312 Intent ({' or '.join(INTENT_APIS)}), got {kind} {api}",
                    field="apiVersion",
                    current=api,
                )
            )
        metadata = intent.get("metadata")
        metadata = metadata if isinstance(metadata, Mapping) else {}
        name = metadata.get("name")
        if not isinstance(name, str) or not name:
            raise DomainError(Finding("the intent has no metadata.name; give it one", field="metadata.name"))
        if not _LABEL_VALUE.fullmatch(name) or len(name) > 63:
            raise DomainError(
                Finding(
                    f"intent name {name!r} cannot be a label value ({v.LABEL_INTENT}): "
                    "use at most 63 letters, digits, '-', '_' or '.'",
                    field="metadata.name",
                    current=name,
                )
            )
        spec = intent.get("spec")
        if not isinstance(spec, Mapping):
            raise DomainError(Finding("the intent has no spec; it must hold a TS 28.312 Intent-Single", field="spec"))
        labels = metadata.get("labels")
        source = labels.get(v.LABEL_INTENT_SOURCE) if isinstance(labels, Mapping) else None
        if not isinstance(source, str) or not _LABEL_VALUE.fullmatch(source) or not source:
            source = DEFAULT_INTENT_SOURCE
        return cls(name, source, IntentView.from_spec(spec, default_id=name))


def _ordered_functions(functions: Sequence[str]) -> tuple[str, ...]:
    known = [f for f in v.NETWORK_FUNCTIONS if f in functions]
    return (*known, *sorted(f for f in functions if f not in v.NETWORK_FUNCTIONS))


def _demand(sizing: Sizing) -> dict[str, Quantity]:
    return {"cpu": sizing.cpu, "memory": sizing.memory, "storage": sizing.storage}


def _description(intent: str, site: Site, sizing: Sizing, targets: Sequence[Target]) -> str:
    goals = f" to meet {', '.join(_target_text(t) for t in targets)}" if targets else ""
    return (
        f"Deploys O-RAN {', '.join(sizing.functions)} for {sizing.service_type} "
        f"on O-Cloud site {site.describe()} for TS 28.312 intent {intent}{goals}; {sizing.explain()}."
    )


def _human_name(intent: str, site: Site, sizing: Sizing) -> str:
    return f"{intent} at {site.name}: O-RAN {', '.join(sizing.functions)} ({sizing.service_type})"


def _target_text(target: Target) -> str:
    unit = f" {target.unit}" if target.unit and target.unit != "ratio" else ""
    values = [str(x) for x in target.values]
    symbol = _CONDITION_TEXT.get(target.condition)
    if symbol and len(values) == 1:
        return f"{target.name} {symbol} {values[0]}{unit}"
    if target.condition == v.IS_WITHIN_RANGE and len(values) == 2:
        return f"{target.name} within {values[0]}-{values[1]}{unit}"
    return f"{target.name} {target.condition} {', '.join(values)}{unit}"


def _slo_target(target: Target) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": target.name,
        "condition": target.condition,
        "value": target.values[0] if len(target.values) == 1 else list(target.values),
    }
    if target.unit:
        entry["unit"] = target.unit
    return entry


def _name_of(intent: Mapping[str, Any]) -> str:
    metadata = intent.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    return name if isinstance(name, str) and name else "<unnamed>"
