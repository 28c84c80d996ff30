"""Real mode against a Kubernetes API test server on 127.0.0.1: CRUD, watch-based wait, errors, health."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest

from tests.cli.conftest import SEED_PR, kubeconfig_doc, valid_pr, write_yaml
from tests.cli.kube_api_server import CRD_NAME, KubeApiServer, deployment, ready_node

pytestmark = pytest.mark.usefixtures("isolated_env")
TYPE = "provisioningrequest.o2ims.provisioning.oran.org"


@pytest.fixture
def pr_file(tmp_path: Path) -> Path:
    return write_yaml(tmp_path / "pr.yaml", valid_pr())


def test_create_get_list_delete_round_trip(cli, api: KubeApiServer, kubeconfig: Path, pr_file: Path) -> None:
    k = ("--kubeconfig", str(kubeconfig))
    created = cli("pr", "create", "--from", str(pr_file), *k)
    assert (created.code, created.out) == (0, f"{TYPE}/edge-ran-deployment created\n")
    assert api.prs["edge-ran-deployment"]["spec"]["templateName"] == "oran-ran-edge"
    assert api.authorizations[-1] == "Bearer t0ken"

    api.set_state("edge-ran-deployment", "progressing", "deploying")
    got = cli("pr", "get", "edge-ran-deployment", "-o", "json", *k)
    assert got.code == 0
    obj = json.loads(got.out)
    assert obj["metadata"]["resourceVersion"] == api.prs["edge-ran-deployment"]["metadata"]["resourceVersion"]
    assert obj["status"]["provisioningStatus"]["provisioningState"] == "progressing"

    listed = cli("pr", "list", *k)
    assert listed.code == 0
    header, row = listed.out.splitlines()
    assert header.split() == ["NAME", "STATE", "TEMPLATE", "VERSION", "TARGET", "AGE"]
    assert row.split()[:5] == [
        "edge-ran-deployment",
        "progressing",
        "oran-ran-edge",
        "v1.0.0",
        "edge-cluster-us-west-1",
    ]

    assert cli("pr", "list", "-o", "name", *k).out == f"{TYPE}/edge-ran-deployment\n"
    deleted = cli("pr", "delete", "edge-ran-deployment", *k)
    assert (deleted.code, deleted.out) == (0, f'{TYPE} "edge-ran-deployment" deleted\n')
    assert api.prs == {}
    empty = cli("pr", "list", *k)
    assert (empty.code, empty.out, empty.err) == (0, "", "No resources found\n")


def test_namespace_flag_is_accepted_and_requests_stay_cluster_scoped(cli, api, kubeconfig, pr_file) -> None:
    result = cli("pr", "create", "--from", str(pr_file), "--namespace", "o2ims-system", "--kubeconfig", str(kubeconfig))
    assert result.code == 0
    posts = [path for method, path, _ in api.log if method == "POST"]
    assert posts == ["/apis/o2ims.provisioning.oran.org/v1alpha1/provisioningrequests"]


def test_get_missing_is_not_found_exit_3(cli, api, kubeconfig) -> None:
    result = cli("pr", "get", "nope", "--kubeconfig", str(kubeconfig))
    assert result.code == 3
    assert (
        result.err
        == 'Error from server (NotFound): provisioningrequests.o2ims.provisioning.oran.org "nope" not found\n'
    )
    assert result.out == ""


def test_delete_missing_is_exit_3_unless_ignored(cli, api, kubeconfig) -> None:
    assert cli("pr", "delete", "nope", "--kubeconfig", str(kubeconfig)).code == 3
    ignored = cli("pr", "delete", "nope", "--ignore-not-found", "--kubeconfig", str(kubeconfig))
    assert (ignored.code, ignored.out, ignored.err) == (0, "", "")


def test_create_existing_is_conflict_409(cli, api, kubeconfig, pr_file) -> None:
    assert cli("pr", "create", "-f", str(pr_file), "--kubeconfig", str(kubeconfig)).code == 0
    again = cli("pr", "create", "-f", str(pr_file), "--kubeconfig", str(kubeconfig))
    assert again.code == 1
    assert "Error from server (AlreadyExists)" in again.err and '"edge-ran-deployment" already exists' in again.err


def test_invalid_request_is_rejected_before_anything_is_sent(cli, api, kubeconfig, tmp_path) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text(SEED_PR)
    result = cli("pr", "create", "--from", str(seed), "--kubeconfig", str(kubeconfig))
    assert result.code == 1
    assert "spec.templateName: required field is missing" in result.err
    assert "spec.targetCluster: unknown field" in result.err and "spec.templateParameters.targetCluster" in result.err
    assert api.requests("POST") == []


def test_server_side_422_is_reported_with_its_causes(cli, api, kubeconfig, tmp_path) -> None:
    bad = valid_pr()
    bad["spec"]["templateVersion"] = 7  # the schema wants a string
    path = write_yaml(tmp_path / "bad.yaml", bad)
    result = cli("pr", "create", "--from", str(path), "--validate=false", "--kubeconfig", str(kubeconfig))
    assert result.code == 1
    assert result.err.startswith("Error from server (Invalid): ")
    assert "spec.templateVersion" in result.err
    assert api.requests("POST") != [] and api.prs == {}


def test_wait_uses_a_watch_and_ends_when_fulfilled(cli, api, kubeconfig, pr_file) -> None:
    k = ("--kubeconfig", str(kubeconfig))
    assert cli("pr", "create", "-f", str(pr_file), *k).code == 0
    api.set_state("edge-ran-deployment", "progressing")
    version = api.prs["edge-ran-deployment"]["metadata"]["resourceVersion"]
    api.later(0.3, api.set_state, "edge-ran-deployment", "fulfilled", "done")
    start = time.monotonic()
    result = cli("pr", "wait", "edge-ran-deployment", "--condition", "Ready", "--timeout", "10m", *k)
    assert (result.code, result.out) == (0, f"{TYPE}/edge-ran-deployment condition met\n")
    assert time.monotonic() - start < 5
    watches = [q for q in api.requests("GET") if q.get("watch") == ["true"]]
    assert len(watches) == 1
    assert watches[0]["resourceVersion"] == [version]
    assert watches[0]["fieldSelector"] == ["metadata.name=edge-ran-deployment"]
    plain_gets = [q for q in api.requests("GET") if "watch" not in q]
    assert len(plain_gets) == 1  # one read, then the watch: no polling


def test_wait_ends_at_once_with_exit_5_when_the_request_fails(cli, api, kubeconfig, pr_file) -> None:
    k = ("--kubeconfig", str(kubeconfig))
    cli("pr", "create", "-f", str(pr_file), *k)
    api.later(0.2, api.set_state, "edge-ran-deployment", "failed", "insufficient cpu on edge-cluster-us-west-1")
    start = time.monotonic()
    result = cli("pr", "wait", "edge-ran-deployment", "--timeout", "30s", *k)
    assert result.code == 5
    assert "failed: insufficient cpu on edge-cluster-us-west-1" in result.err
    assert time.monotonic() - start < 5


def test_wait_times_out_with_exit_4(cli, api, kubeconfig, pr_file) -> None:
    k = ("--kubeconfig", str(kubeconfig))
    cli("pr", "create", "-f", str(pr_file), *k)
    api.set_state("edge-ran-deployment", "progressing")
    start = time.monotonic()
    result = cli("pr", "wait", "edge-ran-deployment", "--timeout", "700ms", *k)
    elapsed = time.monotonic() - start
    assert result.code == 4
    assert "timed out after 700ms waiting for provisioningState fulfilled" in result.err
    assert "(now progressing)" in result.err
    assert 0.6 < elapsed < 5


def test_wait_timeout_zero_checks_once(cli, api, kubeconfig, pr_file) -> None:
    k = ("--kubeconfig", str(kubeconfig))
    cli("pr", "create", "-f", str(pr_file), *k)
    assert cli("pr", "wait", "edge-ran-deployment", "--timeout", "0", *k).code == 4
    api.set_state("edge-ran-deployment", "fulfilled")
    assert cli("pr", "wait", "edge-ran-deployment", "--timeout", "0", *k).code == 0


def test_wait_understands_conditions_when_there_is_no_provisioning_state(cli, api, kubeconfig, pr_file) -> None:
    k = ("--kubeconfig", str(kubeconfig))
    cli("pr", "create", "-f", str(pr_file), *k)
    ready = {"conditions": [{"type": "Ready", "status": "True", "reason": "Provisioned"}]}
    api.later(0.2, api.set_status, "edge-ran-deployment", ready)
    assert cli("pr", "wait", "edge-ran-deployment", "--timeout", "10s", *k).code == 0
    custom = cli("pr", "wait", "edge-ran-deployment", "--condition", "ClusterProvisioned", "--timeout", "300ms", *k)
    assert custom.code == 4 and "condition ClusterProvisioned=True" in custom.err


def test_wait_for_deletion_and_object_vanishing(cli, api, kubeconfig, pr_file) -> None:
    k = ("--kubeconfig", str(kubeconfig))
    cli("pr", "create", "-f", str(pr_file), *k)
    api.prs["edge-ran-deployment"]["metadata"]["finalizers"] = ["o2ims.oran.org/cleanup"]
    assert cli("pr", "delete", "edge-ran-deployment", *k).code == 0
    assert api.prs["edge-ran-deployment"]["metadata"]["deletionTimestamp"]
    # While deleting, waiting for Ready cannot succeed: it ends at once.
    deleting = cli("pr", "wait", "edge-ran-deployment", "--timeout", "10s", *k)
    assert deleting.code == 1 and "is being deleted" in deleting.err
    api.later(0.2, api.finish_deletion, "edge-ran-deployment")
    gone = cli("pr", "wait", "edge-ran-deployment", "--condition", "Deleted", "--timeout", "10s", *k)
    assert gone.code == 0
    assert cli("pr", "wait", "edge-ran-deployment", "--timeout", "1s", *k).code == 3


def test_wait_recovers_when_the_resource_version_expired(cli, api, kubeconfig, pr_file) -> None:
    k = ("--kubeconfig", str(kubeconfig))
    cli("pr", "create", "-f", str(pr_file), *k)
    api.compact()  # the version the CLI reads is now older than the watch cache: 410 Expired
    api.later(0.3, api.set_state, "edge-ran-deployment", "fulfilled")
    assert cli("pr", "wait", "edge-ran-deployment", "--timeout", "10s", *k).code == 0
    watches = [q for q in api.requests("GET") if q.get("watch") == ["true"]]
    assert len(watches) == 2 and "resourceVersion" not in watches[1]


def test_health_passes_on_a_healthy_cluster(cli, api, kubeconfig) -> None:
    result = cli("cluster", "health", "--kubeconfig", str(kubeconfig), "-o", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["healthy"] is True and report["mode"] == "real"
    assert [(c["check"], c["result"]) for c in report["checks"]] == [
        ("api-server", "PASS"),
        ("nodes", "PASS"),
        ("provisioningrequest-crd", "PASS"),
        ("o2ims-controller", "PASS"),
    ]
    assert "v1.30.2-test" in report["checks"][0]["detail"]
    assert report["checks"][1]["detail"] == "2/2 Ready"


@pytest.mark.parametrize(
    ("breakage", "check", "detail"),
    [
        (lambda api: api.crds.clear(), "provisioningrequest-crd", f"{CRD_NAME} is not installed"),
        (
            lambda api: api.nodes.append(ready_node("node-c", ready=False)),
            "nodes",
            "2/3 Ready; not ready: node-c (KubeletNotReady)",
        ),
        (lambda api: api.nodes.clear(), "nodes", "no nodes are registered"),
        (lambda api: api.deployments.clear(), "o2ims-controller", "deployment o2ims-system/o2ims-controller not found"),
        (
            lambda api: api.deployments.update(
                {("o2ims-system", "o2ims-controller"): deployment("o2ims-system", "o2ims-controller", available=False)}
            ),
            "o2ims-controller",
            "is not available (0/1 replicas available)",
        ),
    ],
)
def test_health_fails_and_says_which_check_failed(cli, api, kubeconfig, breakage, check, detail) -> None:
    breakage(api)
    result = cli("cluster", "health", "--kubeconfig", str(kubeconfig))
    assert result.code == 1
    rows = {line.split()[0]: line for line in result.out.splitlines()[1:]}
    assert set(rows) == {"api-server", "nodes", "provisioningrequest-crd", "o2ims-controller"}
    assert rows[check].split()[1] == "FAIL" and detail in rows[check]
    assert sum(line.split()[1] == "FAIL" for line in rows.values()) == 1
    assert f"{check} failed" in result.err


def test_health_looks_for_the_controller_where_told(cli, api, kubeconfig) -> None:
    api.deployments = {("oran-o2ims", "manager"): deployment("oran-o2ims", "manager")}
    result = cli("cluster", "health", "-n", "oran-o2ims", "--controller", "manager", "--kubeconfig", str(kubeconfig))
    assert result.code == 0, result.out


def test_health_against_an_unreachable_server(cli, tmp_path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = write_yaml(tmp_path / "dead.yaml", kubeconfig_doc(f"http://127.0.0.1:{port}"))
    result = cli("cluster", "health", "--kubeconfig", str(config), "--request-timeout", "2s")
    assert result.code == 1
    rows = [line.split()[:2] for line in result.out.splitlines()[1:]]
    assert rows == [
        ["api-server", "FAIL"],
        ["nodes", "SKIP"],
        ["provisioningrequest-crd", "SKIP"],
        ["o2ims-controller", "SKIP"],
    ]
    listing = cli("pr", "list", "--kubeconfig", str(config), "--request-timeout", "2s")
    assert listing.code == 1 and f"cannot reach the API server http://127.0.0.1:{port}" in listing.err


def test_nodes_namespaces_and_version(cli, api, kubeconfig) -> None:
    k = ("--kubeconfig", str(kubeconfig))
    nodes = cli("cluster", "nodes", *k)
    assert [line.split()[:3] for line in nodes.out.splitlines()] == [
        ["NAME", "STATUS", "ROLES"],
        ["node-a", "Ready", "worker"],
        ["node-b", "Ready", "worker"],
    ]
    assert cli("cluster", "namespaces", "-o", "name", *k).out.splitlines() == [
        "namespace/default",
        "namespace/kube-system",
        "namespace/o2ims-system",
    ]
    version = cli("version", *k)
    assert version.out.splitlines()[1] == "Server Version: v1.30.2-test"
    assert cli("version", "--client").out.startswith("Client Version: ")


def test_wrong_credentials_are_an_error_that_says_so(cli, api, tmp_path) -> None:
    config = write_yaml(tmp_path / "k.yaml", kubeconfig_doc(api.url, token="wrong"))
    result = cli("pr", "list", "--kubeconfig", str(config))
    assert result.code == 1
    assert "Error from server (Unauthorized)" in result.err and "credentials" in result.err
