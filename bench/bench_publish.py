"""Cost of publishing one Porch package revision (o2krm.porch), and how it grows with history.

Publishes ``--revisions`` packages (a Kptfile and 8 small resources each) one after another
into a fresh local bare repository, and prints the median time per publish near the start, the
middle and the end: written directly (a local bare repository without receive hooks: objects
and ``update-ref`` transactions, no push), then pushed (the same repository with a
``post-receive`` hook, as a remote would be) through a throw-away scratch repository per publish
(the CLI's way) and through a persistent cache (``cache_dir``, the gateway's way). Then
publishes ``--batch`` packages at a time with ``publish_revisions`` (one ref update or push per
lifecycle step for all of them), directly and pushed.

No target of its own: the gateway benchmark (bench_gateway.py) holds the end-to-end target.

Usage: python bench/bench_publish.py [--revisions 200] [--batch 10]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from o2krm.porch.checks import CheckReport
from o2krm.porch.publish import Request, publish_revision, publish_revisions

WINDOW = 20


def _no_check(_: Path) -> CheckReport:
    return CheckReport("bench: not checked")


def _package(root: Path, name: str) -> Path:
    package = root / name
    package.mkdir(parents=True)
    (package / "Kptfile").write_text(f"apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: {name}\n")
    for number in range(8):
        (package / f"resource-{number}.yaml").write_text(f"package: {name}\nresource: {number}\n" * 40)
    return package


def _bare(root: Path, pushed: bool) -> str:
    repo = root / "deployments.git"
    subprocess.run(["git", "init", "-q", "--bare", "--initial-branch", "main", str(repo)], check=True)
    if pushed:  # a receive hook: publishing must push, as to a remote
        hook = repo / "hooks" / "post-receive"
        hook.write_text("#!/bin/sh\ncat > /dev/null\n")
        hook.chmod(0o755)
    return str(repo)


def one_by_one(revisions: int, cached: bool, pushed: bool) -> list[float]:
    with tempfile.TemporaryDirectory(prefix="o2krm-bench-publish-") as tmp:
        root = Path(tmp)
        repo = _bare(root, pushed)
        cache = root / "cache" if cached else None
        times: list[float] = []
        for number in range(revisions):
            package = _package(root / "src", f"pkg-{number}")
            started = time.perf_counter()
            publish_revision(
                repo, None, package, "bench", check=_no_check, allow_dirty=True, create_branch=True, cache_dir=cache
            )
            times.append((time.perf_counter() - started) * 1000)
        return times


def batched(revisions: int, batch: int, pushed: bool) -> list[float]:
    with tempfile.TemporaryDirectory(prefix="o2krm-bench-publish-") as tmp:
        root = Path(tmp)
        repo = _bare(root, pushed)
        times: list[float] = []
        for first in range(0, revisions, batch):
            requests = [
                Request(None, _package(root / "src", f"pkg-{number}"))
                for number in range(first, min(first + batch, revisions))
            ]
            started = time.perf_counter()
            publish_revisions(
                repo, requests, check=_no_check, allow_dirty=True, create_branch=True, cache_dir=root / "cache"
            )
            times.append((time.perf_counter() - started) * 1000)
        return times


def _windows(times: list[float]) -> str:
    starts = sorted({0, max(len(times) // 2 - WINDOW // 2, 0), max(len(times) - WINDOW, 0)})
    return "  ".join(
        f"[{start}-{min(start + WINDOW, len(times))}) {statistics.median(times[start : start + WINDOW]):6.1f} ms"
        for start in starts
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--revisions", type=int, default=200)
    parser.add_argument("--batch", type=int, default=10)
    args = parser.parse_args(argv)
    print(f"one publish_revision at a time, median per publish by revisions already published ({args.revisions}):")
    print(f"  direct                      {_windows(one_by_one(args.revisions, cached=False, pushed=False))}")
    print(f"  pushed, throw-away scratch  {_windows(one_by_one(args.revisions, cached=False, pushed=True))}")
    print(f"  pushed, cache_dir           {_windows(one_by_one(args.revisions, cached=True, pushed=True))}")
    print(f"publish_revisions, {args.batch} packages at a time, median per call (by call):")
    print(f"  direct                      {_windows(batched(args.revisions, args.batch, pushed=False))}")
    print(f"  pushed, cache_dir           {_windows(batched(args.revisions, args.batch, pushed=True))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
