"""No two intents get the same VLAN or subnet: the gateway reserves, in each intent's package,
what the other intents hold, and network-config allocates around it."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from o2krm.gateway.allocations import Holdings, Ledger, Reserved, _as_ranges, held_by, with_reservations
from o2krm.gateway.blueprints import load_blueprint
from o2krm.tools import pipeline
from tests.gateway.conftest import REPO, SEED, seed_intent

SITE = "edge-us-west-1"  # where the seed's intent goes


def provisioned(state: Path) -> dict[str, dict[str, Any]]:
    """The ProvisioningRequests in the fake O-Cloud, by name."""
    from o2krm.cli.fake_state import StateStore

    with StateStore(state).open(write=False, now=0.0) as current:
        return {name: record["object"] for name, record in current.requests.items()}


def networks_of(request: dict[str, Any]) -> list[tuple[str, int, str]]:
    """(site, VLAN, subnet) of each network of a request."""
    site = request["metadata"]["labels"]["o2krm.io/site"]
    networks = request["spec"]["templateParameters"]["networkConfig"]["networks"]
    return [(site, n["vlan"], n["ipv4"]["subnet"]) for n in networks.values()]


def assert_disjoint(requests: dict[str, dict[str, Any]]) -> None:
    vlans = [(site, vlan) for r in requests.values() for site, vlan, _ in networks_of(r)]
    subnets = [subnet for r in requests.values() for _, _, subnet in networks_of(r)]
    assert len(vlans) == len(set(vlans)), sorted(vlans)
    assert len(subnets) == len(set(subnets)), sorted(subnets)


@pytest.fixture(params=["in-the-gateway", "render-process"])
def either(request: pytest.FixtureRequest, gateway: Callable[..., TestClient]) -> TestClient:
    """A gateway rendering in its own process's threads, or in a rendering process of its own
    (which keeps a ledger of its own in step with the gateway's)."""
    return gateway(render_process=request.param == "render-process")


def test_two_intents_at_one_site_get_different_vlans_and_subnets(either: TestClient, fake_env: Path) -> None:
    client = either
    for name in ("first", "second"):
        assert client.post(SEED, json=seed_intent(name)).status_code == 201
    requests = provisioned(fake_env)
    assert len(requests) == 2
    assert_disjoint(requests)
    first, second = sorted(requests.values(), key=lambda r: r["metadata"]["labels"]["o2krm.io/intent"])
    assert {vlan for _, vlan, _ in networks_of(first)} == {100, 101, 102, 103}  # the lowest, as before
    assert {vlan for _, vlan, _ in networks_of(second)} == {104, 105, 106, 107}


def test_concurrent_intents_never_share_a_value(either: TestClient, fake_env: Path) -> None:
    client = either
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(lambda n: client.post(SEED, json=seed_intent(f"burst-{n}")).status_code, range(8)))
    assert codes == [201] * 8
    requests = provisioned(fake_env)
    assert len(requests) == 8
    assert_disjoint(requests)


def test_a_deleted_intent_frees_its_values(either: TestClient, fake_env: Path) -> None:
    client = either
    assert client.post(SEED, json=seed_intent("old")).status_code == 201
    old_id = client.get("/tmf-api/intentManagement/v5/intent").json()[0]["id"]
    assert client.delete(f"/tmf-api/intentManagement/v5/intent/{old_id}").status_code in (202, 204)
    assert client.post(SEED, json=seed_intent("new")).status_code == 201
    (request,) = [r for r in provisioned(fake_env).values() if r["metadata"]["labels"]["o2krm.io/intent"] == "new"]
    assert {vlan for _, vlan, _ in networks_of(request)} == {100, 101, 102, 103}


def test_what_is_held_survives_a_restart(gateway: Callable[..., TestClient], fake_env: Path) -> None:
    first = gateway()
    assert first.post(SEED, json=seed_intent("before")).status_code == 201
    first.__exit__(None, None, None)
    again = gateway()
    assert again.post(SEED, json=seed_intent("after")).status_code == 201
    assert_disjoint(provisioned(fake_env))


