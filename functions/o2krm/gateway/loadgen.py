"""Load and latency measurements of the intent gateway, from the client side.

``python -m o2krm.gateway.loadgen load --requests 100 --concurrency 10`` and
``python -m o2krm.gateway.loadgen latency --samples 1000`` (what scripts/load-test-o2ims.sh and
scripts/measure-intent-latency.sh run). Without ``--url`` a gateway is started on 127.0.0.1 (a
free port, a temporary data directory, the fake O-Cloud with room for every request) and
stopped afterwards.

A request succeeds when the gateway answers 201 and the intent got as far as the O-Cloud
(lifecycleStatus Provisioning or Provisioned): rendered, published, its ProvisioningRequests
created. Latency is from sending the request to reading the whole answer. Percentiles are
nearest-rank. The gateway's Server-Timing header splits each request into render, publish and
provision, which is printed too.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SEED_PATH = "/intent-gateway/v1/intents"
TMF921_PATH = "/tmf-api/intentManagement/v5/intent"
SITES = ("us-west-1", "us-east-1", "eu-west-1", "eu-central-1")
OK_STATES = ("Provisioning", "Provisioned")
ROOM_FOR_ALL = "cpu=1000000,memory=1000000Gi,storage=1000000Ti"
FORMS = ("seed", "tmf921")


# --- intents -------------------------------------------------------------------------------------
def seed_intent(name: str, site: str) -> dict[str, Any]:
    """The seed's Example TMF921 intent (CU and DU at one edge site, latency and throughput)."""
    return {
        "apiVersion": "tmf921.intent.tmforum.org/v1",
        "kind": "Intent",
        "metadata": {"name": name},
        "spec": {
            "intentExpectations": [
                {
                    "expectationTargets": [{"targetName": f"edge-cluster-{site}"}],
                    "expectationVerbs": ["deploy"],
                    "expectationObjects": ["o-ran-cu", "o-ran-du"],
                },
                {
                    "expectationTargets": [{"targetName": "performance"}],
                    "expectationVerbs": ["maintain"],
                    "expectationObjects": ["latency<10ms", "throughput>1Gbps"],
                },
            ]
        },
    }


def tmf921_intent(name: str, site: str) -> dict[str, Any]:
    """The same intent as a TMF921 v5 Intent with a JSON-LD expression (TM Forum Intent Ontology)."""
    tio = "http://tio.models.tmforum.org/tio/v3.6.0"
    return {
        "@type": "Intent",
        "id": name,
        "name": f"CU and DU at edge-cluster-{site}",
        "expression": {
            "@type": "JsonLdExpression",
            "iri": f"urn:o2krm:intent:{name}",
            "expressionValue": {
                "@context": {
                    "icm": f"{tio}/IntentCommonModel/",
                    "log": f"{tio}/LogicalOperators/",
                    "set": f"{tio}/SetOperators/",
                    "quan": f"{tio}/QuantityOntology/",
                    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
                    "o2krm": "https://o2krm.io/ontology/ran/",
                    "ex": f"https://intents.example.com/{name}/",
                },
                "@graph": [
                    {
                        "@id": "ex:I1",
                        "@type": "icm:Intent",
                        "log:allOf": {"@list": [{"@id": "ex:DE1"}, {"@id": "ex:PE1"}]},
                    },
                    {
                        "@id": "ex:DE1",
                        "@type": "icm:DeliveryExpectation",
                        "icm:target": {"@id": "ex:ran"},
                        "icm:deliveryType": [{"@id": "o2krm:o-ran-cu"}, {"@id": "o2krm:o-ran-du"}],
                        "log:allOf": {"@list": [{"@id": "ex:CX1"}]},
                    },
                    {"@id": "ex:CX1", "@type": "icm:Context", "o2krm:targetSite": f"edge-cluster-{site}"},
                    {
                        "@id": "ex:PE1",
                        "@type": "icm:PropertyExpectation",
                        "icm:target": {"@id": "ex:ran"},
                        "log:allOf": {"@list": [{"@id": "ex:CO1"}]},
                    },
                    {
                        "@id": "ex:CO1",
                        "@type": "icm:Condition",
                        "set:forAll": {
                            "icm:valuesOfTargetProperty": {"@id": "o2krm:latency"},
                            "quan:smaller": {"rdf:value": 10, "quan:unit": "ms"},
                        },
                    },
                ],
            },
        },
    }


