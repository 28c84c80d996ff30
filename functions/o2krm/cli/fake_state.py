"""The fake O-Cloud's state file: JSON, file-locked, replaced atomically, kept between commands.

Location: ``$O2KRM_FAKE_STATE`` if set, else ``$XDG_STATE_HOME/o2krm/fake-ocloud.json``
(``~/.local/state/o2krm/fake-ocloud.json`` when XDG_STATE_HOME is unset). Readers take a
shared ``flock`` on ``<file>.lock``, writers an exclusive one; a write goes to a temporary file
in the same directory that then replaces the state file, so a crash never leaves half a file.
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
    ) -> None:
        self.created_at = created_at
        self.resource_version = resource_version
        self.requests: dict[str, dict[str, Any]] = requests if requests is not None else {}
        self.changed = False

    def next_resource_version(self) -> int:
        self.resource_version += 1
        self.changed = True
        return self.resource_version


class StateStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock_path = path.with_name(path.name + ".lock")

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
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return FakeState()
        except OSError as err:
            raise CliError(f"cannot read the fake state {self.path}: {err.strerror or err}") from None
        try:
            data = json.loads(text)
        except ValueError as err:
            raise self._corrupt(f"not valid JSON ({err})") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise self._corrupt(f"not a fake O-Cloud state file (expected format {FORMAT})")
        requests = data.get("requests")
        if not isinstance(requests, dict) or not all(isinstance(r, dict) for r in requests.values()):
            raise self._corrupt("requests must be a mapping of name to record")
        version, created = data.get("resourceVersion", 0), data.get("createdAt")
        if not isinstance(version, int) or not isinstance(created, int | float | None):
            raise self._corrupt("resourceVersion must be an integer and createdAt a number")
        return FakeState(created_at=created, resource_version=version, requests=requests)

    def _corrupt(self, why: str) -> CliError:
        return CliError(f"fake state {self.path} is {why}; delete it to start the fake O-Cloud afresh")

    def _write(self, state: FakeState) -> None:
        data = {
            "format": FORMAT,
            "createdAt": state.created_at,
            "resourceVersion": state.resource_version,
            "requests": dict(sorted(state.requests.items())),
        }
        temporary = self.path.with_name(self.path.name + ".tmp")  # one writer at a time: we hold the lock
        try:
            with open(temporary, "w", encoding="utf-8") as stream:
                # One line from json.dumps: only that uses json's C encoder (json.dump and
                # indent do not), and the gateway rewrites this file for every request.
                stream.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
            os.replace(temporary, self.path)
        except OSError as err:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise CliError(f"cannot write the fake state {self.path}: {err.strerror or err}") from None
