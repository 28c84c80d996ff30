"""The fake O-Cloud's state file: a journal of JSON lines, file-locked, kept between commands.

Location: ``$O2KRM_FAKE_STATE`` if set, else ``$XDG_STATE_HOME/o2krm/fake-ocloud.json``
(``~/.local/state/o2krm/fake-ocloud.json`` when XDG_STATE_HOME is unset). Readers take a
shared ``flock`` on ``<file>.lock``, writers an exclusive one.

Format ``o2krm.io/fake-ocloud/v2``: a header line ``{"format", "createdAt"}``, then one line per
change ``{"resourceVersion", "put": {name: record}, "delete": [name]}``. A change is appended, so
a create costs the same with ten requests stored or thousands (rewriting the whole state per
change made the intent gateway's creates grow with every intent). A line cut short by a crash
has no newline: readers skip it and the next writer cuts it off. Once the journal has grown to
twice its size after the last rewrite, it is rewritten as one change holding every request (to a
temporary file that then replaces it, so a crash never leaves half a file): appending stays
proportional to what changes.

A long-lived user (the gateway) keeps what it read: it reads only what was appended since, and
the whole file again only when it was replaced. A state file of the earlier single-document
format (v1) is read, and rewritten as a journal by the next change.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from o2krm.cli.errors import CliError

STATE_ENV = "O2KRM_FAKE_STATE"
FORMAT = "o2krm.io/fake-ocloud/v2"
FORMAT_V1 = "o2krm.io/fake-ocloud/v1"
_REWRITE_FLOOR = 1 << 20  # a journal this small is never rewritten


def state_path(env: Mapping[str, str], home: Path) -> Path:
    explicit = env.get(STATE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    state_home = env.get("XDG_STATE_HOME")
    base = Path(state_home).expanduser() if state_home and os.path.isabs(state_home) else home / ".local" / "state"
    return base / "o2krm" / "fake-ocloud.json"


class FakeState:
    def __init__(
        self,
        created_at: float | None = None,
        resource_version: int = 0,
        requests: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.created_at = created_at
        self.resource_version = resource_version
        self.requests: dict[str, dict[str, Any]] = requests if requests is not None else {}
        self.changed = False

    def next_resource_version(self) -> int:
        self.resource_version += 1
        self.changed = True
        return self.resource_version


class _Journal:
    """The state as read from one file (one inode), up to ``offset``: the end of its last
    complete line."""

    def __init__(self, inode: int, created_at: float | None, rewritten_size: int) -> None:
        self.inode = inode
        self.offset = 0
        self.created_at = created_at
        self.resource_version = 0
        self.requests: dict[str, dict[str, Any]] = {}
        self.rewritten_size = rewritten_size  # its size when it was last rewritten whole
        self.v1 = False  # the earlier single-document format: rewritten by the next change


class StateStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock_path = path.with_name(path.name + ".lock")
        self._journal: _Journal | None = None  # what this store last read or wrote

    @contextlib.contextmanager
    def open(self, *, write: bool, now: float) -> Iterator[FakeState]:
        """The state under a lock (exclusive when ``write``); saved on exit when changed."""
        import fcntl

        if not write and not self.path.exists():
            yield FakeState()
            return
        self._ensure_directory()
        try:
            lock = open(self.lock_path, "a+b")  # noqa: SIM115 - held for the duration of the with block
        except OSError as err:
            raise CliError(f"cannot open the fake state lock {self.lock_path}: {err.strerror or err}") from None
        with lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX if write else fcntl.LOCK_SH)
            journal = self._read()
            state = FakeState(journal.created_at, journal.resource_version, dict(journal.requests))
            if state.created_at is None and write:
                state.created_at = now
                state.changed = True
            yield state
            if write and state.changed:
                self._write(journal, state)

    def _ensure_directory(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise CliError(
                f"cannot create the fake state directory {self.path.parent}: {err.strerror or err}; "
                f"set {STATE_ENV} to a writable file path"
            ) from None

    # --- reading ---------------------------------------------------------------------------------
    def _read(self) -> _Journal:
        """The state (the caller holds the lock): what this store knows, plus what was appended
        since; the whole file when it is another one. Records are shared with what this store
        keeps: they are replaced, never changed in place."""
        try:
            with open(self.path, "rb") as stream:
                inode = os.fstat(stream.fileno()).st_ino
                journal = self._journal
                if journal is None or journal.inode != inode or journal.v1:
                    journal = _Journal(inode, None, 0)
                stream.seek(journal.offset)
                added = stream.read()
        except FileNotFoundError:
            self._journal = None
            return _Journal(-1, None, 0)
        except OSError as err:
            raise CliError(f"cannot read the fake state {self.path}: {err.strerror or err}") from None
        if journal.offset == 0 and added:
            first = self._entry(added.split(b"\n", 1)[0])
            if first.get("format") == FORMAT_V1:
                self._read_v1(journal, added)
                self._journal = journal
                return journal
            self._header(journal, first)
        self._apply(journal, added)
        self._journal = journal
        return journal

    def _entry(self, line: bytes) -> dict[str, Any]:
        try:
            entry = json.loads(line)
        except ValueError as err:
            raise self._corrupt(f"not valid JSON ({err})") from None
        if not isinstance(entry, dict):
            raise self._corrupt("not a fake O-Cloud state file (a line that is not a JSON object)")
        return entry

    def _apply(self, journal: _Journal, added: bytes) -> None:
        complete = added.rfind(b"\n") + 1  # a last line without its newline was cut short: skipped
        lines = added[:complete].split(b"\n")[:-1]
        for line in lines[1:] if journal.offset == 0 else lines:  # the header was read
            if line.strip():
                self._change(journal, self._entry(line))
        journal.offset += complete

    def _header(self, journal: _Journal, entry: Mapping[str, Any]) -> None:
        if entry.get("format") != FORMAT:
            raise self._corrupt(f"not a fake O-Cloud state file (expected format {FORMAT})")
        created, rewritten = entry.get("createdAt"), entry.get("rewrittenSize", 0)
        if not isinstance(created, int | float | None) or not isinstance(rewritten, int):
            raise self._corrupt("createdAt must be a number and rewrittenSize an integer")
        journal.created_at, journal.rewritten_size = created, rewritten

    def _change(self, journal: _Journal, entry: Mapping[str, Any]) -> None:
        puts, deletes, version = entry.get("put", {}), entry.get("delete", []), entry.get("resourceVersion")
        if not isinstance(puts, dict) or not all(isinstance(r, dict) for r in puts.values()):
            raise self._corrupt("put must be a mapping of name to record")
        if not isinstance(deletes, list) or not isinstance(version, int):
            raise self._corrupt("delete must be a list of names and resourceVersion an integer")
        for name in deletes:
            journal.requests.pop(str(name), None)
        journal.requests.update(puts)
        journal.resource_version = version

    def _read_v1(self, journal: _Journal, raw: bytes) -> None:
        try:
            data = json.loads(raw.decode("utf-8"))
        except ValueError as err:
            raise self._corrupt(f"not valid JSON ({err})") from None
        requests = data.get("requests") if isinstance(data, dict) else None
        if not isinstance(requests, dict) or not all(isinstance(r, dict) for r in requests.values()):
            raise self._corrupt("requests must be a mapping of name to record")
        version, created = data.get("resourceVersion", 0), data.get("createdAt")
        if not isinstance(version, int) or not isinstance(created, int | float | None):
            raise self._corrupt("resourceVersion must be an integer and createdAt a number")
        journal.created_at, journal.resource_version, journal.requests = created, version, dict(requests)
        journal.offset, journal.v1 = len(raw), True

    def _corrupt(self, why: str) -> CliError:
        return CliError(f"fake state {self.path} is {why}; delete it to start the fake O-Cloud afresh")

    # --- writing ---------------------------------------------------------------------------------
    def _write(self, journal: _Journal, state: FakeState) -> None:
        before, after = journal.requests, state.requests
        puts = {name: record for name, record in sorted(after.items()) if before.get(name) is not record}
        deletes = sorted(name for name in before if name not in after)
        change = {"resourceVersion": state.resource_version, "put": puts, "delete": deletes}
        line = _compact(change) + "\n"
        grown = journal.offset + len(line)
        # A new file, the earlier format, or a journal twice its rewritten size: rewritten whole.
        fresh = journal.inode < 0 or journal.v1 or journal.created_at != state.created_at
        try:
            if fresh or grown > max(_REWRITE_FLOOR, 2 * journal.rewritten_size):
                self._rewrite(state)
            else:
                with open(self.path, "r+b") as stream:
                    stream.truncate(journal.offset)  # a line cut short by a crash goes
                    stream.seek(journal.offset)
                    stream.write(line.encode("utf-8"))
                journal.offset = grown
                journal.requests, journal.resource_version = dict(after), state.resource_version
        except OSError as err:
            self._journal = None
            raise CliError(f"cannot write the fake state {self.path}: {err.strerror or err}") from None

    def _rewrite(self, state: FakeState) -> None:
        """The whole state as a new journal: a header and one change with every request."""
        requests = dict(sorted(state.requests.items()))
        body = _compact({"resourceVersion": state.resource_version, "put": requests, "delete": []}).encode()
        head = _compact({"format": FORMAT, "createdAt": state.created_at, "rewrittenSize": len(body)}).encode()
        temporary = self.path.with_name(self.path.name + ".tmp")  # one writer at a time: we hold the lock
        try:
            with open(temporary, "wb") as stream:
                stream.write(head + b"\n" + body + b"\n")
                inode = os.fstat(stream.fileno()).st_ino
            os.replace(temporary, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        journal = self._journal = _Journal(inode, state.created_at, len(body))
        journal.offset = len(head) + len(body) + 2
        journal.requests, journal.resource_version = requests, state.resource_version


def _compact(value: Any) -> str:
    # json.dumps with separators uses json's C encoder (json.dump and indent do not).
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
