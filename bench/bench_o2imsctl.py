"""o2imsctl fake-mode latency: `pr create` and `pr list`, wall time per process, cold start included.

Every sample is a new process (interpreter start, imports, argument parsing, the locked state
file, output), as when an operator or a script runs the command. Bytecode is cached the way an
installed package has it (one untimed warm-up run fills a private cache directory, even when
PYTHONDONTWRITEBYTECODE is set); `--no-bytecode-cache` measures compiling from source instead.

Target (issue 9): median <= 150 ms for each of `pr create` and `pr list`.

Usage: python bench/bench_o2imsctl.py [--repeat 21] [--no-bytecode-cache] [--check]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_MS = 150.0
PR_TEMPLATE = """\
apiVersion: o2ims.provisioning.oran.org/v1alpha1
kind: ProvisioningRequest
metadata:
  name: {name}
  labels: {{intent.source: tmf921, workflow.stage: provisioning}}
spec:
  name: Edge RAN {name}
  description: Edge RAN deployment for high-performance 5G services
  templateName: oran-ran-edge
  templateVersion: v1.0.0
  templateParameters:
    targetCluster: edge-cluster-us-west-1
    resourceRequirements: {{cpu: "1", memory: 2Gi, storage: 10Gi}}
    networkFunctions: [CU-CP, CU-UP, DU]
    serviceType: eMBB
"""


def command() -> tuple[list[str], str]:
    script = Path(sys.executable).parent / "o2imsctl"
    if script.exists():
        return [str(script)], "console script o2imsctl"
    return [sys.executable, "-m", "o2krm.cli"], "python -m o2krm.cli (console script not installed)"


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed * 1000


def summary(label: str, samples: list[float]) -> float:
    median = statistics.median(samples)
    verdict = "ok" if median <= TARGET_MS else "OVER TARGET"
    print(
        f"{label:<28} median {median:6.1f} ms   min {min(samples):6.1f}   max {max(samples):6.1f}   "
        f"target {TARGET_MS:.0f} ms: {verdict}  ({median / TARGET_MS:.2f} x target)"
    )
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=21, help="samples per command (default 21)")
    parser.add_argument("--no-bytecode-cache", action="store_true", help="compile from source in every process")
    parser.add_argument("--check", action="store_true", help="exit 1 when a median is over the target")
    args = parser.parse_args()

    base, how = command()
    work = Path(tempfile.mkdtemp(prefix="bench-o2imsctl-"))
    try:
        env = {**os.environ, "O2KRM_FAKE_STATE": str(work / "fake-ocloud.json"), "O2KRM_FAKE_PROVISION_TIME": "10s"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        if args.no_bytecode_cache:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        else:
            env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
        files = []
        for index in range(args.repeat + 1):
            path = work / f"pr-{index:03d}.yaml"
            path.write_text(PR_TEMPLATE.format(name=f"edge-ran-{index:03d}"))
            files.append(path)

        print(
            f"o2imsctl fake mode, {how}, {args.repeat} samples each, "
            f"{'no bytecode cache' if args.no_bytecode_cache else 'bytecode cached'}"
        )
        floor = [timed([sys.executable, "-c", "pass"], env) for _ in range(args.repeat)]
        timed([*base, "pr", "create", "--fake", "--from", str(files[0])], env)  # warm-up: fills the cache
        create = [timed([*base, "pr", "create", "--fake", "--from", str(f)], env) for f in files[1:]]
        listing = [timed([*base, "pr", "list", "--fake"], env) for _ in range(args.repeat)]
        print(f"{'python -c pass (floor)':<28} median {statistics.median(floor):6.1f} ms")
        medians = [summary("pr create", create), summary(f"pr list ({len(files)} requests)", listing)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if args.check and max(medians) > TARGET_MS else 0


if __name__ == "__main__":
    sys.exit(main())
