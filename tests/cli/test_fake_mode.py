"""Fake mode end to end: every command in its own process, state kept in the file between them."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.cli.conftest import REPO, SEED_PR, valid_pr, write_yaml
from tests.cli.kube_api_server import load_crd

TYPE = "provisioningrequest.o2ims.provisioning.oran.org"
CRD_SCHEMA = load_crd()["spec"]["versions"][0]["schema"]["openAPIV3Schema"]


@pytest.fixture
def pr_file(tmp_path: Path) -> Path:
    return write_yaml(tmp_path / "pr.yaml", valid_pr())


def test_lifecycle_create_list_wait_get_delete(cli_process, pr_file: Path, isolated_env: Path) -> None:
    fake = ("--fake", "--fake-provision-time", "600ms")
    created = cli_process("pr", "create", "--from", str(pr_file), *fake)
    assert (created.code, created.out, created.err) == (0, f"{TYPE}/edge-ran-deployment created\n", "")

    listed = cli_process("pr", "list", "--fake")
    assert listed.out.splitlines()[1].split()[:2] == ["edge-ran-deployment", "progressing"]

    start = time.monotonic()
    waited = cli_process("pr", "wait", "edge-ran-deployment", "--condition", "Ready", "--timeout", "10m", "--fake")
    assert (waited.code, waited.out) == (0, f"{TYPE}/edge-ran-deployment condition met\n")
    assert time.monotonic() - start < 5

    got = cli_process("pr", "get", "edge-ran-deployment", "-o", "json", "--fake")
    obj = json.loads(got.out)
    jsonschema.validate(obj, CRD_SCHEMA)
    status = obj["status"]
    assert status["provisioningStatus"]["provisioningState"] == "fulfilled"
    assert (
        status["provisioningStatus"]["provisioningMessage"]
        == "fake O-Cloud: provisioning complete on edge-cluster-us-west-1"
    )
    assert status["provisionedResourceSet"]["oCloudNodeClusterId"]
    assert obj["spec"] == valid_pr()["spec"]

    deleted = cli_process("pr", "delete", "edge-ran-deployment", "--fake")
    assert deleted.out == f'{TYPE} "edge-ran-deployment" deleted\n'
    gone = cli_process("pr", "get", "edge-ran-deployment", "--fake")
    assert gone.code == 3 and '"edge-ran-deployment" not found' in gone.err
    assert cli_process("pr", "list", "--fake").err == "No resources found\n"


def test_a_request_bigger_than_the_ocloud_fails_and_ends_the_wait_at_once(cli_process, tmp_path: Path) -> None:
    big = write_yaml(tmp_path / "big.yaml", valid_pr("too-big", cpu="96"))
    fake = ("--fake", "--fake-provision-time", "1s", "--fake-capacity", "cpu=64,memory=256Gi,storage=4Ti")
    assert cli_process("pr", "create", "-f", str(big), *fake).code == 0
    start = time.monotonic()
    waited = cli_process("pr", "wait", "too-big", "--timeout", "1m", *fake)
    elapsed = time.monotonic() - start
    assert waited.code == 5
    assert waited.err == (
        f"error: {TYPE}/too-big failed: fake O-Cloud: insufficient cpu: requested 96, free 64 of 64\n"
    )
    assert elapsed < 5  # the failure shows at half the provisioning time; the wait does not run to its timeout
    state = cli_process("pr", "get", "too-big", "-o", "yaml", "--fake").yaml()["status"]["provisioningStatus"]
    assert state["provisioningState"] == "failed"


def test_capacity_is_shared_by_live_requests_and_freed_by_delete(cli_process, tmp_path: Path) -> None:
    env = {"O2KRM_FAKE_CAPACITY": "cpu=64,memory=256Gi,storage=4Ti", "O2KRM_FAKE_PROVISION_TIME": "0s"}
    for name in ("first", "second", "third"):
        write_yaml(tmp_path / f"{name}.yaml", valid_pr(name, cpu="40"))
    assert cli_process("pr", "create", "-f", str(tmp_path / "first.yaml"), "--fake", env=env).code == 0
    assert cli_process("pr", "create", "-f", str(tmp_path / "second.yaml"), "--fake", env=env).code == 0
    states = cli_process("pr", "list", "--fake", "-o", "json", env=env)
    assert [
        (i["metadata"]["name"], i["status"]["provisioningStatus"]["provisioningState"])
        for i in json.loads(states.out)["items"]
    ] == [("first", "fulfilled"), ("second", "failed")]
    health = cli_process("cluster", "health", "--fake", env=env)
    assert "cpu 40/64" in health.out
    assert cli_process("pr", "delete", "first", "second", "--fake", env=env).code == 0
    assert cli_process("pr", "create", "-f", str(tmp_path / "third.yaml"), "--fake", env=env).code == 0
    third = cli_process("pr", "get", "third", "--fake", "-o", "json", env=env)
    assert json.loads(third.out)["status"]["provisioningStatus"]["provisioningState"] == "fulfilled"


def test_wait_times_out_with_exit_4(cli_process, pr_file: Path) -> None:
    cli_process("pr", "create", "-f", str(pr_file), "--fake", "--fake-provision-time", "1h")
    waited = cli_process("pr", "wait", "edge-ran-deployment", "--timeout", "300ms", "--fake")
    assert waited.code == 4
    assert "timed out after 300ms waiting for provisioningState fulfilled" in waited.err
    missing = cli_process("pr", "wait", "nope", "--timeout", "300ms", "--fake")
    assert missing.code == 3


def stored_requests(path: Path) -> dict[str, Any]:
    from o2krm.cli.fake_state import StateStore

    with StateStore(path).open(write=False, now=0.0) as state:
        return dict(state.requests)


def test_state_lives_in_the_xdg_state_dir_by_default(cli_process, pr_file: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("O2KRM_FAKE_STATE")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert cli_process("pr", "create", "-f", str(pr_file), "--fake").code == 0
    path = tmp_path / "xdg" / "o2krm" / "fake-ocloud.json"
    assert json.loads(path.read_text().splitlines()[0])["format"] == "o2krm.io/fake-ocloud/v2"
    assert list(stored_requests(path)) == ["edge-ran-deployment"]
    assert (
        cli_process("pr", "get", "edge-ran-deployment", "--fake", "-o", "name").out == f"{TYPE}/edge-ran-deployment\n"
    )


def test_concurrent_creates_all_land_thanks_to_the_lock(tmp_path: Path, isolated_env: Path) -> None:
    names = [f"pr-{i}" for i in range(6)]
    processes = []
    for name in names:
        path = write_yaml(tmp_path / f"{name}.yaml", valid_pr(name, cpu="1"))
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "o2krm.cli", "pr", "create", "-f", str(path), "--fake"],
                cwd=REPO,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        )
    assert [p.wait(timeout=30) for p in processes] == [0] * len(names)
    listed = subprocess.run(
        [sys.executable, "-m", "o2krm.cli", "pr", "list", "--fake", "-o", "name"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert listed.stdout.splitlines() == [f"{TYPE}/{name}" for name in names]
    stored = stored_requests(isolated_env.parent / "state" / "fake-ocloud.json")
    versions = {stored[n]["object"]["metadata"]["resourceVersion"] for n in names}
    assert versions == {str(i) for i in range(1, len(names) + 1)}


def test_a_corrupt_state_file_is_a_clear_error(cli_process, tmp_path: Path) -> None:
    state = tmp_path / "state" / "fake-ocloud.json"
    state.parent.mkdir()
    state.write_text("{not json")
    result = cli_process("pr", "list", "--fake")
    assert result.code == 1
    assert result.err.startswith(f"error: fake state {state} is not valid JSON")
    assert "delete it to start the fake O-Cloud afresh" in result.err


def test_cluster_commands_say_they_are_fake(cli_process) -> None:
    health = cli_process("cluster", "health", "--fake")
    assert health.code == 0
    assert "fake mode" in health.err
    rows = {line.split()[0]: line.split()[1] for line in health.out.splitlines()[1:]}
    assert rows == {
        "api-server": "SKIP",
        "nodes": "SKIP",
        "provisioningrequest-crd": "SKIP",
        "o2ims-controller": "SKIP",
        "fake-state": "PASS",
        "fake-capacity": "PASS",
    }
    assert "no Kubernetes API server contacted" in health.out
    nodes = cli_process("cluster", "nodes", "--fake", "-o", "yaml").yaml()
    assert [n["metadata"]["labels"]["o2krm.io/fake"] for n in nodes["items"]] == ["true"]
    namespaces = cli_process("cluster", "namespaces", "--fake")
    assert "fake mode" in namespaces.err
    assert cli_process("--version").out.startswith("o2imsctl ")
    version = cli_process("version", "--fake")
    assert version.out.splitlines()[1] == "Server Version: fake (o2imsctl fake O-Cloud, no cluster)"


def test_seed_shaped_request_is_refused_with_the_fix(cli_process, tmp_path: Path) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text(SEED_PR)
    result = cli_process("pr", "create", "--from", str(seed), "--fake")
    assert result.code == 1
    assert result.err.splitlines() == [
        f"error: {seed} is not a valid ProvisioningRequest:",
        "  spec.networkConfig: unknown field: not in the ProvisioningRequest CRD, the API server would drop it; "
        "move it to spec.templateParameters.networkConfig",
        "  spec.resourceRequirements: unknown field: not in the ProvisioningRequest CRD, the API server would drop it; "
        "move it to spec.templateParameters.resourceRequirements",
        "  spec.targetCluster: unknown field: not in the ProvisioningRequest CRD, the API server would drop it; "
        "move it to spec.templateParameters.targetCluster",
        "  spec.templateName: required field is missing",
        "  spec.templateParameters: required field is missing",
        "  spec.templateVersion: required field is missing",
        "nothing was created",
    ]
    assert cli_process("pr", "list", "--fake").out == ""


def test_stdin_multiple_documents_output_formats_and_dry_run(cli_process) -> None:
    documents = yaml.safe_dump_all([valid_pr("a"), valid_pr("b")])
    dry = cli_process("pr", "create", "-f", "-", "--dry-run", "--fake", stdin=documents)
    assert dry.out == f"{TYPE}/a created (dry run)\n{TYPE}/b created (dry run)\n"
    assert cli_process("pr", "list", "--fake").out == ""
    created = cli_process("pr", "create", "-f", "-", "--fake", "-o", "json", stdin=documents)
    listed = json.loads(created.out)
    assert listed["kind"] == "List" and [i["metadata"]["name"] for i in listed["items"]] == ["a", "b"]
    partly = cli_process("pr", "create", "-f", "-", "--fake", stdin=yaml.safe_dump_all([valid_pr("c"), valid_pr("a")]))
    assert partly.code == 1
    assert partly.out == f"{TYPE}/c created\n"
    assert '"a" already exists' in partly.err


def test_namespace_is_accepted_for_cluster_scoped_requests_and_verbose_says_why(cli_process) -> None:
    result = cli_process("pr", "list", "--namespace", "o2ims-system", "--fake", "-v")
    assert result.code == 0
    assert "ProvisioningRequests are cluster-scoped; --namespace o2ims-system does not apply" in result.err
    assert "o2imsctl: fake mode: state " in result.err
    assert cli_process("pr", "list", "--namespace", "o2ims-system", "--fake").err == "No resources found\n"


def test_global_flags_work_before_and_after_the_command(cli_process) -> None:
    assert (
        cli_process("--fake", "-o", "name", "cluster", "namespaces").out
        == "namespace/default\nnamespace/o2ims-system\n"
    )
    assert (
        cli_process("cluster", "namespaces", "--fake", "-o", "name").out
        == "namespace/default\nnamespace/o2ims-system\n"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["frobnicate"], "invalid choice"),
        (["pr"], "missing command"),
        (["pr", "wait", "x", "--timeout", "soon", "--fake"], "is not a duration"),
        (["pr", "list", "--fake-capacity", "cpu=1"], "--fake-capacity needs --fake"),
        (["cluster", "health", "--fake", "-o", "name"], "-o name is not supported here"),
        (["cluster", "health", "--fake", "--fake-capacity", "cpu"], "is not RESOURCE=QUANTITY"),
        (["pr", "create", "-f", "x.yaml", "--validate", "maybe", "--fake"], "is not a validation mode"),
        (["pr", "delete", "--fake"], "the following arguments are required: NAME"),
    ],
)
def test_usage_errors_exit_2(cli_process, argv: list[str], message: str) -> None:
    result = cli_process(*argv)
    assert result.code == 2, result.err
    assert message in result.err
    assert result.out == ""


def test_bad_environment_settings_are_errors_naming_the_variable(cli_process) -> None:
    result = cli_process("pr", "list", "--fake", env={"O2KRM_FAKE_PROVISION_TIME": "later"})
    assert result.code == 1 and result.err.startswith("error: O2KRM_FAKE_PROVISION_TIME: 'later' is not a duration")
