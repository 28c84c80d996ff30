"""The git CLI, as publishing needs it: read a remote's refs, build commits in a scratch
repository without a checkout or an index (throw-away, or a persistent cache of the remote that
fetches only what it lacks), and push without force.

Trees and commits are computed here, byte for byte as git writes them, so that several can be
written by one git process (``mktree --batch``, ``hash-object --stdin-paths``) and a commit can
name a parent that git has not written yet.

Everything here runs ``git`` as a subprocess with prompts disabled; the user's own clones are
never touched. Failures raise PublishError with git's own last words.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from o2krm.porch import pack
from o2krm.porch.errors import PublishError
from o2krm.porch.layout import HEADS, TAGS, PackageFile, RemoteRefs

FALLBACK_NAME = "o2krm-publish"
FALLBACK_EMAIL = "o2krm-publish@localhost"
_MODES = ("100644", "100755")
_TREE_MODE = "40000"
_KINDS = {_TREE_MODE: "tree", "160000": "commit"}
_EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


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
    direct = direct_repository(repo)
    if direct is not None:
        read = read_refs(direct)
        if read is not None:
            return read
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


def ls_remote_for(repo: str, branch: str, packages: Iterable[str]) -> RemoteRefs:
    """The refs publishing ``packages`` (their full paths) to ``branch`` reads: the branch, and
    each package's tags, draft and proposed branches. From a local repository written directly,
    only those are read, from its files (``read_refs_of``); anything else lists every ref."""
    direct = direct_repository(repo)
    if direct is not None:
        read = read_refs_of(direct, branch, packages)
        if read is not None:
            return read
    return ls_remote(repo)


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


@contextlib.contextmanager
def scratch_for(remote: str, cache_dir: Path | None, prefix: str = "o2krm-publish-") -> Iterator[Scratch]:
    """A repository to build commits in.

    A local bare repository that runs no receive hooks is its own scratch: objects are written
    into it and refs move in one ``git update-ref`` transaction per push, each ref checked
    against the value it is expected to have (see ``Scratch.push``). Anything else gets a
    throw-away repository, or with ``cache_dir`` the persistent cache of ``remote`` under it
    (one bare repository per remote, held under a file lock so concurrent publishers take
    turns), which only fetches what it does not have yet, and pushes.
    """
    direct = direct_repository(remote)
    if direct is not None:
        yield Scratch(direct, remote, direct=True)
        return
    if cache_dir is None:
        with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
            yield Scratch(Path(tmp) / "repo", remote)
        return
    location = remote_location(remote)
    root = Path(cache_dir).expanduser() / f"{hashlib.sha256(location.encode()).hexdigest()[:16]}.git"
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.parent / f"{root.name}.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield Scratch(root, remote, persistent=True)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


# update-ref's words for a ref that is not where it was expected to be (or exists already)
_MOVED = re.compile(
    r"cannot lock ref '([^']+)': (?:is at ([0-9a-f]+) but expected ([0-9a-f]*)|reference already exists)"
)

# What git runs when it receives a push; a repository with any of them gets real pushes.
RECEIVE_HOOKS = ("pre-receive", "update", "post-receive", "post-update", "reference-transaction", "proc-receive")


def direct_repository(repo: str) -> Path | None:
    """``repo`` as a path when publishing may write into it directly: a local bare repository
    with none of the RECEIVE_HOOKS (a push into it would do nothing more than write its objects
    and move its refs). None for anything else."""
    if "://" in repo or _looks_like_scp(repo):
        return None
    path = Path(repo).expanduser()
    if not ((path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir()):
        return None
    try:  # the answer stands while the repository's config and hooks directory are unchanged
        stamp = ((path / "config").stat().st_mtime_ns, _mtime(path / "hooks"))
    except OSError:
        return None
    known = _DIRECT.get(str(path))
    if known is not None and known[0] == stamp:
        return known[1]
    found, cacheable = _direct_repository(path)
    if cacheable:
        _DIRECT[str(path)] = (stamp, found)
    return found


_DIRECT: dict[str, tuple[tuple[int, int], Path | None]] = {}
_IDENTITY_ENV = (
    "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL",
    "GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE", "TZ",
    "XDG_CONFIG_HOME", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_NOSYSTEM",
    "GIT_CONFIG_COUNT", "GIT_CONFIG_PARAMETERS",
)  # fmt: skip
_IDENTITY_KNOWN: dict[tuple[object, ...], bool] = {}


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return -1


def _direct_repository(path: Path) -> tuple[Path | None, bool]:
    """(``direct_repository``, whether the answer may be remembered: not when the hooks are
    outside the repository, where its hooks directory's time does not tell of changes)."""
    proc = subprocess.run(
        [
            "git",
            "config",
            "--file",
            str(path / "config"),
            "--get-regexp",
            r"^(core\.(bare|hookspath)|extensions\.(refstorage|objectformat))$",
        ],
        capture_output=True,
        text=True,
        env=_base_env(),
        check=False,
    )
    settings = dict(line.partition(" ")[::2] for line in proc.stdout.splitlines())
    if settings.get("core.bare", "").lower() not in ("true", "yes", "on", "1"):
        return None, True
    if settings.get("extensions.refstorage", "files").lower() != "files":
        return None, True  # refs not kept as files (reftable): read and moved through git only
    if settings.get("extensions.objectformat", "sha1").lower() != "sha1":
        return None, True  # objects are written here with SHA-1 names
    hooks = Path(settings["core.hookspath"]).expanduser() if "core.hookspath" in settings else Path("hooks")
    hooks = hooks if hooks.is_absolute() else path / hooks
    inside = hooks == path / "hooks"
    if any(os.access(hooks / name, os.X_OK) and (hooks / name).is_file() for name in RECEIVE_HOOKS):
        return None, inside
    return path.resolve(), inside


def read_refs(path: Path) -> RemoteRefs | None:
    """The refs of the local repository at ``path`` as ``git ls-remote`` lists them (without
    HEAD), from one ``git for-each-ref``: ls-remote on a path runs a second git process."""
    proc = subprocess.run(
        ["git", "for-each-ref", "--format=%(objectname)\t%(refname)"],
        capture_output=True,
        text=True,
        env=_base_env(),
        cwd=path,
        check=False,
    )
    return RemoteRefs.parse(proc.stdout) if proc.returncode == 0 else None


def read_refs_of(path: Path, branch: str, packages: Iterable[str]) -> RemoteRefs | None:
    """``branch`` and the refs of ``packages`` (``refs/tags/<pkg>/<name>``, ``refs/heads/drafts/
    <pkg>/<name>``, ``refs/heads/proposed/<pkg>/<name>``) of the local repository at ``path``, read
    from its loose ref files and ``packed-refs`` as git's files backend keeps them: a handful of
    small reads where listing every ref takes a git process and grows with the repository.
    None when something is not as expected (a symbolic ref, a file that is not a ref): git then
    lists them."""
    packed = _packed_refs(path)
    if packed is None:
        return None
    wanted = [f"{HEADS}{branch}"]
    prefixes = [f"{area}{package}/" for package in packages for area in (TAGS, f"{HEADS}drafts/", f"{HEADS}proposed/")]
    found = {ref: sha for ref, sha in packed.items() if ref in wanted or _directly_in(ref, prefixes)}
    for directory in prefixes:
        try:
            names = [entry.name for entry in os.scandir(path / directory) if entry.is_file(follow_symlinks=False)]
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError:
            return None
        wanted += [directory + name for name in names if not name.endswith(".lock")]
    for ref in wanted:
        try:
            content = (path / ref).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            continue  # not loose: as packed, if at all
        except OSError:
            return None
        sha = content.rstrip(b"\n").decode("ascii", "replace")
        if not _SHA1.fullmatch(sha):
            return None  # a symbolic ref or something else: git knows
        found[ref] = sha
    return RemoteRefs(dict(sorted(found.items())))


def _directly_in(ref: str, prefixes: Sequence[str]) -> bool:
    # A package's own refs sit right in its directory; deeper ones are another package's.
    return any(ref.startswith(prefix) and "/" not in ref[len(prefix) :] for prefix in prefixes)


def _packed_refs(path: Path) -> dict[str, str] | None:
    """The refs in ``packed-refs`` (parsed again only when the file changed); None when it
    holds something other than refs."""
    file = path / "packed-refs"
    try:
        status = file.stat()
    except FileNotFoundError:
        return {}
    except OSError:
        return None
    stamp = (status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)
    known = _PACKED.get(str(file))
    if known is not None and known[0] == stamp:
        return known[1]
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    refs: dict[str, str] = {}
    for line in lines:
        if not line or line.startswith(("#", "^")):
            continue  # the header, and peeled values of annotated tags
        sha, _, ref = line.partition(" ")
        if not _SHA1.fullmatch(sha) or not ref.startswith("refs/"):
            return None
        refs[ref] = sha
    _PACKED[str(file)] = (stamp, refs)
    return refs


_PACKED: dict[str, tuple[tuple[int, ...], dict[str, str]]] = {}
_SHA1 = re.compile(r"[0-9a-f]{40}")


class Scratch:
    """A bare repository to build commits in, without a work tree or an index: throw-away, or
    (``persistent``) kept between publishes as a cache of the remote's objects, or (``direct``)
    the remote itself."""

    def __init__(self, root: Path, remote: str, *, persistent: bool = False, direct: bool = False) -> None:
        self.root = root
        self.remote = remote_location(remote)
        self.env = _base_env()
        self.persistent = persistent or direct
        self.direct = direct
        self._pending: dict[str, tuple[str, bytes]] = {}  # objects written, not yet stored (see write_object)
        if not (self.persistent and (root / "HEAD").is_file() and (root / "objects").is_dir()):
            root.mkdir(parents=True, exist_ok=True)
            self.run("init", "-q", "--bare", str(root), cwd=root.parent)
            if persistent:
                # The cache keeps every object it built or fetched: never prune it behind a publish.
                self.run("config", "gc.auto", "0")
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
        if args[0] not in _NO_OBJECTS_READ:
            self.store_objects()
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
        self.store_objects()
        proc = subprocess.run(
            ["git", *args], input=input, capture_output=True, env=self.env, cwd=self.root, check=False
        )
        if proc.returncode != 0:
            raise PublishError(f"git {args[0]} failed: {_last_words(proc)}")
        return proc.stdout

    def settings_key(self) -> tuple[object, ...]:
        """What git's answers about who commits, and how, depend on: this repository, the
        environment and the times of the settings files. Answers are remembered under it."""
        home = Path(self.env.get("HOME", "~")).expanduser()
        return (
            str(self.root),
            *(self.env.get(name) for name in _IDENTITY_ENV),
            *(
                _mtime(path)
                for path in (
                    home / ".gitconfig",
                    home / ".config" / "git" / "config",
                    self.root / "config",
                    Path("/etc/gitconfig"),
                )
            ),
        )

    def _ensure_identity(self) -> None:
        # Whether git knows who commits, asked once while the settings it reads are unchanged.
        key = self.settings_key()
        known = _IDENTITY_KNOWN.get(key)
        if known is None:
            probe = subprocess.run(
                ["git", "var", "GIT_COMMITTER_IDENT"], capture_output=True, env=self.env, cwd=self.root, check=False
            )
            known = _IDENTITY_KNOWN[key] = probe.returncode == 0
        if not known:
            for role in ("AUTHOR", "COMMITTER"):
                self.env.setdefault(f"GIT_{role}_NAME", FALLBACK_NAME)
                self.env.setdefault(f"GIT_{role}_EMAIL", FALLBACK_EMAIL)

    # --- reading ------------------------------------------------------------------------------
    def fetch(self, refs: Iterable[str]) -> None:
        """Fetch full ref names from the remote into the same names here."""
        refspecs = [f"+{ref}:{ref}" for ref in sorted(set(refs))]
        if refspecs and not self.direct:  # a direct scratch is the remote: it has them
            self.run("fetch", "-q", "--no-tags", "--", self.remote, *refspecs, what="fetching from the repository")

    def fetch_missing(self, wanted: Mapping[str, str]) -> None:
        """Fetch those of ``wanted`` (ref -> the commit the remote advertised) whose commit is
        not here yet: in a persistent cache usually none, since it built them."""
        if self.direct:
            return  # the scratch is the repository: it has every commit it advertised
        if self.persistent and wanted:
            present = self.present(wanted.values())
            wanted = {ref: sha for ref, sha in wanted.items() if sha not in present}
        self.fetch(wanted)

    def present(self, shas: Iterable[str]) -> set[str]:
        """Which of ``shas`` this repository holds."""
        ordered = sorted(set(shas))
        if not ordered:
            return set()
        out = self.run("cat-file", "--batch-check=%(objectname)", input="".join(f"{sha}\n" for sha in ordered))
        return {line.strip() for line in out.splitlines() if line.strip() and not line.endswith(" missing")}

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

    def messages(self, commits: Sequence[str]) -> list[str]:
        """The messages of ``commits``, read in one go."""
        raws = self.read_blobs(commits)
        return [raw.partition(b"\n\n")[2].decode("utf-8", "replace") for raw in raws]

    # --- writing ------------------------------------------------------------------------------
    def hash_files(self, paths: Sequence[Path]) -> list[str]:
        """Write the files as blobs (as they are, no filters), in one go; their ids in order."""
        if not paths:
            return []
        if self.direct:
            return [self.write_object("blob", path.read_bytes()) for path in paths]
        listing = "".join(f"{path.resolve()}\n" for path in paths)
        return self.run("hash-object", "-w", "--no-filters", "--stdin-paths", input=listing).split()

    def hash_blobs(self, bodies: Sequence[bytes]) -> list[str]:
        """Write ``bodies`` as blobs; their ids in order."""
        if self.direct:
            return [self.write_object("blob", body) for body in bodies]
        with tempfile.TemporaryDirectory(prefix="o2krm-blobs-") as tmp:
            paths = []
            for index, body in enumerate(bodies):
                path = Path(tmp) / str(index)
                path.write_bytes(body)
                paths.append(path)
            return self.hash_files(paths)

    def tree_with_package(self, base: str | None, directory: str, root: Path, files: Sequence[PackageFile]) -> str:
        """The tree of ``base`` (or an empty tree) with ``directory/`` holding exactly ``files``."""
        builder = TreeBuilder(self)
        shas = self.hash_files([root / f.path for f in files])
        tree = builder.with_package(
            f"{base}^{{tree}}" if base else None,
            directory,
            [(f.mode, f.path, sha) for f, sha in zip(files, shas, strict=True)],
        )
        builder.write()
        return tree

    def tree_entries(self, tree: str) -> dict[str, tuple[str, str]] | None:
        """The entries of ``tree`` (a tree-ish such as ``<commit>^{tree}`` or a tree id),
        name -> (mode, id); None when it does not name a tree."""
        if self.direct:
            read = self._loose_tree(tree)
            if read is not None:
                return read
        self.store_objects()
        proc = subprocess.run(
            ["git", "cat-file", "--batch"],
            input=f"{tree}\n".encode(),
            capture_output=True,
            env=self.env,
            cwd=self.root,
            check=False,
        )
        if proc.returncode != 0:
            raise PublishError(f"git cat-file failed: {_last_words(proc)}")
        header, _, rest = proc.stdout.partition(b"\n")
        fields = header.split()
        if len(fields) != 3 or fields[1] != b"tree":
            return None
        return _parse_tree(rest[: int(fields[2])])

    def empty_tree(self) -> str:
        return self.run("hash-object", "-t", "tree", "-w", "--stdin", input="").strip()

    def commit(self, tree: str, parents: Sequence[str], message: str) -> str:
        args = ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        return self.run(*args, "-F", "-", input=message).strip()

    def _loose_tree(self, tree: str) -> dict[str, tuple[str, str]] | None:
        """``tree_entries`` of ``<id>`` or ``<commit id>^{tree}`` read here, from the objects
        this process wrote lately or from loose objects; None when they are not (packed by
        git: git reads them)."""
        sha, peel, _ = tree.partition("^{tree}")
        found = self._read_loose(sha)
        if found is not None and peel and found[0] == "commit":
            first = found[1].split(b"\n", 1)[0]
            found = self._read_loose(first[5:].decode()) if first.startswith(b"tree ") else None
        if found is None or found[0] != "tree":
            return None
        return _parse_tree(found[1])

    def _read_loose(self, sha: str) -> tuple[str, bytes] | None:
        if len(sha) != 40 or any(c not in "0123456789abcdef" for c in sha):
            return None
        known = self._pending.get(sha) or _WRITTEN.get(sha)
        if known is not None:
            return known
        try:
            data = zlib.decompress((self.root / "objects" / sha[:2] / sha[2:]).read_bytes())
        except (OSError, zlib.error):
            return None
        header, _, body = data.partition(b"\0")
        kind, _, size = header.decode().partition(" ")
        return (kind, body) if size.isdigit() and int(size) == len(body) else None

    def write_object(self, kind: str, body: bytes) -> str:
        """Write one object into a direct scratch's object store; its id. No git process: a
        publish to a local repository writes dozens of objects. They are kept here and stored
        together as one pack (``store_objects``) before any git process runs, so before the
        refs that name them move."""
        sha = pack.object_id(kind, body)
        self._pending[sha] = (kind, body)
        if kind != "blob":  # the trees and commits of one publish are the base of the next
            _WRITTEN.put(sha, (kind, body))
        return sha

    def store_objects(self) -> None:
        """Store the objects written so far as one pack (see pack.py)."""
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        try:
            pack.write_pack(self.root / "objects", pending)
        except OSError as err:
            raise PublishError(f"cannot write objects into {self.root}: {err}") from None
        pack.roll_up_packs(self.root, self.env)

    def commit_writer(self) -> CommitWriter:
        return CommitWriter(self)

    def push(
        self, updates: Sequence[tuple[str, str]], *, what: str, expected: Mapping[str, str | None] | None = None
    ) -> None:
        """Push ``(source, destination ref)`` pairs, all or nothing; an empty source deletes.

        Never forced: a branch moves only forward and an existing tag is never replaced. Into a
        direct scratch, a ref in ``expected`` must still be at that commit (None: not exist),
        and any other ref is created, so it must not exist yet.
        """
        if self.direct:
            self._update_refs(updates, expected or {}, what=what)
            return
        refspecs = [f"{source}:{destination}" for source, destination in updates]
        args = ["push", "--quiet"]
        if len(refspecs) > 1:
            args.append("--atomic")
        self.run(*args, "--", self.remote, *refspecs, what=what)

    def _update_refs(
        self, updates: Sequence[tuple[str, str]], expected: Mapping[str, str | None], *, what: str
    ) -> None:
        _, error = self.update_refs_in_turn([(what, updates)], expected)
        if error is not None:
            raise error

    def update_refs_in_turn(
        self, steps: Sequence[tuple[str, Sequence[tuple[str, str]]]], expected: Mapping[str, str | None]
    ) -> tuple[int, PublishError | None]:
        """Into a direct scratch: each step's ``(source, destination)`` updates as one
        transaction, the steps one after another in one git process (what ``push`` does per
        step). Returns how many steps were committed, and why the next one was refused."""
        self.store_objects()
        expected = dict(expected)
        lines: list[str] = []
        for _, updates in steps:
            lines.append("start")
            for source, destination in updates:
                old = expected.get(destination)
                if not source:
                    lines.append(f"delete {destination}" + (f" {old}" if old else ""))
                elif old:
                    lines.append(f"update {destination} {source} {old}")
                else:
                    lines.append(f"create {destination} {source}")
            lines += ["prepare", "commit"]
            expected.update((destination, source or None) for source, destination in updates)
        proc = subprocess.run(
            ["git", "update-ref", "--stdin"],
            input="".join(f"{line}\n" for line in lines),
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.root,
            check=False,
        )
        done = proc.stdout.count("commit: ok")
        if proc.returncode == 0 and done == len(steps):
            return done, None
        what = steps[min(done, len(steps) - 1)][0]
        moved = _MOVED.search(proc.stderr)
        if moved is None:
            return done, PublishError(f"{what} failed: {_last_words(proc)}")
        ref, now, then = moved.groups()
        state = f"is at {now[:12]}" if now else "exists"
        return done, PublishError(
            f"{what} failed: {ref.removeprefix(HEADS)} moved meanwhile ({state}, expected "
            f"{then[:12] if then else 'none'}): someone else published"
        )


class _Recent:
    """The trees and commits this process wrote lately, by id (content-addressed: always
    right), up to a total size: what the next publish builds on is read from here."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._objects: OrderedDict[str, tuple[str, bytes]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, sha: str) -> tuple[str, bytes] | None:
        with self._lock:
            found = self._objects.get(sha)
            if found is not None:
                self._objects.move_to_end(sha)
            return found

    def put(self, sha: str, value: tuple[str, bytes]) -> None:
        with self._lock:
            if sha in self._objects:
                self._objects.move_to_end(sha)
                return
            self._objects[sha] = value
            self._size += len(value[1])
            while self._size > self.max_bytes and len(self._objects) > 1:
                _, (_, body) = self._objects.popitem(last=False)
                self._size -= len(body)


_WRITTEN = _Recent(32 << 20)
_NO_OBJECTS_READ = frozenset({"var", "config", "init"})  # git commands that read no objects


def _parse_tree(body: bytes) -> dict[str, tuple[str, str]]:
    entries: dict[str, tuple[str, str]] = {}
    position = 0
    while position < len(body):
        space = body.index(b" ", position)
        nul = body.index(b"\0", space)
        mode = body[position:space].decode()
        name = body[space + 1 : nul].decode("utf-8", "surrogateescape")
        entries[name] = (mode, body[nul + 1 : nul + 21].hex())
        position = nul + 21
    return entries


class CommitWriter:
    """Commits as ``git commit-tree`` writes them (the same identities, the same bytes), for
    several commits on top of one another, written by one ``git hash-object``. When commits
    must be signed (``commit.gpgSign``) or use another encoding, each goes through
    ``commit-tree`` instead."""

    def __init__(self, scratch: Scratch) -> None:
        self.scratch = scratch
        key = scratch.settings_key()
        settings = _COMMIT_SETTINGS.get(key)
        if settings is None:
            listed = scratch.run("var", "-l").splitlines()
            settings = _COMMIT_SETTINGS[key] = dict(line.partition("=")[::2] for line in listed if "=" in line)
        self.author = _now_unless_dated(settings.get("GIT_AUTHOR_IDENT", ""), scratch.env.get("GIT_AUTHOR_DATE"))
        self.committer = _now_unless_dated(
            settings.get("GIT_COMMITTER_IDENT", ""), scratch.env.get("GIT_COMMITTER_DATE")
        )
        signed = settings.get("commit.gpgsign", "false").lower() in ("true", "yes", "on", "1")
        encoding = settings.get("i18n.commitencoding", "utf-8").lower().replace("_", "-")
        self.direct = signed or encoding not in ("utf-8", "utf8") or not (self.author and self.committer)
        self._bodies: list[tuple[str, bytes]] = []

    def commit(self, tree: str, parents: Sequence[str], message: str) -> str:
        if self.direct:
            return self.scratch.commit(tree, parents, message)
        header = f"tree {tree}\n" + "".join(f"parent {parent}\n" for parent in parents)
        header += f"author {self.author}\ncommitter {self.committer}\n\n"
        body = header.encode() + message.encode("utf-8")
        sha = hashlib.sha1(b"commit %d\0" % len(body) + body, usedforsecurity=False).hexdigest()
        self._bodies.append((sha, body))
        return sha

    def write(self) -> None:
        """Write every commit made so far."""
        if not self._bodies:
            return
        if self.scratch.direct:
            for sha, body in self._bodies:
                if self.scratch.write_object("commit", body) != sha:
                    raise PublishError(
                        "a commit was written under another id than expected", hint="report this as a bug"
                    )
            self._bodies.clear()
            return
        with tempfile.TemporaryDirectory(prefix="o2krm-commits-") as tmp:
            paths = []
            for index, (_, body) in enumerate(self._bodies):
                path = Path(tmp) / str(index)
                path.write_bytes(body)
                paths.append(f"{path}\n")
            written = self.scratch.run("hash-object", "-t", "commit", "-w", "--stdin-paths", input="".join(paths))
        if written.split() != [sha for sha, _ in self._bodies]:
            raise PublishError("git hash-object wrote other commits than expected", hint="report this as a bug")
        self._bodies.clear()


_COMMIT_SETTINGS: dict[tuple[object, ...], dict[str, str]] = {}


def _now_unless_dated(ident: str, date: str | None) -> str:
    """``Name <email> <seconds> <zone>`` as git would write it now: a remembered ident with the
    time of now (unless the environment sets the date, which git then writes every time)."""
    who, _, when = ident.rpartition("> ")
    if date is not None or not who or len(when.split()) != 2:
        return ident
    moment = time.time()
    return f"{who}> {int(moment)} {time.strftime('%z', time.localtime(moment))}"


class TreeBuilder:
    """Trees with packages replaced, for several packages one on top of the other, written by
    one ``git mktree --batch`` (index-free; everything else in a base tree is reused as it is)."""

    def __init__(self, scratch: Scratch) -> None:
        self.scratch = scratch
        self.writer = _TreeWriter()
        self._read: dict[str, dict[str, tuple[str, str]]] = {}

    def with_package(self, base: str | None, directory: str, blobs: Sequence[tuple[str, str, str]]) -> str:
        """The tree ``base`` (a tree-ish, or None for an empty one) with ``directory/`` holding
        exactly ``blobs`` ((mode, path relative to it, blob id))."""
        package_tree = self.writer.nested(blobs)
        parts = directory.split("/")
        levels: list[dict[str, tuple[str, str]]] = []
        current = self._entries(base) if base else {}
        for part in parts:
            levels.append(current)
            existing = current.get(part)
            if existing is not None and existing[0] != _TREE_MODE:
                raise PublishError(f"{'/'.join(parts[: len(levels)])} is a file in {base}, not a directory")
            current = self._entries(existing[1]) if existing else {}
        child = package_tree
        for depth in range(len(parts) - 1, -1, -1):
            entries = dict(levels[depth])
            if child is None:
                entries.pop(parts[depth], None)
            else:
                entries[parts[depth]] = (_TREE_MODE, child)
            # git writes no empty directories: an emptied one disappears from its parent.
            child = self.writer.tree(entries) if entries or depth == 0 else None
        assert child is not None
        return child

    def write(self) -> None:
        """Write every tree built so far."""
        if self.scratch.direct:
            for sha, body in zip(self.writer.order, self.writer.bodies, strict=True):
                if self.scratch.write_object("tree", body) != sha:
                    raise PublishError("a tree was written under another id than expected", hint="report this as a bug")
            if _EMPTY_TREE in self.writer.used:
                self.scratch.write_object("tree", b"")
            return
        if self.writer.order:
            written = self.scratch.run("mktree", "--missing", "--batch", input=self.writer.batch()).split()
            if written != self.writer.order:
                raise PublishError("git mktree wrote other trees than expected", hint="report this as a bug")
        if _EMPTY_TREE in self.writer.used:
            self.scratch.empty_tree()

    def _entries(self, tree: str) -> dict[str, tuple[str, str]]:
        built = self.writer.known.get(tree)
        if built is not None:
            return built
        if tree not in self._read:
            self._read[tree] = self.scratch.tree_entries(tree) or {}
        return self._read[tree]


class _TreeWriter:
    """Tree objects computed here (so a parent can name its children before git has written
    them) and written together by ``git mktree --batch``, children first."""

    def __init__(self) -> None:
        self.order: list[str] = []
        self.known: dict[str, dict[str, tuple[str, str]]] = {}  # the trees computed here: id -> entries
        self.used: set[str] = set()
        self._texts: list[str] = []
        self.bodies: list[bytes] = []  # the tree objects' contents, in ``order``

    def nested(self, blobs: Sequence[tuple[str, str, str]]) -> str | None:
        """The tree holding ``(mode, relative path, sha)`` blobs, or None when there are none."""
        if not blobs:
            return None
        here: dict[str, tuple[str, str]] = {}
        below: dict[str, list[tuple[str, str, str]]] = {}
        for mode, path, sha in blobs:
            head, sep, rest = path.partition("/")
            if sep:
                below.setdefault(head, []).append((mode, rest, sha))
            else:
                here[head] = (mode, sha)
        for name, children in sorted(below.items()):
            subtree = self.nested(children)
            assert subtree is not None
            here[name] = (_TREE_MODE, subtree)
        return self.tree(here)

    def tree(self, entries: Mapping[str, tuple[str, str]]) -> str:
        if not entries:
            self.used.add(_EMPTY_TREE)
            return _EMPTY_TREE  # mktree --batch cannot write it (an empty tree is its separator)
        ordered = sorted(entries.items(), key=lambda item: _tree_sort_key(item[0], item[1][0]))
        body = b"".join(
            mode.encode() + b" " + name.encode("utf-8", "surrogateescape") + b"\0" + bytes.fromhex(sha)
            for name, (mode, sha) in ordered
        )
        sha = hashlib.sha1(b"tree %d\0" % len(body) + body, usedforsecurity=False).hexdigest()
        if sha in self.known:
            return sha  # the same tree twice (say, a package published unchanged): write it once
        self.known[sha] = dict(entries)
        self.order.append(sha)
        self.bodies.append(body)
        self._texts.append(
            "".join(f"{mode} {_KINDS.get(mode, 'blob')} {sha_}\t{name}\n" for name, (mode, sha_) in ordered)
        )
        return sha

    def batch(self) -> str:
        return "\n".join(self._texts)


def _tree_sort_key(name: str, mode: str) -> bytes:
    # git orders tree entries bytewise, a directory as if its name ended with "/".
    return name.encode("utf-8", "surrogateescape") + (b"/" if mode == _TREE_MODE else b"")
