"""Rendering intents in a process of its own (``python -m o2krm.gateway.render_worker BLUEPRINTS``).

A render is pure CPU in Python: in the gateway's interpreter it holds the interpreter lock that
every other request needs to be answered, stored, published and provisioned. Here it runs on
another core.

Renders take network values one after another (see allocations.py): each must see what the ones
before it took. The process keeps its own ledger of what every intent holds, and holds what a
render took as soon as it is done, so the gateway sends renders without waiting for the one
before to come back: the process always has the next one at hand (PipelinedProcess). The
gateway keeps the ledger of record, and tells the process what changes besides renders (an
intent deleted, a create undone); a new process gets the whole ledger first.

Protocol, one JSON object per line each way, answered in order:

- ``{"op": "render", "blueprint", "package", "envelope", "api", "engine", "intent", "keep",
  "hold"}``: render with what intents other than ``intent`` hold reserved, then (with ``hold``)
  record that ``intent`` holds what the render took plus ``keep``. Answer ``{"rendered":
  {"files", "digest", "requests", "report28312", "findings", "seconds"}}`` or ``{"error":
  {"status", "message", "problems": [{"message", "field", "severity"}]}}``.
- ``{"op": "hold", "intent", "holdings"}``: ``intent`` holds ``holdings`` (null: nothing).
- ``{"op": "sync", "held": {intent: holdings}}``: the whole ledger.

Holdings are ``{"vlans": [[site, vlan]...], "prefixes": [...]}``.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from o2krm.gateway.allocations import Holdings, Ledger, held_by
from o2krm.gateway.errors import ApiError, Problem
from o2krm.gateway.line_process import PipelinedProcess, serve_lines


class Worker:
    """The process's end: the blueprints and its ledger."""

    def __init__(self, catalog: Any) -> None:
        self.catalog = catalog
        self.ledger = Ledger()

    def handle(self, request: Mapping[str, Any]) -> dict[str, Any]:
        op = request.get("op")
        if op == "sync":
            self.ledger = Ledger({str(i): Holdings.from_json(h) for i, h in (request.get("held") or {}).items()})
            return {"ok": True}
        if op == "hold":
            self.ledger.hold(str(request["intent"]), Holdings.from_json(request.get("holdings")))
            return {"ok": True}
        if op == "render":
            return self._render(request)
        return {"error": {"status": 500, "message": f"unknown request {op!r} to the rendering process", "problems": []}}

    def _render(self, request: Mapping[str, Any]) -> dict[str, Any]:
        from o2krm.gateway import packaging

        blueprint = self.catalog.get(request["blueprint"])
        if blueprint is None:
            return {"error": {"status": 500, "message": f"no blueprint {request['blueprint']!r}", "problems": []}}
        intent = str(request["intent"])
        try:
            rendered = packaging.render_intent(
                blueprint,
                request["package"],
                request["envelope"],
                request["api"],
                request["engine"],
                reserved=self.ledger.others(intent),
            )
        except ApiError as err:
            problems = [{"message": p.message, "field": p.field, "severity": p.severity} for p in err.problems]
            return {"error": {"status": err.status, "message": err.message, "problems": problems}}
        if request.get("hold", True):
            self.ledger.hold(intent, held_by(rendered.requests) | Holdings.from_json(request.get("keep")))
        return {
            "rendered": {
                "files": rendered.files,
                "digest": rendered.digest,
                "requests": rendered.requests,
                "report28312": rendered.report_28312,
                "findings": rendered.findings,
                "seconds": rendered.seconds,
            }
        }


def serve(blueprints: Path, lines: IO[str], out: IO[str]) -> None:
    from o2krm.gateway.blueprints import BlueprintCatalog

    worker = Worker(BlueprintCatalog(blueprints))
    serve_lines(
        worker.handle,
        lines,
        out,
        lambda err: {"error": {"status": 500, "message": f"rendering failed in the gateway: {err!r}", "problems": []}},
    )


class RenderClient:
    """The gateway's end. ``ledger``: the gateway's ledger of record, kept up to date with
    every render's holdings as its answer arrives (before the caller gets it)."""

    def __init__(self, blueprints: Path, ledger: Ledger) -> None:
        self.blueprints = blueprints
        self.ledger = ledger
        self.lines = PipelinedProcess(
            "o2krm.gateway.render_worker", [str(blueprints)], on_start=self._sync, on_answer=self._held
        )

    def render(
        self,
        blueprint: str,
        package: str,
        envelope: Mapping[str, Any],
        api: str,
        engine: str,
        *,
        intent: str,
        keep: Holdings = Holdings(),  # noqa: B008 - immutable
        hold: bool = True,
    ) -> tuple[Any, Holdings | None]:
        """``packaging.render_intent`` in the rendering process, with what intents other than
        ``intent`` hold reserved; raises ApiError as it would. With ``hold``, ``intent`` then
        holds what it took plus ``keep``; returns the render and what it held before."""
        from o2krm.gateway.packaging import RenderedIntent

        request = {
            "op": "render",
            "blueprint": blueprint,
            "package": package,
            "envelope": envelope,
            "api": api,
            "engine": engine,
            "intent": intent,
            "keep": keep.to_json(),
            "hold": hold,
        }
        reply = self.lines.ask(request)
        if reply is None:
            raise ApiError(500, "the rendering process stopped unexpectedly; it is restarted: try again")
        if "error" in reply:
            error = reply["error"]
            problems = tuple(
                Problem(p["message"], p.get("field", ""), p.get("severity", "error")) for p in error["problems"]
            )
            raise ApiError(int(error["status"]), str(error["message"]), problems)
        r = reply["rendered"]
        rendered = RenderedIntent(r["files"], r["digest"], r["requests"], r["report28312"], r["findings"], r["seconds"])
        return rendered, reply.get("previous")

    def hold(self, intent: str, holdings: Holdings | None) -> None:
        """Tell the process that ``intent`` now holds ``holdings`` (the ledger of record has it)."""
        self.lines.ask({"op": "hold", "intent": intent, "holdings": holdings.to_json() if holdings else None})

    def close(self) -> None:
        self.lines.close()

    def _sync(self) -> dict[str, Any]:
        with self.ledger.lock:
            held = self.ledger.holdings()
        return {"op": "sync", "held": {intent: holdings.to_json() for intent, holdings in held.items()}}

    def _held(self, request: dict[str, Any], reply: dict[str, Any]) -> None:
        # In the order the process rendered: the ledger of record takes what it held.
        if request.get("op") != "render" or not request.get("hold") or "rendered" not in reply:
            return
        held = held_by(reply["rendered"]["requests"]) | Holdings.from_json(request.get("keep"))
        with self.ledger.lock:
            reply["previous"] = self.ledger.hold(str(request["intent"]), held)


if __name__ == "__main__":
    serve(Path(sys.argv[1]), sys.stdin, sys.stdout)
