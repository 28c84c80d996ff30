"""config/ renders offline into exactly the install set, least privilege and locked down."""

from __future__ import annotations

import copy
import hashlib
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.install.support import (
    CONFIG,
    CRDS,
    DEFAULT_NAMESPACE,
    PART_OF,
    SPECS,
    VENDORED_PR_CRD,
    by_name,
    default_render,
    documents,
    kustomize,
    of_kind,
    overlay,
)

PR_CRD = "provisioningrequests.o2ims.provisioning.oran.org"
CLUSTER_SCOPED = {"Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "ClusterPolicy"}
ALL_VERBS = {"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"}
# Which component may do what: the table of docs/install.md. A change here is a change of the
# install's privileges and must be reflected there.
GRANTS: dict[str, dict[tuple[str, str], set[str]]] = {
    "o2krm-o2imsctl": {
        ("o2ims.provisioning.oran.org", "provisioningrequests"): {"get", "list", "watch", "create", "delete"},
        ("", "nodes"): {"list"},
        ("", "namespaces"): {"list"},
        ("apiextensions.k8s.io", "customresourcedefinitions"): {"get"},
        ("apps", "deployments"): {"get"},
    },
    "o2krm-slo-evaluator": {
        ("gate.slo.nephio.org", "slogates"): {"get", "list", "watch"},
        ("measurement.o2ims.org", "measurementjobs"): {"get", "list", "watch"},
    },
    "o2krm-intent-gateway": {
        ("o2ims.provisioning.oran.org", "provisioningrequests"): {"get", "list", "watch", "create"},
    },
}
API_CLIENTS = {"o2imsctl", "slo-evaluator", "intent-gateway"}


@pytest.fixture(scope="module")
def docs() -> list[dict[str, Any]]:
    return documents(default_render())


def _crd_files() -> dict[str, dict[str, Any]]:
    """File name -> CRD document, for every file of crds/ that holds one."""
    found = {}
    for path in sorted(CRDS.glob("*.yaml")):
        for doc in documents(path.read_text()):
            if doc.get("kind") == "CustomResourceDefinition":
                found[path.name] = doc
    return found


# --- what is in the set ----------------------------------------------------------------------------


def test_config_renders_offline_into_the_whole_install_set(docs: list[dict[str, Any]]) -> None:
    assert Counter(d["kind"] for d in docs) == {
        "Namespace": 1,
        "CustomResourceDefinition": len(_crd_files()) + 1,
        "ServiceAccount": 4,
        "ClusterRole": 3,
        "ClusterRoleBinding": 3,
        "NetworkPolicy": 5,
        "ClusterPolicy": 1,
    }
    assert "ConfigMap" not in {d["kind"] for d in docs}, "the key's local-config ConfigMap must not be installed"


def test_every_crd_file_of_crds_is_listed_in_its_kustomization() -> None:
    listed = yaml.safe_load((CRDS / "kustomization.yaml").read_text())["resources"]
    assert sorted(listed) == sorted(_crd_files()), "crds/kustomization.yaml must list every CRD file of crds/"
    assert all((CRDS / name).is_file() for name in listed)


def test_the_set_installs_every_project_crd_and_the_provisioningrequest_crd(docs: list[dict[str, Any]]) -> None:
    project = {crd["metadata"]["name"] for crd in _crd_files().values()}
    assert set(by_name(docs, "CustomResourceDefinition")) == project | {PR_CRD}


def test_crds_are_installed_as_written_plus_the_part_of_label(docs: list[dict[str, Any]]) -> None:
    sources = {crd["metadata"]["name"]: crd for crd in _crd_files().values()}
    sources[PR_CRD] = documents(VENDORED_PR_CRD.read_text())[0]
    for name, rendered in by_name(docs, "CustomResourceDefinition").items():
        expected = copy.deepcopy(sources[name])
        expected["metadata"].setdefault("labels", {})[PART_OF] = "o2krm"
        assert rendered == expected, name


def test_vendored_provisioningrequest_crd_is_its_recorded_version() -> None:
    recorded = re.search(
        r"sha256 of the vendored file: `([0-9a-f]{64})`", (VENDORED_PR_CRD.parent / "README.md").read_text()
    )
    assert recorded, "config/crds/third_party/README.md must record the sha256 of the vendored CRD"
    assert hashlib.sha256(VENDORED_PR_CRD.read_bytes()).hexdigest() == recorded[1]


@pytest.mark.skipif(SPECS is None, reason="../shared/specs is not present beside the repository")
def test_vendored_provisioningrequest_crd_is_byte_identical_to_the_specs() -> None:
    assert SPECS is not None
    source = SPECS / "crds" / VENDORED_PR_CRD.name
    assert VENDORED_PR_CRD.read_bytes() == source.read_bytes(), (
        f"{VENDORED_PR_CRD.relative_to(CONFIG.parent)} differs from {source}: copy it again and update the sha256 "
        "in config/crds/third_party/README.md"
    )


def test_namespaced_objects_are_in_the_install_namespace_and_cluster_scoped_ones_in_none(
    docs: list[dict[str, Any]],
) -> None:
    for doc in docs:
        namespace = doc["metadata"].get("namespace")
        if doc["kind"] in CLUSTER_SCOPED:
            assert namespace is None, f"{doc['kind']}/{doc['metadata']['name']} is cluster-scoped"
        else:
            assert namespace == DEFAULT_NAMESPACE, f"{doc['kind']}/{doc['metadata']['name']}"
    assert list(by_name(docs, "Namespace")) == [DEFAULT_NAMESPACE]


def test_every_object_carries_the_part_of_label(docs: list[dict[str, Any]]) -> None:
    assert all(d["metadata"]["labels"][PART_OF] == "o2krm" for d in docs)


def test_the_namespace_enforces_the_restricted_pod_security_standard(docs: list[dict[str, Any]]) -> None:
    labels = of_kind(docs, "Namespace")[0]["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


def test_another_namespace_through_an_overlay_moves_namespaced_objects_and_binding_subjects(tmp_path: Path) -> None:
    docs = documents(kustomize(overlay(tmp_path, "ran-ops")))
    assert sorted((d["kind"], d["metadata"]["name"]) for d in docs if d["kind"] != "Namespace") == sorted(
        (d["kind"], d["metadata"]["name"]) for d in documents(default_render()) if d["kind"] != "Namespace"
    )
    assert list(by_name(docs, "Namespace")) == ["ran-ops"]
    for doc in docs:
        expected = None if doc["kind"] in CLUSTER_SCOPED else "ran-ops"
        assert doc["metadata"].get("namespace") == expected, f"{doc['kind']}/{doc['metadata']['name']}"
    for binding in of_kind(docs, "ClusterRoleBinding"):
        assert [s["namespace"] for s in binding["subjects"]] == ["ran-ops"]


# --- RBAC ----------------------------------------------------------------------------------------


def _grants(role: dict[str, Any]) -> dict[tuple[str, str], set[str]]:
    grants: dict[tuple[str, str], set[str]] = {}
    for rule in role["rules"]:
        for group in rule["apiGroups"]:
            for resource in rule["resources"]:
                grants.setdefault((group, resource), set()).update(rule["verbs"])
    return grants


def test_each_role_grants_exactly_the_verbs_its_component_uses(docs: list[dict[str, Any]]) -> None:
    roles = by_name(docs, "ClusterRole")
    assert {name: _grants(role) for name, role in roles.items()} == GRANTS


def test_no_rule_grants_wildcards_escalation_or_secrets(docs: list[dict[str, Any]]) -> None:
    for role in of_kind(docs, "ClusterRole"):
        for rule in role["rules"]:
            assert "*" not in rule["verbs"] + rule["resources"] + rule["apiGroups"], role["metadata"]["name"]
            assert not {"escalate", "bind", "impersonate"} & set(rule["verbs"])
            assert "secrets" not in rule["resources"]
            assert set(rule["verbs"]) <= ALL_VERBS


def test_roles_stay_within_the_seed_o2ims_operator_role_on_what_it_covers(docs: list[dict[str, Any]]) -> None:
    """The seed's role: "*" on provisioningrequests; create/get/list/update/patch on configmaps, services, pods."""
    for role in of_kind(docs, "ClusterRole"):
        grants = _grants(role)
        assert "*" not in grants.get(("o2ims.provisioning.oran.org", "provisioningrequests"), set())
        assert not {("", "configmaps"), ("", "services"), ("", "pods")} & set(grants), "no component needs these"
    crd_rule = next(
        r
        for r in by_name(docs, "ClusterRole")["o2krm-o2imsctl"]["rules"]
        if r["resources"] == ["customresourcedefinitions"]
    )
    assert crd_rule["resourceNames"] == [PR_CRD], "o2imsctl reads one CRD by name, not every CRD"


def test_each_binding_binds_its_role_to_its_service_account(docs: list[dict[str, Any]]) -> None:
    accounts = set(by_name(docs, "ServiceAccount"))
    for name, binding in by_name(docs, "ClusterRoleBinding").items():
        assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name}
        assert binding["subjects"] == [{"kind": "ServiceAccount", "name": name, "namespace": DEFAULT_NAMESPACE}]
        assert name in accounts


def test_the_measurement_api_has_no_role_and_no_token(docs: list[dict[str, Any]]) -> None:
    account = by_name(docs, "ServiceAccount")["o2krm-measurement-api"]
    assert account["automountServiceAccountToken"] is False
    assert "o2krm-measurement-api" not in by_name(docs, "ClusterRoleBinding")
    assert all(
        "automountServiceAccountToken" not in a
        for n, a in by_name(docs, "ServiceAccount").items()
        if n != account["metadata"]["name"]
    )


# --- NetworkPolicies -------------------------------------------------------------------------------


def _components(selector: dict[str, Any]) -> set[str]:
    """The app.kubernetes.io/component values a podSelector selects; {"*"} for every pod."""
    if not selector:
        return {"*"}
    if "matchLabels" in selector:
        return {selector["matchLabels"]["app.kubernetes.io/component"]}
    (expression,) = selector["matchExpressions"]
    assert expression["key"] == "app.kubernetes.io/component" and expression["operator"] == "In"
    return set(expression["values"])


def _ports(rule: dict[str, Any]) -> set[tuple[str, int]]:
    return {(p["protocol"], p["port"]) for p in rule["ports"]}


def test_default_deny_covers_every_pod_in_both_directions(docs: list[dict[str, Any]]) -> None:
    deny = by_name(docs, "NetworkPolicy")["o2krm-default-deny"]
    assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


def test_egress_goes_only_to_dns_and_the_api_server(docs: list[dict[str, Any]]) -> None:
    kinds_of_egress = []
    for policy in of_kind(docs, "NetworkPolicy"):
        for rule in policy["spec"].get("egress", []):
            if _ports(rule) == {("UDP", 53), ("TCP", 53)}:
                assert rule["to"] == [
                    {
                        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                        "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                    }
                ]
                assert _components(policy["spec"]["podSelector"]) == {"*"}
                kinds_of_egress.append("dns")
            else:
                assert _ports(rule) == {("TCP", 443), ("TCP", 6443)}
                assert "to" not in rule  # narrowed by the install script's --api-server-cidr
                assert _components(policy["spec"]["podSelector"]) == API_CLIENTS
                kinds_of_egress.append("api")
    assert sorted(kinds_of_egress) == ["api", "dns"]


def test_api_egress_is_for_exactly_the_components_that_hold_a_role(docs: list[dict[str, Any]]) -> None:
    bound = {b["metadata"]["labels"]["app.kubernetes.io/component"] for b in of_kind(docs, "ClusterRoleBinding")}
    assert bound == API_CLIENTS


def test_ingress_is_open_only_on_the_ports_where_a_component_listens(docs: list[dict[str, Any]]) -> None:
    ingress = {
        policy["metadata"]["name"]: (_components(policy["spec"]["podSelector"]), policy["spec"]["ingress"])
        for policy in of_kind(docs, "NetworkPolicy")
        if "ingress" in policy["spec"]
    }
    assert ingress == {
        "o2krm-allow-intent-gateway-ingress": ({"intent-gateway"}, [{"ports": [{"protocol": "TCP", "port": 8080}]}]),
        "o2krm-allow-measurement-api-ingress": (
            {"measurement-api"},
            [{"from": [{"namespaceSelector": {}}], "ports": [{"protocol": "TCP", "port": 8080}]}],
        ),
    }


def test_every_policy_declares_the_directions_it_rules(docs: list[dict[str, Any]]) -> None:
    for policy in of_kind(docs, "NetworkPolicy"):
        types = set(policy["spec"]["policyTypes"])
        assert ("ingress" in policy["spec"]) <= ("Ingress" in types), policy["metadata"]["name"]
        assert ("egress" in policy["spec"]) <= ("Egress" in types), policy["metadata"]["name"]
