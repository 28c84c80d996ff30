#!/usr/bin/env bash
# Intent latency of the o2krm intent gateway: N intents POSTed one after the other; prints the
# latency p50/p95/p99 and the success rate it measured.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
readonly REPO_ROOT

usage() {
  cat <<EOF
Usage: scripts/measure-intent-latency.sh [--samples N] [options]

Measure how long the intent gateway takes from receiving a TMF921 intent to answering 201 with
the intent rendered, published as a package revision and its ProvisioningRequests created: N
requests, one at a time (--concurrency to change). Without --url a gateway is started on
127.0.0.1 (temporary data directory, the fake O-Cloud) and stopped afterwards. Every request
has a timeout and the run a deadline, so it always ends.

Options:
  --samples N           requests to measure (default: 1000)
  --concurrency C       requests in flight at once (default: 1)
  --url URL             measure a running gateway instead
  --token TOKEN         bearer token (default: \$O2KRM_GATEWAY_TOKEN)
  --form seed|tmf921    which API and intent form to send (default: seed)
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

args=(latency)
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --samples|--concurrency|--url|--token|--form|--warmup|--timeout|--deadline|--json|--min-success-rate)
      [[ $# -ge 2 ]] || { echo "measure-intent-latency: $1 needs a value" >&2; exit 2; }
      args+=("$1" "$2"); shift 2 ;;
    *) echo "measure-intent-latency: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

PYTHON="${PYTHON:-}"
if [[ -z "$PYTHON" ]]; then
  if [[ -x "$REPO_ROOT/.venv/bin/python" ]]; then PYTHON="$REPO_ROOT/.venv/bin/python"; else PYTHON=python3; fi
fi
cd "$REPO_ROOT"
exec "$PYTHON" -m o2krm.gateway.loadgen "${args[@]}"
