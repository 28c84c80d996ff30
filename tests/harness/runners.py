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

from .cases import Case, functions
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
        steps = _pipeline(before.get("Kptfile", ""))
        text = to_resource_list(before, include_kptfile=True, config=None)
        results: list[dict[str, Any]] = []
        code = 0
        for name, config, validator in steps:
            stage = _swap_config(text, config)
            code, out, err = _call(name, stage)
            data = yamlio.load(out) or {}
            results.extend(data.get("results") or [])
            if code != 0:
                return Outcome(code, before, results, err)
            if not validator:
                text = _swap_config(out, None)
        return Outcome(code, _with_unchanged(before, from_resource_list(text)), results)
    config = case.config_object(before)
    text = to_resource_list(before, include_kptfile=False, config=config)
    code, out, err = _call(case.function, text)
    data = yamlio.load(out) or {}
    results = data.get("results") or []
    if code != 0:
        return Outcome(code, before, results, err)
    after = from_resource_list(_swap_config(out, None))
    return Outcome(code, _with_unchanged(before, after, keep_kptfile=True), results, err)


def _call(name: str, text: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = functions()[name].run([], io.StringIO(text), out, err)
    return code, out.getvalue(), err.getvalue()


def _with_unchanged(before: dict[str, str], after: dict[str, str], keep_kptfile: bool = False) -> dict[str, str]:
    # Files whose every resource was removed disappear, as kpt deletes them.
    if keep_kptfile and "Kptfile" in before:
        after = {**after, "Kptfile": before["Kptfile"]}
    return after


def _pipeline(kptfile: str) -> list[tuple[str, dict[str, Any] | None, bool]]:
    data = yamlio.load(kptfile) or {}
    pipeline = data.get("pipeline") or {}
    steps = []
    for kind, validator in (("mutators", False), ("validators", True)):
        for step in pipeline.get(kind) or []:
            name = step.get("exec") or step.get("image", "").rsplit("/", 1)[-1].split(":")[0]
            config = None
            if step.get("configMap"):
                config = {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "function-input"},
                    "data": step["configMap"],
                }
            elif step.get("configPath"):
                raise NotImplementedError("configPath in golden render cases: use configMap or eval cases")
            steps.append((Path(name).name, config, validator))
    return steps


def _swap_config(text: str, config: dict[str, Any] | None) -> str:
    head, sep, _ = text.partition("\nfunctionConfig:")
    if sep:
        head, _, _ = (head + "\n").partition("\nresults:")
    else:
        head, _, _ = text.partition("\nresults:")
    head = head.rstrip("\n") + "\n"
    return head + (yamlio.dump({"functionConfig": config}) if config else "")


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
def kubectl_binary() -> str | None:
    local = BIN / "kubectl"
    return str(local) if local.exists() else shutil.which("kubectl")


def run_kustomize(case: Case, workdir: Path) -> tuple[int, list[dict[str, Any]], str]:
    """kustomize output (non-local resources) after running the case's function(s) as exec plugins."""
    before = package_files(case.root)
    resources = [path for path in before if not path.endswith("Kptfile") and path != case.fn_config]
    for path in resources:
        target = workdir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(before[path])
    transformers: list[str] = []
    validators: list[str] = []
    if case.test_type == "render":
        steps = _pipeline(before.get("Kptfile", ""))
    else:
        steps = [(case.function, case.config_object(before), False)]
    plugins = workdir / "plugins"
    for number, (name, config, validator) in enumerate(steps):
        # kubectl's kustomize cannot run exec KRM functions (it has no --enable-exec), but it
        # runs exec plugins: an executable at plugins/<group>/<version>/<kind>/<Kind> that gets
        # its config file as the first argument and the resources as a YAML stream.
        kind = f"Step{number}"
        plugin = plugins / "fn.o2krm.io" / "v1" / kind.lower() / kind
        plugin.parent.mkdir(parents=True)
        plugin.symlink_to(BIN / name)
        data = (config or {}).get("data") or {}
        step_config = {"apiVersion": "fn.o2krm.io/v1", "kind": kind, "metadata": {"name": f"fn-{number}"}}
        if data:
            step_config["spec"] = data
        file = f"fn-{number}.yaml"
        (workdir / file).write_text(yamlio.dump(step_config))
        (validators if validator else transformers).append(file)
    kustomization = {"resources": resources, "transformers": transformers}
    if validators:
        kustomization["validators"] = validators
    (workdir / "kustomization.yaml").write_text(yamlio.dump(kustomization))
    kubectl = kubectl_binary()
    assert kubectl is not None
    proc = subprocess.run(
        [kubectl, "kustomize", "--enable-alpha-plugins", str(workdir)],
        capture_output=True,
        text=True,
        env={**env(), "KUSTOMIZE_PLUGIN_HOME": str(plugins)},
        check=False,
    )
    docs = [d for d in yamlio.load_all(proc.stdout) if d] if proc.returncode == 0 else []
    return proc.returncode, docs, proc.stderr
