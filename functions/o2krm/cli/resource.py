"""The ProvisioningRequest resource as the CLI addresses it, and read-only views of its status.

ProvisioningRequests are cluster-scoped (``o2ims.provisioning.oran.org/v1alpha1``, plural
``provisioningrequests``), so ``-n/--namespace`` does not apply to them, as with kubectl.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

GROUP = "o2ims.provisioning.oran.org"
VERSION = "v1alpha1"
API_VERSION = f"{GROUP}/{VERSION}"
KIND = "ProvisioningRequest"
PLURAL = "provisioningrequests"
CRD_NAME = f"{PLURAL}.{GROUP}"
# How kubectl names the type in messages: "provisioningrequest.o2ims.provisioning.oran.org/x created".
TYPE_NAME = f"{KIND.lower()}.{GROUP}"

STATES = ("progressing", "fulfilled", "failed", "deleting")

# Kubernetes object names for cluster-scoped resources: a DNS-1123 subdomain.
_DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
MAX_NAME_LENGTH = 253

Object = dict[str, Any]


def name_problem(name: object) -> str | None:
    """Why ``name`` cannot name a ProvisioningRequest, or None when it can."""
    if not isinstance(name, str) or not name:
        return "a name is required"
    if len(name) > MAX_NAME_LENGTH:
        return f"name is {len(name)} characters long; at most {MAX_NAME_LENGTH} are allowed"
    if not _DNS1123_SUBDOMAIN.fullmatch(name):
        return (
            f"{name!r} is not a valid name: use lowercase letters, digits, '-' and '.', "
            "starting and ending with a letter or digit"
        )
    return None


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def name_of(obj: Mapping[str, Any]) -> str:
    return str(_mapping(obj.get("metadata")).get("name", ""))


def provisioning_status(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return _mapping(_mapping(obj.get("status")).get("provisioningStatus"))


def state_of(obj: Mapping[str, Any]) -> str | None:
    """status.provisioningStatus.provisioningState, or "deleting" once deletion started and no state says so."""
    state = provisioning_status(obj).get("provisioningState")
    if isinstance(state, str) and state:
        return state
    if _mapping(obj.get("metadata")).get("deletionTimestamp"):
        return "deleting"
    return None


def message_of(obj: Mapping[str, Any]) -> str:
    message = provisioning_status(obj).get("provisioningMessage")
    return message if isinstance(message, str) else ""


def condition(obj: Mapping[str, Any], type_name: str) -> Mapping[str, Any] | None:
    """The status.conditions entry whose type matches ``type_name`` (case-insensitive, as kubectl wait)."""
    conditions = _mapping(obj.get("status")).get("conditions")
    if not isinstance(conditions, list):
        return None
    wanted = type_name.lower()
    for entry in conditions:
        if isinstance(entry, Mapping) and str(entry.get("type", "")).lower() == wanted:
            return entry
    return None


def template_parameters(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return _mapping(_mapping(obj.get("spec")).get("templateParameters"))
