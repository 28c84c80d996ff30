"""The Backend over a real Kubernetes API server, through lightkube.

Imported only in real mode: lightkube (and its HTTP stack) costs more to import than the
fake-mode commands may take in total.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable, Iterator
from typing import Any

import httpx2 as httpx
from lightkube import ApiError, AsyncClient, Client, ConfigError
from lightkube.config.client_adapter import Client as HttpClient
from lightkube.config.client_adapter import ConnectionParams
from lightkube.config.kubeconfig import KubeConfig, SingleConfig
from lightkube.config.models import User
from lightkube.generic_resource import create_global_resource, create_namespaced_resource
from lightkube.types import OnErrorAction, OnErrorResult

from o2krm.cli import health, resource
from o2krm.cli.backend import SKIP, Check, ControllerRef, Object
from o2krm.cli.durations import format_duration
from o2krm.cli.errors import CliError, NotFoundError, WaitTimeoutError
from o2krm.cli.kubeconfig import ResolvedKubeconfig, Selection
from o2krm.cli.waiting import WaitTarget, evaluate, raise_unless_met

ProvisioningRequest = create_global_resource(resource.GROUP, resource.VERSION, resource.KIND, resource.PLURAL)
Node = create_global_resource("", "v1", "Node", "nodes")
Namespace = create_global_resource("", "v1", "Namespace", "namespaces")
CustomResourceDefinition = create_global_resource(
    "apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions"
)
Deployment = create_namespaced_resource("apps", "v1", "Deployment", "deployments")

FIELD_MANAGER = "o2imsctl"


def single_config(resolved: ResolvedKubeconfig, selection: Selection) -> SingleConfig:
    try:
        config = KubeConfig.from_dict(resolved.config).get(selection.context)
    except (ConfigError, ValueError, TypeError) as err:  # msgspec.ValidationError is a ValueError
        files = ", ".join(map(str, resolved.files))
        raise CliError(f"kubeconfig {files}: context {selection.context!r}: {err}") from None
    # lightkube needs a user entry; a context without one means "no credentials", as for kubectl.
    return config if config.user is not None else config._replace(user=User())


class RealBackend:
    def __init__(self, config: SingleConfig, request_timeout: float, log: Callable[[str], None], verbose: bool) -> None:
        self.config = config
        self.server = config.cluster.server
        self.timeout = httpx.Timeout(request_timeout if request_timeout > 0 else None)
        self.log = log
        _log_requests(verbose)
        log(f"context {config.context_name}: server {self.server}")
        self._client: Client | None = None

    @property
    def client(self) -> Client:
        if self._client is None:
            with self.translated():
                self._client = Client(config=self.config, timeout=self.timeout, field_manager=FIELD_MANAGER)
        return self._client

    @contextlib.contextmanager
    def translated(self) -> Iterator[None]:
        """API and transport errors as CliErrors with kubectl's wording (404: NotFoundError)."""
        try:
            yield
        except ApiError as err:
            raise server_error(err.status) from None
        except httpx.HTTPStatusError as err:  # an answer that is not a Kubernetes Status
            response = err.response
            error = NotFoundError if response.status_code == 404 else CliError
            raise error(
                f"the server answered {response.status_code} {response.reason_phrase} "
                f"to {err.request.method} {err.request.url}"
            ) from None
        except httpx.TransportError as err:
            raise CliError(f"cannot reach the API server {self.server}: {err or type(err).__name__}") from None
        except ConfigError as err:
            raise CliError(f"kubeconfig: {err}") from None

    # --- ProvisioningRequests ------------------------------------------------------------

    def create(self, obj: Object) -> Object:
        with self.translated():
            return _plain(self.client.create(ProvisioningRequest(obj)))

    def get(self, name: str) -> Object:
        with self.translated():
            return _plain(self.client.get(ProvisioningRequest, name))

    def list(self) -> list[Object]:
        with self.translated():
            items = [_plain(item) for item in self.client.list(ProvisioningRequest)]
        return sorted(items, key=resource.name_of)

    def delete(self, name: str) -> None:
        with self.translated():
            self.client.delete(ProvisioningRequest, name)

    def wait(self, name: str, target: WaitTarget, timeout: float) -> Object | None:
        import asyncio

        with self.translated():
            return asyncio.run(self._wait(name, target, timeout))

    async def _wait(self, name: str, target: WaitTarget, timeout: float) -> Object | None:
        import asyncio

        client = AsyncClient(config=self.config, timeout=self.timeout, field_manager=FIELD_MANAGER)
        last: Object | None = None
        try:
            async with asyncio.timeout(timeout if timeout > 0 else None):
                try:
                    last = _plain(await client.get(ProvisioningRequest, name))
                except ApiError as err:
                    if err.status.code != 404:
                        raise
                if raise_unless_met(evaluate(target, last), name, target):
                    return last
                assert last is not None  # a missing object either meets Deleted or raised NotFound
                if timeout <= 0:
                    raise TimeoutError
                version = (last.get("metadata") or {}).get("resourceVersion")
                self.log(f"watching {name} from resourceVersion {version}")
                events = client.watch(
                    ProvisioningRequest,
                    fields={"metadata.name": name},
                    resource_version=version,
                    server_timeout=int(timeout) + 1,
                    on_error=_retry_when_gone,
                )
                async for event, item in events:
                    if event not in ("ADDED", "MODIFIED", "DELETED"):
                        continue
                    last = None if event == "DELETED" else _plain(item)
                    self.log(f"{event.lower()} {name}: {resource.state_of(last) if last else 'gone'}")
                    if raise_unless_met(evaluate(target, last), name, target):
                        return last
                raise CliError(f"the watch on {name} ended unexpectedly")
        except TimeoutError:
            state = f" (now {resource.state_of(last) or 'without provisioningState'})" if last else ""
            raise WaitTimeoutError(
                f"timed out after {format_duration(timeout)} waiting for {target.describe()} on "
                f"{resource.TYPE_NAME}/{name}{state}"
            ) from None
        finally:
            await client.close()

    # --- the cluster ---------------------------------------------------------------------------

    def server_version(self) -> dict[str, str]:
        with self.translated(), HttpClient(self.config, ConnectionParams(timeout=self.timeout)) as http:
            response = http.get("/version")
            response.raise_for_status()
            return response.json()

    def health(self, controller: ControllerRef) -> list[Check]:
        try:
            version, error = self.server_version(), None
        except CliError as err:
            version, error = None, err.message
        checks = [health.api_server_check(self.server, version, error)]
        if error is not None:
            reason = "not checked: the API server did not answer"
            names = ("nodes", "provisioningrequest-crd", "o2ims-controller")
            return checks + [Check(name, SKIP, reason) for name in names]
        return [
            *checks,
            self._checked("nodes", lambda: health.nodes_check(self.nodes())),
            self._checked("provisioningrequest-crd", lambda: health.crd_check(self._crd())),
            self._checked(
                "o2ims-controller", lambda: health.controller_check(self._deployment(controller), controller)
            ),
        ]

    def _crd(self) -> Object | None:
        return self._optional(lambda: self.client.get(CustomResourceDefinition, resource.CRD_NAME))

    def _deployment(self, ref: ControllerRef) -> Object | None:
        return self._optional(lambda: self.client.get(Deployment, ref.name, namespace=ref.namespace))

    def _checked(self, name: str, run: Callable[[], Check]) -> Check:
        try:
            return run()
        except CliError as err:
            return Check(name, health.FAIL, err.message)

    def _optional(self, fetch: Callable[[], Any]) -> Object | None:
        """The object, or None when the server says 404."""
        try:
            with self.translated():
                return _plain(fetch())
        except NotFoundError:
            return None

    def nodes(self) -> list[Object]:
        with self.translated():
            return sorted((_plain(n) for n in self.client.list(Node)), key=resource.name_of)

    def namespaces(self) -> list[Object]:
        with self.translated():
            return sorted((_plain(n) for n in self.client.list(Namespace)), key=resource.name_of)


