"""Shared fixtures of the slo tests: the project's CRD schemas, the seed's examples as 28.312
intents, and ProvisioningRequests as pr-generate emits them."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from o2krm.oran import vocabulary as v
from tests.shared_docs import PR_CRD, SEED_GUIDE

ROOT = Path(__file__).resolve().parents[2]
CRDS = ROOT / "crds"
SEED = SEED_GUIDE
SLOGATE_CRD = CRDS / "gate.slo.nephio.org_slogates.yaml"
MEASUREMENT_JOB_CRD = CRDS / "measurement.o2ims.org_measurementjobs.yaml"


@cache
def crd(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


def crd_schema(path: Path) -> dict[str, Any]:
    (version,) = crd(path)["spec"]["versions"]
    return version["schema"]["openAPIV3Schema"]


def schema_errors(obj: dict[str, Any], path: Path) -> list[str]:
    """Every jsonschema error of ``obj`` against the CRD at ``path`` (OpenAPI 3.0 ~ draft 4)."""
    import jsonschema

    validator = jsonschema.Draft4Validator(crd_schema(path), format_checker=jsonschema.FormatChecker())
    return sorted(f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(obj))


def assert_valid(obj: dict[str, Any]) -> None:
    path = {v.SLOGATE_KIND: SLOGATE_CRD, v.MEASUREMENT_JOB_KIND: MEASUREMENT_JOB_CRD, v.PR_KIND: PR_CRD}[obj["kind"]]
    assert schema_errors(obj, path) == []


@cache
def seed_yaml_blocks() -> tuple[Any, ...]:
    """Every YAML code block of the user's seed document that parses."""
    docs = []
    for block in re.findall(r"```yaml\n(.*?)```", SEED.read_text(), flags=re.DOTALL):
        try:
            docs.append(yaml.safe_load(block))
        except yaml.YAMLError:
            continue
    return tuple(docs)


def seed_object(kind: str) -> dict[str, Any]:
    (obj,) = [d for d in seed_yaml_blocks() if isinstance(d, dict) and d.get("kind") == kind]
    return obj


def context(attribute: str, condition: str, values: Any) -> dict[str, Any]:
    return {"contextAttribute": attribute, "contextCondition": condition, "contextValueRange": values}


def target(name: str, condition: str, value: Any) -> dict[str, Any]:
    return {"targetName": name, "targetCondition": condition, "targetValueRange": value}


def intent_spec(
    targets: list[dict[str, Any]],
    *,
    intent_id: str = "edge-ran-intent",
    sites: tuple[str, ...] = ("edge-cluster-us-west-1",),
    functions: tuple[str, ...] = v.NETWORK_FUNCTIONS,
    service_type: str | None = None,
) -> dict[str, Any]:
    """An Intent-Single as intent-translate emits it: one RAN expectation holding the targets."""
    contexts = [context(v.CTX_TARGET_SITE, v.IS_ONE_OF, list(sites))]
    if functions:
        contexts.append(context(v.CTX_NETWORK_FUNCTIONS, v.IS_ALL_OF, list(functions)))
    if service_type:
        contexts.append(context(v.CTX_SERVICE_TYPE, v.IS_EQUAL_TO, service_type))
    return {
        "id": intent_id,
        "userLabel": intent_id,
        "intentExpectations": [
            {
                "expectationId": "1",
                "expectationVerb": "DELIVER",
                "expectationObject": {"objectType": "RAN_SubNetwork", "objectContexts": contexts},
                "expectationTargets": targets,
            }
        ],
        "intentAdminState": "ACTIVATED",
    }


# The seed's first example: "latency<10ms", "throughput>1Gbps", and its SLOGate's 99.5 % success.
# intent-translate normalises the units (ms, Mbit/s, ratio); the conditions are the seed gate's.
SEED_EDGE_TARGETS = [
    target("latency", v.IS_EQUAL_TO_OR_LESS_THAN, 10),
    target("successRate", v.IS_EQUAL_TO_OR_GREATER_THAN, 0.995),
    target("throughput", v.IS_EQUAL_TO_OR_GREATER_THAN, 1000),
]
# The seed's URLLC example: latency_requirement "<1ms", reliability "99.999%", DU at edge-cluster-*.
SEED_URLLC_TARGETS = [
    target("latency", v.IS_LESS_THAN, 1),
    target("reliability", v.IS_EQUAL_TO_OR_GREATER_THAN, 0.99999),
]


def provisioning_request(
    name: str = "6f1c2b8e-3f7a-5d2e-9a41-0c7d2e5b9f10",
    site: str | None = "edge-cluster-us-west-1",
    intent: str | None = "edge-ran-intent",
) -> dict[str, Any]:
    """A ProvisioningRequest shaped as pr-generate emits it (valid against the O2 IMS CRD)."""
    labels = {v.LABEL_INTENT_SOURCE: "tmf921", v.LABEL_WORKFLOW_STAGE: "provisioning"}
    if intent is not None:
        labels[v.LABEL_INTENT] = intent
    if site is not None:
        labels[v.LABEL_SITE] = site
    return {
        "apiVersion": v.PR_API,
        "kind": v.PR_KIND,
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "name": f"{intent} at {site}",
            "description": "O-RAN CU/DU deployment",
            "templateName": "oran-cu-du",
            "templateVersion": "v1",
            "templateParameters": {"targetCluster": site} if site is not None else {},
        },
    }
