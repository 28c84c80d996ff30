"""The O-Cloud site catalog, and how an intent's targets pick sites from it.

A package describes its O-Cloud in one or more ``OCloudSiteCatalog`` resources (local-config,
schema in ``crds/o2krm.io_ocloudsitecatalogs.yaml``). Each site has a name, the cluster that
ProvisioningRequests target, a region, an optional tier, labels, allocatable capacity and an
optional network block (VLAN and address pools) that network-config allocates from.

An intent names its sites with ``targetSite`` values and/or ``region`` values. A target value is

- an exact site name or cluster name: ``edge-us-west-1``, ``edge-cluster-us-west-1``;
- a glob over site and cluster names: ``edge-cluster-*``, ``edge-??-west-1``;
- a phrase: ``all sites`` (or ``all``), ``all <tier> sites`` such as ``all edge sites``.

Region values (exact or glob) select every site of the region when no target is given, and
narrow the targets when both are given. Every target and region must select at least one site.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, Literal

from pydantic import Field, field_validator

from o2krm.oran import vocabulary as v
from o2krm.oran.findings import DomainError, Finding
from o2krm.oran.model_support import InputModel, QuantityField, read_catalog_specs

SiteTier = Literal["edge", "regional", "central"]
SITE_TIERS: tuple[str, ...] = ("edge", "regional", "central")

# Site names become label values and parts of resource names: DNS-1123 labels.
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_REGION = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?")
_ALL_SITES = re.compile(r"all(?:\s+sites?|\s+(?P<tier>[a-z][a-z0-9-]*)\s+sites?)?")
_GLOB_CHARS = frozenset("*?[")
# Where intents keep their targets; IntentView does not track context positions.
INTENT_TARGETS_FIELD = "spec"


class Capacity(InputModel):
    """Allocatable capacity of the site's cluster for O-RAN workloads."""

    cpu: QuantityField
    memory: QuantityField
    storage: QuantityField

    @field_validator("cpu", "memory", "storage")
    @classmethod
    def _positive(cls, value: Any) -> Any:
        if value.amount <= 0:
            raise ValueError(f"capacity must be positive, got {value}")
        return value


class Site(InputModel):
    name: str
    cluster: str
    region: str
    tier: SiteTier | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    capacity: Capacity
    # VLAN and address pools; network-config reads and validates them, pr-generate does not.
    network: dict[str, Any] | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _DNS_LABEL.fullmatch(value):
            raise ValueError(
                f"site name {value!r} must be a DNS label: at most 63 lowercase letters, digits and '-', "
                "starting and ending with a letter or digit"
            )
        return value

    @field_validator("cluster")
    @classmethod
    def _cluster(cls, value: str) -> str:
        if len(value) > 253 or not _DNS_SUBDOMAIN.fullmatch(value):
            raise ValueError(f"cluster name {value!r} must be a DNS subdomain: lowercase letters, digits, '-' and '.'")
        return value

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        if not _REGION.fullmatch(value):
            raise ValueError(f"region {value!r} must be 1-63 letters, digits, '-', '_' or '.'")
        return value

    def describe(self) -> str:
        return f"{self.name} (cluster {self.cluster}, region {self.region})"


class _CatalogSpec(InputModel):
    sites: list[Site] = Field(min_length=1)


