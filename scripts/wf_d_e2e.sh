#!/usr/bin/env bash
# WF-D end-to-end run: a TMF921 intent through the intent gateway to a published, provisioned
# package, its SLO gate and its reports, with artifacts in artifacts/wf-d-e2e-<timestamp>/.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
readonly REPO_ROOT

usage() {
  cat <<EOF
Usage: scripts/wf_d_e2e.sh [--mode fake|real|both] [options]

Run the WF-D workflow end to end: build, unit tests, then per mode start the intent gateway,
POST a TMF921 intent (/intent-gateway/v1/intents), check its TS 28.312 translation, the
ProvisioningRequests (CRD-valid, in the O-Cloud), that the published revision renders unchanged
and sits in Porch's git layout, wait until the requests are fulfilled, evaluate the SLO gate
(o2imsctl slo evaluate: needs Prometheus; without it the gate is reported "not evaluated",
never passed), collect the intent's reports, and delete the intent again.

Options:
  --mode fake|real|both   fake: o2imsctl's fake O-Cloud, no cluster (default; runs in CI);
                          real: the cluster of --kubeconfig; both: fake, then real
  --kubeconfig FILE       real mode: kubeconfig (default: \$KUBECONFIG, ~/.kube/config)
  --context NAME          real mode: kubeconfig context
  --namespace NS          namespace of the O2 IMS controller for the cluster checks
                          (default: o2ims-system; ProvisioningRequests are cluster-scoped)
  --verbose               print every command and its output (test.log always has them)
  --no-cleanup            keep the intent, its ProvisioningRequests and the gateway's data
  --intent FILE           the TMF921 intent to send (default: packages/edge-ran/intent.yaml)
  --blueprint NAME        blueprint package to render (default: edge-ran)
  --prometheus URL        Prometheus for the SLO gate (default: \$PROMETHEUS_URL)
  --require-slo-pass      fail the run unless the SLO gate passes
  --skip-unit-tests       do not run the unit tests
  --unit-tests "ARGS"     pytest arguments for the unit-test stage
  --artifacts-dir DIR     parent of wf-d-e2e-<timestamp>/ (default: artifacts/)
  --timeout SECONDS       how long to wait for provisioning (default: 120)
  -h, --help              show this help

Exit codes: 0 every stage passed (the SLO gate may be "not evaluated" unless --require-slo-pass);
1 a stage failed; 2 bad command line.
EOF
}

for arg in "$@"; do
  if [[ "$arg" == "-h" || "$arg" == "--help" ]]; then usage; exit 0; fi
done

PYTHON="${PYTHON:-}"
if [[ -z "$PYTHON" ]]; then
  if [[ -x "$REPO_ROOT/.venv/bin/python" ]]; then PYTHON="$REPO_ROOT/.venv/bin/python"; else PYTHON=python3; fi
fi
PYTHON_BIN="$(dirname "$PYTHON")"
export PATH="$PYTHON_BIN:$PATH"
cd "$REPO_ROOT"
exec "$PYTHON" -m o2krm.gateway.wfd "$@"
