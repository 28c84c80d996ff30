"""The render checks: kpt (when installed) and kustomize (always)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from o2krm.porch import checks
from o2krm.porch.checks import CheckReport, RenderCheck, exec_kptfile, image_function

needs_kpt = pytest.mark.skipif(shutil.which("kpt") is None, reason="kpt is not installed")

ENGINES = [
    pytest.param(checks.kustomize_render_check, id="kustomize"),
    pytest.param(checks.kpt_render_check, id="kpt", marks=[needs_kpt, pytest.mark.kpt]),
]


@pytest.mark.parametrize("check", ENGINES)
def test_unrendered_package_is_reported(check: RenderCheck, package: Path) -> None:
    kptfile = package / "Kptfile"
    kptfile.write_text(kptfile.read_text().replace("team: ran", "team: core"))
    report = check(package)
    assert not report.ok
    if check is checks.kpt_render_check:
        assert report.problems == (
            "rendering changes cu-cp.yaml (line 6: 'team: ran' -> 'team: core')",
            "rendering changes sites/catalog.yaml (line 6: 'team: ran' -> 'team: core')",
        )
    else:
        assert report.problems == ("rendering changes ConfigMap/cu-cp (v1)", "rendering changes ConfigMap/sites (v1)")


@pytest.mark.parametrize("check", ENGINES)
def test_failing_function_is_reported(check: RenderCheck, package: Path) -> None:
    kptfile = package / "Kptfile"
    kptfile.write_text(kptfile.read_text().replace("team: ran", '"Not A Key!": x'))
    report = check(package)
    assert not report.ok
    assert "'Not A Key!' is not a valid label key" in "\n".join(report.problems)
    assert str(package) in report.problems[0] or "failed" in report.problems[0]


@pytest.mark.parametrize("check", ENGINES)
def test_rendered_package_with_image_entries_passes(check: RenderCheck, package: Path) -> None:
    # Image entries of this project's functions run as the local console scripts.
    kptfile = package / "Kptfile"
    kptfile.write_text(kptfile.read_text().replace("- exec: set-labels", "- image: ghcr.io/o2krm/set-labels:v0.1.0"))
    assert check(package).problems == ()
    assert "image: ghcr.io/o2krm/set-labels:v0.1.0" in kptfile.read_text()  # the package itself is untouched


def test_kustomize_check_reports_added_and_removed_resources(package: Path) -> None:
    # A generator's output missing from the package shows up as a resource rendering adds.
    before = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}]
    after = [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b", "namespace": "ran"}},
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "a", "annotations": {"config.kubernetes.io/path": "x"}},
        },
    ]
    assert checks._resource_changes(before, after) == ["rendering adds ConfigMap/ran/b (v1)"]
    assert checks._resource_changes(after, before) == ["rendering removes ConfigMap/ran/b (v1)"]


def test_image_function_names_only_this_projects_functions() -> None:
    assert image_function("ghcr.io/o2krm/pr-generate:v0.1.0") == "pr-generate"
    assert image_function("registry.local:5000/team/set-labels@sha256:abc") == "set-labels"
    assert image_function("set-labels") == "set-labels"
    assert image_function("ghcr.io/kptdev/krm-functions-catalog/set-namespace:v0.4") is None


def test_exec_kptfile_keeps_foreign_images_and_exec_entries() -> None:
    kptfile = {
        "pipeline": {
            "mutators": [
                {"image": "ghcr.io/o2krm/set-labels:v0.1.0", "configMap": {"team": "ran"}},
                {"image": "ghcr.io/kptdev/krm-functions-catalog/set-namespace:v0.4"},
                {"exec": "pr-generate"},
            ],
            "validators": [{"image": "ghcr.io/o2krm/set-labels:v0.1.0"}],
        }
    }
    swapped, images = exec_kptfile(kptfile)
    mutators = swapped["pipeline"]["mutators"]
    assert Path(mutators[0]["exec"]).name == "set-labels" and "image" not in mutators[0]
    assert mutators[0]["configMap"] == {"team": "ran"}
    assert mutators[1] == {"image": "ghcr.io/kptdev/krm-functions-catalog/set-namespace:v0.4"}
    assert mutators[2] == {"exec": "pr-generate"}
    assert images == ["ghcr.io/o2krm/set-labels:v0.1.0", "ghcr.io/o2krm/set-labels:v0.1.0"]


def test_default_check_follows_kpt_availability(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks.shutil, "which", lambda name: None)
    assert checks.default_render_check() is checks.kustomize_render_check
    monkeypatch.setattr(checks.shutil, "which", lambda name: "/usr/bin/kpt")
    assert checks.default_render_check() is checks.kpt_render_check


def test_report_ok() -> None:
    assert CheckReport("x").ok and not CheckReport("x", ("bad",)).ok