def request_for(form: str, run: str, number: int) -> tuple[str, dict[str, Any]]:
    name = f"{run}-{number}"
    site = SITES[number % len(SITES)]
    if form == "seed":
        return SEED_PATH, seed_intent(name, site)
    return TMF921_PATH, tmf921_intent(name, site)


# --- measuring -----------------------------------------------------------------------------------
@dataclass
class Sample:
    seconds: float
    status: int
    lifecycle: str
    server: dict[str, float]  # Server-Timing: name -> milliseconds
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 201 and self.lifecycle in OK_STATES


@dataclass
class Run:
    samples: list[Sample] = field(default_factory=list)
    wall: float = 0.0

    @property
    def succeeded(self) -> int:
        return sum(1 for s in self.samples if s.ok)

    def latencies_ms(self) -> list[float]:
        return [s.seconds * 1000 for s in self.samples]


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of ``values``; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def server_timing(header: str) -> dict[str, float]:
    timings: dict[str, float] = {}
    for part in header.split(","):
        name, _, rest = part.strip().partition(";")
        for attribute in rest.split(";"):
            key, _, value = attribute.strip().partition("=")
            if key == "dur" and name:
                with contextlib.suppress(ValueError):
                    timings[name] = float(value)
    return timings


async def _one(client: Any, path: str, body: dict[str, Any], timeout: float) -> Sample:
    import httpx

    started = time.perf_counter()
    try:
        response = await client.post(path, json=body, timeout=timeout)
        seconds = time.perf_counter() - started
    except httpx.HTTPError as err:
        return Sample(time.perf_counter() - started, 0, "", {}, f"{type(err).__name__}: {err}")
    lifecycle, error = "", ""
    try:
        answer = response.json()
        lifecycle = str(answer.get("lifecycleStatus") or (answer.get("status") or {}).get("lifecycleStatus") or "")
        if response.status_code >= 400:
            error = str(answer.get("message", ""))
    except (ValueError, AttributeError):
        error = response.text[:200]
    return Sample(
        seconds, response.status_code, lifecycle, server_timing(response.headers.get("server-timing", "")), error
    )


async def _drive(
    url: str, token: str | None, form: str, count: int, concurrency: int, timeout: float, deadline: float
) -> Run:
    import httpx

    run_id = f"lg{uuid.uuid4().hex[:8]}"
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    result = Run()
    next_number = 0
    stop_at = time.monotonic() + deadline

    async def worker(client: Any) -> None:
        nonlocal next_number
        while next_number < count and time.monotonic() < stop_at:
            number = next_number
            next_number += 1
            path, body = request_for(form, run_id, number)
            result.samples.append(await _one(client, path, body, timeout))

    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(min(concurrency, count))))
        result.wall = time.perf_counter() - started
    return result


def drive(
    url: str,
    *,
    requests: int,
    concurrency: int,
    form: str = "seed",
    token: str | None = None,
    timeout: float = 60.0,
    deadline: float = 3600.0,
) -> Run:
    """Send ``requests`` intents, ``concurrency`` at a time (bounded by ``deadline`` seconds)."""
    if requests < 1 or concurrency < 1:
        raise ValueError("requests and concurrency must be at least 1")
    if form not in FORMS:
        raise ValueError(f"form must be one of {', '.join(FORMS)}")
    return asyncio.run(_drive(url.rstrip("/"), token, form, requests, concurrency, timeout, deadline))


