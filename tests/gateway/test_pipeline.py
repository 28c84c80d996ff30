"""o2krm.tools.pipeline: the in-process Kptfile pipeline renders exactly what kpt renders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from o2krm.gateway.blueprints import BlueprintCatalog, load_blueprint
from o2krm.tools import pipeline
from tests.gateway.conftest import REPO, seed_intent

PACKAGES = sorted(p.parent.name for p in (REPO / "packages").glob("*/Kptfile"))


@pytest.mark.parametrize("name", PACKAGES)
def test_rendering_a_committed_package_changes_no_byte(name: str) -> None:
    files = pipeline.read_package(REPO / "packages" / name)
    rendered = pipeline.render(files)
    assert rendered.ok, rendered.message
    assert rendered.files == files
    assert [step.function for step in rendered.steps] == [
        "intent-translate", "pr-generate", "network-config", "slo-gate-inject", "policy-validate",
    ]  # fmt: skip


def test_blueprint_inputs_render_into_the_committed_package() -> None:
    """The blueprint without its outputs, plus its own intent, renders into the committed files."""
    blueprint = load_blueprint(REPO / "packages" / "edge-ran")
    assert sorted(blueprint.files) == ["Kptfile", "sites.yaml", "templates.yaml"]
    committed = pipeline.read_package(REPO / "packages" / "edge-ran")
    files = {**blueprint.files, "intent.yaml": committed["intent.yaml"]}
    rendered = pipeline.render(files)
    assert rendered.ok
    assert rendered.files == committed


@pytest.mark.kpt
@pytest.mark.skipif(shutil.which("kpt") is None, reason="kpt is not installed")
def test_kpt_engine_renders_the_same_package() -> None:
    blueprint = BlueprintCatalog(REPO / "packages").get("edge-ran")
    assert blueprint is not None
    files = blueprint.package_for("kpt-check", seed_intent("kpt-check"))
    in_process = pipeline.render(files)
    with_kpt = pipeline.render(files, engine="kpt")
    assert in_process.ok and with_kpt.ok, with_kpt.message
    assert with_kpt.files == in_process.files


def test_a_failing_step_stops_the_render_and_keeps_the_input() -> None:
    blueprint = load_blueprint(REPO / "packages" / "edge-ran")
    intent = seed_intent("nowhere")
    intent["spec"]["intentExpectations"][0]["expectationTargets"] = [{"targetName": "edge-cluster-atlantis-1"}]
    files = blueprint.package_for("nowhere", intent)
    rendered = pipeline.render(files)
    assert not rendered.ok
    assert rendered.files == files
    assert [s.function for s in rendered.steps] == ["intent-translate", "pr-generate"]
    assert rendered.steps[-1].exit_code == 1
    assert rendered.message.startswith("pr-generate: ")
    assert any("edge-cluster-atlantis-1" in e["message"] for e in rendered.errors)


def test_step_config_reaches_the_function() -> None:
    files = {
        "Kptfile": "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: p\npipeline:\n  mutators:\n"
        "  - image: ghcr.io/o2krm/set-labels:v0.1.0\n    configMap:\n      team: ran\n",
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm # keep me\ndata:\n  a: b\n",
    }
    rendered = pipeline.render(files)
    assert rendered.ok, rendered.message
    assert rendered.files["cm.yaml"] == (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm # keep me\n  labels:\n    team: ran\ndata:\n  a: b\n"
    )


@pytest.mark.parametrize(
    ("kptfile", "words"),
    [
        ("kind: Kptfile\npipeline:\n  mutators:\n  - exec: not-ours\n", "not one of this project's functions"),
        ("kind: Kptfile\npipeline:\n  mutators:\n  - image: gcr.io/kpt-fn/apply-replacements:v0.1\n", "engine kpt"),
        ("kind: Kptfile\npipeline:\n  mutators:\n  - exec: set-labels\n    configPath: c.yaml\n", "configPath"),
        ("kind: Kptfile\npipeline: [1]\n", "must be a mapping"),
        ("kind: Deployment\n", "kind Kptfile expected"),
        ("kind: [unclosed\n", "not valid YAML"),
    ],
)
def test_pipelines_that_cannot_run_in_process(kptfile: str, words: str) -> None:
    with pytest.raises(pipeline.PipelineError, match=words):
        pipeline.pipeline_steps(kptfile)


def test_read_package_needs_a_kptfile(tmp_path: Path) -> None:
    with pytest.raises(pipeline.PipelineError, match="no Kptfile"):
        pipeline.read_package(tmp_path)
