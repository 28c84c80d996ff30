"""RBAC: grants that let a subject do anything, escalate its own rights, or read every Secret.

Reference: Kubernetes "RBAC Good Practices" (least privilege; escalate, bind and impersonate are
privilege-escalation verbs; Secret read access equals access to every token in scope).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

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
                item.index, "rbac.cluster-admin-binding",
                f"{item.describe()} grants cluster-admin; bind a role with only the permissions needed",
                "roleRef.name", current="cluster-admin",
            )  # fmt: skip


def _check_rule(item: Item, field: str, rule: dict) -> Iterator[Violation]:
    verbs = [v for v in as_list(rule.get("verbs")) if isinstance(v, str)]
    resources = [r for r in as_list(rule.get("resources")) if isinstance(r, str)]
    api_groups = [g for g in as_list(rule.get("apiGroups")) if isinstance(g, str)]
    if "*" in verbs:
        yield Violation(
            item.index, "rbac.wildcard-verbs",
            f"{item.describe()} grants every verb on {', '.join(resources) or 'its resources'}; list the verbs needed",
            path(path(field, "verbs"), verbs.index("*")), current="*",
        )  # fmt: skip
    for key in ("resources", "nonResourceURLs"):
        values = [v for v in as_list(rule.get(key)) if isinstance(v, str)]
        for j, value in enumerate(values):
            if value == "*" or value.startswith("*/") or (key == "nonResourceURLs" and value.endswith("*")):
                yield Violation(
                    item.index, "rbac.wildcard-resources",
                    f"{item.describe()} grants {key} {value!r}; list the {key} needed",
                    path(path(field, key), j), current=value,
                )  # fmt: skip
    for j, verb in enumerate(verbs):
        if verb in ESCALATION_VERBS:
            yield Violation(
                item.index, "rbac.escalation-verbs",
                f"{item.describe()} grants {verb!r}, which lets a subject gain permissions it does not hold",
                path(path(field, "verbs"), j), current=verb,
            )  # fmt: skip
    core = not api_groups or "" in api_groups or "*" in api_groups
    if core and "secrets" in resources and not as_list(rule.get("resourceNames")):
        yield Violation(
            item.index, "rbac.secrets-access",
            f"{item.describe()} grants {', '.join(verbs) or 'access'} on every Secret in scope; "
            "restrict it with resourceNames",
            path(path(field, "resources"), resources.index("secrets")), current="secrets",
        )  # fmt: skip