class _StderrHandler(logging.Handler):
    """Writes to whatever sys.stderr is at the time (it may be replaced, e.g. under test capture)."""

    def emit(self, record: logging.LogRecord) -> None:
        print(f"o2imsctl: {self.format(record)}", file=sys.stderr)


def _log_requests(verbose: bool) -> None:
    """httpx2 logs each request at INFO: shown with -v."""
    http_log = logging.getLogger("httpx2")
    if not any(isinstance(h, _StderrHandler) for h in http_log.handlers):
        http_log.addHandler(_StderrHandler())
        http_log.propagate = False
    http_log.setLevel(logging.INFO if verbose else logging.WARNING)


def _plain(obj: Any) -> Object:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def _retry_when_gone(error: Exception, count: int) -> OnErrorResult:
    """410 Gone: our resourceVersion is too old; lightkube then watches again from the current state."""
    if isinstance(error, ApiError) and error.status.code == 410 and count <= 3:
        return OnErrorResult(OnErrorAction.RETRY)
    return OnErrorResult(OnErrorAction.RAISE)


def server_error(status: Any) -> CliError:
    reason = status.reason or "Error"
    message = status.message or f"HTTP {status.code}"
    causes = [
        f"{cause.field}: {cause.message}" if cause.field else str(cause.message)
        for cause in ((status.details.causes if status.details else None) or [])
    ]
    text = f"Error from server ({reason}): {message}"
    if causes and not all(c in message for c in causes):
        text += "\n" + "\n".join(f"  {c}" for c in causes)
    if status.code == 404:
        return NotFoundError(text)
    if status.code in (401, 403):
        text += "\n  (check the credentials of the selected kubeconfig context)"
    return CliError(text)
