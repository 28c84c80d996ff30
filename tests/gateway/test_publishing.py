"""The gateway's Publisher: intents that wait while a publish runs are published together."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from o2krm.gateway import publishing
from o2krm.gateway.publishing import Published, Publisher
from o2krm.porch import publish as porch_publish
from o2krm.porch.errors import PublishError

from .conftest import git_tags

KPTFILE = "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: {name}\n"


def package_files(name: str, note: str = "") -> dict[str, str]:
    return {"Kptfile": KPTFILE.format(name=name), "cm.yaml": f"apiVersion: v1\nkind: ConfigMap\nnote: '{note}'\n"}


@pytest.fixture
def publisher(tmp_path: Path) -> Publisher:
    made = Publisher(str(tmp_path / "deployments.git"), cache_dir=tmp_path / "cache")
    made.ensure_local_repository()
    return made


class BatchRecorder:
    """Records the packages of each publish_revisions call; the first call waits until the
    publisher has ``hold`` more jobs waiting, so they queue behind it."""

    def __init__(self, publisher: Publisher) -> None:
        self.publisher = publisher
        self.hold = 0
        self.seen: list[list[str]] = []
        self._real = porch_publish.publish_revisions

    def __call__(self, repo: str, requests: Any, **kwargs: Any) -> Any:
        if not self.seen:
            deadline = time.monotonic() + 10
            while self.publisher._publishing.waiting < self.hold and time.monotonic() < deadline:
                time.sleep(0.005)
        self.seen.append([str(r.pkg) for r in requests])
        return self._real(repo, requests, **kwargs)


@pytest.fixture
def batches(monkeypatch: pytest.MonkeyPatch, publisher: Publisher) -> BatchRecorder:
    recorder = BatchRecorder(publisher)
    monkeypatch.setattr(porch_publish, "publish_revisions", recorder)
    return recorder


def publish_all(publisher: Publisher, jobs: list[tuple[str, dict[str, str]]]) -> list[Published | BaseException]:
    results: list[Published | BaseException] = [RuntimeError("not run")] * len(jobs)

    def run(index: int, package: str, files: dict[str, str]) -> None:
        try:
            results[index] = publisher.publish(package, files, f"intent {package}", last_known=None, resume=False)
        except BaseException as err:  # handed to the test
            results[index] = err

    threads = [threading.Thread(target=run, args=(i, p, f)) for i, (p, f) in enumerate(jobs)]
    threads[0].start()
    time.sleep(0.05)  # the first one leads a batch of its own
    for thread in threads[1:]:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def first_parents(repo: Path) -> list[str]:
    out = subprocess.run(
        ["git", "-C", str(repo), "log", "--first-parent", "--format=%s", "main"], capture_output=True, text=True
    )
    return out.stdout.splitlines()


def test_waiting_intents_ride_along_in_one_publish(publisher: Publisher, batches: BatchRecorder) -> None:
    batches.hold = 5
    names = [f"intent-{i}" for i in range(6)]
    results = publish_all(publisher, [(name, package_files(name)) for name in names])
    assert all(isinstance(r, Published) for r in results), results
    assert len(batches.seen) == 2
    assert batches.seen[0] == ["intent-0"]
    assert sorted(batches.seen[1]) == names[1:]
    assert [r.tag for r in results if isinstance(r, Published)] == [f"{n}/v1" for n in names]
    assert git_tags(Path(publisher.repo)) == sorted(f"{n}/v1" for n in names)
    # One commit per intent on the deployment branch, each with its own tag.
    approvals = [s for s in first_parents(Path(publisher.repo)) if s.startswith("Approving")]
    assert sorted(approvals) == sorted(f"Approving package revision {n}/1" for n in names)
    assert all(r.queued > 0 for r in results[1:] if isinstance(r, Published))


def test_a_second_revision_of_a_package_waits_for_the_next_publish(
    publisher: Publisher, batches: BatchRecorder
) -> None:
    batches.hold = 3
    results = publish_all(
        publisher,
        [
            ("first", package_files("first")),
            ("edge", package_files("edge", "a")),
            ("other", package_files("other")),
            ("edge", package_files("edge", "b")),
        ],
    )
    assert all(isinstance(r, Published) for r in results), results
    assert batches.seen[0] == ["first"]
    assert sorted(batches.seen[1]) == ["edge", "other"]
    assert batches.seen[2] == ["edge"]
    assert {r.tag for r in results if isinstance(r, Published)} == {"first/v1", "edge/v1", "other/v1", "edge/v2"}


def test_every_waiting_intent_hears_of_a_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(publishing, "_ATTEMPTS", 1)
    broken = Publisher(str(tmp_path / "no-such-repository.git"))
    results = publish_all(broken, [(f"p{i}", package_files(f"p{i}")) for i in range(3)])
    assert all(isinstance(r, PublishError) and "cannot read git repository" in r.message for r in results), results


def test_the_separate_publishing_process_publishes_and_comes_back_after_dying(tmp_path: Path) -> None:
    publisher = Publisher(str(tmp_path / "deployments.git"), cache_dir=tmp_path / "cache", separate_process=True)
    publisher.ensure_local_repository()
    try:
        results = publish_all(publisher, [(f"p{i}", package_files(f"p{i}")) for i in range(3)])
        assert [r.tag for r in results if isinstance(r, Published)] == ["p0/v1", "p1/v1", "p2/v1"], results
        worker = publisher._worker
        assert worker is not None and worker.lines.process is not None
        worker.lines.process.kill()
        worker.lines.process.wait()
        again = publisher.publish("p0", package_files("p0", "changed"), "again", last_known=1, resume=False)
        assert again.tag == "p0/v2"
        assert git_tags(Path(publisher.repo)) == ["p0/v1", "p0/v2", "p1/v1", "p2/v1"]
    finally:
        publisher.close()


def test_refusals_cross_the_process_boundary_with_their_words(tmp_path: Path) -> None:
    publisher = Publisher(str(tmp_path / "no-such-repository.git"), separate_process=True)
    try:
        with pytest.raises(PublishError) as caught:
            publisher.publish("p0", package_files("p0"), "m", last_known=None, resume=False)
        assert "cannot read git repository" in caught.value.message
        assert "git ls-remote" in caught.value.hint
    finally:
        publisher.close()
