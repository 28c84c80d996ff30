"""Network isolation: every namespace that runs workloads has a NetworkPolicy that selects them.

The reference is the O2 IMS controller policy of the integration guide: a NetworkPolicy in the
workload's namespace whose podSelector matches the workload's pod labels, with explicit policyTypes.
Resources without a namespace are grouped as the namespace they will be applied to ("").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from o2krm.oran.policy.package import Item, Package, Violation, as_list, as_map, path
from o2krm.oran.policy.pod_security import POD_TEMPLATE_PATHS

NETWORK_POLICY: Final = ("networking.k8s.io", "NetworkPolicy")
WORKLOAD_KINDS: Final = {key: steps for key, steps in POD_TEMPLATE_PATHS.items() if key != ("", "PodTemplate")}


def check(package: Package) -> Iterator[Violation]:
    workloads: dict[str, list[Item]] = {}
    for item in package.of_kinds(WORKLOAD_KINDS):
        workloads.setdefault(item.namespace, []).append(item)
    if not workloads:
        return
    policies: dict[str, list[Mapping[str, Any]]] = {}
    for item in package.of_kind(*NETWORK_POLICY):
        policies.setdefault(item.namespace, []).append(as_map(item.spec.get("podSelector")))
    namespaces = {item.name: item for item in package.of_kind("", "Namespace")}
    for namespace in sorted(workloads):
        members = workloads[namespace]
        selectors = policies.get(namespace)
        if not selectors:
            yield _namespace_without_policy(namespace, members, namespaces.get(namespace))
            continue
        for item in members:
            labels_field, labels = _pod_labels(item)
            if not any(selects(selector, labels) for selector in selectors):
                yield Violation(
                    item.index,
                    "network.workload-not-selected",
                    f"no NetworkPolicy in {_describe(namespace)} selects the pods of {item.describe()}; "
                    "add a policy whose podSelector matches these labels",
                    labels_field,
                    current=dict(labels),
                )


def _namespace_without_policy(namespace: str, members: list[Item], namespace_item: Item | None) -> Violation:
    names = ", ".join(item.describe() for item in members[:3]) + (", ..." if len(members) > 3 else "")
    message = (
        f"{_describe(namespace)} runs {len(members)} workload(s) ({names}) but has no NetworkPolicy; "
        "add one that selects them and lists policyTypes Ingress and Egress"
    )
    if namespace_item is not None:
        return Violation(namespace_item.index, "network.namespace-without-policy", message, "metadata.name")
    return Violation(members[0].index, "network.namespace-without-policy", message, "metadata.namespace")


def _describe(namespace: str) -> str:
    return f"namespace {namespace!r}" if namespace else "the default namespace (metadata.namespace unset)"


def _pod_labels(item: Item) -> tuple[str, Mapping[str, Any]]:
    steps = WORKLOAD_KINDS[(item.group, item.kind)]
    node: Any = item.body
    base = ""
    for step in steps:
        node = as_map(node).get(step)
        base = path(base, step)
    return path(path(base, "metadata"), "labels"), as_map(as_map(as_map(node).get("metadata")).get("labels"))


def selects(selector: Mapping[str, Any], labels: Mapping[str, Any]) -> bool:
    """Kubernetes LabelSelector semantics: an empty selector selects everything."""
    for key, value in as_map(selector.get("matchLabels")).items():
        if labels.get(key) != value:
            return False
    for expression in as_list(selector.get("matchExpressions")):
        expression = as_map(expression)
        key, operator = expression.get("key"), expression.get("operator")
        values = as_list(expression.get("values"))
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True
