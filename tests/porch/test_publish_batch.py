"""publish_revisions (several packages, one push per lifecycle step), the persistent cache
repository, and the index-free tree building, against real git repositories on tmp paths."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from o2krm.porch import git as porch_git
from o2krm.porch.errors import PublishError
from o2krm.porch.git import Scratch, TreeBuilder
from o2krm.porch.layout import PackagePath
from o2krm.porch.publish import Publication, Request, publish_revision, publish_revisions, read_revision
from o2krm.porch.source import list_files

from .conftest import PUSHED_ONLY, RECEIVED, add_receive_hook, files_of, git, passing_check, refs


def copy_as(package: Path, name: str, tmp_path: Path, extra: str = "") -> Path:
    target = tmp_path / "pkgs" / name
    shutil.copytree(package, target)
    (target / "Kptfile").write_text((target / "Kptfile").read_text().replace("name: edge-ran", f"name: {name}"))
    if extra:
        (target / "extra.yaml").write_text(extra)
    return target


def published(outcomes: list[Publication | PublishError]) -> list[Publication]:
    assert all(isinstance(o, Publication) for o in outcomes), outcomes
    return [o for o in outcomes if isinstance(o, Publication)]


def test_a_batch_is_the_same_history_as_publishing_one_by_one(remote: Path, package: Path, tmp_path: Path) -> None:
    sources = [copy_as(package, name, tmp_path, f"n: {i}\n") for i, name in enumerate(("ran-a", "ran-b", "ran-c"))]
    one_by_one = tmp_path / "one-by-one.git"
    git("clone", "-q", "--bare", str(remote), str(one_by_one))
    main_before = refs(remote)["refs/heads/main"]

    batch = published(
        publish_revisions(str(remote), [Request(None, s, f"m {s.name}") for s in sources], check=passing_check)
    )
    singles = [publish_revision(str(one_by_one), None, s, f"m {s.name}", check=passing_check) for s in sources]

    assert [p.tag for p in batch] == ["ran-a/v1", "ran-b/v1", "ran-c/v1"]
    after = refs(remote)
    assert sorted(after) == ["refs/heads/main", "refs/tags/ran-a/v1", "refs/tags/ran-b/v1", "refs/tags/ran-c/v1"]
    assert after["refs/heads/main"] == batch[-1].commit
    parent = main_before
    for mine, single in zip(batch, singles, strict=True):
        assert after[f"refs/tags/{mine.tag}"] == mine.commit
        assert git("rev-list", "--parents", "-n", "1", mine.commit, cwd=remote).split() == [
            mine.commit,
            parent,
            mine.draft_commit,
        ]
        # Same trees and messages as the one-by-one publication (only the commit times differ).
        for commits in ((mine.commit, single.commit), (mine.draft_commit, single.draft_commit)):
            mine_commit, single_commit = commits
            assert git("log", "-1", "--format=%T%n%B", mine_commit, cwd=remote) == git(
                "log", "-1", "--format=%T%n%B", single_commit, cwd=one_by_one
            )
        assert mine.refs == ("refs/heads/main", f"refs/tags/{mine.tag}")
        parent = mine.commit


def test_two_revisions_of_one_package_in_a_batch(remote: Path, package: Path, tmp_path: Path) -> None:
    second = copy_as(package, "edge-ran", tmp_path, "changed: true\n")
    first, then = published(
        publish_revisions(str(remote), [Request(None, package), Request(None, second)], check=passing_check)
    )
    assert (first.tag, first.workspace, then.tag, then.workspace) == ("edge-ran/v1", "v1", "edge-ran/v2", "v2")
    assert dict(read_revision(str(remote), "edge-ran", 1).files) == files_of(package)
    assert dict(read_revision(str(remote), "edge-ran", 2).files) == files_of(second)


def test_a_refused_request_does_not_hold_back_the_others(remote: Path, package: Path, tmp_path: Path) -> None:
    publish_revision(str(remote), None, package, workspace="add-site", check=passing_check)
    other = copy_as(package, "ran-b", tmp_path)
    not_a_package = tmp_path / "empty"
    not_a_package.mkdir()
    outcomes = publish_revisions(
        str(remote),
        [Request(None, package, workspace="add-site"), Request(None, other), Request(None, not_a_package)],
        check=passing_check,
    )
    assert isinstance(outcomes[0], PublishError) and "'add-site' was already used by edge-ran/v1" in outcomes[0].message
    assert isinstance(outcomes[1], Publication) and outcomes[1].tag == "ran-b/v1"
    assert isinstance(outcomes[2], PublishError) and "not a kpt package" in outcomes[2].message
    assert sorted(refs(remote)) == ["refs/heads/main", "refs/tags/edge-ran/v1", "refs/tags/ran-b/v1"]


def test_a_rejected_batch_leaves_nothing_half_pushed(remote: Path, package: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    git("clone", "-q", "--branch", "main", str(remote), str(other))
    pushed = []

    def check_while_someone_pushes(path: Path) -> object:
        if not pushed:
            (other / "x.txt").write_text("meanwhile\n")
            git("add", "x.txt", cwd=other)
            git("commit", "-q", "-m", "meanwhile", cwd=other)
            git("push", "-q", "origin", "HEAD:main", cwd=other)
            pushed.append(path)
        return passing_check(path)

    second = copy_as(package, "ran-b", tmp_path)
    with pytest.raises(PublishError) as caught:
        publish_revisions(
            str(remote), [Request(None, package), Request(None, second)], check=check_while_someone_pushes
        )  # type: ignore[arg-type]
    assert "nothing was published" in str(caught.value)
    assert set(caught.value.details) == {"removed proposed/edge-ran/v1 again", "removed proposed/ran-b/v1 again"}
    assert sorted(refs(remote)) == ["refs/heads/main"]


@PUSHED_ONLY
def test_the_cache_fetches_only_what_it_lacks(
    remote: Path, package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    fetched: list[list[str]] = []
    real_fetch = Scratch.fetch

    def recording_fetch(self: Scratch, wanted: object) -> None:
        fetched.append(sorted(wanted))  # type: ignore[call-overload]
        real_fetch(self, wanted)  # type: ignore[arg-type]

    monkeypatch.setattr(Scratch, "fetch", recording_fetch)
    first = publish_revision(str(remote), None, package, check=passing_check, cache_dir=cache)
    assert fetched[-1] == ["refs/heads/main"]  # an empty cache fetches the branch once
    fetched.clear()
    (package / "cu-cp.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: v2\n")
    second = publish_revision(str(remote), None, package, check=passing_check, cache_dir=cache)
    assert all(not refs_ for refs_ in fetched)  # it built main's head and tag itself: nothing to fetch
    assert (first.tag, second.tag) == ("edge-ran/v1", "edge-ran/v2")

    # Someone else publishes meanwhile: only the branch is fetched, and their work is kept.
    other = tmp_path / "other"
    git("clone", "-q", "--branch", "main", str(remote), str(other))
    (other / "x.txt").write_text("meanwhile\n")
    git("add", "x.txt", cwd=other)
    git("commit", "-q", "-m", "meanwhile", cwd=other)
    git("push", "-q", "origin", "HEAD:main", cwd=other)
    fetched.clear()
    third = publish_revision(str(remote), None, package, check=passing_check, cache_dir=cache)
    assert [r for r in fetched if r] == [["refs/heads/main"]]
    assert git("show", f"{third.commit}:x.txt", cwd=remote) == "meanwhile\n"
    assert len(list(cache.glob("*.git"))) == 1
    assert refs(remote)["refs/heads/main"] == third.commit


@pytest.mark.parametrize(
    ("directory", "files"),
    [
        ("edge-ran", {"Kptfile": "k", "a.yaml": "a", "sites/x.yaml": "x", "sites.yaml": "s", "sites-b/y": "y"}),
        ("sites/ran/edge", {"Kptfile": "k", "deep/er/file": "d"}),
        ("README.md.d", {"Kptfile": "k"}),
        ("edge-ran", {}),  # the package removed from the tree
        ("old", {}),  # removed, and its parent directory with it
        ("nested/old", {}),
    ],
)
def test_trees_match_what_gits_index_writes(
    remote: Path, tmp_path: Path, directory: str, files: dict[str, str]
) -> None:
    base_work = tmp_path / "base"
    git("clone", "-q", "--branch", "main", str(remote), str(base_work))
    for path in ("edge-ran/Kptfile", "edge-ran/stale.yaml", "old/Kptfile", "nested/old/Kptfile", "sites.yaml"):
        (base_work / path).parent.mkdir(parents=True, exist_ok=True)
        (base_work / path).write_text(path)
    git("add", ".", cwd=base_work)
    git("commit", "-q", "-m", "base", cwd=base_work)
    base = git("rev-parse", "HEAD", cwd=base_work).strip()
    source = tmp_path / "source"
    source.mkdir()
    for path, text in files.items():
        (source / path).parent.mkdir(parents=True, exist_ok=True)
        (source / path).write_text(text)

    scratch = Scratch(tmp_path / "scratch", str(remote))
    scratch.fetch([])
    git("fetch", "-q", str(base_work), f"{base}:refs/heads/base", cwd=scratch.root)
    mine = scratch.tree_with_package(base, directory, source, list_files(source))

    expected_work = tmp_path / "expected"
    git("clone", "-q", str(base_work), str(expected_work))
    shutil.rmtree(expected_work / directory, ignore_errors=True)
    if files:
        shutil.copytree(source, expected_work / directory)
    git("add", "-A", ".", cwd=expected_work)
    assert mine == git("write-tree", cwd=expected_work).strip()
    assert git("cat-file", "-t", mine, cwd=scratch.root).strip() == "tree"


def test_tree_builder_rejects_a_file_in_the_way(remote: Path, tmp_path: Path) -> None:
    scratch = Scratch(tmp_path / "scratch", str(remote))
    scratch.fetch(["refs/heads/main"])
    builder = TreeBuilder(scratch)
    with pytest.raises(PublishError, match=r"README.md is a file"):
        builder.with_package("refs/heads/main^{tree}", "README.md/pkg", [])


@PUSHED_ONLY
def test_cache_repositories_are_per_remote(remote: Path, package: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.git"
    git("clone", "-q", "--bare", str(remote), str(other))
    add_receive_hook(other)
    cache = tmp_path / "cache"
    publish_revision(str(remote), None, package, check=passing_check, cache_dir=cache)
    publish_revision(str(other), None, package, check=passing_check, cache_dir=cache)
    assert len(list(cache.glob("*.git"))) == 2
    with porch_git.scratch_for(str(remote), cache) as scratch:
        assert scratch.persistent and scratch.root.parent == cache


def test_commit_writer_writes_what_commit_tree_writes(
    remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_DATE", "1700000000 +0100")
        monkeypatch.setenv(f"GIT_{role}_NAME", "Tester Ünicode")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "tester@example.com")
    scratch = Scratch(tmp_path / "scratch", str(remote))
    scratch.fetch(["refs/heads/main"])
    base = scratch.commit_of("refs/heads/main")
    tree = git("rev-parse", f"{base}^{{tree}}", cwd=scratch.root).strip()
    message = "Approving package revision edge-ran/1\n\nbody with ümlaut\n\nkpt:{}\n"
    writer = scratch.commit_writer()
    assert not writer.direct
    first = writer.commit(tree, [base], message)
    second = writer.commit(tree, [base, first], "no newline at the end")
    writer.write()
    assert first == scratch.commit(tree, [base], message)
    assert second == scratch.commit(tree, [base, first], "no newline at the end")
    assert git("cat-file", "-t", second, cwd=scratch.root).strip() == "commit"


def test_signed_commits_go_through_commit_tree(remote: Path, tmp_path: Path) -> None:
    scratch = Scratch(tmp_path / "scratch", str(remote))
    scratch.run("config", "commit.gpgSign", "true")
    assert scratch.commit_writer().direct


def test_a_local_bare_repository_without_receive_hooks_is_written_directly(
    remote: Path, package: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    publication = publish_revision(str(remote), None, package, check=passing_check, cache_dir=cache)
    pushed = (remote / "hooks" / "post-receive").exists()
    assert (len(list(cache.glob("*.git"))) == 1) is pushed  # a direct publish needs no copy of the remote
    received = (remote / RECEIVED).read_text().split() if pushed else []
    assert ("refs/tags/edge-ran/v1" in received) is pushed  # the hook saw the push
    assert refs(remote)["refs/tags/edge-ran/v1"] == publication.commit
    assert porch_git.direct_repository(str(remote)) == (None if pushed else remote.resolve())
    git("fsck", "--strict", "--no-dangling", cwd=remote)  # objects written here (not by git) are sound
    clone = tmp_path / "clone"
    git("clone", "-q", "--branch", "edge-ran/v1", str(remote), str(clone))
    assert files_of(clone / "edge-ran") == files_of(package)


def test_what_is_not_a_local_bare_repository_is_pushed_to(tmp_path: Path) -> None:
    work = tmp_path / "work"
    git("init", "-q", str(work))
    assert porch_git.direct_repository(str(work)) is None  # a checkout
    assert porch_git.direct_repository(str(work / ".git")) is None  # its git directory: not bare
    assert porch_git.direct_repository("https://example.com/deployments.git") is None
    assert porch_git.direct_repository("git@example.com:org/deployments.git") is None
    assert porch_git.direct_repository(str(tmp_path / "missing.git")) is None
    hooked = tmp_path / "hooked.git"
    git("init", "-q", "--bare", str(hooked))
    (hooked / "custom-hooks").mkdir()
    (hooked / "custom-hooks" / "pre-receive").write_text("#!/bin/sh\nexit 0\n")
    (hooked / "custom-hooks" / "pre-receive").chmod(0o755)
    assert porch_git.direct_repository(str(hooked)) == hooked.resolve()
    git("config", "core.hooksPath", "custom-hooks", cwd=hooked)
    assert porch_git.direct_repository(str(hooked)) is None


def test_refs_of_a_direct_repository_are_what_ls_remote_lists(remote: Path, package: Path) -> None:
    def listed() -> dict[str, str]:
        out = git("ls-remote", str(remote))
        pairs = (line.split("\t") for line in out.splitlines())
        return {name: sha for sha, name in pairs if name != "HEAD" and not name.endswith("^{}")}

    for _ in range(2):
        publish_revision(str(remote), None, package, check=passing_check)
    read = porch_git.read_refs(remote)
    assert read is not None and dict(read.refs) == listed()
    git("gc", "-q", "--prune=now", cwd=remote)  # refs and objects packed: read through git again
    assert not [p for p in (remote / "objects").glob("??/*")]
    publish_revision(str(remote), None, package, check=passing_check)
    read = porch_git.read_refs(remote)
    assert read is not None and dict(read.refs) == listed() and "refs/tags/edge-ran/v3" in read.refs
    git("fsck", "--strict", "--no-dangling", cwd=remote)


def test_a_package_held_in_memory_publishes_as_its_directory_would(remote: Path, package: Path) -> None:
    from o2krm.porch.source import source_from_files

    files = {path: (package / path).read_text() for path in (f.path for f in list_files(package))}
    (outcome,) = publish_revisions(
        str(remote), [Request("edge-ran", "edge-ran", "from memory", None, source_from_files("edge-ran", files))],
        check=passing_check,
    )  # fmt: skip
    assert isinstance(outcome, Publication) and outcome.tag == "edge-ran/v1"
    on_disk = publish_revision(str(remote), None, package, check=passing_check)
    tree = git("rev-parse", f"{outcome.commit}^{{tree}}", cwd=remote)
    assert git("rev-parse", f"{on_disk.commit}^{{tree}}", cwd=remote) == tree  # the very same files


@pytest.mark.parametrize(
    ("files", "words"),
    [
        ({"a.yaml": "x: 1\n"}, "no Kptfile"),
        ({"Kptfile": "kind: [\n"}, "not valid YAML"),
        ({"Kptfile": "kind: Other\n"}, "not a Kptfile"),
    ],
)
def test_a_package_in_memory_must_be_a_kpt_package(files: dict[str, str], words: str) -> None:
    from o2krm.porch.source import source_from_files

    with pytest.raises(PublishError, match=words):
        source_from_files("pkg", files)


def _refs_of(remote: Path, branch: str, packages: list[str]) -> dict[str, str]:
    """What git lists of the refs publishing ``packages`` to ``branch`` reads."""
    everything = porch_git.read_refs(remote)
    assert everything is not None
    prefixes = tuple(
        f"{area}{p}/" for p in packages for area in ("refs/tags/", "refs/heads/drafts/", "refs/heads/proposed/")
    )
    return {
        ref: sha
        for ref, sha in everything.refs.items()
        if ref == f"refs/heads/{branch}" or any(ref.startswith(p) and "/" not in ref[len(p) :] for p in prefixes)
    }


@pytest.mark.parametrize("remote", ["direct"], indirect=True)
def test_the_refs_a_publish_reads_from_files_are_what_git_lists(remote: Path, package: Path, tmp_path: Path) -> None:
    nested = copy_as(package, "edge-ran/inner", tmp_path)
    for _ in range(2):
        publish_revision(str(remote), None, package, check=passing_check)
    publish_revision(str(remote), "edge-ran/inner", nested, check=passing_check)
    git("update-ref", "refs/heads/drafts/edge-ran/v9", refs(remote)["refs/heads/main"], cwd=remote)  # an open draft
    for state in ("loose", "packed", "mixed"):
        if state == "packed":
            git("pack-refs", "--all", cwd=remote)
        if state == "mixed":  # a loose ref overrides its packed value; a deleted one is gone from both
            git("update-ref", "refs/tags/edge-ran/v1", refs(remote)["refs/tags/edge-ran/v2"], cwd=remote)
            git("update-ref", "-d", "refs/heads/drafts/edge-ran/v9", cwd=remote)
        (remote / "refs" / "tags" / "edge-ran").mkdir(parents=True, exist_ok=True)  # packing removed it
        (remote / "refs" / "tags" / "edge-ran" / "v7.lock").write_text("not a ref yet\n")
        read = porch_git.read_refs_of(remote, "main", ["edge-ran"])
        assert read is not None
        assert dict(read.refs) == _refs_of(remote, "main", ["edge-ran"]), state
        assert read.next_revision(PackagePath.parse("edge-ran", "")) == 3
        (remote / "refs" / "tags" / "edge-ran" / "v7.lock").unlink()


@pytest.mark.parametrize("remote", ["direct"], indirect=True)
def test_what_is_not_a_plain_ref_file_is_left_to_git(remote: Path, package: Path) -> None:
    publish_revision(str(remote), None, package, check=passing_check)
    tags = remote / "refs" / "tags" / "edge-ran"
    (tags / "v5").write_text("ref: refs/heads/main\n")  # a symbolic ref
    assert porch_git.read_refs_of(remote, "main", ["edge-ran"]) is None
    assert "refs/tags/edge-ran/v5" in porch_git.ls_remote_for(str(remote), "main", ["edge-ran"]).refs  # through git
    (tags / "v5").unlink()
    (remote / "packed-refs").write_text("# pack-refs with: peeled\nnot a ref line\n")
    assert porch_git.read_refs_of(remote, "main", ["edge-ran"]) is None
