"""Event delivery to the listeners registered at ``/hub``.

Events are queued in memory and POSTed, in the order they happened, by one background thread
(JSON body, ``Content-Type: application/json``) to each hub whose filter wants them. A listener
that does not answer 2xx is tried again (3 attempts, backing off), then skipped with a log line.
Events still queued when the gateway stops (after a short grace period) are dropped: listeners
that must not miss a change read the intent and its reports again after a restart.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from o2krm.gateway.resources import wants
from o2krm.gateway.store import HubRecord

LOG = logging.getLogger("o2krm.gateway")
_RETRY_DELAYS = (0.2, 1.0)  # seconds before the 2nd and 3rd attempt
_TIMEOUT = 5.0
_STOP = object()


class Notifier:
    def __init__(self, hubs: Callable[[], list[HubRecord]], *, timeout: float = _TIMEOUT) -> None:
        self._hubs = hubs
        self._timeout = timeout
        self._queue: queue.Queue[Any] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self.delivered = 0
        self.failed = 0
        self.dropped = 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="o2krm-gateway-notifier", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop delivering: events still queued are dropped, retries are abandoned."""
        if self._thread is not None:
            self._stopping.set()
            self._queue.put(_STOP)
            self._thread.join(timeout)
            self._thread = None

    def publish(self, event: dict[str, Any]) -> None:
        self._queue.put(event)

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until every queued event was handled (for tests and shutdown)."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)
        return not self._queue.unfinished_tasks

    def _run(self) -> None:
        import httpx

        with httpx.Client(timeout=self._timeout, follow_redirects=False) as client:
            while True:
                item = self._queue.get()
                try:
                    if item is _STOP:
                        return
                    if self._stopping.is_set():
                        self.dropped += 1
                        continue
                    self._deliver(client, item)
                except Exception:  # a broken listener must never stop delivery to the others
                    LOG.exception("event delivery failed")
                finally:
                    self._queue.task_done()

    def _deliver(self, client: Any, event: dict[str, Any]) -> None:
        event_type = str(event.get("eventType"))
        for hub in self._hubs():
            if not wants(hub, event_type):
                continue
            if self._post(client, hub, event):
                self.delivered += 1
            else:
                self.failed += 1

    def _post(self, client: Any, hub: HubRecord, event: dict[str, Any]) -> bool:
        import httpx

        problem = ""
        for attempt, delay in enumerate((0.0, *_RETRY_DELAYS), start=1):
            if delay and self._stopping.wait(delay):
                break
            try:
                response = client.post(hub.callback, json=event)
            except httpx.HTTPError as err:
                problem = f"{type(err).__name__}: {err}"
                continue
            if 200 <= response.status_code < 300:
                return True
            problem = f"HTTP {response.status_code}"
            LOG.debug("hub %s: %s answered %s (attempt %d)", hub.id, hub.callback, problem, attempt)
        LOG.warning("hub %s: %s not delivered to %s: %s", hub.id, event.get("eventType"), hub.callback, problem)
        return False
