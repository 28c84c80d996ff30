"""What a command needs from a cluster; implemented by the fake O-Cloud and by the Kubernetes API."""

from __future__ import annotations

from typing import Any, NamedTuple, Protocol

from o2krm.cli import resource
from o2krm.cli.errors import CliError, NotFoundError
from o2krm.cli.waiting import WaitTarget

Object = dict[str, Any]

PASS, FAIL, SKIP = "PASS", "FAIL", "SKIP"


class Check(NamedTuple):
    check: str
    result: str  # PASS | FAIL | SKIP
    detail: str

    def as_dict(self) -> dict[str, str]:
        return dict(self._asdict())


class ControllerRef(NamedTuple):
    """Where `cluster health` looks for the O2 IMS controller Deployment."""

    namespace: str
    name: str


class Backend(Protocol):
    def create(self, obj: Object) -> Object: ...
    def get(self, name: str) -> Object: ...
    def list(self) -> list[Object]: ...
    def delete(self, name: str) -> None: ...
    def wait(self, name: str, target: WaitTarget, timeout: float) -> Object | None: ...
    def health(self, controller: ControllerRef) -> list[Check]: ...
    def nodes(self) -> list[Object]: ...
    def namespaces(self) -> list[Object]: ...
    def server_version(self) -> dict[str, str]: ...


def not_found(name: str) -> NotFoundError:
    return NotFoundError(f'{resource.PLURAL}.{resource.GROUP} "{name}" not found')


def already_exists(name: str) -> CliError:
    return CliError(f'{resource.PLURAL}.{resource.GROUP} "{name}" already exists')
