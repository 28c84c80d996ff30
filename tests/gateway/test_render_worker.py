"""Rendering in a process of its own (``o2krm-gateway`` does by default): the same answers as
rendering in the gateway's own process, and a rendering process that dies is started again."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from tests.gateway.conftest import API, SEED, seed_intent, tmf921_intent


def _answers(client: TestClient) -> list[tuple[int, object]]:
    out: list[tuple[int, object]] = []
    created = client.post(SEED, json=seed_intent("edge-a"))
    out.append((created.status_code, created.json()["spec"]))
    out.append((200, client.get(f"{API}/intent/edge-a").json()["lifecycleStatus"]))
    body = tmf921_intent("turtle")
    body["expression"] = {**body["expression"], "expressionValue": "@prefix ex: <urn:x> .\nex:a ex:b"}
    refused = client.post(f"{API}/intent", json=body)
    out.append((refused.status_code, refused.json()["details"]))
    return out


def _requests(state: Path) -> dict[str, object]:
    from o2krm.cli.fake_state import StateStore

    with StateStore(state).open(write=False, now=0.0) as current:
        return {name: record["object"]["spec"] for name, record in current.requests.items()}


def test_the_same_answers_as_rendering_in_the_gateway(
    gateway: Callable[..., TestClient], fake_env: Path, tmp_path: Path
) -> None:
    in_thread = _answers(gateway(data_dir=tmp_path / "a"))
    in_thread_requests = _requests(fake_env)
    fake_env.unlink()
    in_worker = _answers(gateway(data_dir=tmp_path / "b", render_process=True))
    assert in_worker == in_thread
    assert _requests(fake_env) == in_thread_requests  # the same ProvisioningRequests, byte for byte


def test_a_rendering_process_that_dies_is_started_again(gateway: Callable[..., TestClient]) -> None:
    client = gateway(render_process=True)
    worker = client.app.state.service.render_client  # type: ignore[attr-defined]
    assert worker is not None and worker.lines.process is not None  # started and warmed with the gateway
    worker.lines.process.kill()
    worker.lines.process.wait(5)
    assert client.post(SEED, json=seed_intent("after-a-death")).status_code == 201  # found dead: started again

    # One that dies in the middle of a render (it reads the ledger and the render, answers
    # nothing and exits): that request fails, the next one works.
    worker.lines.close()
    command = worker.lines.command
    worker.lines.command = [sys.executable, "-c", "import sys; sys.stdin.readline(); sys.stdin.readline()"]
    failed = client.post(SEED, json=seed_intent("mid-render"))
    assert failed.status_code == 500 and "rendering process stopped" in failed.json()["message"]
    assert client.get(f"{API}/intent/mid-render").status_code == 404  # nothing stored
    worker.lines.command = command
    assert client.post(SEED, json=seed_intent("mid-render")).status_code == 201


def test_intents_rendered_there_still_hold_their_own_network_values(
    gateway: Callable[..., TestClient], fake_env: Path
) -> None:
    from tests.gateway.test_allocations import assert_disjoint, provisioned

    client = gateway(render_process=True)
    for name in ("west-1", "west-2", "west-3"):
        assert client.post(SEED, json=seed_intent(name)).status_code == 201
    requests = provisioned(fake_env)
    assert len(requests) == 3
    assert_disjoint(requests)