# --- a gateway to measure --------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def roomy_blueprints(source: Path, target: Path) -> Path:
    """Copies of the blueprints under ``source`` whose site catalogs have room for every request
    of a load run, as the fake O-Cloud gets capacity for all: VLANs 1-4094 at every site and a /16
    address pool per network. (The gateway gives each intent VLANs and subnets of its own.)"""
    from o2krm.gateway.allocations import CATALOG_KIND
    from o2krm.sdk import yamlio
    from o2krm.tools import pipeline

    pool = iter(range(100, 256))
    for kptfile in sorted(source.glob(f"*/{pipeline.KPTFILE}")):
        files = pipeline.read_package(kptfile.parent)
        for path, text in files.items():
            if CATALOG_KIND in text:
                documents = [yamlio.load(d) for d in pipeline.split_documents(text)]
                for document in documents:
                    for site in ((document or {}).get("spec") or {}).get("sites") or []:
                        network = site.get("network") if isinstance(site, dict) else None
                        if isinstance(network, dict):
                            network["vlanRange"] = {"start": 1, "end": 4094}
                            network["networks"] = {
                                name: {"ipv4Prefix": f"10.{next(pool)}.0.0/16"}
                                for name in network.get("networks") or {}
                            }
                files[path] = "---\n".join(yamlio.dump(d) for d in documents)
        pipeline.write_package(files, target / kptfile.parent.name)
    return target


@contextlib.contextmanager
def local_gateway(*, data_dir: Path | None = None, extra: Sequence[str] = (), log: Path | None = None) -> Iterator[str]:
    """A gateway on 127.0.0.1 (fake O-Cloud with room for every request); yields its URL."""
    import httpx

    owned = data_dir is None
    root = Path(tempfile.mkdtemp(prefix="o2krm-loadgen-")) if data_dir is None else data_dir
    log = log or root / "gateway.log"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "O2KRM_GATEWAY_TOKEN"}
    env.setdefault("O2KRM_FAKE_CAPACITY", ROOM_FOR_ALL)
    env["O2KRM_FAKE_STATE"] = str(root / "fake-ocloud.json")
    env.setdefault("O2KRM_FAKE_PROVISION_TIME", "1s")
    command = [sys.executable, "-m", "o2krm.gateway", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--data-dir", str(root / "gateway"), "--log-level", "warning"]
    if not any(arg == "--blueprints" or arg.startswith("--blueprints=") for arg in extra):
        from o2krm.gateway.settings import default_blueprints

        command += ["--blueprints", str(roomy_blueprints(default_blueprints(), root / "blueprints"))]
    command += [*extra]
    url = f"http://127.0.0.1:{port}"
    with log.open("w", encoding="utf-8") as sink:
        process = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"the gateway exited with code {process.returncode}: {_tail(log)}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the gateway did not answer /health within 60 s: {_tail(log)}")
                time.sleep(0.1)
            yield url
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(5)
            if owned:
                shutil.rmtree(root, ignore_errors=True)


