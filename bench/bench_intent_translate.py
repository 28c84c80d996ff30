"""intent-translate benchmarks.

Targets (issue 3): (a) one intent translated in-process in <= 5 ms median, for each input
form; (b) the function passes a 1000-item package with no intents through within the SDK's
budget, printed as a ratio against ``cat`` over the same input, alternating the two.

Usage: python bench/bench_intent_translate.py [--runs 200] [--repeat 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "tmf921"
CASES = ("seed-deploy-edge-ran", "tio-ran-edge-west.turtle", "tio-ran-edge-west.jsonld", "tio-urllc-scaling.jsonld")
BIN = Path(sys.executable).parent


def in_process(runs: int) -> None:
    from o2krm.oran.intent_translate import translate

    print(f"(a) translate() in-process, median of {runs} (target <= 5 ms)")
    for name in CASES:
        resource = yaml.safe_load((DATA / f"{name}.yaml").read_text())
        translate(resource)  # warm: lazy imports, parser set-up
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            translate(resource)
            times.append(time.perf_counter() - start)
        median = statistics.median(times) * 1000
        print(f"    {name:<28} {median:6.2f} ms  {'ok' if median <= 5 else 'OVER'}")


def pass_through(repeat: int, n: int = 1000) -> None:
    items = "".join(
        f"- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: cm-{i}\n    annotations:\n"
        f"      internal.config.kubernetes.io/path: 'cm-{i // 100}.yaml'\n  data:\n    key: 'value {i}'\n"
        for i in range(n)
    )
    text = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n" + items
    with tempfile.NamedTemporaryFile("w", suffix=".yaml") as handle:
        handle.write(text)
        handle.flush()

        def timed(command: list[str]) -> float:
            with open(handle.name) as stdin:
                start = time.perf_counter()
                subprocess.run(command, stdin=stdin, stdout=subprocess.DEVNULL, check=True)
                return time.perf_counter() - start

        fn, cat = [], []
        for _ in range(repeat):
            fn.append(timed([str(BIN / "intent-translate")]))
            cat.append(timed(["cat"]))
    f, c = statistics.median(fn), statistics.median(cat)
    print(
        f"(b) {n} items, no intents: intent-translate {f * 1000:.1f} ms, cat {c * 1000:.1f} ms (process start included)"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    in_process(args.runs)
    if (BIN / "intent-translate").exists():
        pass_through(args.repeat)
    else:
        print("(b) skipped: the intent-translate console script is not installed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
