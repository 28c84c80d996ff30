# o2krm developer tasks. `make test` is what CI runs (after `make lint`).
VENV ?= .venv
PY := $(VENV)/bin/python
export PATH := $(abspath $(VENV))/bin:$(PATH)

.PHONY: install test lint golden bench sample render clean

include mk/images.mk
include mk/gateway.mk

install:
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet -e '.[dev]'

test:
	$(PY) -m pytest -q

lint:
	$(PY) -m ruff check functions tests bench

golden:  ## rewrite every example's .expected/ from an in-process run; review the diff
	O2KRM_UPDATE_GOLDEN=1 $(PY) -m pytest -q tests/test_golden.py -k in_process

bench:  ## every benchmark; each prints its ratios against its baseline and target
	$(PY) bench/bench_sdk.py
	$(PY) bench/bench_intent_translate.py
	$(PY) bench/bench_network_alloc.py
	$(PY) bench/bench_policy_validate.py
	$(PY) bench/bench_o2imsctl.py
	$(PY) bench/bench_publish.py
	$(PY) bench/bench_gateway.py

SAMPLE ?= packages/edge-ran

sample:  ## the WF-D run on the sample intent, fake O-Cloud: gateway, 28.312, PRs, render, publish, SLO gate, report
	PYTHON=$(abspath $(PY)) scripts/wf_d_e2e.sh --mode fake --skip-unit-tests

render:  ## render one package (SAMPLE=...; kpt, or kubectl kustomize when kpt is absent)
	$(VENV)/bin/o2krm-render $(SAMPLE)

clean:
	rm -rf build dist .pytest_cache .ruff_cache
