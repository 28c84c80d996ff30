"""Exec <-> image Kptfiles: the documented switch between local renders and Porch."""

from __future__ import annotations

from pathlib import Path

import pytest

from o2krm.sdk import yamlio
from o2krm.tools.kptfile import FUNCTIONS, function_of, image_of, main, switch
from tests.harness.cases import FNS, REPO

PACKAGES = sorted(p.parent for p in (REPO / "packages").glob("*/Kptfile"))


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_switch_round_trips_and_names_the_catalog_images(package: Path) -> None:
    text = (package / "Kptfile").read_text()
    images = switch(text, "image")
    steps = yamlio.load(images)["pipeline"]
    names = [s["image"] for section in ("mutators", "validators") for s in steps.get(section, [])]
    assert names and all(n.startswith("ghcr.io/o2krm/") for n in names)
    assert switch(images, "exec") == text
    assert "config.kubernetes.io/local-config" in images  # the rest is untouched


def test_entries_keep_their_place_and_config() -> None:
    text = "pipeline:\n  mutators:\n  - exec: pr-generate   # sizing\n    configMap:\n      a: b\n  - exec: my-own-fn\n"
    images = switch(text, "image")
    assert images.startswith("pipeline:\n  mutators:\n  - image: ghcr.io/o2krm/pr-generate:v")
    assert "# sizing\n    configMap:\n      a: b\n  - exec: my-own-fn\n" in images
    assert switch(images, "exec") == text


def test_images_match_each_functions_metadata() -> None:
    for name in FUNCTIONS:
        metadata = yamlio.load((FNS / name.replace("-", "_") / "metadata.yaml").read_text())
        assert metadata["image"] == image_of(name)
        assert function_of(image_of(name)) == name
    assert function_of("docker.io/other/pr-generate:v1") is None


def test_cli_rewrites_in_place_and_reports_missing_kptfile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "Kptfile").write_text((PACKAGES[0] / "Kptfile").read_text())
    assert main([str(tmp_path), "--to", "image"]) == 0
    assert "image: ghcr.io/o2krm/intent-translate:v" in (tmp_path / "Kptfile").read_text()
    assert main([str(tmp_path / "missing"), "--to", "image"]) == 1
    assert "No such file" in capsys.readouterr().err
