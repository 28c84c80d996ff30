"""The git CLI, as publishing needs it: read a remote's refs, build commits in a scratch
repository without a checkout, and push without force.

Everything here runs ``git`` as a subprocess with prompts disabled; the user's own clones are
never touched. Failures raise PublishError with git's own last words.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from o2krm.porch.errors import PublishError
from o2krm.porch.layout import HEADS, PackageFile, RemoteRefs

FALLBACK_NAME = "o2krm-publish"
FALLBACK_EMAIL = "o2krm-publish@localhost"
_MODES = ("100644", "100755")


def _base_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(GIT_TERMINAL_PROMPT="0", GIT_LITERAL_PATHSPECS="1", LC_ALL="C")
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    env.pop("GIT_INDEX_FILE", None)
    return env


def _last_words(proc: subprocess.CompletedProcess[bytes] | subprocess.CompletedProcess[str]) -> str:
    text = proc.stderr if isinstance(proc.stderr, str) else proc.stderr.decode("utf-8", "replace")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # git's verdicts ("fatal: ...", "error: ...", "! [rejected] ...") say it; hints do not.
    verdicts = [line for line in lines if line.startswith(("fatal:", "error:", "!"))]
    return "; ".join(verdicts[:3] or lines[-3:]) or f"git exited {proc.returncode}"


def require_git() -> str:
    binary = shutil.which("git")
    if binary is None:
        raise PublishError("git not found", hint="install git (e.g. apt-get install git)")
    return binary


def remote_location(repo: str) -> str:
    """What to hand git: an existing local directory as an absolute path, anything else as given."""
    path = Path(repo).expanduser()
    if "://" not in repo and not _looks_like_scp(repo) and path.exists():
        return str(path.resolve())
    return repo


def _looks_like_scp(repo: str) -> bool:
    # git@host:org/repo.git
    head, sep, _ = repo.partition(":")
    return bool(sep) and "/" not in head and "@" in head


def ls_remote(repo: str) -> RemoteRefs:
    require_git()
    proc = subprocess.run(
        ["git", "ls-remote", "--", remote_location(repo)], capture_output=True, text=True, env=_base_env(), check=False
    )
    if proc.returncode != 0:
        raise PublishError(
            f"cannot read git repository {repo}: {_last_words(proc)}",
            hint="check the path or URL, and that you can read it (git ls-remote REPO)",
        )
    return RemoteRefs.parse(proc.stdout)


def local_checkout_branch(repo: str) -> str | None:
    """The branch checked out in ``repo`` when it is a local non-bare repository, else None."""
    path = Path(repo).expanduser()
    if "://" in repo or not path.is_dir():
        return None
    env = _base_env()
    bare = subprocess.run(
        ["git", "-C", str(path), "rev-parse", "--is-bare-repository"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if bare.returncode != 0 or bare.stdout.strip() != "false":
        return None
    head = subprocess.run(
        ["git", "-C", str(path), "symbolic-ref", "-q", "HEAD"], capture_output=True, text=True, env=env, check=False
    )
    ref = head.stdout.strip()
    return ref[len(HEADS) :] if head.returncode == 0 and ref.startswith(HEADS) else None


@dataclass(frozen=True)
class TreeEntry:
    path: str  # relative to the package
    mode: str
    sha: str


class Scratch:
    """A throw-away repository to build commits in (its work tree stays empty)."""

    def __init__(self, root: Path, remote: str) -> None:
        self.root = root
        self.remote = remote_location(remote)
        self.env = _base_env()
        self.run("init", "-q", str(root), cwd=root.parent)
        self._ensure_identity()

    # --- plumbing -----------------------------------------------------------------------------
    def run(
        self,
        *args: str,
        input: bytes | str | None = None,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        what: str = "",
    ) -> str:
        text = not isinstance(input, bytes)
        proc = subprocess.run(
            ["git", *args],
            input=input,
            capture_output=True,
            text=text,
            env={**self.env, **(env or {})},
            cwd=cwd or self.root,
            check=False,
        )
        if proc.returncode != 0:
            raise PublishError(f"{what or 'git ' + args[0]} failed: {_last_words(proc)}")
        out = proc.stdout
        return out if isinstance(out, str) else out.decode("utf-8", "replace")

    def run_bytes(self, *args: str, input: bytes) -> bytes:
        proc = subprocess.run(
            ["git", *args], input=input, capture_output=True, env=self.env, cwd=self.root, check=False
        )
        if proc.returncode != 0:
            raise PublishError(f"git {args[0]} failed: {_last_words(proc)}")
        return proc.stdout

    def _ensure_identity(self) -> None:
        probe = subprocess.run(
            ["git", "var", "GIT_COMMITTER_IDENT"], capture_output=True, env=self.env, cwd=self.root, check=False
        )
        if probe.returncode != 0:
            for role in ("AUTHOR", "COMMITTER"):
                self.env.setdefault(f"GIT_{role}_NAME", FALLBACK_NAME)
                self.env.setdefault(f"GIT_{role}_EMAIL", FALLBACK_EMAIL)

    # --- reading ------------------------------------------------------------------------------
    def fetch(self, refs: Iterable[str]) -> None:
        """Fetch full ref names from the remote into the same names here."""
        refspecs = [f"{ref}:{ref}" for ref in sorted(set(refs))]
        if refspecs:
            self.run("fetch", "-q", "--no-tags", "--", self.remote, *refspecs, what="fetching from the repository")

    def commit_of(self, ref: str) -> str:
        return self.run("rev-parse", "--verify", "-q", f"{ref}^{{commit}}").strip()

    def message(self, commit: str) -> str:
        return self.run("log", "-1", "--format=%B", commit)

    def list_tree(self, commit: str, directory: str) -> list[TreeEntry]:
        """Files under ``directory`` in ``commit``, with paths relative to it."""
        out = self.run("ls-tree", "-r", "-z", "--full-tree", commit, "--", f"{directory}/")
        entries: list[TreeEntry] = []
        prefix = f"{directory}/"
        for record in out.split("\0"):
            if not record:
                continue
            info, _, path = record.partition("\t")
            mode, kind, sha = info.split()
            if kind != "blob" or mode not in _MODES:
                raise PublishError(
                    f"{path} in {commit[:12]} is a {kind} (mode {mode}); only regular files are supported"
                )
            entries.append(TreeEntry(path[len(prefix) :], mode, sha))
        return entries

    def read_blobs(self, shas: Sequence[str]) -> list[bytes]:
        if not shas:
            return []
        out = self.run_bytes("cat-file", "--batch", input="".join(f"{sha}\n" for sha in shas).encode())
        blobs: list[bytes] = []
        position = 0
        for _ in shas:
            header_end = out.index(b"\n", position)
            _sha, _kind, size = out[position:header_end].split()
            start = header_end + 1
            end = start + int(size)
            blobs.append(out[start:end])
            position = end + 1  # the newline after each object
        return blobs

    # --- writing ------------------------------------------------------------------------------
    def tree_with_package(self, base: str | None, directory: str, root: Path, files: Sequence[PackageFile]) -> str:
        """The tree of ``base`` (or an empty tree) with ``directory/`` holding exactly ``files``."""
        index = {"GIT_INDEX_FILE": str(self.root / ".git" / "o2krm-index")}
        if base:
            self.run("read-tree", base, env=index)
        else:
            self.run("read-tree", "--empty", env=index)
        self.run("rm", "-r", "-q", "-f", "--cached", "--ignore-unmatch", "--", directory, env=index)
        if files:
            paths = "".join(f"{root.resolve() / f.path}\n" for f in files)
            shas = self.run("hash-object", "-w", "--no-filters", "--stdin-paths", input=paths).split()
            records = "".join(f"{f.mode} {sha}\t{directory}/{f.path}\0" for f, sha in zip(files, shas, strict=True))
            self.run("update-index", "-z", "--add", "--index-info", input=records, env=index)
        return self.run("write-tree", env=index).strip()

    def empty_tree(self) -> str:
        return self.run("hash-object", "-t", "tree", "-w", "--stdin", input="").strip()

    def commit(self, tree: str, parents: Sequence[str], message: str) -> str:
        args = ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        return self.run(*args, "-F", "-", input=message).strip()

    def push(self, updates: Sequence[tuple[str, str]], *, what: str) -> None:
        """Push ``(source, destination ref)`` pairs, all or nothing; an empty source deletes.

        Never forced: a branch moves only forward and an existing tag is never replaced.
        """
        refspecs = [f"{source}:{destination}" for source, destination in updates]
        args = ["push", "--quiet"]
        if len(refspecs) > 1:
            args.append("--atomic")
        self.run(*args, "--", self.remote, *refspecs, what=what)