@dataclass(frozen=True)
class SiteCatalog:
    """All sites of the package's O-Cloud, sorted by name; names and clusters are unique."""

    sites: tuple[Site, ...]

    @classmethod
    def from_resources(cls, resources: Sequence[Mapping[str, Any]]) -> SiteCatalog:
        """Read ``OCloudSiteCatalog`` resources.

        Raises DomainError; each finding's ``tags["resourceIndex"]`` is the index in ``resources``
        of the catalog it is about, and its ``field`` a path inside that resource.
        """
        findings: list[Finding] = []
        sites: list[Site] = []
        owner_of_name: dict[str, str] = {}
        owner_of_cluster: dict[str, str] = {}
        missing = "spec.sites is missing; list the O-Cloud sites there"
        catalogs = read_catalog_specs(v.SITE_CATALOG_KIND, resources, _CatalogSpec, missing, findings)
        for where, tags, parsed in catalogs:
            for i, site in enumerate(parsed.sites):
                here = f"{where} spec.sites[{i}]"
                clash = owner_of_name.get(site.name) or owner_of_cluster.get(site.cluster)
                if clash is not None:
                    duplicated = "name" if site.name in owner_of_name else "cluster"
                    value = site.name if duplicated == "name" else site.cluster
                    findings.append(
                        Finding(
                            f"duplicate site {duplicated} {value!r}: {here} repeats {clash}; "
                            "each site and each cluster must be listed once",
                            field=f"spec.sites[{i}].{duplicated}",
                            current=value,
                            tags=tags,
                        )
                    )
                    continue
                owner_of_name[site.name] = here
                owner_of_cluster[site.cluster] = here
                sites.append(site)
        if findings:
            raise DomainError(findings)
        return cls(tuple(sorted(sites, key=lambda s: s.name)))

    def get(self, name: str) -> Site | None:
        return next((s for s in self.sites if s.name == name), None)

    def resolve(self, targets: Sequence[str], regions: Sequence[str]) -> tuple[Site, ...]:
        """The sites an intent's ``targetSite`` and ``region`` values select, sorted by name."""
        if not self.sites:
            raise DomainError(
                Finding(
                    "the package has no O-Cloud sites: add an OCloudSiteCatalog "
                    f"({v.O2KRM_API}) listing the sites intents may target",
                    field=INTENT_TARGETS_FIELD,
                )
            )
        if not targets and not regions:
            raise DomainError(
                Finding(
                    f"the intent names no site: add a {v.CTX_TARGET_SITE} context (site name, cluster name, "
                    f"glob such as 'edge-cluster-*', or 'all edge sites') or a {v.CTX_REGION} context",
                    field=INTENT_TARGETS_FIELD,
                )
            )
        findings: list[Finding] = []
        in_regions = self._in_regions(regions, findings)
        selected: dict[str, Site] = {}
        for target in targets:
            matches = self._match_target(target, findings)
            if not matches:
                continue
            kept = [s for s in matches if s.name in in_regions] if regions else matches
            if not kept:
                findings.append(
                    Finding(
                        f"{v.CTX_TARGET_SITE} {target!r} selects {_names(matches)}, but none of them is in "
                        f"{v.CTX_REGION} {_quoted(regions)}; fix the target or the region",
                        field=INTENT_TARGETS_FIELD,
                        current=target,
                    )
                )
            selected.update((s.name, s) for s in kept)
        if not targets:
            selected = in_regions
        if findings:
            raise DomainError(findings)
        return tuple(selected[name] for name in sorted(selected))

    def _in_regions(self, regions: Sequence[str], findings: list[Finding]) -> dict[str, Site]:
        selected: dict[str, Site] = {}
        known = sorted({s.region for s in self.sites})
        for region in regions:
            matches = [s for s in self.sites if _glob_or_equal(region, s.region)]
            if not matches:
                findings.append(
                    Finding(
                        f"{v.CTX_REGION} {region!r} has no O-Cloud site; regions in the catalog: {', '.join(known)}",
                        field=INTENT_TARGETS_FIELD,
                        current=region,
                        proposed=_closest(region, known),
                    )
                )
            selected.update((s.name, s) for s in matches)
        return selected

    def _match_target(self, target: str, findings: list[Finding]) -> list[Site]:
        phrase = _ALL_SITES.fullmatch(" ".join(target.lower().split()))
        if phrase:
            tier = phrase["tier"]
            if tier is None:
                return list(self.sites)
            if tier not in SITE_TIERS:
                findings.append(
                    Finding(
                        f"{v.CTX_TARGET_SITE} {target!r}: unknown tier {tier!r}; use one of "
                        f"{', '.join(SITE_TIERS)} (sites declare it in their 'tier' field)",
                        field=INTENT_TARGETS_FIELD,
                        current=target,
                    )
                )
                return []
            matches = [s for s in self.sites if s.tier == tier]
        else:
            matches = [s for s in self.sites if _glob_or_equal(target, s.name) or _glob_or_equal(target, s.cluster)]
        if not matches:
            findings.append(self._no_match(target))
        return matches

    def _no_match(self, target: str) -> Finding:
        known = sorted({s.name for s in self.sites} | {s.cluster for s in self.sites})
        listing = ", ".join(s.describe() for s in self.sites)
        return Finding(
            f"{v.CTX_TARGET_SITE} {target!r} matches no O-Cloud site; sites in the catalog: {listing}. "
            "Fix the intent's target or add the site to an OCloudSiteCatalog",
            field=INTENT_TARGETS_FIELD,
            current=target,
            proposed=_closest(target, known),
        )


def _glob_or_equal(pattern: str, value: str) -> bool:
    if _GLOB_CHARS.isdisjoint(pattern):
        return pattern == value
    return fnmatchcase(value, pattern)


def _closest(value: str, candidates: Sequence[str]) -> str | None:
    lowered = {c.lower(): c for c in candidates}
    close = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


def _names(sites: Sequence[Site]) -> str:
    return ", ".join(s.name for s in sites)


def _quoted(values: Sequence[str]) -> str:
    return ", ".join(repr(x) for x in values)
