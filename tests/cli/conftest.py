from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cli.kube_api_server import KubeApiServer

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Result:
    code: int
    out: str
    err: str

    def yaml(self) -> Any:
        return yaml.safe_load(self.out)


def valid_pr(
    name: str = "edge-ran-deployment", cpu: str = "8", memory: str = "16Gi", **parameters: Any
) -> dict[str, Any]:
    return {
        "apiVersion": "o2ims.provisioning.oran.org/v1alpha1",
        "kind": "ProvisioningRequest",
        "metadata": {"name": name, "labels": {"intent.source": "tmf921"}},
        "spec": {
            "name": "Edge RAN",
            "description": "Edge RAN deployment",
            "templateName": "oran-ran-edge",
            "templateVersion": "v1.0.0",
            "templateParameters": {
                "targetCluster": "edge-cluster-us-west-1",
                "resourceRequirements": {"cpu": cpu, "memory": memory, "storage": "50Gi"},
                **parameters,
            },
        },
    }


SEED_PR = """\
apiVersion: o2ims.provisioning.oran.org/v1alpha1
kind: ProvisioningRequest
metadata:
  name: edge-ran-deployment
  labels:
    intent.source: "tmf921"
    workflow.stage: "provisioning"
spec:
  targetCluster: "edge-cluster-us-west-1"
  resourceRequirements:
    cpu: "8000m"
    memory: "16Gi"
    storage: "50Gi"
  networkConfig:
    vlan: 100
    subnet: "192.168.100.0/24"
    gateway: "192.168.100.1"
  description: "Edge RAN deployment for high-performance 5G services"
"""


def write_yaml(path: Path, *documents: Any) -> Path:
    path.write_text(yaml.safe_dump_all(documents, sort_keys=False))
    return path


def kubeconfig_doc(server: str, context: str = "test", token: str = "t0ken", current: bool = True) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": f"{context}-cluster", "cluster": {"server": server}}],
        "users": [{"name": f"{context}-user", "user": {"token": token}}],
        "contexts": [{"name": context, "context": {"cluster": f"{context}-cluster", "user": f"{context}-user"}}],
    }
    if current:
        doc["current-context"] = context
    return doc


@pytest.fixture
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No inherited kubeconfig, proxy or fake state: HOME is a fresh directory."""
    home = tmp_path / "home"
    home.mkdir()
    for name in list(os.environ):
        if name.upper() in {
            "KUBECONFIG",
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
            "NO_PROXY",
            "XDG_STATE_HOME",
        } or name.startswith("O2KRM_"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("O2KRM_FAKE_STATE", str(tmp_path / "state" / "fake-ocloud.json"))
    return home


@pytest.fixture
def api() -> Iterator[KubeApiServer]:
    server = KubeApiServer(token="t0ken").start()
    yield server
    server.stop()


@pytest.fixture
def kubeconfig(api: KubeApiServer, tmp_path: Path, isolated_env: Path) -> Path:
    return write_yaml(tmp_path / "kubeconfig.yaml", kubeconfig_doc(api.url))


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], isolated_env: Path):
    """Run o2imsctl in this process (real mode needs lightkube, which is slow to import per process)."""
    from o2krm.cli import main

    def run(*argv: str) -> Result:
        code = main(list(argv))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def cli_process(isolated_env: Path):
    """Run o2imsctl as a separate process, as a user would."""

    def run(*argv: str, stdin: str | None = None, env: dict[str, str] | None = None, timeout: float = 20) -> Result:
        done = subprocess.run(
            [sys.executable, "-m", "o2krm.cli", *argv],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **(env or {})},
            cwd=REPO,
        )
        return Result(done.returncode, done.stdout, done.stderr)

    return run
