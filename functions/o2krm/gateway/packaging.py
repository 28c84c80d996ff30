"""Rendering an intent into its package, and what the gateway takes from the result: the
ProvisioningRequests to create, the TS 28.312 IntentReport, the warnings.

A render that reports errors is the client's problem (422): each error result becomes a
problem naming the field of the request body when it is about the intent, else the generated
resource it is about. An internal error of a function is the gateway's problem (500).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from o2krm.gateway.allocations import Reserved, with_reservations
from o2krm.gateway.blueprints import Blueprint
from o2krm.gateway.errors import ApiError, Problem, unprocessable
from o2krm.gateway.intake import API_TMF921
from o2krm.oran import vocabulary as v
from o2krm.sdk import yamlio
from o2krm.tools import pipeline

_TMF921_GROUP = v.TMF921_SEED_API.partition("/")[0]


@dataclass(frozen=True)
class RenderedIntent:
    files: dict[str, str]
    digest: str
    requests: dict[str, dict[str, Any]]  # name -> ProvisioningRequest
    report_28312: dict[str, Any] | None  # spec of the TS 28.312 IntentReport
    findings: list[dict[str, Any]]  # warnings and infos of the render
    seconds: float


def render_intent(
    blueprint: Blueprint,
    package: str,
    envelope: Mapping[str, Any],
    api: str,
    engine: str,
    *,
    reserved: Reserved | None = None,
) -> RenderedIntent:
    """Render ``envelope`` with ``blueprint``; ``reserved``: network values other intents hold,
    written into the package's site catalogs so that network-config does not hand them out."""
    started = time.perf_counter()
    files = blueprint.package_for(package, envelope)
    if reserved:
        files = with_reservations(files, reserved)
    try:
        rendered = pipeline.render(files, engine=engine)
    except pipeline.PipelineError as err:
        raise ApiError(500, f"blueprint {blueprint.name} cannot be rendered: {err}") from None
    seconds = time.perf_counter() - started
    if not rendered.ok:
        internal = [r for r in rendered.errors if str(r.get("message", "")).startswith("internal error")]
        if internal or not rendered.errors:
            raise ApiError(
                500, f"rendering failed in the gateway: {internal[0]['message'] if internal else rendered.message}"
            )
        problems = [_problem(result, api) for result in rendered.errors]
        raise unprocessable(
            f"the intent cannot be rendered with blueprint {blueprint.name}: {problems[0].message}", *problems
        )
    requests: dict[str, dict[str, Any]] = {}
    report: dict[str, Any] | None = None
    for resource in rendered.resources:
        if resource.get("apiVersion") == v.PR_API and resource.get("kind") == v.PR_KIND:
            requests[str(resource["metadata"]["name"])] = resource
        elif resource.get("apiVersion") == v.INTENT_3GPP_API and resource.get("kind") == v.INTENT_REPORT_KIND:
            report = resource.get("spec") or {}
    findings = [
        {"message": str(r.get("message", "")), "severity": str(r.get("severity", "info"))}
        for r in rendered.results
        if r.get("severity") in ("warning", "info")
    ]
    return RenderedIntent(
        rendered.files, digest(rendered.files), dict(sorted(requests.items())), report, findings, seconds
    )


def tombstone(package: str, intent_id: str) -> dict[str, str]:
    """The last revision of a deleted intent's package: a Kptfile and nothing to deploy, so
    GitOps removes what the earlier revisions deployed."""
    kptfile = {
        "apiVersion": "kpt.dev/v1",
        "kind": "Kptfile",
        "metadata": {"name": package, "annotations": {v.LOCAL_CONFIG: "true"}},
        "info": {"description": f"Intent {intent_id} was deleted through the o2krm intent gateway: nothing to deploy."},
    }
    return {pipeline.KPTFILE: yamlio.dump(kptfile)}


def digest(files: Mapping[str, str]) -> str:
    hasher = hashlib.sha256()
    for path in sorted(files):
        hasher.update(path.encode())
        hasher.update(b"\0")
        hasher.update(files[path].encode())
        hasher.update(b"\0")
    return hasher.hexdigest()


def fingerprint(request: Mapping[str, Any]) -> str:
    """What identifies a ProvisioningRequest's content: a hash of its spec."""
    text = json.dumps(request.get("spec"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _problem(result: Mapping[str, Any], api: str) -> Problem:
    message = str(result.get("message", ""))
    field = str((result.get("field") or {}).get("path") or "")
    ref = result.get("resourceRef") or {}
    group = str(ref.get("apiVersion") or "").partition("/")[0]
    if group == _TMF921_GROUP and ref.get("kind") == v.TMF921_KIND:
        # About the intent itself: name the field of the request body.
        if api == API_TMF921:
            field = field.removeprefix("spec.").removeprefix("spec")
        return Problem(message, field)
    if ref:
        where = f"{ref.get('kind', '')}/{ref.get('name', '')}"
        return Problem(f"{where}: {message}", f"{where} {field}".strip())
    return Problem(message, field)
