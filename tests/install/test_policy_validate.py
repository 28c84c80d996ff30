"""policy-validate, o2krm's own validator, passes the install set with zero errors and zero warnings:
schemas (built-in kinds, the CRDs, Kyverno's ClusterPolicy), RBAC, network and supply chain."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.install.support import INSTALL, SPECS, default_render, documents, run

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("o2krm.fns.policy_validate") is None,
    reason="policy-validate (o2krm.fns.policy_validate) is not importable yet",
)


def _policy_validate(manifests: str) -> tuple[int, list[dict[str, Any]], str]:
    """Run the policy-validate console script over the manifests as one ResourceList."""
    command = shutil.which("policy-validate") or shutil.which("policy-validate", path=str(Path(sys.executable).parent))
    if command is None:
        pytest.fail("the policy-validate console script is not installed: run `make install`")
    resource_list = {
        "apiVersion": "config.kubernetes.io/v1",
        "kind": "ResourceList",
        "items": documents(manifests),
    }
    done = subprocess.run(
        [command], input=yaml.safe_dump(resource_list, sort_keys=False), capture_output=True, text=True, check=False
    )
    output = yaml.safe_load(done.stdout) if done.stdout.strip() else {}
    return done.returncode, (output or {}).get("results") or [], done.stderr


def _render(*args: str) -> str:
    done = run(INSTALL, "--dry-run", *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize(
    "manifests",
    [
        pytest.param(default_render, id="default"),
        pytest.param(
            lambda: _render("--namespace", "ran-ops", "--api-server-cidr", "10.0.0.1", "--skip-o2ims-crd"),
            id="custom-namespace",
        ),
    ],
)
def test_policy_validate_reports_nothing_on_the_install_set(manifests: Any) -> None:
    code, results, stderr = _policy_validate(manifests())
    findings = [(r.get("severity"), r.get("tags", {}).get("rule"), r.get("message")) for r in results]
    if SPECS is None:  # without the specs there is no Kyverno CRD, so ClusterPolicy has no schema
        findings = [f for f in findings if f[1] != "schema.unknown-kind"]
    assert findings == [], stderr
    assert code == 0, stderr


def test_an_o2krm_image_next_to_the_policy_needs_no_digest() -> None:
    """policy-validate's supply-chain rule counts the install's ClusterPolicy as verifying o2krm images."""
    from o2krm.oran.policy import validate

    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "fn", "namespace": "o2ims-system"},
        "spec": {
            "selector": {"matchLabels": {"app": "fn"}},
            "template": {
                "metadata": {"labels": {"app": "fn"}},
                "spec": {"containers": [{"name": "fn", "image": "ghcr.io/o2krm/pr-generate:v0.1.0"}]},
            },
        },
    }
    policy = [d for d in documents(default_render()) if d["kind"] == "ClusterPolicy"]

    def rules(resources: list[dict[str, Any]]) -> set[str | None]:
        return {finding.rule for _, finding in validate(resources)}

    assert "supply-chain.image-not-pinned" in rules([deployment])
    assert "supply-chain.image-not-pinned" not in rules([deployment, *policy])
