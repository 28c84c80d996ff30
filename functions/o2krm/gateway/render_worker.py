"""Rendering intents in a process of its own (``python -m o2krm.gateway.render_worker BLUEPRINTS``).

A render is pure CPU in Python: in the gateway's interpreter it holds the interpreter lock that
every other request needs to be answered, stored, published and provisioned. Here it runs on
another core. Renders are serialised anyway (one render at a time takes network values, see
allocations.py), so one process is enough. The gateway hands a render over in one JSON line and
reads the outcome back in one line.

Protocol, one JSON object per line each way: ``{"blueprint", "package", "envelope", "api",
"engine", "reserved": {"vlans": [[site, vlan]...], "prefixes": [...]}}`` in; ``{"rendered":
{"files", "digest", "requests", "report28312", "findings", "seconds"}}`` or ``{"error":
{"status", "message", "problems": [{"message", "field", "severity"}]}}`` out.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from o2krm.gateway.allocations import Holdings
from o2krm.gateway.errors import ApiError, Problem


def handle(catalog: Any, request: Mapping[str, Any]) -> dict[str, Any]:
    from o2krm.gateway import packaging

    blueprint = catalog.get(request["blueprint"])
    if blueprint is None:
        return {"error": {"status": 500, "message": f"no blueprint {request['blueprint']!r}", "problems": []}}
    reserved = request.get("reserved") or {}
    held = Holdings(
        frozenset((str(site), int(vlan)) for site, vlan in reserved.get("vlans") or ()),
        frozenset(str(p) for p in reserved.get("prefixes") or ()),
    )
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
    for line in lines:
        if not line.strip():
            continue
        try:
            reply = handle(catalog, json.loads(line))
        except Exception as err:  # an answer for every render, or the gateway waits forever
            reply = {"error": {"status": 500, "message": f"rendering failed in the gateway: {err!r}", "problems": []}}
        out.write(json.dumps(reply) + "\n")
        out.flush()


class RenderClient:
    """The gateway's end: starts the process on first use, and again when it has died."""

    def __init__(self, blueprints: Path) -> None:
        self.blueprints = blueprints
        self._process: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()

    def render(
        self,
        blueprint: str,
        package: str,
        envelope: Mapping[str, Any],
        api: str,
        engine: str,
        reserved: Holdings,
    ) -> Any:
        """``packaging.render_intent`` in the rendering process; raises ApiError as it would."""
        from o2krm.gateway.packaging import RenderedIntent

        request = {
            "blueprint": blueprint,
            "package": package,
            "envelope": envelope,
            "api": api,
            "engine": engine,
            "reserved": {"vlans": sorted(reserved.vlans), "prefixes": sorted(reserved.prefixes)},
        }
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
                raise ApiError(500, "the rendering process stopped unexpectedly; it is restarted: try again")
        reply = json.loads(line)
        if "error" in reply:
            error = reply["error"]
            problems = tuple(
                Problem(p["message"], p.get("field", ""), p.get("severity", "error")) for p in error["problems"]
            )
            raise ApiError(int(error["status"]), str(error["message"]), problems)
        r = reply["rendered"]
        return RenderedIntent(r["files"], r["digest"], r["requests"], r["report28312"], r["findings"], r["seconds"])

    def start(self) -> None:
        with self._lock:
            self._running()

    def close(self) -> None:
        with self._lock:
            if self._process is not None:
                self._stop(self._process)

    def _running(self) -> subprocess.Popen[str]:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "o2krm.gateway.render_worker", str(self.blueprints)],
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
    serve(Path(sys.argv[1]), sys.stdin, sys.stdout)
