"""The fake O-Cloud's state file as a long-lived user sees it: what it remembers must never hide
another process's write, and a write must stay a complete, valid file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def test_a_change_is_appended_as_one_line(tmp_path: Path) -> None:
    path = tmp_path / "fake-ocloud.json"
    store = StateStore(path)
    add(store, "b", "a")
    add(store, "c")
    with store.open(write=True, now=0.0) as state:
        del state.requests["a"]
        state.changed = True
    header, *changes = [json.loads(line) for line in path.read_text().splitlines()]
    assert header["format"] == FORMAT and header["createdAt"] == 0.0
    assert changes[-2:] == [
        {"resourceVersion": 3, "put": {"c": record("c")}, "delete": []},
        {"resourceVersion": 3, "put": {}, "delete": ["a"]},
    ]
    assert names_in(StateStore(path)) == ["b", "c"]


def test_a_write_encodes_only_what_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = StateStore(tmp_path / "fake-ocloud.json")
    add(store, *(f"pr-{n:03}" for n in range(100)))
    encoded: list[Any] = []
    compact = fake_state._compact

    def counting(value: Any) -> str:
        encoded.append(value)
        return compact(value)

    monkeypatch.setattr(fake_state, "_compact", counting)
    add(store, "pr-new")
    assert encoded == [{"resourceVersion": 101, "put": {"pr-new": record("pr-new")}, "delete": []}]


def test_a_line_cut_short_by_a_crash_is_skipped_and_cut_off(tmp_path: Path) -> None:
    path = tmp_path / "fake-ocloud.json"
    add(StateStore(path), "a")
    with path.open("a") as stream:
        stream.write('{"resourceVersion":9,"put":{"half')  # the writer died here
    assert names_in(StateStore(path)) == ["a"]
    add(StateStore(path), "b")
    assert names_in(StateStore(path)) == ["a", "b"]
    assert "half" not in path.read_text()


def test_a_journal_grown_to_twice_its_size_is_rewritten_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fake_state, "_REWRITE_FLOOR", 2_000)
    path = tmp_path / "fake-ocloud.json"
    store, reader = StateStore(path), StateStore(path)
    for n in range(60):
        add(store, f"pr-{n:02}")
        with store.open(write=True, now=0.0) as state:
            state.requests.pop(f"pr-{n - 1:02}", None)
            state.changed = True
        assert names_in(reader) == [f"pr-{n:02}"]  # across rewrites, which replace the file
    assert path.stat().st_size < 4_000 and len(path.read_text().splitlines()) < 40


def test_a_state_file_of_the_earlier_format_is_read_and_rewritten_as_a_journal(tmp_path: Path) -> None:
    path = tmp_path / "fake-ocloud.json"
    path.write_text(
        json.dumps(
            {"format": fake_state.FORMAT_V1, "createdAt": 1, "resourceVersion": 1, "requests": {"a": record("a")}}
        )
    )
    store = StateStore(path)
    assert names_in(store) == ["a"]
    add(store, "b")
    assert json.loads(path.read_text().splitlines()[0])["format"] == FORMAT
    assert names_in(StateStore(path)) == ["a", "b"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{not json", "is not valid JSON"),
        ('{"format":"something/else"}\n', "not a fake O-Cloud state file"),
        ('["a list"]\n', "not a fake O-Cloud state file"),
        (f'{{"format":"{FORMAT}","createdAt":1}}\n{{"resourceVersion":1,"put":[],"delete":[]}}\n', "put must be"),
    ],
)
def test_a_corrupt_state_file_names_the_problem(tmp_path: Path, text: str, words: str) -> None:
    from o2krm.cli.errors import CliError

    path = tmp_path / "fake-ocloud.json"
    path.write_text(text)
    with pytest.raises(CliError, match=words) as caught:
        names_in(StateStore(path))
    assert "delete it to start the fake O-Cloud afresh" in caught.value.message


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


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", "d"]),
            st.one_of(
                st.none(),
                st.fixed_dictionaries(
                    {"cpu": st.sampled_from(["1", "500m", "2"]), "memory": st.sampled_from(["1Gi", "512Mi"])}
                ),
            ),
        ),
        max_size=20,
    )
)
def test_usage_kept_up_to_date_is_what_adding_everything_up_gives(changes: list[Any]) -> None:
    from o2krm.cli import fake_ocloud

    usage = fake_ocloud.Usage()
    records: dict[str, Any] = {}
    for name, reserved in changes:
        if reserved is None:
            records.pop(name, None)
        else:
            records[name] = {"reserved": reserved}  # a new record object: replaced, not changed
        kept = usage.of(records)
        expected = fake_ocloud.in_use(records)
        assert {k: v for k, v in kept.items() if v.amount or k in expected} == expected
