"""Shared helpers of the network-config domain tests: official CRD schemas and input builders."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from o2krm.oran import vocabulary as v
from o2krm.oran.network import (
    DEFAULT_ATTACHMENTS,
    AttachmentRequest,
    PoolCatalog,
    build_pool_catalog,
    request_from_provisioning_request,
    site_pools_from_catalog,
)
from tests.oran.pr_support import SITE_CATALOG_CRD, pr_crd_path, schema_errors, specs_dir

IPCLAIM_CRD = "ipam.resource.nephio.org_ipclaims.yaml"
VLANCLAIM_CRD = "vlan.resource.nephio.org_vlanclaims.yaml"
NAD_CRD = "k8s.cni.cncf.io_network-attachment-definitions.yaml"

__all__ = ["SITE_CATALOG_CRD", "pr_crd_path", "schema_errors"]


def crd_path(file_name: str) -> Path:
    return specs_dir() / "crds" / file_name


@cache
def _schema(path: Path) -> dict[str, Any]:
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
    (version,) = docs[0]["spec"]["versions"]
    return version["schema"]["openAPIV3Schema"]


def validation_problems(obj: dict[str, Any], file_name: str) -> list[str]:
    """Schema errors plus fields the schema does not know (an API server would silently drop them)."""
    path = crd_path(file_name)
    return schema_errors(obj, path) + unknown_fields(obj, _schema(path))


def unknown_fields(obj: Any, schema: dict[str, Any], at: str = "") -> list[str]:
    problems: list[str] = []
    if isinstance(obj, dict):
        props = schema.get("properties")
        open_ended = "additionalProperties" in schema or schema.get("x-kubernetes-preserve-unknown-fields")
        if props is None:
            return problems
        for key, value in obj.items():
            if key in props:
                problems.extend(unknown_fields(value, props[key], f"{at}.{key}" if at else key))
            elif not open_ended:
                problems.append(f"{at}.{key}: not in the schema" if at else f"{key}: not in the schema")
    elif isinstance(obj, list) and isinstance(schema.get("items"), dict):
        for i, value in enumerate(obj):
            problems.extend(unknown_fields(value, schema["items"], f"{at}[{i}]"))
    return problems


# --- builders ----------------------------------------------------------------------------
def network_block(vlan: tuple[int, int] = (100, 199), **networks: dict[str, Any]) -> dict[str, Any]:
    return {"vlanRange": {"start": vlan[0], "end": vlan[1]}, "networks": networks}


def catalog_doc(sites: dict[str, dict[str, Any] | None], name: str = "sites") -> dict[str, Any]:
    """An OCloudSiteCatalog with one site per entry (network block or None)."""
    entries = []
    for i, (site, network) in enumerate(sites.items()):
        entry: dict[str, Any] = {
            "name": site,
            "cluster": f"cluster-{site}",
            "region": f"region-{i}",
            "capacity": {"cpu": "64", "memory": "256Gi", "storage": "2Ti"},
        }
        if network is not None:
            entry["network"] = network
        entries.append(entry)
    return {
        "apiVersion": v.O2KRM_API,
        "kind": v.SITE_CATALOG_KIND,
        "metadata": {"name": name, "annotations": {v.LOCAL_CONFIG: "true"}},
        "spec": {"sites": entries},
    }


def pool_catalog(sites: dict[str, dict[str, Any] | None]) -> PoolCatalog:
    return build_pool_catalog(site_pools_from_catalog(catalog_doc(sites)))


def pr_doc(
    name: str,
    site: str | None,
    functions: list[str] | None = None,
    network_config: dict[str, Any] | None = None,
) -> dict[str, Any]:
    params: dict[str, Any] = {"networkFunctions": list(functions or ["CU-CP", "CU-UP", "DU"])}
    if network_config is not None:
        params["networkConfig"] = network_config
    meta: dict[str, Any] = {"name": name}
    if site is not None:
        meta["labels"] = {v.LABEL_SITE: site}
    return {
        "apiVersion": v.PR_API,
        "kind": v.PR_KIND,
        "metadata": meta,
        "spec": {"templateName": "oran-ran", "templateVersion": "v1", "templateParameters": params},
    }


def request(name: str, site: str, functions: list[str] | None = None) -> AttachmentRequest:
    found = request_from_provisioning_request(pr_doc(name, site, functions), DEFAULT_ATTACHMENTS)
    assert found is not None
    return found
