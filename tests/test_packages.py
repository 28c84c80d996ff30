"""The blueprint packages: rendered output is committed, and rendering again changes nothing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from o2krm.sdk import yamlio
from tests.harness.cases import REPO, Case
from tests.harness.package import identity, normalise, package_files, resources
from tests.harness.runners import env, kpt_binary, run_in_process, run_kustomize

PACKAGES = sorted(p.parent for p in (REPO / "packages").glob("*/Kptfile"))


def test_blueprints_exist() -> None:
    assert {p.name for p in PACKAGES} >= {"edge-ran", "multi-site-edge", "urllc-scaling"}


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_in_process_render_changes_nothing(package: Path) -> None:
    outcome = run_in_process(Case(function="", root=package, test_type="render"))
    assert outcome.exit_code == 0, outcome.stderr
    assert [r for r in outcome.results if r.get("severity") == "error"] == []
    assert outcome.files == package_files(package)


@pytest.mark.kpt
@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_kpt_render_changes_nothing(package: Path, tmp_path: Path) -> None:
    if kpt_binary() is None:
        pytest.skip("kpt is not installed on this machine: kpt render of the blueprints not run")
    copy = tmp_path / package.name
    shutil.copytree(package, copy)
    proc = subprocess.run(
        ["kpt", "fn", "render", str(copy), "--allow-exec"], capture_output=True, text=True, env=env(), check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert package_files(copy) == package_files(package)


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_kustomize_renders_the_same_resources(package: Path, tmp_path: Path) -> None:
    code, docs, stderr = run_kustomize(Case(function="", root=package, test_type="render"), tmp_path)
    assert code == 0, stderr
    expected = [
        r
        for r in resources(package_files(package))
        if r["kind"] != "Kptfile"
        and (r["metadata"].get("annotations") or {}).get("config.kubernetes.io/local-config") != "true"
    ]
    assert sorted((normalise(d) for d in docs), key=identity) == expected


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_every_request_has_its_gate_job_and_network(package: Path) -> None:
    found = resources(package_files(package))
    requests = {r["metadata"]["name"] for r in found if r["kind"] == "ProvisioningRequest"}
    gates = {r["spec"]["provisioningRequestRef"]["name"] for r in found if r["kind"] == "SLOGate"}
    jobs = {r["metadata"]["name"] for r in found if r["kind"] == "MeasurementJob"}
    assert requests and requests == gates == jobs
    for r in found:
        if r["kind"] == "ProvisioningRequest":
            assert {"vlan", "subnet", "gateway"} <= set(r["spec"]["templateParameters"]["networkConfig"])
    assert yamlio.load((package / "Kptfile").read_text())["pipeline"]["validators"][0]["exec"] == "policy-validate"


@pytest.mark.kpt
def test_the_repository_is_a_package_of_packages() -> None:
    if kpt_binary() is None:
        pytest.skip("kpt is not installed on this machine: kpt pkg tree not run")
    tree = subprocess.run(["kpt", "pkg", "tree", str(REPO)], capture_output=True, text=True, check=True).stdout
    assert tree.startswith(f'Package "{REPO.name}"') or "Kptfile  Kptfile o2krm" in tree
    for package in PACKAGES:
        assert f'Package "{package.name}"' in tree
