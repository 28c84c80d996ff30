# o2krm developer tasks. `make test` is what CI runs (after `make lint`).
VENV ?= .venv
PY := $(VENV)/bin/python
export PATH := $(abspath $(VENV))/bin:$(PATH)

.PHONY: install test lint golden bench sample clean

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

SAMPLE ?= packages/edge-ran

sample:  ## render the sample package (kpt, or kubectl kustomize when kpt is absent)
	$(VENV)/bin/o2krm-render $(SAMPLE)

clean:
	rm -rf build dist .pytest_cache .ruff_cache
