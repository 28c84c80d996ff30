"""Real git repositories on tmp paths: a bare "remote" and clones of it, and rendered packages."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from o2krm.porch.checks import CheckReport

IDENTITY = ("-c", "user.name=Test", "-c", "user.email=test@example.com")

KPTFILE = """\
apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: edge-ran
  annotations:
    config.kubernetes.io/local-config: "true"
info:
  description: test package
pipeline:
  mutators:
  - exec: set-labels
    configMap:
      team: ran
"""

CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: cu-cp # rendered: set-labels put the team label on
  labels:
    team: ran
data:
  site: edge-us-west-1
"""


def git(*args: str, cwd: Path | None = None) -> str:
    proc = subprocess.run(["git", *IDENTITY, *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout


def refs(remote: Path) -> dict[str, str]:
    """Every ref of a repository: name -> commit."""
    out = git("for-each-ref", "--format=%(refname) %(objectname)", cwd=remote)
    pairs = (line.split(" ", 1) for line in out.splitlines())
    return {name: commit for name, commit in pairs}


def files_of(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def passing_check(_: Path) -> CheckReport:
    return CheckReport("test check")


def failing_check(problem: str) -> Callable[[Path], CheckReport]:
    def check(_: Path) -> CheckReport:
        return CheckReport("test check", (problem,))

    return check


RECEIVED = "received.log"  # what the post-receive hook of a "pushed" remote writes


def add_receive_hook(bare: Path) -> None:
    hook = bare / "hooks" / "post-receive"
    hook.write_text(f'#!/bin/sh\ncat >> "$GIT_DIR/{RECEIVED}"\n')
    hook.chmod(0o755)


PUSHED_ONLY = pytest.mark.parametrize("remote", ["pushed"], indirect=True)  # tests of the cache that pushes


@pytest.fixture(params=["direct", "pushed"])
def remote(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A bare repository whose main branch has one commit (a README). "direct": one publishing
    writes into; "pushed": one with a receive hook, so publishing pushes and the hook sees it."""
    bare = tmp_path / "deployments.git"
    git("init", "-q", "--bare", str(bare))
    if request.param == "pushed":
        add_receive_hook(bare)
    seed = tmp_path / "seed"
    git("init", "-q", str(seed))
    (seed / "README.md").write_text("deployments\n")
    git("add", "README.md", cwd=seed)
    git("commit", "-q", "-m", "init", cwd=seed)
    git("push", "-q", str(bare), "HEAD:refs/heads/main", cwd=seed)
    return bare


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A rendered package (outside any git work tree)."""
    root = tmp_path / "src" / "edge-ran"
    root.mkdir(parents=True)
    (root / "Kptfile").write_text(KPTFILE)
    (root / "cu-cp.yaml").write_text(CONFIGMAP)
    (root / "sites").mkdir()
    (root / "sites" / "catalog.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sites\n  labels:\n    team: ran\ndata: {}\n"
    )
    return root
