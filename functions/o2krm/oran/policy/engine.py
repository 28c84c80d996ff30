"""Run every rule family over a package, then apply the config: severities, switches, exemptions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import chain
from typing import Any

from o2krm.oran.findings import Finding
from o2krm.oran.policy import (
    intents,
    network,
    network_config,
    pod_security,
    rbac,
    schema,
    slo_gates,
    supply_chain,
)
from o2krm.oran.policy.config import Exemption, PolicyConfig
from o2krm.oran.policy.package import Package, Violation, path
from o2krm.oran.policy.schema import CrdCatalog

Located = tuple[int | None, Finding]  # index of the resource in the input, None: the config itself


def validate(
    resources: list[Mapping[str, Any]],
    config: PolicyConfig | None = None,
    crds: Iterable[Mapping[str, Any]] | CrdCatalog = (),
    intent_validator: Callable[[], intents.IntentValidator | None] = intents.intent_validator,
) -> list[Located]:
    """Every finding of every rule for ``resources``, sorted by resource index, field and rule.

    ``crds`` are CustomResourceDefinition documents (or a prepared ``CrdCatalog``) that define the
    schemas of custom kinds; earlier ones win. ``intent_validator`` provides the TS 28.312 schema
    validator (None where it is unavailable); it is called only when the package holds intents.
    Raises DomainError when the config cannot be applied (an unsupported Kubernetes version).
    """
    config = config or PolicyConfig()
    package = Package(list(resources))
    catalog = crds if isinstance(crds, CrdCatalog) else CrdCatalog.from_documents(crds)
    violations = chain(
        schema.check(package, config, catalog),
        pod_security.check(package, config),
        rbac.check(package),
        network.check(package),
        supply_chain.check(package),
        network_config.check(package),
        slo_gates.check(package),
        intents.check(package, intent_validator),
    )
    unique: dict[tuple[int, str, str, str], Located] = {}
    for entry in _apply_config(package, config, violations):
        unique.setdefault(_order(entry), entry)  # a check may meet the same problem twice
    return [unique[key] for key in sorted(unique)]


def _apply_config(package: Package, config: PolicyConfig, violations: Iterator[Violation]) -> Iterator[Located]:
    used: set[int] = set()
    for violation in violations:
        severity = config.severity_of(violation.rule)
        if severity is None:
            continue
        tags = {"rule": violation.rule}
        message = violation.message
        exemption = _exemption(package, config.exemptions, violation)
        if exemption is not None:
            position, reason = exemption
            used.add(position)
            severity = "info"
            message = f"{message} [exempted: {reason}]"
            tags["exempted"] = "true"
        yield (
            violation.index,
            Finding(
                message,
                severity,
                violation.field,
                violation.current,
                violation.proposed,
                violation.rule,
                tags,
            ),
        )
    unused_severity = config.severity_of("policy.unused-exemption")
    for position, unused in enumerate(config.exemptions):
        if position in used or unused_severity is None:
            continue
        target = f"{unused.kind} {unused.namespace + '/' if unused.namespace else ''}{unused.name}"
        yield (
            None,
            Finding(
                f"exemption of {unused.rule} for {target} matches no finding; remove it",
                unused_severity,
                path("exemptions", position),
                rule="policy.unused-exemption",
                tags={"rule": "policy.unused-exemption"},
            ),
        )


def _exemption(package: Package, exemptions: tuple[Exemption, ...], violation: Violation) -> tuple[int, str] | None:
    if violation.index is None or not exemptions:
        return None
    item = package.items[violation.index]
    for position, exemption in enumerate(exemptions):
        if exemption.covers(violation.rule, item.kind, item.name, item.namespace, violation.container):
            return position, exemption.reason
    return None


def _order(located: Located) -> tuple[int, str, str, str]:
    index, finding = located
    return (-1 if index is None else index, finding.field or "", finding.rule or "", finding.message)
