"""The SDK under real kpt: idempotent renders, and untouched items exactly as `exec: cat` leaves them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.harness.package import package_files
from tests.harness.runners import BIN, env

pytestmark = pytest.mark.kpt

RESOURCES = """\
# A leading comment
apiVersion: v1
kind: ConfigMap
metadata:
  name: untouched   # trailing comment
  annotations:
    note: 'single'
data:
  folded: >
    folded text
    on two lines
  literal: |
    keep
      indentation
  flow: {a: 1, b: [x, y]}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: du
spec:
  template:
    spec:
      containers:
        - name: du   # wide sequence style
          image: "du:1"
"""


def kptfile(exec_: str, config: str = "") -> str:
    return (
        "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: pkg\n  annotations:\n"
        '    config.kubernetes.io/local-config: "true"\npipeline:\n  mutators:\n'
        f"  - exec: {exec_}\n" + config
    )


def render(pkg: Path) -> subprocess.CompletedProcess[str]:
    if shutil.which("kpt") is None:
        pytest.skip("kpt is not installed on this machine: kpt conformance not run")
    return subprocess.run(
        ["kpt", "fn", "render", str(pkg), "--allow-exec"], capture_output=True, text=True, env=env(), check=False
    )


def make(tmp: Path, name: str, pipeline: str) -> Path:
    pkg = tmp / name
    pkg.mkdir()
    (pkg / "resources.yaml").write_text(RESOURCES)
    (pkg / "Kptfile").write_text(pipeline)
    return pkg


def test_render_twice_changes_nothing(tmp_path: Path) -> None:
    pkg = make(tmp_path, "twice", kptfile(str(BIN / "set-labels"), "    configMap:\n      team: ran\n"))
    assert render(pkg).returncode == 0
    first = package_files(pkg)
    assert "team: ran" in first["resources.yaml"]
    assert render(pkg).returncode == 0
    assert package_files(pkg) == first


def test_untouched_items_match_the_cat_pipeline(tmp_path: Path) -> None:
    config = "    configMap:\n      team: ran\n      kinds: '[Deployment]'\n"
    ours = make(tmp_path, "ours", kptfile(str(BIN / "set-labels"), config))
    cat = make(tmp_path, "cat", kptfile("cat"))
    assert render(ours).returncode == 0 and render(cat).returncode == 0
    ours_cm = package_files(ours)["resources.yaml"].split("---")[0]
    cat_cm = package_files(cat)["resources.yaml"].split("---")[0]
    assert ours_cm == cat_cm
    assert "# trailing comment" in ours_cm and "note: 'single'" in ours_cm
    changed = package_files(ours)["resources.yaml"].split("---")[1]
    assert "team: ran" in changed and "# wide sequence style" in changed and 'image: "du:1"' in changed


def test_function_failure_leaves_package_untouched(tmp_path: Path) -> None:
    pkg = make(tmp_path, "fail", kptfile(str(BIN / "set-labels"), "    configMap:\n      'Bad Key': x\n"))
    before = package_files(pkg)
    proc = render(pkg)
    assert proc.returncode != 0 and "not a valid label key" in proc.stderr + proc.stdout
    assert package_files(pkg) == before
