"""o2krm-publish on the command line: bad input is a clear error, exit 1, nothing pushed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from o2krm.porch import publish
from o2krm.porch.cli import main
from o2krm.sdk import yamlio

from .conftest import git, passing_check, refs


@pytest.fixture(autouse=True)
def _fast_check(monkeypatch: pytest.MonkeyPatch) -> None:
    # The real render checks have their own tests; here they would only cost time.
    monkeypatch.setattr(publish, "default_render_check", lambda: passing_check)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_publish_prints_the_tag(capsys: pytest.CaptureFixture[str], remote: Path, package: Path) -> None:
    code, out, err = run(capsys, str(package), "--repo", str(remote), "-m", "first", "-v")
    assert (code, out) == (0, "edge-ran/v1\n"), err
    assert "Published: main -> " in err
    assert "published edge-ran workspace v1 as Published (edge-ran/v1)" in err
    assert "refs/tags/edge-ran/v1" in refs(remote)


def test_emit_porch_resources(capsys: pytest.CaptureFixture[str], remote: Path, package: Path) -> None:
    url = "https://git.example.com/ran/deployments.git"
    code, out, err = run(
        capsys,
        str(package),
        "--repo",
        str(remote),
        "--emit-porch-resources",
        "--porch-repo-url",
        url,
        "-n",
        "porch-demo",
        "--secret-ref",
        "git-auth",
        "--workspace",
        "first-site",
    )
    assert code == 0, err
    repository, revision = yamlio.load_all(out)
    assert repository == {
        "apiVersion": "config.porch.kpt.dev/v1alpha1",
        "kind": "Repository",
        "metadata": {"name": "deployments", "namespace": "porch-demo"},
        "spec": {
            "description": f"o2krm packages in {url}",
            "type": "git",
            "deployment": True,
            "git": {"repo": url, "branch": "main", "secretRef": {"name": "git-auth"}},
        },
    }
    assert revision == {
        "apiVersion": "porch.kpt.dev/v1alpha1",
        "kind": "PackageRevision",
        "metadata": {"name": "deployments.edge-ran.first-site", "namespace": "porch-demo"},
        "spec": {
            "packageName": "edge-ran",
            "repository": "deployments",
            "workspaceName": "first-site",
            "revision": 1,
            "lifecycle": "Published",
            "tasks": [{"type": "push"}],
        },
    }


def test_not_a_package(capsys: pytest.CaptureFixture[str], remote: Path, tmp_path: Path) -> None:
    before = refs(remote)
    (tmp_path / "loose").mkdir()
    (tmp_path / "loose" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
    code, out, err = run(capsys, str(tmp_path / "loose"), "--repo", str(remote))
    assert (code, out) == (1, "")
    assert err.startswith(f"o2krm-publish: error: {tmp_path / 'loose'} is not a kpt package (no Kptfile)\n")
    assert "hint: " in err and "Traceback" not in err
    assert refs(remote) == before


def test_missing_directory(capsys: pytest.CaptureFixture[str], remote: Path, tmp_path: Path) -> None:
    code, _, err = run(capsys, str(tmp_path / "nope"), "--repo", str(remote))
    assert code == 1 and "no such directory" in err


def test_dirty_worktree(capsys: pytest.CaptureFixture[str], remote: Path, package: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    git("init", "-q", str(work))
    package.rename(work / "edge-ran")
    git("add", ".", cwd=work)
    git("commit", "-q", "-m", "blueprint", cwd=work)
    (work / "edge-ran" / "cu-cp.yaml").write_text("changed: true\n")
    (work / "edge-ran" / "new.yaml").write_text("new: true\n")
    before = refs(remote)
    code, out, err = run(capsys, str(work / "edge-ran"), "--repo", str(remote))
    assert (code, out) == (1, "")
    assert "has changes that are not committed" in err
    assert "  edge-ran/cu-cp.yaml\n" in err and "  edge-ran/new.yaml\n" in err
    assert "--allow-dirty" in err
    assert refs(remote) == before


def test_unknown_repository(capsys: pytest.CaptureFixture[str], package: Path, tmp_path: Path) -> None:
    code, out, err = run(capsys, str(package), "--repo", str(tmp_path / "missing.git"))
    assert (code, out) == (1, "")
    assert f"cannot read git repository {tmp_path / 'missing.git'}" in err
    assert "Traceback" not in err


def test_clone_with_the_branch_checked_out(capsys: pytest.CaptureFixture[str], remote: Path, package: Path) -> None:
    clone = remote.parent / "clone"
    git("clone", "-q", "--branch", "main", str(remote), str(clone))
    before = refs(clone)
    code, _, err = run(capsys, str(package), "--repo", str(clone))
    assert code == 1
    assert "is a clone with 'main' checked out" in err
    assert refs(clone) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--package", "Edge_RAN"], "package name 'Edge_RAN'"),
        (["--workspace", "V2!"], "workspace 'V2!'"),
        (["--branch", "drafts/x"], "deployment branch 'drafts/x'"),
        (["-m", "ok\nkpt:{}"], "Porch reads as its own annotation"),
        (["--repository-name", "Bad Name", "--emit-porch-resources"], "Repository name 'Bad Name'"),
    ],
)
def test_bad_arguments(
    capsys: pytest.CaptureFixture[str], remote: Path, package: Path, args: list[str], message: str
) -> None:
    before = refs(remote)
    code, out, err = run(capsys, str(package), "--repo", str(remote), *args)
    assert (code, out) == (1, ""), err
    assert message in err
    assert refs(remote) == before


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["pkg"])
    assert caught.value.code == 2
    assert "--repo" in capsys.readouterr().err


def test_runs_as_a_module_with_version() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "o2krm.porch.cli", "--version"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith("o2krm-publish ")
