"""A real Prometheus for the promotion tests, and gate packages pointed at its scenarios.

The Debian ``prometheus`` package provides ``prometheus`` and ``promtool``. The session fixture
backfills ``metrics.openmetrics`` into a fresh TSDB with promtool, starts the binary on
127.0.0.1 with a free port and that storage directory, and stops it at the end. Without the
binaries every test that needs it skips and says why.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from . import metrics

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ROOT / "packages"
EDGE_RAN = PACKAGES / "edge-ran"
EDGE_RAN_GATE = "a2b3fc18-19a3-5f8a-8cdc-c9be83533574"  # the ProvisioningRequest edge-ran renders
EDGE_RAN_SITE = "edge-us-west-1"
INSTALL_HINT = "apt-get install -y prometheus"


@dataclass(frozen=True)
class Prometheus:
    url: str
    now: int  # the "now" the test data was generated around


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _binaries() -> tuple[str, str]:
    prometheus, promtool = shutil.which("prometheus"), shutil.which("promtool")
    if not prometheus or not promtool:
        pytest.skip(f"the prometheus and promtool binaries are not installed (Debian: {INSTALL_HINT})")
    return prometheus, promtool


@pytest.fixture(scope="session")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prometheus]:
    binary, promtool = _binaries()
    root = tmp_path_factory.mktemp("prometheus")
    now = int(time.time())
    data = root / "data"
    source = root / "metrics.om"
    source.write_text(metrics.openmetrics(now))
    backfill = subprocess.run(
        [promtool, "tsdb", "create-blocks-from", "openmetrics", str(source), str(data)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert backfill.returncode == 0, backfill.stderr + backfill.stdout
    config = root / "prometheus.yml"
    config.write_text("global:\n  evaluation_interval: 1h\n")
    port = free_port()
    log = (root / "prometheus.log").open("w")
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={data}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--storage.tsdb.retention.time=30d",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process, root / "prometheus.log")
        yield Prometheus(url, now)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    import httpx

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"prometheus exited with {process.returncode}:\n{log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/-/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    pytest.fail(f"prometheus did not become ready at {url}:\n{log.read_text()[-2000:]}")


@pytest.fixture
def down_url() -> str:
    """A URL where nothing listens."""
    return f"http://127.0.0.1:{free_port()}"


# --- gate packages ---------------------------------------------------------------------------------


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


def edge_ran_gate() -> dict[str, Any]:
    return load(EDGE_RAN / f"slogate_{EDGE_RAN_GATE}.yaml")


def edge_ran_job() -> dict[str, Any]:
    return load(EDGE_RAN / f"measurementjob_{EDGE_RAN_GATE}.yaml")


def at_site(obj: dict[str, Any], site: str) -> dict[str, Any]:
    """The generated resource, with its queries and labels moved from edge-us-west-1 to ``site``."""
    return yaml.safe_load(yaml.safe_dump(obj).replace(EDGE_RAN_SITE, site))


def write_gate(directory: Path, site: str, **policy: Any) -> Path:
    """edge-ran's generated SLOGate and MeasurementJob, moved to ``site``, into ``directory``.

    ``policy`` overrides spec fields of the gate (camelCase) or of its failurePolicy.
    """
    directory.mkdir(parents=True, exist_ok=True)
    gate, job = at_site(edge_ran_gate(), site), at_site(edge_ran_job(), site)
    for key, value in policy.items():
        target = gate["spec"]["failurePolicy"] if key in gate["spec"]["failurePolicy"] else gate["spec"]
        target[key] = value
    (directory / "slogate.yaml").write_text(yaml.safe_dump(gate, sort_keys=False))
    (directory / "measurementjob.yaml").write_text(yaml.safe_dump(job, sort_keys=False))
    return directory


def copy_package(source: Path, destination: Path) -> Path:
    shutil.copytree(source, destination)
    return destination
