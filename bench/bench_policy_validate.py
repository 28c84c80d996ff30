"""policy-validate benchmark: a 1000-resource package validated under kpt, against `exec: cat`.

Target (issue 7): within 1.5 x kpt's floor, the same package rendered with `cat` as the
validator. The package mixes what a RAN package holds: Deployments with pod templates,
Services, ConfigMaps, NetworkPolicies, RBAC, and the rendered edge-ran blueprint repeated.

Usage: python bench/bench_policy_validate.py [--resources 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: du-{i}
  namespace: ran-{ns}
spec:
  replicas: 1
  selector:
    matchLabels: {{app: du-{i}}}
  template:
    metadata:
      labels: {{app: du-{i}}}
    spec:
      securityContext: {{runAsNonRoot: true, seccompProfile: {{type: RuntimeDefault}}}}
      containers:
      - name: du
        image: registry.example.com/oran/du@sha256:{digest}
        resources:
          limits: {{cpu: "2", memory: 4Gi}}
        securityContext:
          allowPrivilegeEscalation: false
          capabilities: {{drop: [ALL]}}
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: du-{i}
  namespace: ran-{ns}
spec:
  selector: {{app: du-{i}}}
  ports:
  - port: 8080
    targetPort: 8080
"""
CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: du-{i}
  namespace: ran-{ns}
data:
  plmn: "00101"
"""
NETWORK_POLICY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: ran-{ns}
spec:
  podSelector: {{}}
  policyTypes: [Ingress, Egress]
"""


def write_package(root: Path, count: int) -> None:
    root.mkdir(parents=True)
    blueprint = REPO / "packages" / "edge-ran"
    for path in blueprint.iterdir():
        if path.suffix == ".yaml":
            shutil.copy(path, root / path.name)
    digest = "3f" * 32
    docs: list[str] = []
    namespaces = max(1, count // 50)
    for ns in range(namespaces):
        docs.append(NETWORK_POLICY.format(ns=ns))
    i = 0
    while len(docs) < count:
        ns = i % namespaces
        for template in (DEPLOYMENT, SERVICE, CONFIGMAP):
            docs.append(template.format(i=i, ns=ns, digest=digest))
        i += 1
    for start in range(0, len(docs), 100):
        (root / f"workloads-{start // 100:03d}.yaml").write_text("---\n".join(docs[start : start + 100]))


def kptfile(validator: str) -> str:
    return (
        "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: bench\n  annotations:\n"
        '    config.kubernetes.io/local-config: "true"\n'
        f"pipeline:\n  validators:\n  - exec: {validator}\n"
    )


def render(package: Path, validator: str) -> float:
    work = Path(tempfile.mkdtemp())
    try:
        copy = work / "pkg"
        shutil.copytree(package, copy)
        (copy / "Kptfile").write_text(kptfile(validator))
        start = time.perf_counter()
        proc = subprocess.run(["kpt", "fn", "render", str(copy), "--allow-exec"], capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"render with {validator} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        return elapsed
    finally:
        shutil.rmtree(work)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resources", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("kpt") is None:
        print("kpt is not installed: nothing measured.")
        return 0
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "functions")], check=True)
    tmp = Path(tempfile.mkdtemp())
    package = tmp / "pkg"
    write_package(package, args.resources)
    total = sum(1 for p in package.glob("*.yaml") for _ in p.read_text().split("\n---\n"))
    cat, ours = [], []
    for _ in range(args.repeat):
        cat.append(render(package, "cat"))
        ours.append(render(package, str(BIN / "policy-validate")))
    shutil.rmtree(tmp)
    floor, validated = statistics.median(cat), statistics.median(ours)
    print(f"{total} resources: kpt with `exec: cat` {floor:.2f} s, with policy-validate {validated:.2f} s")
    print(f"ratio {validated / floor:.2f} x (target <= 1.50)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
