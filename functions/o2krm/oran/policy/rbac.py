"""RBAC: grants that let a subject do anything, escalate its own rights, or read every Secret.

Reference: Kubernetes "RBAC Good Practices" (least privilege; escalate, bind and impersonate are
privilege-escalation verbs; Secret read access equals access to every token in scope).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from o2krm.oran.policy.package import Item, Package, Violation, as_list, as_map, path

RBAC_GROUP: Final = "rbac.authorization.k8s.io"
ROLE_KINDS: Final = {(RBAC_GROUP, "Role"): None, (RBAC_GROUP, "ClusterRole"): None}
BINDING_KINDS: Final = {(RBAC_GROUP, "RoleBinding"): None, (RBAC_GROUP, "ClusterRoleBinding"): None}
ESCALATION_VERBS: Final = ("escalate", "bind", "impersonate")


def check(package: Package) -> Iterator[Violation]:
    for item in package.of_kinds(ROLE_KINDS):
        for i, rule in enumerate(as_list(item.body.get("rules"))):
            yield from _check_rule(item, path("rules", i), as_map(rule))
    for item in package.of_kinds(BINDING_KINDS):
        role_ref = as_map(item.body.get("roleRef"))
        if role_ref.get("kind") == "ClusterRole" and role_ref.get("name") == "cluster-admin":
            yield Violation(
                item.index,
                "rbac.cluster-admin-binding",
                f"{item.describe()} grants cluster-admin; bind a role with only the permissions needed",
                "roleRef.name",
                current="cluster-admin",
            )


def _check_rule(item: Item, field: str, rule: Mapping[str, Any]) -> Iterator[Violation]:
    verbs = _strings(rule.get("verbs"))
    resources = _strings(rule.get("resources"))
    if "*" in verbs.values():
        granted = ", ".join(resources.values()) or "its resources"
        yield Violation(
            item.index,
            "rbac.wildcard-verbs",
            f"{item.describe()} grants every verb on {granted}; list the verbs needed",
            path(path(field, "verbs"), _position(verbs, "*")),
            current="*",
        )
    for key in ("resources", "nonResourceURLs"):
        for j, value in _strings(rule.get(key)).items():
            if value == "*" or value.startswith("*/") or (key == "nonResourceURLs" and value.endswith("*")):
                yield Violation(
                    item.index,
                    "rbac.wildcard-resources",
                    f"{item.describe()} grants {key} {value!r}; list the {key} needed",
                    path(path(field, key), j),
                    current=value,
                )
    for j, verb in verbs.items():
        if verb in ESCALATION_VERBS:
            yield Violation(
                item.index,
                "rbac.escalation-verbs",
                f"{item.describe()} grants {verb!r}, which lets a subject gain permissions it does not hold",
                path(path(field, "verbs"), j),
                current=verb,
            )
    api_groups = _strings(rule.get("apiGroups")).values()
    core = not api_groups or "" in api_groups or "*" in api_groups
    if core and "secrets" in resources.values() and not as_list(rule.get("resourceNames")):
        yield Violation(
            item.index,
            "rbac.secrets-access",
            f"{item.describe()} grants {', '.join(verbs.values()) or 'access'} on every Secret in scope; "
            "restrict it with resourceNames",
            path(path(field, "resources"), _position(resources, "secrets")),
            current="secrets",
        )


def _strings(value: Any) -> dict[int, str]:
    """The string entries of a list by their position (positions make the field paths)."""
    return {i: entry for i, entry in enumerate(as_list(value)) if isinstance(entry, str)}


def _position(entries: dict[int, str], wanted: str) -> int:
    return next(i for i, entry in entries.items() if entry == wanted)
