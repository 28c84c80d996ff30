"""A small Kubernetes API server for o2imsctl's real-mode tests, on 127.0.0.1 over plain HTTP.

It speaks what the CLI uses, as the real API server does: /version; nodes and namespaces
lists; one CustomResourceDefinition and Deployments by name; and ProvisioningRequests
(cluster-scoped) with create (201, 409 AlreadyExists, 422 Invalid from the CRD schema), get
(404 NotFound), list, delete (finalizers set deletionTimestamp first), and watch: chunked JSON
events after a resourceVersion, synthetic ADDED events without one, an ERROR event with
410 Expired for a compacted resourceVersion, fieldSelector metadata.name, timeoutSeconds.

Tests drive the "controller" themselves with ``set_status`` (immediately or ``later``).
"""

from __future__ import annotations

import contextlib
import copy
import json
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema
import yaml

from tests.shared_docs import PR_CRD

CRD_PATH = PR_CRD
GROUP, VERSION, PLURAL = "o2ims.provisioning.oran.org", "v1alpha1", "provisioningrequests"
PR_PATH = f"/apis/{GROUP}/{VERSION}/{PLURAL}"
CRD_NAME = f"{PLURAL}.{GROUP}"


def load_crd() -> dict[str, Any]:
    return yaml.safe_load(CRD_PATH.read_text())


def status_object(
    code: int, reason: str, message: str, causes: list[dict[str, str]] | None = None, name: str | None = None
) -> dict[str, Any]:
    details: dict[str, Any] = {"group": GROUP, "kind": PLURAL}
    if name:
        details["name"] = name
    if causes:
        details["causes"] = causes
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "details": details,
        "code": code,
    }


def ready_node(name: str, ready: bool = True) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": {"node-role.kubernetes.io/worker": ""},
            "creationTimestamp": "2024-01-01T00:00:00Z",
        },
        "status": {
            "conditions": [
                {
                    "type": "Ready",
                    "status": "True" if ready else "False",
                    "reason": "KubeletReady" if ready else "KubeletNotReady",
                }
            ],
            "nodeInfo": {"kubeletVersion": "v1.30.2"},
        },
    }


def deployment(namespace: str, name: str, available: bool = True) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"replicas": 1},
        "status": {
            "availableReplicas": 1 if available else 0,
            "conditions": [
                {
                    "type": "Available",
                    "status": "True" if available else "False",
                    "message": "ok" if available else "Deployment does not have minimum availability.",
                }
            ],
        },
    }


def established_crd(crd: dict[str, Any]) -> dict[str, Any]:
    served = copy.deepcopy(crd)
    served["status"] = {"conditions": [{"type": "Established", "status": "True"}]}
    return served


