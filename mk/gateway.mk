# The intent gateway (functions/o2krm/gateway): run it, test it, measure it, and the WF-D
# end-to-end run. Included from the Makefile (which defines VENV and PY); also usable alone:
# make -f mk/gateway.mk load-test
#
#   make gateway                          run it on 127.0.0.1:8080 with the fake O-Cloud
#   make test-intent-gateway              its tests (API, persistence, schemathesis, scripts)
#   make wf-d-e2e                         scripts/wf_d_e2e.sh --mode $(WF_D_MODE) (fake: no cluster)
#   make load-test                        scripts/load-test-o2ims.sh, 100 requests at concurrency 10
#   make intent-latency                   scripts/measure-intent-latency.sh, 1000 samples
#   make bench-gateway                    bench/bench_gateway.py (the p95 <= 250 ms target)

VENV ?= .venv
PY ?= $(VENV)/bin/python
GATEWAY_HOST ?= 127.0.0.1
GATEWAY_PORT ?= 8080
GATEWAY_FLAGS ?=
WF_D_MODE ?= fake
WF_D_FLAGS ?=
LOAD_REQUESTS ?= 100
LOAD_CONCURRENCY ?= 10
LATENCY_SAMPLES ?= 1000

.PHONY: gateway test-intent-gateway wf-d-e2e load-test intent-latency bench-gateway

gateway:  ## run the intent gateway (fake O-Cloud; GATEWAY_FLAGS="--mode real --kubeconfig ..." for a cluster)
	PYTHONUNBUFFERED=1 $(PY) -m o2krm.gateway --host $(GATEWAY_HOST) --port $(GATEWAY_PORT) $(GATEWAY_FLAGS)

test-intent-gateway:  ## the gateway's tests
	$(PY) -m pytest -q tests/gateway

wf-d-e2e:  ## the WF-D end-to-end run; artifacts in artifacts/wf-d-e2e-<timestamp>/
	PYTHON=$(abspath $(PY)) scripts/wf_d_e2e.sh --mode $(WF_D_MODE) $(WF_D_FLAGS)

load-test:  ## LOAD_REQUESTS intents at LOAD_CONCURRENCY against a gateway started on 127.0.0.1
	PYTHON=$(abspath $(PY)) scripts/load-test-o2ims.sh --requests $(LOAD_REQUESTS) --concurrency $(LOAD_CONCURRENCY)

intent-latency:  ## LATENCY_SAMPLES intents one at a time: p50/p95/p99 and the success rate
	PYTHON=$(abspath $(PY)) scripts/measure-intent-latency.sh --samples $(LATENCY_SAMPLES)

bench-gateway:  ## POST-to-published-package p95 at concurrency 10 against the 250 ms target
	$(PY) bench/bench_gateway.py