def test_a_new_rendering_process_gets_what_every_intent_holds(
    gateway: Callable[..., TestClient], fake_env: Path
) -> None:
    client = gateway(render_process=True)
    assert client.post(SEED, json=seed_intent("before")).status_code == 201
    worker = client.app.state.service.render_client  # type: ignore[attr-defined]
    worker.lines.process.kill()  # its ledger is gone with it
    worker.lines.process.wait(5)
    assert client.post(SEED, json=seed_intent("after")).status_code == 201
    assert_disjoint(provisioned(fake_env))


def test_a_create_undone_gives_its_values_back(either: TestClient, fake_env: Path) -> None:
    """A render whose intent turns out to exist already (a concurrent create of the same id)
    must not keep what it took, in the gateway's ledger or the rendering process's."""
    client = either
    service = client.app.state.service  # type: ignore[attr-defined]
    store = service.store
    insert = store.insert_intent

    def duplicate(record: Any, report: Any) -> None:
        from o2krm.gateway.store import DuplicateError

        raise DuplicateError(record.id)

    store.insert_intent = duplicate
    assert client.post(SEED, json=seed_intent("undone")).status_code == 409
    store.insert_intent = insert
    assert client.post(SEED, json=seed_intent("kept")).status_code == 201
    (request,) = provisioned(fake_env).values()
    assert {vlan for _, vlan, _ in networks_of(request)} == {100, 101, 102, 103}  # the lowest again


def test_the_published_package_carries_its_reservations(client: TestClient, fake_env: Path) -> None:
    """So that kpt fn render of the published revision allocates what the gateway did."""
    for name in ("one", "two"):
        assert client.post(SEED, json=seed_intent(name)).status_code == 201
    intents = client.get("/tmf-api/intentManagement/v5/intent").json()
    second = next(i for i in intents if i["name"] == "two")
    files = _published_files(client, second["id"])
    catalog = yaml.safe_load(files["sites.yaml"])
    west = next(s for s in catalog["spec"]["sites"] if s["name"] == SITE)
    assert west["network"]["reserved"] == {
        "vlans": ["100-103"],
        "prefixes": ["10.10.0.0/28", "10.10.4.0/28", "10.10.8.0/28", "10.10.12.0/28"],
    }
    rendered = pipeline.render_in_process(files)
    assert rendered.ok and rendered.files == files  # renders unchanged


