"""Nothing the gateway confirmed is lost: across restarts, after a crash between steps, and when
the process is killed (SIGKILL) in the middle of a load."""

from __future__ import annotations

import concurrent.futures
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from o2krm.gateway.lifecycle import State
from o2krm.gateway.publishing import Publisher
from o2krm.gateway.service import IntentService
from o2krm.gateway.store import IntentRecord, ReportRecord, Store
from tests.gateway.conftest import (
    API,
    SEED,
    GatewayProcess,
    Listener,
    git_tags,
    make_settings,
    process_env,
    seed_intent,
    status_of,
    tmf921_intent,
    wait_for,
)


def test_intents_reports_and_hubs_survive_a_restart(listener: Listener, gateway: Any) -> None:
    first = gateway()
    hub = first.post(f"{API}/hub", json={"callback": listener.url}).json()
    intent = first.post(f"{API}/intent", json=tmf921_intent()).json()
    wait_for(lambda: status_of(first, intent["id"]) == "Provisioned")
    reports = first.get(f"{API}/intent/{intent['id']}/intentReport").json()
    first.__exit__(None, None, None)

    second = gateway()
    again = second.get(f"{API}/intent/{intent['id']}").json()
    assert {k: again[k] for k in ("id", "name", "expression", "creationDate")} == {
        k: intent[k] for k in ("id", "name", "expression", "creationDate")
    }
    assert again["lifecycleStatus"] == "Provisioned"
    assert second.get(f"{API}/intent/{intent['id']}/intentReport").json() == reports
    assert second.get(f"{API}/hub/{hub['id']}").json() == hub
    assert second.post(SEED, json=seed_intent("after-restart")).status_code == 201
    wait_for(lambda: listener.of("IntentCreateEvent") and len(listener.of("IntentCreateEvent")) == 2)


def _stored_but_not_published(tmp_path: Path, name: str) -> IntentRecord:
    """What a gateway leaves behind when it dies right after storing an intent: render it as a POST
    would, store it Created, and stop there."""
    from o2krm.gateway import intake, packaging
    from o2krm.gateway.blueprints import BlueprintCatalog

    settings = make_settings(tmp_path)
    submission = intake.seed_submission(seed_intent(name), None)
    blueprint = BlueprintCatalog(settings.blueprints).get("edge-ran")
    assert blueprint is not None
    rendered = packaging.render_intent(blueprint, name, submission.envelope, submission.api, "in-process")
    record = IntentRecord(
        id=name, form=submission.form, api=submission.api, body=submission.body, envelope=submission.envelope,
        blueprint="edge-ran", package=name, lifecycle_status=State.CREATED, created_at="2025-01-01T00:00:00.000Z",
        updated_at="2025-01-01T00:00:00.000Z", status_changed_at="2025-01-01T00:00:00.000Z",
        pending_files=rendered.files, pending_digest=rendered.digest, requests=rendered.requests,
    )  # fmt: skip
    store = Store(settings.db_path)
    report = ReportRecord(name, 0, record.created_at, State.CREATED, "StateIntentReceived", "stored")
    store.insert_intent(record, report)
    store.close()
    return record


def test_a_stored_intent_is_published_after_a_crash(gateway: Any, tmp_path: Path) -> None:
    _stored_but_not_published(tmp_path, "orphan")
    client = gateway()
    wait_for(lambda: status_of(client, "orphan") in ("Provisioning", "Provisioned"))
    assert git_tags(tmp_path / "data" / "deployments.git") == ["orphan/v1"]


def test_a_publish_that_finished_before_the_crash_is_adopted_not_repeated(gateway: Any, tmp_path: Path) -> None:
    record = _stored_but_not_published(tmp_path, "half-done")
    publisher = Publisher(str(tmp_path / "data" / "deployments.git"))
    publisher.ensure_local_repository()
    assert record.pending_files is not None
    publisher.publish("half-done", record.pending_files, "before the crash", last_known=None, resume=False)
    client = gateway()
    wait_for(lambda: status_of(client, "half-done") in ("Provisioning", "Provisioned"))
    assert git_tags(tmp_path / "data" / "deployments.git") == ["half-done/v1"]
    reports = client.get(f"{API}/intent/half-done/intentReport").json()
    assert reports[1]["expression"]["expressionValue"]["o2krm:packageRevision"] == "half-done/v1"


