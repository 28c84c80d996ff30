"""Publishing batches in a process of their own (``python -m o2krm.gateway.publish_worker``).

Publishing is mostly waiting for git processes, but each wait ends with a thread asking for the
interpreter lock; in the gateway that lock is busy rendering other intents, so a batch of a
few dozen git calls took three times as long as on its own. Here the gateway hands a batch
over in one JSON line and reads the outcome back in one line, and the git calls run in an
interpreter that does nothing else.

Protocol, one JSON object per line each way: ``{"repo", "branch", "directory", "cacheDir",
"requests": [{"pkg", "sourceDir", "message", "workspace"}]}`` in; ``{"outcomes": [{"revision",
"tag", "commit"} | {"error": {...}}]}`` or ``{"error": {"message", "hint", "details"}}`` out.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from o2krm.porch.checks import CheckReport
from o2krm.porch.errors import PublishError

CHECK_ENGINE = "o2krm-gateway (rendered in-process with the Kptfile pipeline before publishing)"

Outcome = tuple[int, str, str] | PublishError  # (revision, tag, commit), or why this package was refused


def rendered(_: Path) -> CheckReport:
    """The gateway rendered the package with its Kptfile pipeline just before: that is the check."""
    return CheckReport(CHECK_ENGINE)


def publish_together(
    repo: str, requests: Sequence[dict[str, Any]], *, branch: str, directory: str, cache_dir: Path | None
) -> list[Outcome]:
    """``publish_revisions`` for the gateway's requests; raises PublishError when all are refused."""
    from o2krm.porch.publish import Request, publish_revisions
    from o2krm.porch.source import read_source

    read: list[Request] = []
    refused: dict[int, PublishError] = {}
    for index, r in enumerate(requests):
        try:  # a scratch directory the gateway wrote: not in a git work tree
            source = read_source(Path(r["sourceDir"]), allow_dirty=True, versioned=False)
        except PublishError as err:
            refused[index] = err
            continue
        read.append(Request(r["pkg"], r["sourceDir"], r["message"], r["workspace"], source))
    published = iter(
        publish_revisions(
            repo,
            read,
            branch=branch,
            directory=directory,
            create_branch=True,
            allow_dirty=True,
            check=rendered,
            cache_dir=cache_dir,
        )
        if read
        else []
    )
    outcomes = [refused[i] if i in refused else next(published) for i in range(len(requests))]
    out: list[Outcome] = []
    for outcome in outcomes:
        if isinstance(outcome, PublishError):
            out.append(outcome)
        else:
            assert outcome.revision is not None and outcome.tag is not None
            out.append((outcome.revision, outcome.tag, outcome.commit))
    return out


def _error(err: PublishError) -> dict[str, Any]:
    return {"message": err.message, "hint": err.hint, "details": list(err.details)}


def _publish_error(data: dict[str, Any]) -> PublishError:
    return PublishError(str(data["message"]), hint=str(data.get("hint", "")), details=tuple(data.get("details", ())))


def handle(batch: dict[str, Any]) -> dict[str, Any]:
    cache = batch.get("cacheDir")
    try:
        outcomes = publish_together(
            batch["repo"],
            batch["requests"],
            branch=batch["branch"],
            directory=batch["directory"],
            cache_dir=Path(cache) if cache else None,
        )
    except PublishError as err:
        return {"error": _error(err)}
    return {
        "outcomes": [
            {"error": _error(o)} if isinstance(o, PublishError) else {"revision": o[0], "tag": o[1], "commit": o[2]}
            for o in outcomes
        ]
    }


def serve(lines: IO[str], out: IO[str]) -> None:
    for line in lines:
        if line.strip():
            try:
                reply = handle(json.loads(line))
            except Exception as err:  # an answer for every batch, or the gateway waits forever
                reply = {"error": {"message": f"the publishing process failed: {err!r}", "hint": "", "details": []}}
            out.write(json.dumps(reply) + "\n")
            out.flush()


class WorkerClient:
    """The gateway's end: starts the process on first use, and again when it has died."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()

    def publish(
        self, repo: str, requests: Sequence[dict[str, Any]], *, branch: str, directory: str, cache_dir: Path | None
    ) -> list[Outcome]:
        batch = {
            "repo": repo,
            "branch": branch,
            "directory": directory,
            "cacheDir": str(cache_dir) if cache_dir else None,
            "requests": list(requests),
        }
        with self._lock:
            process = self._running()
            assert process.stdin is not None and process.stdout is not None
            try:
                process.stdin.write(json.dumps(batch) + "\n")
                process.stdin.flush()
                line = process.stdout.readline()
            except OSError:
                line = ""
            if not line:
                self._stop(process)
                raise PublishError(
                    "the publishing process stopped unexpectedly", hint="it is restarted on the next try"
                )
        reply = json.loads(line)
        if "error" in reply:
            raise _publish_error(reply["error"])
        return [
            _publish_error(o["error"]) if "error" in o else (int(o["revision"]), str(o["tag"]), str(o["commit"]))
            for o in reply["outcomes"]
        ]

    def close(self) -> None:
        with self._lock:
            if self._process is not None:
                self._stop(self._process)

    def _running(self) -> subprocess.Popen[str]:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "o2krm.gateway.publish_worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
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


if __name__ == "__main__":
    serve(sys.stdin, sys.stdout)
