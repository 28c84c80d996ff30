"""Run a case in-process, under kpt, and under kustomize."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from o2krm.sdk import yamlio
from o2krm.tools import pipeline

from .cases import Case, function
from .package import from_resource_list, package_files, to_resource_list

BIN = Path(sys.executable).parent


@dataclass
class Outcome:
    exit_code: int
    files: dict[str, str]  # package files after the run (Kptfile included)
    results: list[dict[str, Any]]
    stderr: str = ""


def env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


# --- in-process ----------------------------------------------------------------------
def run_in_process(case: Case) -> Outcome:
    before = package_files(case.root)
    if case.test_type == "render":
        rendered = pipeline.render_in_process(before)
        code = next((step.exit_code for step in rendered.steps if step.exit_code != 0), 0)
        stderr = "".join(step.stderr for step in rendered.steps)
        return Outcome(code, rendered.files, rendered.results, stderr)
    config = case.config_object(before)
    text = to_resource_list(before, include_kptfile=False, config=config)
    out, err = io.StringIO(), io.StringIO()
    code = function(case.function).run([], io.StringIO(text), out, err)
    results = (yamlio.load(out.getvalue()) or {}).get("results") or []
    if code != 0:
        return Outcome(code, before, results, err.getvalue())
    after = from_resource_list(pipeline.with_function_config(out.getvalue(), None))
    if "Kptfile" in before:  # eval does not send the Kptfile; it stays as it was
        after = {**after, "Kptfile": before["Kptfile"]}
    return Outcome(code, after, results, err.getvalue())


# --- kpt ------------------------------------------------------------------------------
def kpt_binary() -> str | None:
    return shutil.which("kpt")


def run_kpt(case: Case, workdir: Path) -> Outcome:
    package = workdir / "pkg"
    shutil.copytree(case.root, package, ignore=shutil.ignore_patterns(".expected"))
    results_dir = workdir / "results"
    results_dir.mkdir()
    kpt = kpt_binary()
    assert kpt is not None
    if case.test_type == "render":
        command = [kpt, "fn", "render", str(package), "--allow-exec", "--results-dir", str(results_dir)]
    else:
        command = [kpt, "fn", "eval", str(package), "--exec", str(BIN / case.function)]
        command += ["--results-dir", str(results_dir)]
        if case.fn_config:
            command += ["--fn-config", str(package / case.fn_config)]
        if case.args:
            command += ["--", *(f"{k}={v}" for k, v in case.args.items())]
    proc = subprocess.run(command, capture_output=True, text=True, env=env(), cwd=workdir, check=False)
    results: list[dict[str, Any]] = []
    results_file = results_dir / "results.yaml"
    if results_file.exists():
        for item in (yamlio.load(results_file.read_text()) or {}).get("items") or []:
            results.extend(item.get("results") or [])
    return Outcome(proc.returncode, package_files(package), results, proc.stdout + proc.stderr)


# --- kustomize -------------------------------------------------------------------------
def run_kustomize(case: Case, workdir: Path) -> tuple[int, list[dict[str, Any]], str]:
    """kustomize output after running the case's function(s) as exec plugins."""
    from o2krm.tools import kustomize

    before = package_files(case.root)
    resources = [path for path in before if not path.endswith("Kptfile") and path != case.fn_config]
    for path in resources:
        target = workdir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(before[path])
    if case.test_type == "render":
        steps = kustomize.pipeline_steps(yamlio.load(before["Kptfile"]))
        steps = [kustomize.Step(str(BIN / Path(s.executable).name), s.config, s.validator) for s in steps]
    else:
        config = case.config_object(before) or {}
        data = config.get("data") or config.get("spec") or {}
        data = {str(k): str(v) for k, v in data.items()}
        steps = [kustomize.Step(str(BIN / case.function), data, validator=function(case.function).validator)]
    plugins = kustomize.write_kustomization(workdir, resources, steps)
    proc = kustomize.build(workdir, plugins, env())
    docs = [d for d in yamlio.load_all(proc.stdout) if d] if proc.returncode == 0 else []
    return proc.returncode, docs, proc.stderr
