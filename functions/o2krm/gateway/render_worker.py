"""Rendering intents in a process of its own (``python -m o2krm.gateway.render_worker BLUEPRINTS``).

A render is pure CPU in Python: in the gateway's interpreter it holds the interpreter lock that
every other request needs to be answered, stored, published and provisioned. Here it runs on
another core. Renders are serialised anyway (one render at a time takes network values, see
allocations.py), so one process is enough. The gateway hands a render over in one JSON line and
reads the outcome back in one line.

Protocol, one JSON object per line each way: ``{"blueprint", "package", "envelope", "api",
"engine", "reserved": {"vlans": {site: [ranges]}, "prefixes": [...]}}`` in (allocations.Reserved); ``{"rendered":
{"files", "digest", "requests", "report28312", "findings", "seconds"}}`` or ``{"error":
{"status", "message", "problems": [{"message", "field", "severity"}]}}`` out.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from o2krm.gateway.allocations import Reserved
from o2krm.gateway.errors import ApiError, Problem
from o2krm.gateway.line_process import LineProcess, serve_lines


def handle(catalog: Any, request: Mapping[str, Any]) -> dict[str, Any]:
    from o2krm.gateway import packaging

    blueprint = catalog.get(request["blueprint"])
    if blueprint is None:
        return {"error": {"status": 500, "message": f"no blueprint {request['blueprint']!r}", "problems": []}}
    held = Reserved.from_json(request.get("reserved") or {})
    try:
        rendered = packaging.render_intent(
            blueprint, request["package"], request["envelope"], request["api"], request["engine"], reserved=held
        )
    except ApiError as err:
        problems = [{"message": p.message, "field": p.field, "severity": p.severity} for p in err.problems]
        return {"error": {"status": err.status, "message": err.message, "problems": problems}}
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

    catalog = BlueprintCatalog(blueprints)
    serve_lines(
        lambda request: handle(catalog, request),
        lines,
        out,
        lambda err: {"error": {"status": 500, "message": f"rendering failed in the gateway: {err!r}", "problems": []}},
    )


class RenderClient:
    """The gateway's end (see line_process.py)."""

    def __init__(self, blueprints: Path) -> None:
        self.blueprints = blueprints
        self.lines = LineProcess("o2krm.gateway.render_worker", [str(blueprints)])

    def render(
        self,
        blueprint: str,
        package: str,
        envelope: Mapping[str, Any],
        api: str,
        engine: str,
        reserved: Reserved,
    ) -> Any:
        """``packaging.render_intent`` in the rendering process; raises ApiError as it would."""
        from o2krm.gateway.packaging import RenderedIntent

        request = {
            "blueprint": blueprint,
            "package": package,
            "envelope": envelope,
            "api": api,
            "engine": engine,
            "reserved": reserved.to_json(),
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
        return RenderedIntent(r["files"], r["digest"], r["requests"], r["report28312"], r["findings"], r["seconds"])

    def close(self) -> None:
        self.lines.close()


if __name__ == "__main__":
    serve(Path(sys.argv[1]), sys.stdin, sys.stdout)
