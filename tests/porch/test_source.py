"""The package directory: what is a package, which files, when is it committed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from o2krm.porch.errors import PublishError
from o2krm.porch.layout import PackageFile
from o2krm.porch.source import default_package_name, read_source

from .conftest import git


def test_files_and_name(package: Path) -> None:
    (package / "run.sh").write_text("#!/bin/sh\n")
    (package / "run.sh").chmod(0o755)
    (package / ".krmignore").write_text("tmp/\n")
    source = read_source(package)
    assert source.name == "edge-ran" and default_package_name(source) == "edge-ran"
    assert source.files == (
        PackageFile(".krmignore", "100644"),
        PackageFile("Kptfile", "100644"),
        PackageFile("cu-cp.yaml", "100644"),
        PackageFile("run.sh", "100755"),
        PackageFile("sites/catalog.yaml", "100644"),
    )
    assert source.commit is None  # not in a git work tree


def test_kptfile_name_that_is_not_a_package_name_falls_back_to_the_directory(package: Path) -> None:
    kptfile = package / "Kptfile"
    kptfile.write_text(kptfile.read_text().replace("name: edge-ran", "name: Edge RAN"))
    assert default_package_name(read_source(package)) == "edge-ran"


@pytest.mark.parametrize(
    ("text", "message"),
    [("a: [", "not valid YAML"), ("apiVersion: v1\nkind: ConfigMap\n", "not a Kptfile"), ("- 1\n", "not a Kptfile")],
)
def test_bad_kptfile(package: Path, text: str, message: str) -> None:
    (package / "Kptfile").write_text(text)
    with pytest.raises(PublishError, match=message):
        read_source(package)


@pytest.mark.parametrize("kind", ["file", "directory"])
def test_symlinks_are_refused(package: Path, tmp_path: Path, kind: str) -> None:
    target = tmp_path / "outside"
    if kind == "file":
        target.write_text("secret\n")
    else:
        target.mkdir()
    os.symlink(target, package / "link")
    with pytest.raises(PublishError, match="symlink"):
        read_source(package)


def test_committed_package_records_its_commit_and_ignored_output_is_no_source(package: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    git("init", "-q", str(work))
    (work / ".gitignore").write_text("/rendered/\n")
    package.rename(work / "edge-ran")
    git("add", ".", cwd=work)
    git("commit", "-q", "-m", "blueprint", cwd=work)
    head = git("rev-parse", "HEAD", cwd=work).strip()
    assert read_source(work / "edge-ran").commit == head

    # A render output under an ignored directory is a build product: no commit, not dirty.
    (work / "rendered").mkdir()
    (work / "rendered" / "edge-ran").mkdir()
    for name in ("Kptfile", "cu-cp.yaml"):
        (work / "rendered" / "edge-ran" / name).write_bytes((work / "edge-ran" / name).read_bytes())
    assert read_source(work / "rendered" / "edge-ran").commit is None

    # A tracked package with an ignored file in it is not what was committed.
    (work / ".gitignore").write_text("/rendered/\n*.bak\n")
    git("commit", "-q", "-am", "ignore backups", cwd=work)
    (work / "edge-ran" / "cu-cp.yaml.bak").write_text("old\n")
    with pytest.raises(PublishError, match="not committed") as caught:
        read_source(work / "edge-ran")
    assert caught.value.details == ("edge-ran/cu-cp.yaml.bak",)
    assert read_source(work / "edge-ran", allow_dirty=True).commit is None
