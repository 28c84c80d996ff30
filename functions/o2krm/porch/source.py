"""The package directory being published: is it a kpt package, which files, is it committed."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from o2krm.porch.errors import PublishError
from o2krm.porch.layout import PackageFile, check_package_paths, dns_label_problem
from o2krm.sdk import yamlio

KPTFILE = "Kptfile"
_DIRTY_SHOWN = 5


@dataclass(frozen=True)
class SourcePackage:
    root: Path
    name: str  # Kptfile metadata.name, else the directory name
    files: tuple[PackageFile, ...]
    commit: str | None  # the commit of the enclosing git work tree when the package is clean there
    contents: Mapping[str, bytes] | None = None  # the files in memory (``root`` only names them)

    def read(self, path: str) -> bytes:
        return self.contents[path] if self.contents is not None else (self.root / path).read_bytes()


def source_from_files(label: str, files: Mapping[str, str]) -> SourcePackage:
    """A package held in memory (path -> text), as ``read_source`` would read it from a directory
    named ``label``: a rendered package handed over by the gateway, never written to disk."""
    if KPTFILE not in files:
        raise PublishError(f"{label} is not a kpt package (no Kptfile)", hint="render the package first")
    try:
        meta = yamlio.load(files[KPTFILE])
    except yamlio.YAMLError as err:
        raise PublishError(f"{label}/{KPTFILE}: not valid YAML: {err}", hint="fix the Kptfile") from None
    if not isinstance(meta, dict) or meta.get("kind") != "Kptfile":
        raise PublishError(f"{label}/{KPTFILE}: not a Kptfile (kind: Kptfile expected)", hint="fix the Kptfile")
    name = str((meta.get("metadata") or {}).get("name") or label)
    listed = tuple(PackageFile(path, "100644") for path in sorted(files))
    check_package_paths(f.path for f in listed)
    return SourcePackage(Path(label), name, listed, None, {path: text.encode() for path, text in files.items()})


def read_source(root: Path, *, allow_dirty: bool = False) -> SourcePackage:
    """The package at ``root``; refuses what is not a kpt package or not committed."""
    if not root.is_dir():
        raise PublishError(f"{root}: no such directory", hint="give the directory of a rendered kpt package")
    kptfile = root / KPTFILE
    if not kptfile.is_file():
        raise PublishError(
            f"{root} is not a kpt package (no Kptfile)",
            hint="publish a package directory, e.g. packages/edge-ran, after rendering it",
        )
    try:
        meta = yamlio.load(kptfile.read_text(encoding="utf-8"))
    except (yamlio.YAMLError, UnicodeDecodeError) as err:
        raise PublishError(f"{kptfile}: not valid YAML: {err}", hint="fix the Kptfile") from None
    if not isinstance(meta, dict) or meta.get("kind") != "Kptfile":
        raise PublishError(f"{kptfile}: not a Kptfile (kind: Kptfile expected)", hint="fix the Kptfile")
    name = str((meta.get("metadata") or {}).get("name") or root.resolve().name)
    files = list_files(root)
    commit = _clean_commit(root) if not allow_dirty else _head_if_clean(root)
    return SourcePackage(root=root, name=name, files=files, commit=commit)


def default_package_name(source: SourcePackage) -> str:
    """Porch names a package by its directory; the Kptfile's name is what the user sees first."""
    if dns_label_problem(source.name) is None:
        return source.name
    return source.root.resolve().name


def list_files(root: Path) -> tuple[PackageFile, ...]:
    """Every regular file under ``root`` except ``.git``, sorted; symlinks are refused."""
    found: list[PackageFile] = []
    for dirpath, dirnames, filenames in os.walk(root):
        directory = Path(dirpath)
        for name in list(dirnames):
            if (directory / name).is_symlink():
                raise PublishError(f"{directory / name} is a symlink", hint="copy the directory's files in instead")
        dirnames[:] = sorted(d for d in dirnames if d != ".git")
        for name in sorted(filenames):
            path = directory / name
            relative = path.relative_to(root).as_posix()
            if path.is_symlink() or not path.is_file():
                raise PublishError(f"{path} is not a regular file (symlinks are not published)", hint="replace it")
            mode = "100755" if os.access(path, os.X_OK) else "100644"
            found.append(PackageFile(relative, mode))
    found.sort(key=lambda f: f.path)
    check_package_paths(f.path for f in found)
    return tuple(found)


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)


def _versioned(root: Path) -> bool:
    """True when ``root`` holds files tracked by an enclosing git work tree.

    A directory nothing of which is tracked (say a render output under an ignored rendered/)
    is a build product, not a source with uncommitted changes.
    """
    proc = _git(root, "rev-parse", "--is-inside-work-tree")
    if proc.returncode != 0 or proc.stdout.strip() != "true":
        return False
    tracked = _git(root, "ls-files", "-z", "--", ".")
    return tracked.returncode == 0 and bool(tracked.stdout)


def _uncommitted(root: Path) -> list[str]:
    proc = _git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignored=matching", "--", ".")
    if proc.returncode != 0:
        raise PublishError(f"cannot read the git status of {root}: {proc.stderr.strip()}")
    entries = iter(proc.stdout.split("\0"))
    paths: list[str] = []
    for entry in entries:
        if len(entry) < 4:
            continue
        paths.append(entry[3:])
        if "R" in entry[:2] or "C" in entry[:2]:
            next(entries, None)  # a rename or copy is followed by its old name
    return paths


def _head(root: Path) -> str | None:
    proc = _git(root, "rev-parse", "--verify", "-q", "HEAD")
    if proc.returncode != 0:
        return None  # no commit yet
    return proc.stdout.strip() or None


def _clean_commit(root: Path) -> str | None:
    if not _versioned(root):
        return None
    dirty = _uncommitted(root)
    if dirty:
        shown = dirty[:_DIRTY_SHOWN]
        more = len(dirty) - len(shown)
        raise PublishError(
            f"{root} has changes that are not committed (modified, untracked or ignored files)",
            details=(*shown, *([f"... and {more} more"] if more else [])),
            hint="commit the rendered package first (the revision should match a commit), or pass --allow-dirty",
        )
    return _head(root)


def _head_if_clean(root: Path) -> str | None:
    if not _versioned(root) or _uncommitted(root):
        return None
    return _head(root)
