#!/usr/bin/env bash
# Load test of the o2krm intent gateway: N intents POSTed, C at a time; prints the success rate
# and latency p50/p95/p99 it measured (and where the server spent the time).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
readonly REPO_ROOT

usage() {
  cat <<EOF
Usage: scripts/load-test-o2ims.sh [--requests N] [--concurrency C] [options]

POST N TMF921 intents to the intent gateway, C at a time. Each one is rendered, published as a
package revision and provisioned (ProvisioningRequests created) before the gateway answers.
Without --url a gateway is started on 127.0.0.1 (temporary data directory, the fake O-Cloud of
o2imsctl --fake with room for every request) and stopped afterwards.

Options:
  --requests N          requests to measure (default: 100)
  --concurrency C       requests in flight at once (default: 10)
  --url URL             measure a running gateway instead (e.g. http://127.0.0.1:8080)
  --token TOKEN         bearer token (default: \$O2KRM_GATEWAY_TOKEN)
  --form seed|tmf921    seed: POST /intent-gateway/v1/intents (default);
                        tmf921: POST /tmf-api/intentManagement/v5/intent (JSON-LD expression)
  --warmup N            requests sent first and not measured (default: 3)
  --timeout SECONDS     per request (default: 60)
  --deadline SECONDS    for the whole run (default: 3600)
  --json FILE           also write the summary as JSON
  --min-success-rate R  exit 1 when the success rate is below R (default: 1.0)
  -h, --help            show this help

Exit codes: 0 measured and the success rate is at least R; 1 otherwise, or the gateway could not
be started; 2 bad command line.
EOF
}

args=(load)
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --requests|--concurrency|--url|--token|--form|--warmup|--timeout|--deadline|--json|--min-success-rate)
      [[ $# -ge 2 ]] || { echo "load-test-o2ims: $1 needs a value" >&2; exit 2; }
      args+=("$1" "$2"); shift 2 ;;
    *) echo "load-test-o2ims: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

PYTHON="${PYTHON:-}"
if [[ -z "$PYTHON" ]]; then
  if [[ -x "$REPO_ROOT/.venv/bin/python" ]]; then PYTHON="$REPO_ROOT/.venv/bin/python"; else PYTHON=python3; fi
fi
cd "$REPO_ROOT"
exec "$PYTHON" -m o2krm.gateway.loadgen "${args[@]}"
