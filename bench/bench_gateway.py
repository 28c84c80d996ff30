"""Intent gateway benchmark.

Target (issue 11): a POST that ends in a published, rendered package (render with the Kptfile
pipeline, Porch package revision published, ProvisioningRequests created; fake O-Cloud) has
p95 <= 250 ms at concurrency 10, and 100 of 100 requests succeed.

Starts a gateway on 127.0.0.1 (fresh data directory and deployment repository), sends a few
warm-up requests, then 100 at concurrency 10, and for reference 20 one at a time. Prints the
client-side percentiles, the success count and the server's own split (render / publish /
provision, from its Server-Timing header) so a miss shows where the time goes.

Usage: python bench/bench_gateway.py [--requests 100] [--concurrency 10] [--form seed|tmf921]
"""

from __future__ import annotations

import argparse
import sys

from o2krm.gateway.loadgen import drive, local_gateway, print_summary, summary

TARGET_P95_MS = 250.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--sequential", type=int, default=20, help="requests one at a time, for reference")
    parser.add_argument("--form", choices=("seed", "tmf921"), default="seed")
    args = parser.parse_args(argv)
    with local_gateway() as url:
        drive(url, requests=5, concurrency=5, form=args.form)  # warm-up: imports, first revisions
        loaded = summary(drive(url, requests=args.requests, concurrency=args.concurrency, form=args.form))
        sequential = summary(drive(url, requests=args.sequential, concurrency=1, form=args.form))
    print_summary(
        f"POST to a published, rendered package: {args.requests} requests at concurrency {args.concurrency}", loaded
    )
    p95 = loaded["latencyMs"]["p95"]
    verdict = "ok" if p95 <= TARGET_P95_MS else "OVER"
    print(
        f"  target        p95 <= {TARGET_P95_MS:.0f} ms: {p95:.1f} ms ({p95 / TARGET_P95_MS:.1f}x the target) {verdict}"
    )
    all_ok = loaded["succeeded"] == loaded["requests"]
    print(
        f"  target        {loaded['requests']} of {loaded['requests']} succeed: {loaded['succeeded']} {'ok' if all_ok else 'MISSED'}"
    )
    print_summary(f"for reference: {args.sequential} requests one at a time", sequential)
    server = loaded["serverMs"]
    publish, queue, total = (server.get(k, {}).get("p50", 0.0) for k in ("publish", "publish-queue", "total"))
    if total:
        print(
            f"  at concurrency {args.concurrency}, publishing takes {publish / total:.0%} of the server time (p50); "
            f"{queue / total:.0%} is waiting for the publish running when it arrived (then it goes in the next group)"
        )
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
