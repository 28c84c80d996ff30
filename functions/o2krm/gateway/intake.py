"""Reading what clients send: a TMF921 v5 Intent, the seed's intent resource, a merge patch.

Everything here is checked before anything is rendered or stored, and every problem names the
field of the request body it is about.
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from o2krm.gateway.errors import Problem, unprocessable
from o2krm.gateway.models import READ_ONLY_IN_PATCH, SERVER_FIELDS, IntentCreate
from o2krm.oran import vocabulary as v

API_TMF921 = "tmf921"
API_SEED = "seed"
SEED_FORMS = (v.TMF921_SEED_API, v.TMF921_V5_API)
# An intent's id names its package in the deployment repository, its Porch package revisions
# and (through pr-generate) its ProvisioningRequests: an RFC 1123 label.
_ID = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_ID_MAX = 63


@dataclass(frozen=True)
class Submission:
    """An intent as the gateway stores and renders it."""

    id: str
    api: str  # API_TMF921 or API_SEED
    body: dict[str, Any]  # the TMF921 attributes (client-given, server fields removed)
    envelope: dict[str, Any]  # the TMF921 intent resource rendered into the package
    blueprint_hint: str | None  # what the request asked for, if anything

    @property
    def form(self) -> str:
        return str(self.envelope["apiVersion"])


def id_problem(value: object) -> str | None:
    if not isinstance(value, str) or not value:
        return "must be a non-empty string"
    if len(value) > _ID_MAX:
        return f"is {len(value)} characters long; at most {_ID_MAX} are allowed"
    if not _ID.fullmatch(value):
        return "must be lowercase letters, digits and '-', starting and ending with a letter or digit (RFC 1123)"
    return None


def new_id() -> str:
    return str(uuid.uuid4())


# --- TMF921 v5 -----------------------------------------------------------------------------------
def tmf921_submission(body: Mapping[str, Any], blueprint: str | None) -> Submission:
    """A TMF921 v5 ``Intent_FVO`` body (already shape-checked by the API layer)."""
    intent_id = body.get("id")
    if intent_id is None:
        intent_id = new_id()
    else:
        problem = id_problem(intent_id)
        if problem:
            raise unprocessable(f"id {problem}", Problem(f"id {problem}; or leave it out", "id"))
    _check_intent_type(body.get("@type"), "@type")
    attributes = _attributes(body)
    envelope = _v5_envelope(str(intent_id), attributes)
    return Submission(str(intent_id), API_TMF921, attributes, envelope, blueprint or _specification(attributes))


def _attributes(body: Mapping[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(val) for k, val in body.items() if k not in SERVER_FIELDS and k != "id"}


def _v5_envelope(intent_id: str, attributes: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": v.TMF921_V5_API,
        "kind": v.TMF921_KIND,
        "metadata": {"name": intent_id, "annotations": {v.LOCAL_CONFIG: "true"}},
        "spec": {**copy.deepcopy(dict(attributes)), "id": intent_id},
    }


def _check_intent_type(value: object, field: str) -> None:
    if value == "Intent":
        return
    if value == "ProbeIntent":
        message = (
            "a ProbeIntent asks whether an intent could be handled; this gateway provisions intents and does "
            "not answer probes: send @type Intent"
        )
    else:
        message = f"@type is {value!r}; the gateway handles TMF921 intents of @type Intent"
    raise unprocessable(message, Problem(message, field))


def _specification(attributes: Mapping[str, Any]) -> str | None:
    spec = attributes.get("intentSpecification")
    if isinstance(spec, Mapping):
        for key in ("id", "name"):
            if isinstance(spec.get(key), str) and spec[key]:
                return str(spec[key])
    return None


# --- the seed's form ------------------------------------------------------------------------------
def seed_submission(resource: Mapping[str, Any], blueprint: str | None) -> Submission:
    """The seed's ``POST /intent-gateway/v1/intents`` body: a TMF921 intent as a KRM resource."""
    problems: list[Problem] = []
    api_version = resource.get("apiVersion")
    if api_version not in SEED_FORMS:
        problems.append(Problem(f"apiVersion {api_version!r} is not one of {', '.join(SEED_FORMS)}", "apiVersion"))
    if resource.get("kind") != v.TMF921_KIND:
        problems.append(Problem(f"kind {resource.get('kind')!r}: expected {v.TMF921_KIND}", "kind"))
    metadata = resource.get("metadata") or {}
    name = metadata.get("name")
    problem = id_problem(name)
    if problem:
        problems.append(Problem(f"metadata.name {problem} (it becomes the intent's id)", "metadata.name"))
    spec = resource.get("spec")
    if not isinstance(spec, Mapping):
        problems.append(Problem("spec must be a mapping: the intent's expectations", "spec"))
    if problems:
        raise unprocessable("the intent resource is not valid", *problems)
    assert isinstance(spec, Mapping) and isinstance(name, str)
    if api_version == v.TMF921_V5_API:
        return _seed_v5(name, spec, blueprint)
    if not isinstance(spec.get("intentExpectations"), list) or not spec["intentExpectations"]:
        message = "spec.intentExpectations must list at least one expectation"
        raise unprocessable(message, Problem(message, "spec.intentExpectations"))
    envelope = {
        "apiVersion": v.TMF921_SEED_API,
        "kind": v.TMF921_KIND,
        "metadata": _local_config(metadata),
        "spec": copy.deepcopy(dict(spec)),
    }
    body: dict[str, Any] = {"@type": "Intent", "name": name}
    if isinstance(spec.get("description"), str):
        body["description"] = spec["description"]
    return Submission(name, API_SEED, body, envelope, blueprint)


