"""ProvisioningRequests in the O-Cloud, through o2imsctl's backends: the fake O-Cloud of
``o2imsctl --fake`` (its state file, so ``o2imsctl pr list --fake`` shows what the gateway
created) or a real cluster (kubeconfig resolution exactly as o2imsctl does it).

Every operation is idempotent, so a gateway that was killed half-way can run it again: a request
that exists already is adopted, a request that is gone already counts as deleted.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from o2krm.gateway.combiner import Combiner

MODES = ("fake", "real")
# ProvisioningRequest states as o2imsctl reads them (status.provisioningStatus.provisioningState)
PROGRESSING, FULFILLED, FAILED, DELETING = "progressing", "fulfilled", "failed", "deleting"
MISSING = "missing"  # the gateway created it, the O-Cloud no longer has it
_REPLACE_WAIT_SECONDS = 60.0


class ProvisioningError(Exception):
    """The O-Cloud refused or could not be reached; the message says which request and why."""


@dataclass(frozen=True)
class RequestState:
    state: str  # progressing | fulfilled | failed | deleting | missing | "" (no status yet)
    message: str = ""


@dataclass(frozen=True)
class OCloudSettings:
    mode: str = "fake"
    kubeconfig: str | None = None
    context: str | None = None
    fake_capacity: str | None = None  # default: $O2KRM_FAKE_CAPACITY, else o2imsctl's default
    fake_provision_seconds: float | None = None  # default: $O2KRM_FAKE_PROVISION_TIME, else o2imsctl's
    request_timeout: float | None = None


class OCloud:
    def __init__(
        self,
        settings: OCloudSettings,
        env: Mapping[str, str] | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        if settings.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {settings.mode!r}")
        self.settings = settings
        self.env = dict(os.environ if env is None else env)
        self._log = log or (lambda _: None)
        self._backend: Any = None
        self._lock = threading.Lock()
        self._creates: Combiner[dict[str, Any], Any] = Combiner(self._create_all)

    @property
    def mode(self) -> str:
        return self.settings.mode

    @property
    def backend(self) -> Any:
        """o2imsctl's Backend (FakeBackend or RealBackend), made on first use."""
        with self._lock:
            if self._backend is None:
                self._backend = self._make_backend()
            return self._backend

    def _make_backend(self) -> Any:
        from o2krm.cli.context import Context
        from o2krm.cli.errors import CliError

        fake = self.settings.mode == "fake"
        args = SimpleNamespace(
            fake=fake,
            kubeconfig=self.settings.kubeconfig,
            context=self.settings.context,
            fake_capacity=self.settings.fake_capacity if fake else None,
            fake_provision_time=self.settings.fake_provision_seconds if fake else None,
            request_timeout=self.settings.request_timeout,
            verbose=1,
        )
        sink = _LineSink(self._log)
        context = Context(args=args, env=self.env, stdin=None, stdout=sink, stderr=sink)  # type: ignore[arg-type]
        try:
            return context.backend
        except CliError as err:
            raise ProvisioningError(f"{self.mode} O-Cloud: {err.message}") from None

    def describe(self) -> str:
        if self.mode == "fake":
            backend = self.backend
            return f"fake O-Cloud (o2imsctl --fake, state {backend.settings.state_path})"
        return f"cluster {self.backend.server}"

    # --- operations -------------------------------------------------------------------------------
    def create(self, obj: Mapping[str, Any]) -> None:
        """Create ``obj``; one that exists already (created before a restart) is adopted.

        Requests created while another thread creates go together in the next call (in fake mode
        one change of the state file for all of them)."""
        name = _name(obj)
        refused = self._creates.submit(dict(obj))
        if refused is not None:
            if self._exists(name):
                return
            raise ProvisioningError(f"ProvisioningRequest {name}: {refused.message}") from None

    def _create_all(self, objs: list[dict[str, Any]]) -> list[Any]:
        from o2krm.cli.errors import CliError

        backend = self.backend
        if hasattr(backend, "create_many"):
            try:
                return list(backend.create_many(objs))
            except CliError as err:  # the state file cannot be read or written: none was created
                return [err] * len(objs)
        refusals: list[CliError | None] = []
        for obj in objs:
            try:
                backend.create(obj)
                refusals.append(None)
            except CliError as err:
                refusals.append(err)
        return refusals

    def delete(self, name: str) -> None:
        from o2krm.cli.errors import CliError, NotFoundError

        try:
            self.backend.delete(name)
        except NotFoundError:
            return
        except CliError as err:
            raise ProvisioningError(f"ProvisioningRequest {name}: {err.message}") from None

    def replace(self, obj: Mapping[str, Any]) -> None:
        """Delete and create again (o2imsctl's backends have no update); waits for the deletion."""
        name = _name(obj)
        self.delete(name)
        deadline = time.monotonic() + _REPLACE_WAIT_SECONDS
        while self._exists(name):
            if time.monotonic() > deadline:
                raise ProvisioningError(
                    f"ProvisioningRequest {name} is still being deleted after {_REPLACE_WAIT_SECONDS:.0f}s; "
                    "it is created again once it is gone"
                )
            time.sleep(0.5)
        self.create(obj)

    def observe(self, names: Iterable[str]) -> dict[str, RequestState]:
        """The state of each named request; requests the O-Cloud does not have are ``missing``."""
        from o2krm.cli import resource
        from o2krm.cli.errors import CliError

        try:
            statuses = getattr(self.backend, "statuses", None)
            if statuses is not None:  # the fake O-Cloud: statuses alone, not every request copied
                listed = {name: {"status": status} for name, status in statuses().items()}
            else:
                listed = {resource.name_of(obj): obj for obj in self.backend.list()}
        except CliError as err:
            raise ProvisioningError(f"cannot list ProvisioningRequests: {err.message}") from None
        states: dict[str, RequestState] = {}
        for name in sorted(set(names)):
            obj = listed.get(name)
            if obj is None:
                states[name] = RequestState(MISSING, "the O-Cloud has no ProvisioningRequest of this name")
            else:
                states[name] = RequestState(resource.state_of(obj) or "", resource.message_of(obj))
        return states

    def _exists(self, name: str) -> bool:
        from o2krm.cli.errors import CliError

        try:
            self.backend.get(name)
        except CliError:
            return False
        return True


def _name(obj: Mapping[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


class _LineSink:
    """A text stream that hands o2imsctl's diagnostic lines to a logger."""

    def __init__(self, log: Callable[[str], None]) -> None:
        self._log = log

    def write(self, text: str) -> int:
        for line in text.splitlines():
            if line.strip():
                self._log(line.removeprefix("o2imsctl: "))
        return len(text)

    def flush(self) -> None:
        return None
