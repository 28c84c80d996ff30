"""Creating ProvisioningRequests together: the Combiner, and the fake O-Cloud's create_many."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from o2krm.cli.errors import CliError
from o2krm.cli.fake_backend import FakeBackend, FakeSettings
from o2krm.gateway.combiner import Combiner
from tests.cli.conftest import valid_pr


def test_items_that_arrive_during_a_call_go_together_in_the_next() -> None:
    calls: list[list[int]] = []
    first_started = threading.Event()

    def run(items: list[int]) -> list[int]:
        calls.append(items)
        first_started.set()
        time.sleep(0.2)  # long enough for the others to queue behind the first call
        return [item * 10 for item in items]

    combiner: Combiner[int, int] = Combiner(run)
    with ThreadPoolExecutor(max_workers=6) as pool:
        first = pool.submit(combiner.submit, 0)
        first_started.wait(5)
        rest = [pool.submit(combiner.submit, n) for n in range(1, 6)]
        results = [first.result(), *(f.result() for f in rest)]
    assert results == [0, 10, 20, 30, 40, 50]  # each caller gets its own result
    assert calls[0] == [0] and sorted(n for call in calls[1:] for n in call) == [1, 2, 3, 4, 5]
    assert len(calls) == 2  # the five that waited went together


def test_a_failed_call_fails_every_caller_in_it() -> None:
    def run(items: list[int]) -> list[int]:
        raise RuntimeError(f"refused {items}")

    combiner: Combiner[int, int] = Combiner(run)
    with pytest.raises(RuntimeError, match=r"refused \[7\]"):
        combiner.submit(7)
    assert Combiner(lambda items: items).submit(3) == 3  # a new call after a failure works


def fake(tmp_path: Path, capacity: str = "cpu=20,memory=64Gi,storage=1Ti") -> FakeBackend:
    settings = FakeSettings(tmp_path / "state.json", capacity, "O2KRM_FAKE_CAPACITY", 1.0)
    return FakeBackend(settings, log=lambda _: None, clock=lambda: 1000.0)


def test_create_many_is_creating_one_after_another(tmp_path: Path) -> None:
    together, alone = fake(tmp_path / "a"), fake(tmp_path / "b")
    requests = [valid_pr(f"pr-{n}", cpu="8") for n in range(3)]  # the third does not fit in 20 CPUs
    outcomes = together.create_many([*requests, valid_pr("pr-0")])
    assert outcomes[:3] == [None, None, None]
    assert isinstance(outcomes[3], CliError) and "already exists" in outcomes[3].message
    for request in requests:
        alone.create(request)
    assert together.list() == alone.list()
    with together.store.open(write=False, now=0.0) as state:
        assert [state.requests[f"pr-{n}"]["outcome"] for n in range(3)] == ["fulfilled", "fulfilled", "failed"]
