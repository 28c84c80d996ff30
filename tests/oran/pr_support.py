"""Shared helpers of the pr-generate domain tests: the official PR schema, the project's
catalog CRDs, the example catalogs and a builder for 28.312 intents."""

from __future__ import annotations

import copy
import os
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from o2krm.oran import vocabulary as v

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
CRDS = ROOT / "crds"
SITE_CATALOG_CRD = CRDS / "o2krm.io_ocloudsitecatalogs.yaml"
TEMPLATE_CATALOG_CRD = CRDS / "o2krm.io_provisioningtemplatecatalogs.yaml"


def specs_dir() -> Path:
    return Path(os.environ.get("O2KRM_SPECS_DIR") or ROOT.parent / "shared" / "specs")


def pr_crd_path() -> Path:
    return specs_dir() / "crds" / "o2ims.provisioning.oran.org_provisioningrequests.yaml"


@cache
def _schema(path: Path) -> dict[str, Any]:
    crd = yaml.safe_load(path.read_text())
    (version,) = crd["spec"]["versions"]
    return version["schema"]["openAPIV3Schema"]


@cache
def _validator(path: Path) -> Any:
    import jsonschema

    return jsonschema.Draft4Validator(_schema(path), format_checker=jsonschema.FormatChecker())


def schema_errors(obj: dict[str, Any], crd_path: Path) -> list[str]:
    """Every jsonschema error of ``obj`` against the CRD (OpenAPI 3.0 schemas are close to draft 4)."""
    return sorted(f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in _validator(crd_path).iter_errors(obj))


def assert_valid_pr(pr: dict[str, Any]) -> None:
    assert pr["apiVersion"] == v.PR_API and pr["kind"] == v.PR_KIND
    assert "namespace" not in pr["metadata"], "ProvisioningRequest is cluster-scoped"
    assert schema_errors(pr, pr_crd_path()) == []


def load(name: str) -> dict[str, Any]:
    return yaml.safe_load((DATA / name).read_text())


def site_catalog() -> dict[str, Any]:
    """The seed's 4-site O-Cloud."""
    return load("site-catalog.yaml")


def template_catalog() -> dict[str, Any]:
    return load("template-catalog.yaml")


def site(name: str, region: str, *, cluster: str | None = None, tier: str | None = "edge", **capacity: str) -> dict:
    entry: dict[str, Any] = {
        "name": name,
        "cluster": cluster or name.replace("edge-", "edge-cluster-", 1),
        "region": region,
        "capacity": {"cpu": "64", "memory": "256Gi", "storage": "2Ti", **capacity},
    }
    if tier:
        entry["tier"] = tier
    return entry


def catalog_of(*sites: dict[str, Any], name: str = "sites") -> dict[str, Any]:
    return {
        "apiVersion": v.O2KRM_API,
        "kind": v.SITE_CATALOG_KIND,
        "metadata": {"name": name, "annotations": {v.LOCAL_CONFIG: "true"}},
        "spec": {"sites": list(sites)},
    }


def templates_of(*templates: dict[str, Any], name: str = "templates") -> dict[str, Any]:
    return {
        "apiVersion": v.O2KRM_API,
        "kind": v.TEMPLATE_CATALOG_KIND,
        "metadata": {"name": name},
        "spec": {"templates": list(templates)},
    }


def intent(
    name: str = "edge-ran-intent",
    *,
    sites: list[str] | None = None,
    regions: list[str] | None = None,
    functions: list[str] | None = None,
    service_type: str | None = "eMBB",
    targets: list[dict[str, Any]] | None = None,
    intent_id: str | None = None,
    api_version: str = v.INTENT_3GPP_API,
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A 28.312 Intent KRM resource as intent-translate emits it."""
    contexts: list[dict[str, Any]] = []
    if sites is not None:
        contexts.append({"contextAttribute": v.CTX_TARGET_SITE, "contextCondition": v.IS_ONE_OF,
                         "contextValueRange": sites})  # fmt: skip
    if regions is not None:
        contexts.append({"contextAttribute": v.CTX_REGION, "contextCondition": v.IS_ONE_OF,
                         "contextValueRange": regions})  # fmt: skip
    if functions is None:
        functions = list(v.NETWORK_FUNCTIONS)
    if functions:
        contexts.append({"contextAttribute": v.CTX_NETWORK_FUNCTIONS, "contextCondition": v.IS_ALL_OF,
                         "contextValueRange": functions})  # fmt: skip
    if service_type is not None:
        contexts.append({"contextAttribute": v.CTX_SERVICE_TYPE, "contextCondition": v.IS_EQUAL_TO,
                         "contextValueRange": service_type})  # fmt: skip
    metadata: dict[str, Any] = {"name": name, "annotations": {v.LOCAL_CONFIG: "true"}}
    if labels:
        metadata["labels"] = labels
    return {
        "apiVersion": api_version,
        "kind": v.INTENT_3GPP_KIND,
        "metadata": metadata,
        "spec": {
            "id": intent_id or name,
            "intentExpectations": [
                {
                    "expectationId": "deploy-oran-functions",
                    "expectationVerb": "DELIVER",
                    "expectationObject": {"objectType": "RAN_SubNetwork", "objectContexts": contexts},
                    "expectationTargets": copy.deepcopy(targets or []),
                }
            ],
            "intentAdminState": "ACTIVATED",
        },
    }


def target(name: str, condition: str, value: Any) -> dict[str, Any]:
    return {"targetName": name, "targetCondition": condition, "targetValueRange": value}


SEED_TARGETS = [target("latency", v.IS_LESS_THAN, 10), target("throughput", v.IS_GREATER_THAN, 1000)]
