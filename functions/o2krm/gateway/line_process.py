"""A Python process of the gateway's own that answers one JSON line with one JSON line.

The publishing and rendering processes (``publish_worker.py``, ``render_worker.py``) work this
way: the gateway's end starts the process on first use, and again when it has died; a process
that dies while it works is reported as no answer, for the caller to turn into its own error.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any


class LineProcess:
    def __init__(self, module: str, args: Sequence[str] = ()) -> None:
        self.command = [sys.executable, "-m", module, *args]
        self._process: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()

    def ask(self, request: dict[str, Any]) -> dict[str, Any] | None:
        """The answer to ``request``, or None when the process stopped before answering (it is
        started again on the next call). One request at a time."""
        with self._lock:
            process = self._running()
            assert process.stdin is not None and process.stdout is not None
            try:
                process.stdin.write(json.dumps(request) + "\n")
                process.stdin.flush()
                line = process.stdout.readline()
            except OSError:
                line = ""
            if not line:
                self._stop(process)
                return None
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        with self._lock:
            if self._process is not None:
                self._stop(self._process)

    @property
    def process(self) -> subprocess.Popen[str] | None:
        return self._process

    def _running(self) -> subprocess.Popen[str]:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8"
            )
        return self._process

    def _stop(self, process: subprocess.Popen[str]) -> None:
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        if process.stdout is not None:
            process.stdout.close()
        self._process = None


def serve_lines(
    handle: Callable[[dict[str, Any]], dict[str, Any]],
    lines: Iterable[str],
    out: IO[str],
    failed: Callable[[Exception], dict[str, Any]],
) -> None:
    """The process's end: ``handle(request)`` for every line; ``failed(error)`` answers for an
    exception, so that every request gets an answer and the gateway never waits forever."""
    settled = False
    for line in lines:
        if not line.strip():
            continue
        try:
            reply = handle(json.loads(line))
        except Exception as err:
            reply = failed(err)
        out.write(json.dumps(reply) + "\n")
        out.flush()
        if not settled:  # the first request imported and cached what every later one uses
            settle_heap()
            settled = True


def settle_heap() -> None:
    """Tune the garbage collector for a long-lived process that has warmed up.

    What exists now (modules, schemas, caches) lives as long as the process: frozen, it is no
    longer scanned by every full collection, which otherwise took over 100 ms in a render
    process, in the middle of a request. Collections also run less often: a request allocates
    tens of thousands of objects, nearly all freed by reference counting alone.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)
