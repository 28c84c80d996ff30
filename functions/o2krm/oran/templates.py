"""The provisioning template catalog: which O-Cloud templates exist and what each deploys.

A ProvisioningRequest names a template (``templateName`` + ``templateVersion``) that the O-Cloud
publishes. The package lists the ones it may use in ``ProvisioningTemplateCatalog`` resources
(local-config, schema in ``crds/o2krm.io_provisioningtemplatecatalogs.yaml``).

Choosing a template for an intent: it must deploy every network function the intent asks for
and serve its service type (a template without ``serviceTypes`` serves any). Among those, the
one deploying the fewest extra functions wins, then one that names the service type explicitly;
between versions of the same template the highest version wins. Two different templates that
fit equally well are an error: the catalog must make the choice, not the order of its entries.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import Field, field_validator

from o2krm.oran import vocabulary as v
from o2krm.oran.findings import DomainError, Finding
from o2krm.oran.model_support import InputModel, read_catalog_specs

_NAME = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")
_VERSION_PART = re.compile(r"(\d+)|(\D+)")


class ProvisioningTemplate(InputModel):
    name: str
    version: str
    network_functions: list[str] = Field(min_length=1)
    service_types: list[str] = Field(default_factory=list)
    description: str = ""

    @field_validator("name", "version")
    @classmethod
    def _name_like(cls, value: str) -> str:
        if not _NAME.fullmatch(value):
            raise ValueError(f"{value!r} must be letters, digits, '-', '_' or '.', starting and ending alphanumeric")
        return value

    @field_validator("network_functions", "service_types")
    @classmethod
    def _unique(cls, values: list[str]) -> list[str]:
        repeated = sorted({x for x in values if values.count(x) > 1})
        if repeated:
            raise ValueError(f"{', '.join(repeated)} listed more than once")
        return values

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    def serves(self, functions: Sequence[str], service_type: str) -> bool:
        serves_type = not self.service_types or service_type in self.service_types
        return serves_type and set(functions) <= set(self.network_functions)


class _CatalogSpec(InputModel):
    templates: list[ProvisioningTemplate] = Field(min_length=1)


@dataclass(frozen=True)
class TemplateCatalog:
    templates: tuple[ProvisioningTemplate, ...]

    @classmethod
    def from_resources(cls, resources: Sequence[Mapping[str, Any]]) -> TemplateCatalog:
        """Read ``ProvisioningTemplateCatalog`` resources; findings are tagged like SiteCatalog's."""
        findings: list[Finding] = []
        templates: list[ProvisioningTemplate] = []
        seen: dict[str, str] = {}
        missing = "spec.templates is missing; list the templates there"
        catalogs = read_catalog_specs(v.TEMPLATE_CATALOG_KIND, resources, _CatalogSpec, missing, findings)
        for where, tags, parsed in catalogs:
            for i, template in enumerate(parsed.templates):
                here = f"{where} spec.templates[{i}]"
                if template.ref in seen:
                    findings.append(
                        Finding(
                            f"duplicate template {template.name} version {template.version}: {here} repeats "
                            f"{seen[template.ref]}; list each name and version once",
                            field=f"spec.templates[{i}]",
                            current=template.ref,
                            tags=tags,
                        )
                    )
                    continue
                seen[template.ref] = here
                templates.append(template)
        if findings:
            raise DomainError(findings)
        return cls(tuple(sorted(templates, key=lambda t: (t.name, version_key(t.version)))))

    def select(self, functions: Sequence[str], service_type: str) -> ProvisioningTemplate:
        if not self.templates:
            raise DomainError(
                Finding(
                    f"the package has no provisioning templates: add a {v.TEMPLATE_CATALOG_KIND} "
                    f"({v.O2KRM_API}) listing the O-Cloud templates to use",
                    field="spec",
                )
            )
        fitting = [t for t in self.templates if t.serves(functions, service_type)]
        if not fitting:
            listing = "; ".join(
                f"{t.ref} deploys {', '.join(t.network_functions)}"
                f" for {', '.join(t.service_types) or 'any service type'}"
                for t in self.templates
            )
            raise DomainError(
                Finding(
                    f"no provisioning template deploys {', '.join(functions)} for {service_type}; "
                    f"templates in the catalog: {listing}. Add one to a {v.TEMPLATE_CATALOG_KIND}",
                    field="spec",
                    current=", ".join(functions),
                )
            )

        def fit(t: ProvisioningTemplate) -> tuple[int, int]:
            extra = len(set(t.network_functions) - set(functions))
            return (extra, 0 if service_type in t.service_types else 1)

        best_fit = min(fit(t) for t in fitting)
        best = [t for t in fitting if fit(t) == best_fit]
        names = sorted({t.name for t in best})
        if len(names) > 1:
            raise DomainError(
                Finding(
                    f"templates {', '.join(names)} fit {', '.join(functions)} for {service_type} "
                    "equally well; "
                    "make the catalog unambiguous (narrow serviceTypes or networkFunctions, or remove one)",
                    field="spec",
                )
            )
        return max(best, key=lambda t: version_key(t.version))


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Natural order for versions: v2 < v10, 1.9.0 < 1.10.0."""
    return tuple((0, int(number)) if number else (1, text) for number, text in _VERSION_PART.findall(version))
