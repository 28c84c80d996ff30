"""Publishing batches in a process of their own (``python -m o2krm.gateway.publish_worker``).

Publishing is mostly waiting for git processes, but each wait ends with a thread asking for the
interpreter lock; in the gateway that lock is busy rendering other intents, so a batch of a
few dozen git calls took three times as long as on its own. Here the gateway hands a batch
over in one JSON line and reads the outcome back in one line, and the git calls run in an
interpreter that does nothing else.

Protocol, one JSON object per line each way: ``{"repo", "branch", "directory", "cacheDir",
"requests": [{"pkg", "files": {path: text}, "message", "workspace"}]}`` in; ``{"outcomes": [{"revision",
"tag", "commit"} | {"error": {...}}]}`` or ``{"error": {"message", "hint", "details"}}`` out.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from o2krm.gateway.line_process import LineProcess, serve_lines
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
    from o2krm.porch.source import source_from_files

    read: list[Request] = []
    refused: dict[int, PublishError] = {}
    for index, r in enumerate(requests):
        try:  # the rendered package, handed over in memory: never written to disk
            source = source_from_files(r["pkg"], r["files"])
        except PublishError as err:
            refused[index] = err
            continue
        read.append(Request(r["pkg"], source.root, r["message"], r["workspace"], source))
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
    from o2krm.porch import pack

    pack.IN_BACKGROUND = True  # a long-lived publisher: pack roll-ups do not hold up publishes
    try:
        serve_lines(
            handle,
            lines,
            out,
            lambda err: {"error": {"message": f"the publishing process failed: {err!r}", "hint": "", "details": []}},
        )
    finally:
        pack.wait_for_roll_ups()


class WorkerClient:
    """The gateway's end (see line_process.py)."""

    def __init__(self) -> None:
        self.lines = LineProcess("o2krm.gateway.publish_worker")

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
        reply = self.lines.ask(batch)
        if reply is None:
            raise PublishError("the publishing process stopped unexpectedly", hint="it is restarted on the next try")
        if "error" in reply:
            raise _publish_error(reply["error"])
        return [
            _publish_error(o["error"]) if "error" in o else (int(o["revision"]), str(o["tag"]), str(o["commit"]))
            for o in reply["outcomes"]
        ]

    def close(self) -> None:
        self.lines.close()


if __name__ == "__main__":
    serve(sys.stdin, sys.stdout)
