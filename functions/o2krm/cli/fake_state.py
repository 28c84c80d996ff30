"""The fake O-Cloud's state file: JSON, file-locked, replaced atomically, kept between commands.

Location: ``$O2KRM_FAKE_STATE`` if set, else ``$XDG_STATE_HOME/o2krm/fake-ocloud.json``
(``~/.local/state/o2krm/fake-ocloud.json`` when XDG_STATE_HOME is unset). Readers take a
shared ``flock`` on ``<file>.lock``, writers an exclusive one; a write goes to a temporary file
in the same directory that then replaces the state file, so a crash never leaves half a file.

A long-lived user (the intent gateway creates requests for every intent) keeps what it read and
wrote: the file is parsed again only when another process has replaced it since (every write
counts up ``generation``, at the head of the file), and a write encodes only the records that
are new since the last one. One create costs the same with ten requests stored or thousands.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any, NamedTuple

from o2krm.cli.errors import CliError

STATE_ENV = "O2KRM_FAKE_STATE"
FORMAT = "o2krm.io/fake-ocloud/v1"


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
        generation: int = 0,
    ) -> None:
        self.created_at = created_at
        self.resource_version = resource_version
        self.requests: dict[str, dict[str, Any]] = requests if requests is not None else {}
        self.generation = generation  # how many times the file was written
        self.changed = False

    def next_resource_version(self) -> int:
        self.resource_version += 1
        self.changed = True
        return self.resource_version


class StateStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock_path = path.with_name(path.name + ".lock")
        self._known: _Known | None = None  # the state as this store last read or wrote it
        self._encoded: dict[str, tuple[dict[str, Any], str]] = {}  # name -> (record, its JSON)

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
            state = self._read()
            if state.created_at is None and write:
                state.created_at = now
                state.changed = True
            yield state
            if write and state.changed:
                self._write(state)

    def _ensure_directory(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise CliError(
                f"cannot create the fake state directory {self.path.parent}: {err.strerror or err}; "
                f"set {STATE_ENV} to a writable file path"
            ) from None

    def _read(self) -> FakeState:
        """The state (the caller holds the lock). Records are shared with what this store
        remembers: they are replaced, never changed in place."""
        try:
            with open(self.path, "rb") as stream:
                stamp = _stamp(stream)
                known = self._known
                if known is not None and known.stamp == stamp:
                    return FakeState(known.created_at, known.resource_version, dict(known.requests), known.generation)
                raw = stream.read()
        except FileNotFoundError:
            return FakeState()
        except OSError as err:
            raise CliError(f"cannot read the fake state {self.path}: {err.strerror or err}") from None
        try:
            data = json.loads(raw.decode("utf-8"))
        except ValueError as err:
            raise self._corrupt(f"not valid JSON ({err})") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise self._corrupt(f"not a fake O-Cloud state file (expected format {FORMAT})")
        requests = data.get("requests")
        if not isinstance(requests, dict) or not all(isinstance(r, dict) for r in requests.values()):
            raise self._corrupt("requests must be a mapping of name to record")
        version, created = data.get("resourceVersion", 0), data.get("createdAt")
        generation = data.get("generation", 0)
        if not isinstance(version, int) or not isinstance(created, int | float | None):
            raise self._corrupt("resourceVersion must be an integer and createdAt a number")
        if not isinstance(generation, int):
            raise self._corrupt("generation must be an integer")
        self._known = _Known(stamp, generation, created, version, dict(requests))
        self._encoded.clear()
        return FakeState(created, version, requests, generation)

    def _corrupt(self, why: str) -> CliError:
        return CliError(f"fake state {self.path} is {why}; delete it to start the fake O-Cloud afresh")

    def _write(self, state: FakeState) -> None:
        generation = state.generation + 1
        head = {"format": FORMAT, "generation": generation, "createdAt": state.created_at}
        head["resourceVersion"] = state.resource_version
        text = _compact(head)[:-1] + ',"requests":{' + ",".join(self._records(state.requests)) + "}}\n"
        temporary = self.path.with_name(self.path.name + ".tmp")  # one writer at a time: we hold the lock
        try:
            with open(temporary, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.replace(temporary, self.path)
            with open(self.path, "rb") as written:
                stamp = _stamp(written)
        except OSError as err:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            self._known = None
            raise CliError(f"cannot write the fake state {self.path}: {err.strerror or err}") from None
        self._known = _Known(stamp, generation, state.created_at, state.resource_version, dict(state.requests))

    def _records(self, requests: Mapping[str, dict[str, Any]]) -> Iterator[str]:
        """``"name":{record}`` for every request in name order, each encoded once while it
        stays the same record."""
        encoded: dict[str, tuple[dict[str, Any], str]] = {}
        for name in sorted(requests):
            record = requests[name]
            known = self._encoded.get(name)
            if known is None or known[0] is not record:
                known = (record, _compact(name) + ":" + _compact(record))
            encoded[name] = known
            yield known[1]
        self._encoded = encoded


class _Known(NamedTuple):
    stamp: tuple[int, ...]
    generation: int
    created_at: float | None
    resource_version: int
    requests: dict[str, dict[str, Any]]


_GENERATION = re.compile(rb'^\{"format":"[^"]*","generation":(\d+),')


def _stamp(stream: IO[bytes]) -> tuple[int, ...]:
    """What tells this file from any other write of it: its inode, size and times, and the
    generation every write counts up (read from its head, without parsing the rest)."""
    status = os.fstat(stream.fileno())
    found = _GENERATION.match(stream.read(128))
    stream.seek(0)
    generation = int(found.group(1)) if found else -1
    return (status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns, generation)


def _compact(value: Any) -> str:
    # json.dumps with separators uses json's C encoder (json.dump and indent do not).
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
