"""What every command gets: parsed options, environment, streams, and the backend built on demand.

Real-mode modules (lightkube, asyncio) are imported only once a real cluster is needed, so that
fake-mode commands start fast.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from o2krm.cli.backend import Backend
from o2krm.cli.errors import CliError, UsageError

DEFAULT_REQUEST_TIMEOUT = 30.0


class Context:
    """Everything a command needs besides its own arguments."""

    def __init__(self, args: Any, env: Mapping[str, str], stdin: TextIO, stdout: TextIO, stderr: TextIO) -> None:
        self.args = args
        self.env = env
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self._backend: Backend | None = None

    def option(self, name: str, default: Any = None) -> Any:
        return getattr(self.args, name, default)

    @property
    def verbosity(self) -> int:
        return int(self.option("verbose", 0) or 0)

    @property
    def fake(self) -> bool:
        return bool(self.option("fake", False))

    def log(self, message: str) -> None:
        if self.verbosity:
            print(f"o2imsctl: {message}", file=self.stderr)

    def warn(self, message: str) -> None:
        print(f"Warning: {message}", file=self.stderr)

    def emit(self, text: str) -> None:
        if text:
            self.stdout.write(text if text.endswith("\n") else text + "\n")

    def output_format(self, default: str, allowed: Sequence[str]) -> str:
        fmt = self.option("output") or default
        if fmt not in allowed:
            raise UsageError(f"-o {fmt} is not supported here; use one of: {', '.join(allowed)}")
        return fmt

    @property
    def home(self) -> Path:
        return Path(self.env["HOME"]) if self.env.get("HOME") else Path.home()

    @property
    def backend(self) -> Backend:
        if self._backend is None:
            self._backend = self._make_fake() if self.fake else self._make_real()
        return self._backend

    def _make_fake(self) -> Backend:
        from o2krm.cli import fake_ocloud
        from o2krm.cli.durations import parse_duration
        from o2krm.cli.fake_backend import FakeBackend, FakeSettings
        from o2krm.cli.fake_state import state_path

        for flag in ("kubeconfig", "context"):
            if self.option(flag):
                self.log(f"--{flag} is ignored in fake mode")
        capacity, source = self.option("fake_capacity"), "--fake-capacity"
        if capacity is None:
            capacity = self.env.get(fake_ocloud.CAPACITY_ENV) or fake_ocloud.DEFAULT_CAPACITY
            source = fake_ocloud.CAPACITY_ENV
        seconds = self.option("fake_provision_time")
        if seconds is None:
            text = self.env.get(fake_ocloud.PROVISION_TIME_ENV)
            try:
                seconds = parse_duration(text) if text else fake_ocloud.DEFAULT_PROVISION_SECONDS
            except ValueError as err:
                raise CliError(f"{fake_ocloud.PROVISION_TIME_ENV}: {err}") from None
        if seconds < 0:
            raise UsageError("the fake provisioning time must not be negative")
        settings = FakeSettings(state_path(self.env, self.home), capacity, source, seconds)
        return FakeBackend(settings, self.log)

    def _make_real(self) -> Backend:
        for flag in ("fake_capacity", "fake_provision_time"):
            if self.option(flag) is not None:
                raise UsageError(f"--{flag.replace('_', '-')} needs --fake")
        from o2krm.cli import kubeconfig

        resolved = kubeconfig.resolve(self.option("kubeconfig"), self.env, self.home)
        self.log(f"kubeconfig from {resolved.origin}: {', '.join(map(str, resolved.files))}")
        for skipped in resolved.skipped:
            self.log(f"KUBECONFIG entry {skipped} does not exist; skipped")
        selection = kubeconfig.select(resolved, self.option("context"))
        from o2krm.cli.real_backend import RealBackend, single_config

        timeout = self.option("request_timeout")
        return RealBackend(
            single_config(resolved, selection),
            DEFAULT_REQUEST_TIMEOUT if timeout is None else timeout,
            self.log,
            verbose=self.verbosity > 0,
        )

    def note_cluster_scope(self) -> None:
        namespace = self.option("namespace")
        if namespace:
            self.log(f"ProvisioningRequests are cluster-scoped; --namespace {namespace} does not apply")
