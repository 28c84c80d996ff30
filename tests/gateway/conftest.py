"""Shared fixtures: a gateway app on a tmp data directory (fake O-Cloud), sample intents, the
official TMF921 OpenAPI schemas, a listener for hub events, and the gateway as a process."""

from __future__ import annotations

import copy
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi.testclient import TestClient

from o2krm.gateway.app import create_app
from o2krm.gateway.provisioning import OCloudSettings
from o2krm.gateway.settings import Settings
from tests.shared_docs import PR_CRD, SPECS

REPO = Path(__file__).resolve().parents[2]
TMF921_OAS = SPECS / "TMF921-IntentManagement-v5.0.0.oas.yaml"
DATA = REPO / "tests" / "data" / "tmf921"
API = "/tmf-api/intentManagement/v5"
SEED = "/intent-gateway/v1/intents"
BIG_CAPACITY = "cpu=100000,memory=100000Gi,storage=100000Ti"


# --- sample intents ------------------------------------------------------------------------------
def seed_intent(name: str = "deploy-edge-ran") -> dict[str, Any]:
    """The seed's Example TMF921 intent (packages/edge-ran/intent.yaml) as JSON."""
    resource = yaml.safe_load((REPO / "packages" / "edge-ran" / "intent.yaml").read_text())
    resource["metadata"] = {"name": name}
    return resource


def tmf921_intent(form: str = "jsonld", **changes: Any) -> dict[str, Any]:
    """A TMF921 v5 Intent body (TIO expression), without an id."""
    body = yaml.safe_load((DATA / f"tio-ran-edge-west.{form}.yaml").read_text())["spec"]
    body.pop("id")
    body.update(changes)
    return body


# --- the official schemas ----------------------------------------------------------------------
@cache
def _oas() -> dict[str, Any]:
    return yaml.safe_load(TMF921_OAS.read_text())


def oas_errors(schema: str, instance: Any) -> list[str]:
    """Problems of ``instance`` against ``#/components/schemas/<schema>`` of the TMF921 v5 OpenAPI.

    OpenAPI's ``discriminator`` is honoured for ``oneOf`` (``IntentRefOrValue``: an IntentRef is
    also a valid Intent, so plain JSON Schema ``oneOf`` cannot tell them apart)."""
    root = {"$ref": f"#/components/schemas/{schema}", "components": _oas()["components"]}
    validator = _oas_validator()(root, format_checker=_format_checker())
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(instance)]


@cache
def _format_checker() -> Any:
    import jsonschema

    return jsonschema.FormatChecker()


@cache
def _oas_validator() -> Any:
    import jsonschema
    from jsonschema import validators
    from jsonschema._keywords import oneOf as plain_one_of

    def one_of(validator: Any, choices: Any, instance: Any, schema: dict[str, Any]) -> Any:
        discriminator = schema.get("discriminator") or {}
        name = discriminator.get("propertyName")
        mapping = discriminator.get("mapping") or {}
        if isinstance(instance, dict) and name in instance and instance[name] in mapping:
            yield from validator.descend(instance, {"$ref": mapping[instance[name]]})
            return
        yield from plain_one_of(validator, choices, instance, schema)

    return validators.extend(jsonschema.Draft7Validator, {"oneOf": one_of})


@cache
def _pr_schema() -> dict[str, Any]:
    crd = yaml.safe_load(PR_CRD.read_text())
    return crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]


def pr_errors(obj: dict[str, Any]) -> list[str]:
    import jsonschema

    validator = jsonschema.Draft7Validator(_pr_schema())
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(obj)]


# --- the app -------------------------------------------------------------------------------------
@pytest.fixture
def fake_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    state = tmp_path / "fake-ocloud.json"
    monkeypatch.setenv("O2KRM_FAKE_STATE", str(state))
    monkeypatch.delenv("O2KRM_FAKE_CAPACITY", raising=False)
    monkeypatch.delenv("O2KRM_FAKE_PROVISION_TIME", raising=False)
    monkeypatch.delenv("O2KRM_GATEWAY_TOKEN", raising=False)
    return state


def make_settings(tmp_path: Path, **changes: Any) -> Settings:
    ocloud = changes.pop("ocloud", OCloudSettings(mode="fake", fake_capacity=BIG_CAPACITY, fake_provision_seconds=0.3))
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "blueprints": REPO / "packages",
        "ocloud": ocloud,
        "poll_interval": 0.05,
        "public_url": "http://testserver",
    }
    values.update(changes)
    return Settings(**values)


@pytest.fixture
def gateway(tmp_path: Path, fake_env: Path) -> Iterator[Callable[..., TestClient]]:
    """``gateway(**settings)`` -> a started TestClient; stopped at the end of the test."""
    clients: list[TestClient] = []

    def start(**changes: Any) -> TestClient:
        client = TestClient(create_app(make_settings(tmp_path, **changes)), raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield start
    for client in reversed(clients):
        client.__exit__(None, None, None)


@pytest.fixture
def client(gateway: Callable[..., TestClient]) -> TestClient:
    return gateway()


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


def status_of(client: TestClient | httpx.Client, intent_id: str) -> str:
    return str(client.get(f"{API}/intent/{intent_id}").json()["lifecycleStatus"])


def git_tags(repo: Path) -> list[str]:
    out = subprocess.run(["git", "-C", str(repo), "tag", "--list"], capture_output=True, text=True, check=True)
    return sorted(out.stdout.split())


def git_show(repo: Path, ref: str, path: str) -> str:
    out = subprocess.run(["git", "-C", str(repo), "show", f"{ref}:{path}"], capture_output=True, text=True, check=True)
    return out.stdout


def git_files(repo: Path, ref: str, directory: str) -> list[str]:
    out = subprocess.run(
        ["git", "-C", str(repo), "ls-tree", "-r", "--name-only", ref, "--", directory],
        capture_output=True,
        text=True,
        check=True,
    )
    return sorted(line.removeprefix(f"{directory}/") for line in out.stdout.splitlines())


# --- a listener ----------------------------------------------------------------------------------
class Listener:
    """An HTTP listener on 127.0.0.1 that records the JSON bodies POSTed to it."""

    def __init__(self, status: int = 201) -> None:
        self.events: list[dict[str, Any]] = []
        self.status = status
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return None

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length))
                if listener.status < 300:
                    listener.events.append(body)
                self.send_response(listener.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/listener"

    def of(self, event_type: str) -> list[dict[str, Any]]:
        return [copy.deepcopy(e) for e in self.events if e.get("eventType") == event_type]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.stop()


# --- the gateway as a process ----------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class GatewayProcess:
    def __init__(self, data_dir: Path, env: dict[str, str], *extra: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "o2krm.gateway", "--port", str(self.port), "--data-dir", str(data_dir)]
        command += ["--blueprints", str(REPO / "packages"), "--poll-interval", "0.1", *extra]
        self.log = data_dir.parent / f"gateway-{self.port}.log"
        data_dir.mkdir(parents=True, exist_ok=True)
        self._out = self.log.open("w")
        self.proc = subprocess.Popen(command, env=env, stdout=self._out, stderr=subprocess.STDOUT, cwd=REPO)
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"the gateway exited with {self.proc.returncode}:\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"the gateway did not start:\n{self.log.read_text()}")
            time.sleep(0.1)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._out.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._out.close()


def process_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("O2KRM_")}
    env.update(
        O2KRM_FAKE_STATE=str(tmp_path / "fake-ocloud.json"),
        O2KRM_FAKE_CAPACITY=BIG_CAPACITY,
        O2KRM_FAKE_PROVISION_TIME="0.5",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    env.update(extra)
    return env