def _tail(log: Path) -> str:
    lines = [line for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    return " | ".join(lines[-3:]) or "(no output)"


# --- reporting -------------------------------------------------------------------------------------
def summary(run: Run) -> dict[str, Any]:
    latencies = run.latencies_ms()
    total = len(run.samples)
    parts: dict[str, dict[str, float]] = {}
    for sample in run.samples:
        if "publish" in sample.server and "publish-queue" in sample.server:
            sample.server["publish-own"] = sample.server["publish"] - sample.server["publish-queue"]
    for name in ("render", "publish", "publish-queue", "publish-own", "provision", "total"):
        values = [s.server[name] for s in run.samples if name in s.server]
        if values:
            parts[name] = {"p50": percentile(values, 50), "p95": percentile(values, 95), "p99": percentile(values, 99)}
    errors: dict[str, int] = {}
    for sample in run.samples:
        if not sample.ok:
            key = sample.error or f"HTTP {sample.status}, lifecycleStatus {sample.lifecycle or '-'}"
            errors[key] = errors.get(key, 0) + 1
    return {
        "requests": total,
        "succeeded": run.succeeded,
        "successRate": run.succeeded / total if total else 0.0,
        "latencyMs": {
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
            "p99": percentile(latencies, 99),
            "max": max(latencies, default=math.nan),
            "mean": sum(latencies) / total if total else math.nan,
        },
        "wallSeconds": run.wall,
        "throughputPerSecond": total / run.wall if run.wall else 0.0,
        "serverMs": parts,
        "failures": errors,
    }


def print_summary(title: str, data: dict[str, Any], out: Any = None) -> None:
    out = out or sys.stdout
    latency = data["latencyMs"]
    print(title, file=out)
    print(
        f"  success rate  {data['succeeded']}/{data['requests']} ({data['successRate'] * 100:.1f}%)",
        file=out,
    )
    print(
        f"  latency ms    p50 {latency['p50']:.1f}  p95 {latency['p95']:.1f}  p99 {latency['p99']:.1f}"
        f"  (max {latency['max']:.1f}, mean {latency['mean']:.1f})",
        file=out,
    )
    print(f"  throughput    {data['throughputPerSecond']:.1f} requests/s over {data['wallSeconds']:.1f} s", file=out)
    for name, values in data["serverMs"].items():
        print(
            f"  server {name:<13} p50 {values['p50']:.1f}  p95 {values['p95']:.1f}  p99 {values['p99']:.1f} ms",
            file=out,
        )
    for message, count in sorted(data["failures"].items(), key=lambda kv: -kv[1])[:5]:
        print(f"  failed x{count}: {message}", file=out)


# --- command line ---------------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m o2krm.gateway.loadgen", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("load", help="N requests, C at a time")
    load.add_argument("--requests", type=int, default=100)
    load.add_argument("--concurrency", type=int, default=10)
    latency = commands.add_parser("latency", help="N requests one after the other")
    latency.add_argument("--samples", type=int, default=1000)
    latency.add_argument("--concurrency", type=int, default=1)
    for sub in (load, latency):
        sub.add_argument("--url", help="a running gateway (default: start one on 127.0.0.1)")
        sub.add_argument("--token", default=os.environ.get("O2KRM_GATEWAY_TOKEN"), help="bearer token")
        sub.add_argument("--form", choices=FORMS, default="seed", help="seed: POST /intent-gateway/v1/intents")
        sub.add_argument("--warmup", type=int, default=3, help="requests sent first and not measured")
        sub.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
        sub.add_argument("--deadline", type=float, default=3600.0, help="seconds for the whole run")
        sub.add_argument("--gateway-arg", action="append", default=[], help="extra flag for the started gateway")
        sub.add_argument("--gateway-log", type=Path, help="where the started gateway logs")
        sub.add_argument("--json", type=Path, help="also write the summary as JSON here")
        sub.add_argument("--min-success-rate", type=float, default=1.0, help="exit 1 below this (default 1.0)")
    args = parser.parse_args(argv)
    count = args.requests if args.command == "load" else args.samples
    if count < 1 or args.concurrency < 1:
        parser.error("the number of requests and the concurrency must be at least 1")

    def measure(url: str, where: str) -> dict[str, Any]:
        if args.warmup:
            drive(url, requests=args.warmup, concurrency=min(args.warmup, args.concurrency), form=args.form,
                  token=args.token, timeout=args.timeout)  # fmt: skip
        run = drive(url, requests=count, concurrency=args.concurrency, form=args.form, token=args.token,
                    timeout=args.timeout, deadline=args.deadline)  # fmt: skip
        data = summary(run)
        what = "load test" if args.command == "load" else "intent latency"
        print_summary(
            f"o2krm intent gateway {what}: {count} requests, concurrency {args.concurrency}, {args.form} form, {where}",
            data,
        )
        return data

    try:
        if args.url:
            data = measure(args.url, f"gateway at {args.url}")
        else:
            with local_gateway(extra=args.gateway_arg, log=args.gateway_log) as url:
                data = measure(url, f"gateway started on {url} (fake O-Cloud)")
    except (RuntimeError, ValueError) as err:
        print(f"loadgen: {err}", file=sys.stderr)
        return 1
    if args.json:
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 0 if data["successRate"] >= args.min_success_rate else 1


if __name__ == "__main__":
    raise SystemExit(main())
