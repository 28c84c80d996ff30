"""Judging a real cluster's health from what the API returned: pure functions, one per check."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from o2krm.cli import resource
from o2krm.cli.backend import FAIL, PASS, Check, ControllerRef


def api_server_check(server: str, version: Mapping[str, Any] | None, error: str | None) -> Check:
    if error is not None:
        return Check("api-server", FAIL, f"{server}: {error}")
    git_version = (version or {}).get("gitVersion") or "unknown version"
    return Check("api-server", PASS, f"{server} answers, Kubernetes {git_version}")


def nodes_check(nodes: Sequence[Mapping[str, Any]]) -> Check:
    if not nodes:
        return Check("nodes", FAIL, "no nodes are registered")
    not_ready = []
    for node in sorted(nodes, key=resource.name_of):
        ready = resource.condition(node, "Ready")
        if ready is None or ready.get("status") != "True":
            why = (ready or {}).get("reason") or "no Ready condition"
            not_ready.append(f"{resource.name_of(node)} ({why})")
    ready_count = len(nodes) - len(not_ready)
    if not_ready:
        return Check("nodes", FAIL, f"{ready_count}/{len(nodes)} Ready; not ready: {', '.join(not_ready)}")
    return Check("nodes", PASS, f"{ready_count}/{len(nodes)} Ready")


def crd_check(crd: Mapping[str, Any] | None) -> Check:
    name = "provisioningrequest-crd"
    if crd is None:
        return Check(name, FAIL, f"CustomResourceDefinition {resource.CRD_NAME} is not installed")
    established = resource.condition(crd, "Established")
    if established is None or established.get("status") != "True":
        why = (established or {}).get("message") or "no Established condition"
        return Check(name, FAIL, f"{resource.CRD_NAME} is not established: {why}")
    versions = (crd.get("spec") or {}).get("versions") or []
    served = [str(v.get("name")) for v in versions if isinstance(v, Mapping) and v.get("served")]
    if resource.VERSION not in served:
        serving = ", ".join(served) or "none"
        return Check(name, FAIL, f"{resource.CRD_NAME} does not serve {resource.VERSION} (serves: {serving})")
    return Check(name, PASS, f"{resource.CRD_NAME} established, serves {resource.VERSION}")


def controller_check(deployment: Mapping[str, Any] | None, ref: ControllerRef) -> Check:
    name = "o2ims-controller"
    where = f"deployment {ref.namespace}/{ref.name}"
    if deployment is None:
        return Check(name, FAIL, f"{where} not found; point at it with -n NAMESPACE and --controller NAME")
    status = deployment.get("status") or {}
    wanted = (deployment.get("spec") or {}).get("replicas", 1)
    replicas = f"{status.get('availableReplicas') or 0}/{wanted} replicas available"
    available = resource.condition(deployment, "Available")
    if available is None or available.get("status") != "True":
        why = (available or {}).get("message") or "no Available condition"
        return Check(name, FAIL, f"{where} is not available ({replicas}): {why}")
    return Check(name, PASS, f"{where} available ({replicas})")
