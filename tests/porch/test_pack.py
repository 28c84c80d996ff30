"""Objects written as packs (porch/pack.py): git must read them as its own, and publishing into
a local repository must leave packs, not a file per object."""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from o2krm.porch import git as porch_git
from o2krm.porch import pack
from o2krm.porch.publish import publish_revision
from tests.porch.conftest import git, passing_check

SIZES = [0, 1, 15, 16, 127, 128, 2047, 2048, 1 << 20]  # where the size header gains a byte


def bare(tmp_path: Path, name: str = "objects.git") -> Path:
    root = tmp_path / name
    git("init", "-q", "--bare", str(root))
    return root


def cat_file(repo: Path, sha: str) -> tuple[str, bytes]:
    out = subprocess.run(["git", "cat-file", "--batch"], input=f"{sha}\n".encode(), cwd=repo, capture_output=True)
    header, _, rest = out.stdout.partition(b"\n")
    _, kind, size = header.decode().split()
    return kind, rest[: int(size)]


def test_git_reads_every_kind_and_size_of_object_from_a_pack(tmp_path: Path) -> None:
    repo = bare(tmp_path)
    blobs = {pack.object_id("blob", bytes([n % 251]) * n): ("blob", bytes([n % 251]) * n) for n in SIZES}
    entries = b"".join(b"100644 f%d\0" % n + bytes.fromhex(sha) for n, sha in enumerate(sorted(blobs)))
    tree = ("tree", entries)
    tree_id = pack.object_id(*tree)
    commit = ("commit", b"tree %s\nauthor A <a@b> 0 +0000\ncommitter A <a@b> 0 +0000\n\nmessage\n" % tree_id.encode())
    objects = {**blobs, tree_id: tree, pack.object_id(*commit): commit}
    name = pack.write_pack(repo / "objects", objects)
    assert name is not None
    verified = git("verify-pack", "-v", str(repo / "objects" / "pack" / f"{name}.idx"))
    assert f"{tree_id} tree" in verified
    for sha, (kind, body) in objects.items():
        assert cat_file(repo, sha) == (kind, body)
    git("fsck", "--strict", cwd=repo)
    assert not list((repo / "objects").glob("??/*"))  # no loose object


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bodies=st.lists(st.binary(max_size=3000), min_size=1, max_size=12, unique=True))
def test_any_blobs_packed_are_what_git_hash_object_names(tmp_path: Path, bodies: list[bytes]) -> None:
    repo = tmp_path / f"p{abs(hash(tuple(bodies)))}.git"
    git("init", "-q", "--bare", str(repo))
    objects = {pack.object_id("blob", body): ("blob", body) for body in bodies}
    pack.write_pack(repo / "objects", objects)
    listed = git("cat-file", "--batch-check", "--batch-all-objects", cwd=repo).split("\n")
    assert sorted(line.split()[0] for line in listed if line) == sorted(objects)
    git("fsck", "--strict", cwd=repo)


def test_the_index_puts_offsets_past_2_gib_in_its_large_table() -> None:
    shas = [bytes([n]) * 20 for n in (1, 2, 3)]
    offsets = [12, 0x80000000, 0x123456789]
    index = pack._index([(sha, 0, offset) for sha, offset in zip(shas, offsets, strict=True)], b"\0" * 20)
    body = index[8 + 256 * 4 :]
    small = struct.unpack(">3I", body[3 * 24 : 3 * 28])
    large = struct.unpack(">2Q", body[3 * 28 : 3 * 28 + 16])
    assert small == (12, 0x80000000, 0x80000001) and large == (0x80000000, 0x123456789)


def test_nothing_to_write_writes_no_pack(tmp_path: Path) -> None:
    repo = bare(tmp_path)
    assert pack.write_pack(repo / "objects", {}) is None
    assert pack.pack_count(repo / "objects") == 0


def test_many_packs_are_rolled_up(tmp_path: Path) -> None:
    repo = bare(tmp_path)
    for n in range(pack.PACKS_BEFORE_ROLL_UP + 1):
        body = b"blob %d\n" % n
        pack.write_pack(repo / "objects", {pack.object_id("blob", body): ("blob", body)})
    assert pack.pack_count(repo / "objects") == pack.PACKS_BEFORE_ROLL_UP + 1
    pack.roll_up_packs(repo, porch_git._base_env())  # outside a long-lived publisher: waited for
    assert pack.pack_count(repo / "objects") < pack.PACKS_BEFORE_ROLL_UP
    assert len(git("cat-file", "--batch-check", "--batch-all-objects", cwd=repo).splitlines()) == 51
    git("fsck", "--strict", cwd=repo)


@pytest.mark.parametrize("remote", ["direct"], indirect=True)
def test_publishing_into_a_local_repository_writes_one_pack_a_publish(remote: Path, package: Path) -> None:
    before = pack.pack_count(remote / "objects")
    loose = set((remote / "objects").glob("??/*"))
    for revision in range(1, 4):
        (package / "cu-cp.yaml").write_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r{revision}\n")
        publish_revision(str(remote), None, package, check=passing_check)
    assert pack.pack_count(remote / "objects") == before + 3
    assert set((remote / "objects").glob("??/*")) == loose  # nothing loose written
    git("fsck", "--strict", "--no-dangling", cwd=remote)
    assert "name: r3" in git("show", "edge-ran/v3:edge-ran/cu-cp.yaml", cwd=remote)


@pytest.mark.parametrize("remote", ["direct"], indirect=True)
def test_commit_writers_ask_git_once_and_write_the_time_of_now(
    remote: Path, package: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = porch_git.Scratch(remote, str(remote), direct=True)
    asked: list[tuple[str, ...]] = []
    run = scratch.run

    def counting(*args: str, **kwargs: object) -> str:
        asked.append(args)
        return run(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(scratch, "run", counting)
    monkeypatch.delenv("GIT_AUTHOR_DATE", raising=False)
    monkeypatch.delenv("GIT_COMMITTER_DATE", raising=False)
    monkeypatch.setattr(porch_git.time, "time", lambda: 1_800_000_000.0)
    first = scratch.commit_writer()
    monkeypatch.setattr(porch_git.time, "time", lambda: 1_800_000_100.0)
    second = scratch.commit_writer()
    assert asked.count(("var", "-l")) == 1
    assert first.author.split()[-2] == "1800000000" and first.committer.split()[-2] == "1800000000"
    assert second.author.split()[-2] == "1800000100" and second.committer.split()[-2] == "1800000100"
    assert second.author.rsplit(" ", 2)[0] == first.author.rsplit(" ", 2)[0]


def test_a_roll_up_runs_in_the_background_one_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pack, "IN_BACKGROUND", True)  # as in the gateway's publishing process
    repo = bare(tmp_path)
    for n in range(pack.PACKS_BEFORE_ROLL_UP + 1):
        body = b"blob %d\n" % n
        pack.write_pack(repo / "objects", {pack.object_id("blob", body): ("blob", body)})
    pack.roll_up_packs(repo, porch_git._base_env())
    running = pack._ROLLING[str(repo)]
    pack.roll_up_packs(repo, porch_git._base_env())  # while it runs: not another one
    assert pack._ROLLING[str(repo)] is running
    body = b"written meanwhile\n"
    pack.write_pack(repo / "objects", {pack.object_id("blob", body): ("blob", body)})  # publishing goes on
    pack.wait_for_roll_ups()
    assert running.returncode == 0
    assert len(git("cat-file", "--batch-check", "--batch-all-objects", cwd=repo).splitlines()) == 52
    git("fsck", "--strict", cwd=repo)
