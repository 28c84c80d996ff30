"""A Python process of the gateway's own that answers one JSON line with one JSON line.

The publishing and rendering processes (``publish_worker.py``, ``render_worker.py``) work this
way: the gateway's end starts the process on first use, and again when it has died; a process
that dies while it works is reported as no answer, for the caller to turn into its own error.
"""

from __future__ import annotations

import contextlib
import gc
import json
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
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
        _stop(process)
        if process.stdout is not None:
            process.stdout.close()
        self._process = None


class PipelinedProcess:
    """Like LineProcess, with several requests in flight: each caller writes its line and
    waits for its answer, which a reader thread hands out in order (the process answers the
    lines one after another). The process is never idle while requests wait.

    ``on_start()``: the first line every new process gets (its answer is not waited for).
    ``on_answer(request, answer)``: run by the reader, in order, before the caller gets the
    answer (what must follow every answer, whoever waits for it). A new process is started
    only once the reader of the old one has handed out all it answered.
    """

    def __init__(
        self,
        module: str,
        args: Sequence[str] = (),
        *,
        on_start: Callable[[], dict[str, Any]] | None = None,
        on_answer: Callable[[dict[str, Any], dict[str, Any]], None] | None = None,
    ) -> None:
        self.command = [sys.executable, "-m", module, *args]
        self.on_start = on_start
        self.on_answer = on_answer
        self._session: _Session | None = None
        self._changed = threading.Condition()  # guards _session and each session's end

    @property
    def process(self) -> subprocess.Popen[str] | None:
        return self._session.process if self._session is not None else None

    def ask(self, request: dict[str, Any]) -> dict[str, Any] | None:
        """The answer to ``request``, or None when the process stopped before answering (it is
        started again on the next call)."""
        answer: Future[dict[str, Any] | None] = Future()
        with self._changed:
            self._write(self._running(), request, answer)
        return answer.result()

    def close(self) -> None:
        with self._changed:
            session, self._session = self._session, None
        if session is not None:
            _stop(session.process)
            session.reader.join(5)

    def _write(self, session: _Session, request: dict[str, Any], answer: Future[Any]) -> None:
        if session.finished:  # its reader is gone: nobody would answer
            answer.set_result(None)
            return
        session.waiting.append((request, answer))
        assert session.process.stdin is not None
        try:
            session.process.stdin.write(json.dumps(request) + "\n")
            session.process.stdin.flush()
        except OSError:
            pass  # the reader finds the process gone and answers None to all that wait

    def _running(self) -> _Session:
        session = self._session
        if session is not None and not session.finished and session.process.poll() is None:
            return session
        if session is not None:
            if not session.finished and session.process.poll() is None:
                session.process.kill()  # alive, but its answers are lost
            while not session.finished:
                self._changed.wait()
        process = subprocess.Popen(
            self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8"
        )
        session = self._session = _Session(process)
        session.reader = threading.Thread(target=self._read, args=(session,), name="o2krm-line-reader", daemon=True)
        session.reader.start()
        if self.on_start is not None:
            self._write(session, self.on_start(), Future())
        return session

    def _read(self, session: _Session) -> None:
        stdout = session.process.stdout
        assert stdout is not None
        try:
            for line in stdout:
                request, answer = session.waiting.popleft()
                try:
                    reply: dict[str, Any] = json.loads(line)
                    if self.on_answer is not None:
                        self.on_answer(request, reply)
                except Exception:
                    answer.set_result(None)
                    session.process.kill()  # out of step with its answers: start afresh
                    raise
                answer.set_result(reply)
        except Exception:  # every caller still waiting is answered None below
            pass
        finally:
            if session.process.poll() is None:
                session.process.kill()  # nobody reads its answers any more
            with contextlib.suppress(OSError):
                stdout.close()
            with self._changed:
                session.finished = True
                while session.waiting:
                    session.waiting.popleft()[1].set_result(None)
                self._changed.notify_all()


class _Session:
    """One process of a PipelinedProcess, its reader and the requests waiting for answers."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.reader: threading.Thread = threading.Thread()
        self.waiting: deque[tuple[dict[str, Any], Future[Any]]] = deque()
        self.finished = False


def _stop(process: subprocess.Popen[str]) -> None:
    if process.stdin is not None:
        with contextlib.suppress(OSError):
            process.stdin.close()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


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