class KubeApiServer:
    def __init__(self, token: str | None = None) -> None:
        self.token = token
        self.cond = threading.Condition()
        self.resource_version = 100
        self.prs: dict[str, dict[str, Any]] = {}
        self.events: list[tuple[int, str, dict[str, Any]]] = []
        self.compacted_before = 0  # watches from an older resourceVersion get 410 Expired
        crd = load_crd()
        self.schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
        self.crds: dict[str, dict[str, Any]] = {CRD_NAME: established_crd(crd)}
        self.nodes = [ready_node("node-a"), ready_node("node-b")]
        self.namespaces = [
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": n, "creationTimestamp": "2024-01-01T00:00:00Z"},
                "status": {"phase": "Active"},
            }
            for n in ("default", "kube-system", "o2ims-system")
        ]
        self.deployments = {("o2ims-system", "o2ims-controller"): deployment("o2ims-system", "o2ims-controller")}
        self.log: list[tuple[str, str, dict[str, list[str]]]] = []  # method, path, query
        self.authorizations: list[str | None] = []
        self.timers: list[threading.Timer] = []
        self.closing = False
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> KubeApiServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        for timer in self.timers:
            timer.cancel()
        with self.cond:
            self.closing = True
            self.cond.notify_all()
        self.httpd.shutdown()
        self.httpd.server_close()

    # --- what tests use to play the controller -----------------------------------------------

    def later(self, delay: float, action: Callable[..., Any], *args: Any) -> None:
        timer = threading.Timer(delay, action, args)
        timer.daemon = True
        self.timers.append(timer)
        timer.start()

    def set_status(self, name: str, status: dict[str, Any]) -> None:
        with self.cond:
            obj = self.prs[name]
            obj["status"] = status
            self._changed("MODIFIED", obj)

    def set_state(self, name: str, state: str, message: str = "") -> None:
        self.set_status(
            name,
            {
                "provisioningStatus": {
                    "provisioningState": state,
                    "provisioningMessage": message,
                    "provisioningUpdateTime": "2025-01-01T00:00:00Z",
                }
            },
        )

    def add(self, obj: dict[str, Any]) -> dict[str, Any]:
        with self.cond:
            return self._store(copy.deepcopy(obj))

    def compact(self) -> None:
        with self.cond:
            self.compacted_before = self.resource_version + 1

    def requests(self, method: str, path: str = PR_PATH) -> list[dict[str, list[str]]]:
        return [query for m, p, query in self.log if m == method and p.startswith(path)]

    # --- storage -----------------------------------------------------------------------------

    def _next_version(self) -> int:
        self.resource_version += 1
        return self.resource_version

    def _store(self, obj: dict[str, Any]) -> dict[str, Any]:
        metadata = obj.setdefault("metadata", {})
        metadata.update(
            uid=str(uuid.uuid4()), creationTimestamp=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), generation=1
        )
        self.prs[metadata["name"]] = obj
        self._changed("ADDED", obj)
        return obj

    def _changed(self, kind: str, obj: dict[str, Any]) -> None:
        version = self._next_version()
        obj["metadata"]["resourceVersion"] = str(version)
        self.events.append((version, kind, copy.deepcopy(obj)))
        self.cond.notify_all()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _route(self, method: str) -> None:
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                server.log.append((method, parts.path, query))
                server.authorizations.append(self.headers.get("Authorization"))
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if server.token and self.headers.get("Authorization") != f"Bearer {server.token}":
                    self._json(401, status_object(401, "Unauthorized", "Unauthorized"))
                    return
                with contextlib.suppress(BrokenPipeError):  # the client hung up mid-watch
                    server._dispatch(self, method, parts.path, query, body)

            def _json(self, code: int, data: Any) -> None:
                payload = json.dumps(data).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:
                self._route("GET")

            def do_POST(self) -> None:
                self._route("POST")

            def do_DELETE(self) -> None:
                self._route("DELETE")

            def do_PUT(self) -> None:
                self._route("PUT")

        return Handler

    # --- routes --------------------------------------------------------------------------------

    def _dispatch(self, handler: Any, method: str, path: str, query: dict[str, list[str]], body: bytes) -> None:
        reply = handler._json
        if method == "GET" and path == "/version":
            return reply(200, {"major": "1", "minor": "30", "gitVersion": "v1.30.2-test", "platform": "linux/amd64"})
        if method == "GET" and path == "/api/v1/nodes":
            return reply(
                200, {"apiVersion": "v1", "kind": "NodeList", "metadata": {"resourceVersion": "1"}, "items": self.nodes}
            )
        if method == "GET" and path == "/api/v1/namespaces":
            return reply(
                200,
                {
                    "apiVersion": "v1",
                    "kind": "NamespaceList",
                    "metadata": {"resourceVersion": "1"},
                    "items": self.namespaces,
                },
            )
        prefix = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"
        if method == "GET" and path.startswith(prefix):
            name = path[len(prefix) :]
            if name in self.crds:
                return reply(200, self.crds[name])
            return reply(
                404,
                status_object(404, "NotFound", f'customresourcedefinitions.apiextensions.k8s.io "{name}" not found'),
            )
        if method == "GET" and path.startswith("/apis/apps/v1/namespaces/"):
            namespace, _, name = path[len("/apis/apps/v1/namespaces/") :].split("/", 2)
            found = self.deployments.get((namespace, name))
            if found:
                return reply(200, found)
            return reply(404, status_object(404, "NotFound", f'deployments.apps "{name}" not found'))
        if path == PR_PATH:
            if method == "GET" and query.get("watch") == ["true"]:
                return self._watch(handler, query)
            if method == "GET":
                return self._list(handler, query)
            if method == "POST":
                return self._create(handler, body)
        if path.startswith(PR_PATH + "/"):
            name = path[len(PR_PATH) + 1 :]
            with self.cond:
                obj = copy.deepcopy(self.prs.get(name))
            if obj is None:
                return reply(404, status_object(404, "NotFound", f'{PLURAL}.{GROUP} "{name}" not found', name=name))
            if method == "GET":
                return reply(200, obj)
            if method == "DELETE":
                return reply(200, self._delete(name))
        return reply(404, status_object(404, "NotFound", "the server could not find the requested resource"))

    def _list(self, handler: Any, query: dict[str, list[str]]) -> None:
        with self.cond:
            items = [copy.deepcopy(o) for o in self.prs.values() if _selected(o, query)]
            version = str(self.resource_version)
        handler._json(
            200,
            {
                "apiVersion": f"{GROUP}/{VERSION}",
                "kind": "ProvisioningRequestList",
                "metadata": {"resourceVersion": version},
                "items": items,
            },
        )

    def _create(self, handler: Any, body: bytes) -> None:
        obj = json.loads(body)
        name = (obj.get("metadata") or {}).get("name")
        if not name:
            return handler._json(
                422,
                status_object(
                    422,
                    "Invalid",
                    "metadata.name: Required value",
                    [{"field": "metadata.name", "reason": "FieldValueRequired", "message": "Required value"}],
                ),
            )
        errors = sorted(jsonschema.Draft7Validator(self.schema).iter_errors(obj), key=lambda e: list(e.absolute_path))
        if errors:
            causes = [
                {
                    "field": ".".join(map(str, e.absolute_path)) or "<root>",
                    "reason": "FieldValueInvalid",
                    "message": e.message,
                }
                for e in errors
            ]
            message = f'ProvisioningRequest.{GROUP} "{name}" is invalid: ' + ", ".join(
                f"{c['field']}: {c['message']}" for c in causes
            )
            return handler._json(422, status_object(422, "Invalid", message, causes, name=name))
        with self.cond:
            if name in self.prs:
                return handler._json(
                    409, status_object(409, "AlreadyExists", f'{PLURAL}.{GROUP} "{name}" already exists', name=name)
                )
            obj.pop("status", None)
            stored = copy.deepcopy(self._store(obj))
        handler._json(201, stored)

    def _delete(self, name: str) -> dict[str, Any]:
        with self.cond:
            obj = self.prs[name]
            if obj["metadata"].get("finalizers"):
                obj["metadata"].setdefault("deletionTimestamp", "2025-01-01T00:00:00Z")
                self._changed("MODIFIED", obj)
                return copy.deepcopy(obj)
            del self.prs[name]
            self._changed("DELETED", obj)
            return copy.deepcopy(obj)

    def finish_deletion(self, name: str) -> None:
        with self.cond:
            obj = self.prs.pop(name)
            self._changed("DELETED", obj)

    def _watch(self, handler: Any, query: dict[str, list[str]]) -> None:
        since_text = (query.get("resourceVersion") or [""])[0]
        timeout = float((query.get("timeoutSeconds") or ["300"])[0])
        deadline = time.monotonic() + timeout
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()

        def send(event_type: str, obj: dict[str, Any]) -> None:
            line = json.dumps({"type": event_type, "object": obj}).encode() + b"\n"
            handler.wfile.write(f"{len(line):x}\r\n".encode() + line + b"\r\n")
            handler.wfile.flush()

        with self.cond:
            if since_text and since_text != "0" and int(since_text) < self.compacted_before:
                send(
                    "ERROR",
                    status_object(410, "Expired", f"too old resource version: {since_text} ({self.compacted_before})"),
                )
                pending: list[tuple[str, dict[str, Any]]] = []
                since = None
            elif since_text and since_text != "0":
                since = int(since_text)
                pending = []
            else:  # no resourceVersion: the current state as ADDED events, then changes
                since = self.resource_version
                pending = [("ADDED", copy.deepcopy(o)) for o in self.prs.values() if _selected(o, query)]
        if since is not None:
            while True:
                for event_type, obj in pending:
                    send(event_type, obj)
                with self.cond:
                    fresh = [(v, t, o) for v, t, o in self.events if v > since]
                    while not fresh and not self.closing and time.monotonic() < deadline:
                        self.cond.wait(timeout=max(0.0, deadline - time.monotonic()))
                        fresh = [(v, t, o) for v, t, o in self.events if v > since]
                    if not fresh:
                        break
                    since = fresh[-1][0]
                    pending = [(t, copy.deepcopy(o)) for _, t, o in fresh if _selected(o, query)]
        handler.wfile.write(b"0\r\n\r\n")
        handler.wfile.flush()


def _selected(obj: dict[str, Any], query: dict[str, list[str]]) -> bool:
    selector = (query.get("fieldSelector") or [""])[0]
    if not selector:
        return True
    key, _, value = selector.partition("=")
    return key == "metadata.name" and obj["metadata"]["name"] == value
