"""The fake O-Cloud's state file as a long-lived user sees it: what it remembers must never hide
another process's write, and a write must stay a complete, valid file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from o2krm.cli import fake_state
from o2krm.cli.fake_state import FORMAT, StateStore


def record(name: str) -> dict[str, Any]:
    return {"object": {"metadata": {"name": name}}, "createdAt": 1.0, "reserved": {"cpu": "1"}}


def add(store: StateStore, *names: str) -> None:
    with store.open(write=True, now=0.0) as state:
        for name in names:
            state.requests[name] = record(name)
            state.next_resource_version()


def names_in(store: StateStore) -> list[str]:
    with store.open(write=False, now=0.0) as state:
        return sorted(state.requests)


def test_another_process_s_write_is_read(tmp_path: Path) -> None:
    path = tmp_path / "fake-ocloud.json"
    gateway, cli = StateStore(path), StateStore(path)
    add(gateway, "a")
    assert names_in(gateway) == ["a"]
    add(cli, "b")  # another writer in between: what the gateway remembers is stale
    assert names_in(gateway) == ["a", "b"]
    with cli.open(write=True, now=0.0) as state:
        del state.requests["a"]
        state.changed = True
    assert names_in(gateway) == ["b"]


def test_a_write_of_the_same_size_at_the_same_moment_is_still_seen(tmp_path: Path) -> None:
    path = tmp_path / "fake-ocloud.json"
    gateway, cli = StateStore(path), StateStore(path)
    add(gateway, "a")
    names_in(gateway)
    before = path.stat()
    with cli.open(write=True, now=0.0) as state:  # "a" becomes "b": the same size
        del state.requests["a"]
        state.requests["b"] = record("b")
        state.changed = True
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    assert names_in(gateway) == ["b"]  # the generation at the head of the file tells


def test_the_file_is_the_whole_state_in_name_order(tmp_path: Path) -> None:
    path = tmp_path / "fake-ocloud.json"
    store = StateStore(path)
    add(store, "b", "a")
    add(store, "c")
    data = json.loads(path.read_text())
    assert list(data) == ["format", "generation", "createdAt", "resourceVersion", "requests"]
    assert data["format"] == FORMAT and data["generation"] == 2 and data["resourceVersion"] == 3
    assert data["requests"] == {n: record(n) for n in ("a", "b", "c")}
    assert list(data["requests"]) == ["a", "b", "c"]


def test_a_write_encodes_only_the_new_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = StateStore(tmp_path / "fake-ocloud.json")
    add(store, *(f"pr-{n:03}" for n in range(100)))
    encoded: list[Any] = []
    compact = fake_state._compact

    def counting(value: Any) -> str:
        encoded.append(value)
        return compact(value)

    monkeypatch.setattr(fake_state, "_compact", counting)
    add(store, "pr-new")
    records = [value for value in encoded if isinstance(value, dict) and "object" in value]
    assert records == [record("pr-new")]


def test_a_state_file_without_a_generation_is_read(tmp_path: Path) -> None:
    path = tmp_path / "fake-ocloud.json"
    path.write_text(
        json.dumps({"format": FORMAT, "createdAt": 1, "resourceVersion": 1, "requests": {"a": record("a")}})
    )
    store = StateStore(path)
    assert names_in(store) == ["a"]
    add(store, "b")
    assert json.loads(path.read_text())["generation"] == 1
    assert names_in(StateStore(path)) == ["a", "b"]


def test_the_statuses_a_watcher_reads_are_those_of_the_listed_requests(tmp_path: Path) -> None:
    from o2krm.cli import resource
    from o2krm.cli.fake_backend import FakeBackend, FakeSettings

    clock = [1000.0]
    backend = FakeBackend(
        FakeSettings(tmp_path / "fake-ocloud.json", "cpu=4", "--fake-capacity", 10.0), lambda _: None, lambda: clock[0]
    )
    for name, cpu in (("fits", "2"), ("too-big", "64")):
        backend.create(
            {
                "apiVersion": "o2ims.provisioning.oran.org/v1alpha1",
                "kind": "ProvisioningRequest",
                "metadata": {"name": name},
                "spec": {"templateParameters": {"resourceRequirements": {"cpu": cpu}}},
            }
        )
    for moment in (1000.0, 1006.0, 1011.0):  # progressing, one failed, one fulfilled
        clock[0] = moment
        listed = {resource.name_of(obj): obj["status"] for obj in backend.list()}
        assert backend.statuses() == listed
