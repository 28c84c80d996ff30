"""What a ProvisioningRequest asks of the network: its site and the functions it deploys.

A request reads its site from the ``o2krm.io/site`` label and its functions from
``spec.templateParameters.networkFunctions`` (for example ``[CU-CP, CU-UP, DU]``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from o2krm.oran import vocabulary as v
from o2krm.oran.findings import DomainError, Finding
from o2krm.oran.network import rules
from o2krm.oran.network.attachments import AttachmentTable, networks_of, ordered_functions
from o2krm.oran.network.origin import Origin

FUNCTIONS_FIELD = "spec.templateParameters.networkFunctions"
SITE_FIELD = f'metadata.labels["{v.LABEL_SITE}"]'


@dataclass(frozen=True, slots=True)
class AttachmentRequest:
    """One ProvisioningRequest: ``functions`` in attachment-table order, without duplicates."""

    name: str
    site: str
    functions: tuple[str, ...]
    origin: Origin  # the ProvisioningRequest itself (field "")

    def networks(self, table: AttachmentTable) -> dict[str, tuple[str, ...]]:
        return networks_of(self.functions, table)


def request_from_provisioning_request(pr: Mapping[str, Any], table: AttachmentTable) -> AttachmentRequest | None:
    """The attachment request of ``pr``; None when it names no network functions at all.

    Raises DomainError when the site label is missing or a function is not in ``table``.
    """
    meta = pr.get("metadata") or {}
    name = str(meta.get("name") or "")
    origin = Origin(str(pr.get("kind") or v.PR_KIND), name, "", meta.get("namespace"))
    params = (pr.get("spec") or {}).get("templateParameters")
    raw = params.get("networkFunctions") if isinstance(params, Mapping) else None
    if raw is None:
        return None
    fn_origin = origin.at("spec", "templateParameters", "networkFunctions")
    findings: list[Finding] = []
    if not isinstance(raw, list):
        raise DomainError(
            fn_origin.finding(
                f"networkFunctions must be a list such as [CU-CP, CU-UP, DU], not {type(raw).__name__}",
                rule=rules.INVALID_VALUE,
                current=raw,
            )
        )
    for index, function in enumerate(raw):
        if function not in table:
            findings.append(
                fn_origin.at(index).finding(
                    f"network function {function!r} has no attachments; use one of {', '.join(table)} "
                    "or add it to the attachments table of the network-config function config",
                    rule=rules.UNKNOWN_FUNCTION,
                    current=function,
                    proposed=list(table),
                )
            )
    labels = meta.get("labels") or {}
    site = labels.get(v.LABEL_SITE) if isinstance(labels, Mapping) else None
    if not isinstance(site, str):
        site = ""
    if not site:
        findings.append(
            Origin(origin.kind, name, SITE_FIELD, origin.namespace).finding(
                f"label {v.LABEL_SITE} is missing: network-config allocates per O-Cloud site; set it to the site name",
                rule=rules.MISSING_SITE,
            )
        )
    if findings:
        raise DomainError(findings)
    return AttachmentRequest(name, site, ordered_functions(raw, table), origin)