def _seed_v5(name: str, spec: Mapping[str, Any], blueprint: str | None) -> Submission:
    try:
        IntentCreate.model_validate(spec)
    except ValidationError as err:
        raise unprocessable("spec is not a valid TMF921 v5 Intent", *pydantic_problems(err, "spec")) from None
    if spec.get("id") not in (None, name):
        message = (
            f"spec.id {spec.get('id')!r} differs from metadata.name {name!r}; leave spec.id out or make them equal"
        )
        raise unprocessable(message, Problem(message, "spec.id"))
    _check_intent_type(spec.get("@type"), "spec.@type")
    attributes = _attributes(spec)
    return Submission(
        name, API_SEED, attributes, _v5_envelope(name, attributes), blueprint or _specification(attributes)
    )


def _local_config(metadata: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(dict(metadata))
    annotations = dict(out.get("annotations") or {})
    annotations[v.LOCAL_CONFIG] = "true"
    out["annotations"] = annotations
    return out


# --- PATCH ---------------------------------------------------------------------------------------
def patched_attributes(current: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """``current`` with the JSON merge patch (RFC 7396) ``patch`` applied, checked as a whole intent."""
    read_only = sorted(key for key in patch if key in READ_ONLY_IN_PATCH)
    if read_only:
        problems = [
            Problem(f"{key} is set by the gateway and cannot be patched; leave it out", key) for key in read_only
        ]
        raise unprocessable(f"read-only attributes in the patch: {', '.join(read_only)}", *problems)
    merged = merge_patch(dict(current), patch)
    if not isinstance(merged, dict):
        raise unprocessable("the patch must be a JSON object")
    try:
        IntentCreate.model_validate(merged)
    except ValidationError as err:
        raise unprocessable("the patched intent is not a valid TMF921 Intent", *pydantic_problems(err, "")) from None
    _check_intent_type(merged.get("@type"), "@type")
    return merged


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON Merge Patch."""
    if not isinstance(patch, Mapping):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def pydantic_problems(err: ValidationError, prefix: str) -> list[Problem]:
    problems = []
    for issue in err.errors():
        path = ".".join(str(part) for part in issue["loc"])
        field = f"{prefix}.{path}" if prefix and path else prefix or path
        problems.append(Problem(f"{field}: {issue['msg']}" if field else str(issue["msg"]), field))
    return problems