def test_one_gateway_per_data_directory(tmp_path: Path, fake_env: Path) -> None:
    first = IntentService(make_settings(tmp_path))
    first.start()
    try:
        second = IntentService(make_settings(tmp_path))
        with pytest.raises(RuntimeError, match="another gateway is running"):
            second.start()
    finally:
        first.stop()


def test_store_refuses_a_newer_schema(tmp_path: Path) -> None:
    import sqlite3

    from o2krm.gateway.store import StoreError

    path = tmp_path / "gateway.db"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(StoreError, match="newer gateway"):
        Store(path)


def test_killed_mid_run_no_confirmed_intent_is_lost(tmp_path: Path) -> None:
    """SIGKILL the gateway while 4 clients POST; restart it: every intent answered 201 is there and
    finishes provisioning, and each was published exactly once."""
    data = tmp_path / "data"
    env = process_env(tmp_path)
    server = GatewayProcess(data, env)
    confirmed: list[str] = []
    attempted: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def post(number: int) -> None:
        name = f"load-{number}"
        with lock:
            attempted.append(name)
        try:
            response = httpx.post(f"{server.url}{SEED}", json=seed_intent(name), timeout=30)
        except httpx.HTTPError:
            return  # killed before it answered: not confirmed
        if response.status_code == 201:
            with lock:
                confirmed.append(name)

    def clients() -> None:
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            number = 0
            while not stop.is_set() and number < 60:
                list(pool.map(post, range(number, number + 4)))
                number += 4

    runner = threading.Thread(target=clients)
    runner.start()
    wait_for(lambda: len(confirmed) >= 6, timeout=60)
    server.kill()
    stop.set()
    runner.join(60)
    assert confirmed, "no intent was confirmed before the kill"

    restarted = GatewayProcess(data, env)
    try:
        with httpx.Client(base_url=restarted.url, timeout=10) as client:
            stored = {i["id"] for i in client.get(f"{API}/intent").json()}
            assert set(confirmed) <= stored
            assert stored <= set(attempted)

            def settled() -> bool:
                states = {i["lifecycleStatus"] for i in client.get(f"{API}/intent").json()}
                return states <= {"Provisioning", "Provisioned"}

            wait_for(settled, timeout=60, interval=0.2)
        tags = git_tags(data / "deployments.git")
        assert sorted(tags) == sorted(f"{name}/v1" for name in stored)
    finally:
        restarted.stop()


def test_gateway_refuses_an_open_non_loopback_listener(tmp_path: Path) -> None:
    from o2krm.gateway.cli import main

    code = main(["--host", "0.0.0.0", "--data-dir", str(tmp_path / "d")])
    assert code == 2


def test_health_counts_by_state(client: TestClient) -> None:
    assert client.post(SEED, json=seed_intent("counted")).status_code == 201
    health = client.get("/health").json()
    assert health["status"] == "ok"
    assert sum(health["intents"].values()) == 1


def _record(intent_id: str, state: str, provisioned: dict[str, str], seen: dict[str, Any]) -> IntentRecord:
    return IntentRecord(
        id=intent_id, form="f", api="seed", body={}, envelope={}, blueprint="b", package=intent_id,
        lifecycle_status=state, created_at="t", updated_at="t", status_changed_at="t",
        provisioned=provisioned, request_states=seen, pending_files={"big.yaml": "x" * 10_000},
    )  # fmt: skip


def test_what_the_reconciler_watches_is_read_without_the_whole_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path / "gateway.db")
    records = [
        _record("a", State.PROVISIONING, {"pr-a": "f1", "pr-b": "f2"}, {"pr-a": {"state": "progressing"}}),
        _record("b", State.PROVISIONED, {}, {}),
        _record("c", State.CREATED, {"pr-c": "f3"}, {}),
    ]
    for record in records:
        store.insert_intent(record, ReportRecord(record.id, 0, "t", record.lifecycle_status, "h", "s"))
    expected = [("a", ("pr-a", "pr-b"), {"pr-a": {"state": "progressing"}}), ("b", (), {})]
    watched = store.watched([State.PROVISIONING, State.PROVISIONED])
    assert [(w.id, w.provisioned, w.request_states) for w in watched] == expected
    monkeypatch.setattr(IntentRecord, "from_json", None)  # not decoded: the records stay in SQLite
    assert [w.id for w in store.watched([State.PROVISIONING, State.PROVISIONED])] == ["a", "b"]
    store.close()
