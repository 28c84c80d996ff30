"""publish_revision / read_revision against real git repositories created on tmp paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from o2krm.porch import layout
from o2krm.porch.errors import PublishError
from o2krm.porch.layout import Lifecycle, PackagePath
from o2krm.porch.publish import list_revisions, publish_revision, read_revision

from .conftest import failing_check, files_of, git, passing_check, refs


def publish(remote: Path, package: Path, message: str = "", **kwargs: object) -> layout.PackagePath:
    kwargs.setdefault("check", passing_check)
    return publish_revision(str(remote), None, package, message, **kwargs).package  # type: ignore[arg-type]


def test_v1_then_v2_follow_porch_layout(remote: Path, package: Path) -> None:
    main_before = refs(remote)["refs/heads/main"]
    first = publish_revision(str(remote), None, package, "edge RAN for us-west-1", check=passing_check)
    assert (first.revision, first.workspace, first.tag) == (1, "v1", "edge-ran/v1")

    (package / "cu-cp.yaml").write_text((package / "cu-cp.yaml").read_text().replace("us-west-1", "us-west-2"))
    (package / "du.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: du\n")
    (package / "sites" / "catalog.yaml").unlink()
    second = publish_revision(str(remote), None, package, "move to us-west-2", check=passing_check)
    assert (second.revision, second.workspace, second.tag) == (2, "v2", "edge-ran/v2")

    after = refs(remote)
    # Only the deployment branch and the tags remain: Porch deletes draft and proposed branches.
    assert sorted(after) == ["refs/heads/main", "refs/tags/edge-ran/v1", "refs/tags/edge-ran/v2"]
    assert after["refs/heads/main"] == after["refs/tags/edge-ran/v2"] == second.commit
    assert after["refs/tags/edge-ran/v1"] == first.commit

    # History is kept: each publication is a commit on top of the previous main, whose second
    # parent is the draft commit, as Porch writes it.
    assert git("rev-list", "--parents", "-n", "1", second.commit, cwd=remote).split() == [
        second.commit,
        first.commit,
        second.draft_commit,
    ]
    assert git("rev-list", "--parents", "-n", "1", first.commit, cwd=remote).split() == [
        first.commit,
        main_before,
        first.draft_commit,
    ]
    assert git("rev-parse", f"{second.commit}^{{tree}}", cwd=remote) == git(
        "rev-parse", f"{second.draft_commit}^{{tree}}", cwd=remote
    )
    # Nothing else in the repository is touched.
    assert git("show", f"{second.commit}:README.md", cwd=remote) == "deployments\n"

    message = git("log", "-1", "--format=%B", second.commit, cwd=remote)
    assert message.splitlines()[0] == "Approving package revision edge-ran/2"
    assert "move to us-west-2" in message
    assert 'kpt:{"package":"edge-ran","workspaceName":"v2","revision":"2"}' in message.splitlines()
    draft_message = git("log", "-1", "--format=%B", second.draft_commit, cwd=remote)
    assert draft_message.splitlines()[0] == "Intermediate commit: push"
    assert layout.parse_annotations(draft_message) == [
        layout.Annotation("edge-ran", "v2", "0", {"type": "push"}),
    ]


def test_clone_at_tag_gives_exactly_the_rendered_package(remote: Path, package: Path, tmp_path: Path) -> None:
    (package / "hook.sh").write_text("#!/bin/sh\n")
    (package / "hook.sh").chmod(0o755)
    v1_files = files_of(package)
    publish(remote, package)
    (package / "cu-cp.yaml").write_text((package / "cu-cp.yaml").read_text() + "# v2\n")
    (package / "sites" / "catalog.yaml").unlink()
    v2_files = files_of(package)
    publish(remote, package)

    for tag, expected in (("edge-ran/v2", v2_files), ("edge-ran/v1", v1_files)):
        clone = tmp_path / tag.replace("/", "-")
        git("clone", "-q", "--branch", tag, str(remote), str(clone))
        assert files_of(clone / "edge-ran") == expected
        assert sorted(files_of(clone)) == sorted(["README.md", *(f"edge-ran/{p}" for p in expected)])
    assert (tmp_path / "edge-ran-v1" / "edge-ran" / "hook.sh").stat().st_mode & 0o111


def test_refused_package_pushes_nothing(remote: Path, package: Path) -> None:
    before = refs(remote)
    with pytest.raises(PublishError) as caught:
        publish_revision(str(remote), None, package, check=failing_check("policy-validate: Pod/du: runs as root"))
    assert "refusing to publish" in caught.value.message
    assert "policy-validate: Pod/du: runs as root" in caught.value.details
    assert refs(remote) == before


def test_unrendered_package_is_refused_by_the_real_render_check(remote: Path, package: Path) -> None:
    before = refs(remote)
    kptfile = package / "Kptfile"
    kptfile.write_text(kptfile.read_text().replace("team: ran", "team: core"))
    with pytest.raises(PublishError) as caught:
        publish_revision(str(remote), None, package)  # the default check: kpt, or kustomize without it
    assert "refusing to publish" in caught.value.message
    assert any("rendering changes" in line for line in caught.value.details), caught.value.details
    assert refs(remote) == before


def test_rendered_package_passes_the_real_render_check(remote: Path, package: Path) -> None:
    publication = publish_revision(str(remote), None, package)
    assert publication.check.ok
    assert publication.check.engine in ("kpt fn render", "o2krm-render --engine kustomize")
    assert publication.tag == "edge-ran/v1"


def test_read_revision_and_republish_it_as_a_rollback(remote: Path, package: Path, tmp_path: Path) -> None:
    v1_files = files_of(package)
    publish(remote, package)
    (package / "cu-cp.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: changed\n")
    publish(remote, package)

    old = read_revision(str(remote), "edge-ran", 1)
    assert (old.revision, old.workspace) == (1, "v1")
    assert dict(old.files) == v1_files
    restored = tmp_path / "restore" / "edge-ran"
    old.write_to(restored)
    rollback = publish_revision(str(remote), "edge-ran", restored, "roll back to v1", check=passing_check)
    assert rollback.tag == "edge-ran/v3"
    assert dict(read_revision(str(remote), "edge-ran", 3).files) == v1_files
    assert list_revisions(str(remote), "edge-ran") == {1: "edge-ran/v1", 2: "edge-ran/v2", 3: "edge-ran/v3"}

    with pytest.raises(PublishError, match=r"no revision 7 .*published: v1, v2, v3"):
        read_revision(str(remote), "edge-ran", 7)
    with pytest.raises(PublishError, match="not empty"):
        old.write_to(restored)


@pytest.mark.parametrize(
    ("lifecycle", "expected"),
    [(Lifecycle.DRAFT, "refs/heads/drafts/edge-ran/v1"), (Lifecycle.PROPOSED, "refs/heads/proposed/edge-ran/v1")],
)
def test_stop_as_draft_or_proposed(remote: Path, package: Path, lifecycle: Lifecycle, expected: str) -> None:
    publication = publish_revision(str(remote), None, package, lifecycle=lifecycle, check=passing_check)
    after = refs(remote)
    assert sorted(after) == sorted(["refs/heads/main", expected])
    assert after[expected] == publication.commit == publication.draft_commit
    assert publication.revision is None and publication.tag is None
    assert publication.refs == (expected,)
    # The open workspace blocks a second revision with the same workspace.
    with pytest.raises(PublishError, match="workspace 'v1' of edge-ran is in use"):
        publish_revision(str(remote), None, package, check=passing_check)


def test_workspace_of_a_published_revision_cannot_be_reused(remote: Path, package: Path) -> None:
    publish_revision(str(remote), None, package, workspace="add-site", check=passing_check)
    before = refs(remote)
    with pytest.raises(PublishError, match=r"'add-site' was already used by edge-ran/v1"):
        publish_revision(str(remote), None, package, workspace="add-site", check=passing_check)
    assert refs(remote) == before


def test_directory_prefixes_paths_and_tags(remote: Path, package: Path, tmp_path: Path) -> None:
    publication = publish_revision(str(remote), "ran/edge", package, directory="sites", check=passing_check)
    assert publication.package == PackagePath("ran/edge", "sites")
    assert "refs/tags/sites/ran/edge/v1" in refs(remote)
    clone = tmp_path / "clone"
    git("clone", "-q", "--branch", "sites/ran/edge/v1", str(remote), str(clone))
    assert files_of(clone / "sites" / "ran" / "edge") == files_of(package)


def test_concurrent_publication_leaves_nothing_half_pushed(remote: Path, package: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    git("clone", "-q", "--branch", "main", str(remote), str(other))

    def check_while_someone_pushes(path: Path) -> object:
        (other / "x.txt").write_text("meanwhile\n")
        git("add", "x.txt", cwd=other)
        git("commit", "-q", "-m", "meanwhile", cwd=other)
        git("push", "-q", "origin", "HEAD:main", cwd=other)
        return passing_check(path)

    with pytest.raises(PublishError) as caught:
        publish_revision(str(remote), None, package, check=check_while_someone_pushes)  # type: ignore[arg-type]
    assert "nothing was published" in str(caught.value)
    if (remote / "hooks" / "post-receive").exists():
        assert "main (non-fast-forward)" in caught.value.message
    else:
        assert "main moved meanwhile" in caught.value.message
    assert "removed proposed/edge-ran/v1 again" in caught.value.details
    after = refs(remote)
    assert sorted(after) == ["refs/heads/main"]
    assert after["refs/heads/main"] == git("rev-parse", "HEAD", cwd=other).strip()


def test_dry_run_pushes_nothing(remote: Path, package: Path) -> None:
    before = refs(remote)
    publication = publish_revision(str(remote), None, package, check=passing_check, dry_run=True)
    assert publication.dry_run and publication.tag == "edge-ran/v1"
    assert refs(remote) == before


def test_missing_branch_needs_create_branch(tmp_path: Path, package: Path) -> None:
    empty = tmp_path / "empty.git"
    git("init", "-q", "--bare", str(empty))
    with pytest.raises(PublishError, match="has no branch 'main'"):
        publish_revision(str(empty), None, package, check=passing_check)
    assert refs(empty) == {}
    publication = publish_revision(str(empty), None, package, check=passing_check, create_branch=True)
    root = git("rev-list", "--max-parents=0", publication.commit, cwd=empty).strip()
    assert git("log", "-1", "--format=%s", root, cwd=empty).strip() == "Initial commit: Creating main branch"
    assert sorted(refs(empty)) == ["refs/heads/main", "refs/tags/edge-ran/v1"]


def test_source_commit_is_recorded_when_the_package_is_committed(remote: Path, tmp_path: Path, package: Path) -> None:
    work = tmp_path / "work"
    git("init", "-q", str(work))
    (package).rename(work / "edge-ran")
    git("add", ".", cwd=work)
    git("commit", "-q", "-m", "blueprint", cwd=work)
    head = git("rev-parse", "HEAD", cwd=work).strip()
    publication = publish_revision(str(remote), None, work / "edge-ran", check=passing_check)
    message = git("log", "-1", "--format=%B", publication.commit, cwd=remote)
    assert f"O2krm-Source-Commit: {head}" in message.splitlines()


def test_works_without_a_git_identity(
    remote: Path, package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[user]\n\tuseConfigOnly = true\n")  # no guessing from the host name
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("EMAIL", "")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.delenv(f"GIT_{role}_NAME", raising=False)
        monkeypatch.delenv(f"GIT_{role}_EMAIL", raising=False)
    publication = publish_revision(str(remote), None, package, check=passing_check)
    author = git("log", "-1", "--format=%an <%ae>", publication.commit, cwd=remote).strip()
    assert author == "o2krm-publish <o2krm-publish@localhost>"