def _published_files(client: TestClient, intent_id: str) -> dict[str, str]:
    import subprocess

    repo = client.app.state.service.settings.repo_location  # type: ignore[attr-defined]
    tag = f"{intent_id}/v1"
    listing = subprocess.run(
        ["git", "-C", repo, "ls-tree", "-r", "--name-only", tag, "--", f"{intent_id}/"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return {
        path.removeprefix(f"{intent_id}/"): subprocess.run(
            ["git", "-C", repo, "show", f"{tag}:{path}"], capture_output=True, text=True, check=True
        ).stdout
        for path in listing
    }


# --- the pieces ----------------------------------------------------------------------------------
def test_held_by_reads_every_network_of_every_request() -> None:
    files = pipeline.read_package(REPO / "packages" / "edge-ran")
    (text,) = [t for p, t in files.items() if p.startswith("provisioningrequest_")]
    request = yaml.safe_load(text)
    held = held_by({"r": request})
    assert held.vlans == {(SITE, 100), (SITE, 101), (SITE, 102), (SITE, 103)}
    assert held.prefixes == {"10.10.0.0/28", "10.10.4.0/28", "10.10.8.0/28", "10.10.12.0/28"}
    assert held_by({"r": {"metadata": {}, "spec": None}}) == Holdings()


def test_ledger_others_hold_and_restore() -> None:
    a, b = Holdings(frozenset({(SITE, 1)})), Holdings(frozenset({(SITE, 2)}), frozenset({"10.0.0.0/28"}))
    ledger = Ledger({"a": a})
    assert ledger.others("a") == Reserved() and ledger.others("b") == Reserved.of(a)
    previous = ledger.hold("b", b)
    assert previous is None and ledger.others("a") == Reserved.of(b)
    assert ledger.others("new") == Reserved({SITE: (1, 2)}, ("10.0.0.0/28",))
    ledger.restore("b", previous)
    assert ledger.others("a") == Reserved()
    ledger.hold("b", b)
    ledger.release("b")
    assert ledger.others("a") == Reserved() and ledger.others("new") == Reserved.of(a)


def test_a_value_two_intents_hold_stays_held_until_both_let_go() -> None:
    shared = Holdings(frozenset({(SITE, 7)}), frozenset({"10.0.0.0/28"}))  # say, from before the ledger existed
    ledger = Ledger({"a": shared, "b": shared})
    ledger.release("a")
    assert ledger.others("new") == Reserved.of(shared)
    ledger.release("b")
    assert ledger.others("new") == Reserved()


def test_reservations_travel_as_json() -> None:
    reserved = Reserved.of(Holdings(frozenset({(SITE, 1), (SITE, 2), (SITE, 3), ("x", 9)}), frozenset({"10.0.0.0/28"})))
    assert reserved.vlans == {SITE: ("1-3",), "x": (9,)}
    assert Reserved.from_json(json.loads(json.dumps(reserved.to_json()))) == reserved


@pytest.mark.parametrize(
    ("vlans", "expected"),
    [([5], [5]), ([1, 2], [1, 2]), ([1, 2, 3], ["1-3"]), ([1, 2, 3, 7, 9, 10, 11, 12], ["1-3", 7, "9-12"])],
)
def test_vlans_are_written_as_short_ranges(vlans: list[int], expected: list[int | str]) -> None:
    assert _as_ranges(vlans) == expected


def test_only_site_catalogs_change_and_their_comments_stay() -> None:
    files = load_blueprint(REPO / "packages" / "edge-ran").package_for("p", seed_intent("p"))
    held = Holdings(frozenset({(SITE, 150), ("elsewhere", 7)}), frozenset({"10.10.0.0/28", "192.168.0.0/24"}))
    out = with_reservations(files, Reserved.of(held))
    assert {p for p in files if files[p] != out[p]} == {"sites.yaml"}
    assert files["sites.yaml"].splitlines()[0] in out["sites.yaml"]  # the leading comment
    west = next(s for s in yaml.safe_load(out["sites.yaml"])["spec"]["sites"] if s["name"] == SITE)
    assert west["network"]["reserved"] == {"vlans": [150], "prefixes": ["10.10.0.0/28"]}  # only its own pools
    assert with_reservations(files, Reserved()) == files


def test_adjacent_held_subnets_are_reserved_as_one_prefix() -> None:
    files = load_blueprint(REPO / "packages" / "edge-ran").package_for("p", seed_intent("p"))
    held = Holdings(prefixes=frozenset({"10.10.0.0/28", "10.10.0.16/28", "10.10.0.32/27", "10.10.4.0/28"}))
    west = next(
        s
        for s in yaml.safe_load(with_reservations(files, Reserved.of(held))["sites.yaml"])["spec"]["sites"]
        if s["name"] == SITE
    )
    assert west["network"]["reserved"] == {"prefixes": ["10.10.0.0/26", "10.10.4.0/28"]}


subnets_28 = st.sets(st.integers(0, 63).map(lambda n: f"10.10.{n // 16}.{(n % 16) * 16}/28"), max_size=12)
vlan_sets = st.sets(st.tuples(st.sampled_from(["s1", "s2"]), st.integers(1, 40)), max_size=8)
changes = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.booleans(), vlan_sets, subnets_28), min_size=1, max_size=12
)


@settings(max_examples=80, deadline=None)
@given(changes)
def test_what_the_ledger_keeps_up_to_date_is_what_merging_everything_gives(steps: list[Any]) -> None:
    """The ledger updates its reservations as intents take and release values; they must be
    what preparing everything held from scratch gives, after any sequence of changes."""
    ledger = Ledger()
    held: dict[str, Holdings] = {}
    for intent, release, vlans, prefixes in steps:
        if release:
            ledger.release(intent)
            held.pop(intent, None)
        else:
            ledger.hold(intent, Holdings(frozenset(vlans), frozenset(prefixes)))
            held[intent] = Holdings(frozenset(vlans), frozenset(prefixes))
            if not held[intent]:
                del held[intent]
        everything = Holdings()
        for holdings in held.values():
            everything = everything | holdings
        assert ledger.others("new") == Reserved.of(everything)
        for intent_id in held:
            rest = Holdings()
            for owner, holdings in held.items():
                if owner != intent_id:
                    rest = rest | holdings
            assert ledger.others(intent_id) == Reserved.of(rest)
