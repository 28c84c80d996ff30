"""Render checks: a package is published only if rendering it again fails nothing and changes nothing.

A check is any callable ``(package_dir) -> CheckReport`` so tests and other tools can plug in
their own. The default renders a copy with ``kpt fn render`` when kpt is installed (and compares
every byte), else with ``o2krm-render --engine kustomize`` (and compares the resources, since
kustomize prints a stream rather than rewriting files). Validators in the Kptfile pipeline run
as part of the render, so a validation error refuses the package too.

Kptfiles written for Porch name functions by image. There is no container engine here, so
for the check (only) an image whose name is one of this project's functions runs as that
function's console script from the current environment instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from o2krm.sdk import yamlio

_TAIL = 12  # lines of a failing tool's output kept in a report
_ORCHESTRATOR_PREFIXES = ("config.kubernetes.io/", "internal.config.kubernetes.io/", "config.k8s.io/")
_LOCAL_CONFIG = "config.kubernetes.io/local-config"


@dataclass(frozen=True)
class CheckReport:
    engine: str
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


RenderCheck = Callable[[Path], CheckReport]


def default_render_check() -> RenderCheck:
    return kpt_render_check if shutil.which("kpt") else kustomize_render_check


# --- image entries -> exec entries ---------------------------------------------------------------
@cache
def function_scripts() -> dict[str, str]:
    """This project's KRM function console scripts: name -> executable (absolute when installed here)."""
    from importlib.metadata import entry_points

    bindir = Path(sys.executable).parent
    scripts: dict[str, str] = {}
    for ep in entry_points(group="console_scripts"):
        if ep.value.startswith("o2krm.fns."):
            path = bindir / ep.name
            scripts[ep.name] = str(path) if path.exists() else ep.name
    return scripts


def image_function(image: str) -> str | None:
    """The function an image reference names (``<registry>/<fn>:<tag>``), if it is one of ours."""
    name = image.rsplit("/", 1)[-1].split("@", 1)[0].split(":", 1)[0]
    return name if name in function_scripts() else None


def exec_kptfile(kptfile: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``kptfile`` with this project's image entries turned into exec entries, and those images."""
    swapped: list[str] = []
    pipeline = kptfile.get("pipeline")
    if not isinstance(pipeline, dict):
        return kptfile, swapped
    for section in ("mutators", "validators"):
        for entry in pipeline.get(section) or []:
            if not isinstance(entry, dict) or entry.get("exec") or not entry.get("image"):
                continue
            function = image_function(str(entry["image"]))
            if function:
                swapped.append(str(entry.pop("image")))
                entry["exec"] = function_scripts()[function]
    return kptfile, swapped


def _copy_for_render(package: Path, target: Path) -> None:
    shutil.copytree(package, target, ignore=shutil.ignore_patterns(".git"), symlinks=True)
    kptfile_path = target / "Kptfile"
    kptfile = yamlio.load(kptfile_path.read_text(encoding="utf-8"))
    if isinstance(kptfile, dict):
        kptfile, swapped = exec_kptfile(kptfile)
        if swapped:
            kptfile_path.write_text(yamlio.dump(kptfile), encoding="utf-8")


def _env() -> dict[str, str]:
    bindir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"}


def _tail(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return "\n".join(lines[-_TAIL:])


# --- kpt -------------------------------------------------------------------------------------------
def kpt_render_check(package: Path) -> CheckReport:
    engine = "kpt fn render"
    with tempfile.TemporaryDirectory(prefix="o2krm-check-") as tmp:
        copy = Path(tmp) / package.resolve().name
        _copy_for_render(package, copy)
        before = _snapshot(copy)
        results_dir = Path(tmp) / "results"
        results_dir.mkdir()
        command = ["kpt", "fn", "render", str(copy), "--allow-exec", "--results-dir", str(results_dir)]
        proc = subprocess.run(command, capture_output=True, text=True, env=_env(), cwd=tmp, check=False)
        problems = [f"result: {message}" for message in _result_errors(results_dir / "results.yaml")]
        if proc.returncode != 0:
            output = _tail(proc.stderr + proc.stdout).replace(str(copy), str(package))
            problems.insert(0, f"kpt fn render failed (exit {proc.returncode}):\n{output}")
            return CheckReport(engine, tuple(problems))
        problems.extend(_file_changes(before, _snapshot(copy)))
    return CheckReport(engine, tuple(problems))


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def _file_changes(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    changes: list[str] = []
    for path in sorted(set(before) | set(after)):
        if path not in after:
            changes.append(f"rendering deletes {path}")
        elif path not in before:
            changes.append(f"rendering creates {path}")
        elif before[path] != after[path]:
            changes.append(f"rendering changes {path}{_first_difference(before[path], after[path])}")
    return changes


def _first_difference(before: bytes, after: bytes) -> str:
    old = before.decode("utf-8", "replace").splitlines()
    new = after.decode("utf-8", "replace").splitlines()
    for number, (line, rendered) in enumerate(zip(old, new, strict=False), start=1):
        if line != rendered:
            return f" (line {number}: {line.strip()!r} -> {rendered.strip()!r})"
    if len(old) != len(new):
        return f" ({len(old)} -> {len(new)} lines)"
    return " (line endings or trailing newline)"


def _result_errors(results_file: Path) -> list[str]:
    if not results_file.is_file():
        return []
    data = yamlio.load(results_file.read_text(encoding="utf-8")) or {}
    errors: list[str] = []
    for item in data.get("items") or []:
        function = item.get("image") or item.get("exec") or "function"
        for result in item.get("results") or []:
            if str(result.get("severity", "")).lower() == "error":
                errors.append(f"{Path(str(function)).name}: {_describe_result(result)}")
    return errors


def _describe_result(result: dict[str, Any]) -> str:
    message = str(result.get("message", "")).strip()
    ref = result.get("resourceRef") or {}
    field = (result.get("field") or {}).get("path")
    where = "/".join(str(ref[k]) for k in ("kind", "name") if ref.get(k))
    if field:
        where = f"{where} {field}".strip()
    return f"{where}: {message}" if where else message


# --- kustomize -------------------------------------------------------------------------------------
def kustomize_render_check(package: Path) -> CheckReport:
    engine = "o2krm-render --engine kustomize"
    with tempfile.TemporaryDirectory(prefix="o2krm-check-") as tmp:
        copy = Path(tmp) / "source" / package.resolve().name
        _copy_for_render(package, copy)
        out = Path(tmp) / "out"
        command = [sys.executable, "-m", "o2krm.tools.render", str(copy), "--engine", "kustomize"]
        command += ["--out", str(out), "--quiet"]
        proc = subprocess.run(command, capture_output=True, text=True, env=_env(), cwd=tmp, check=False)
        rendered = out / "rendered.yaml"
        if proc.returncode != 0 or not rendered.is_file():
            output = _tail(proc.stderr + proc.stdout).replace(str(copy), str(package))
            return CheckReport(engine, (f"rendering failed (exit {proc.returncode}):\n{output}",))
        after = [d for d in yamlio.load_all(rendered.read_text(encoding="utf-8")) if isinstance(d, dict)]
    before = [d for d in _package_resources(package) if not _is_local_config(d)]
    return CheckReport(engine, tuple(_resource_changes(before, after)))


def _package_resources(package: Path) -> Iterator[dict[str, Any]]:
    # The files o2krm-render hands kustomize: YAML outside hidden directories, no kustomization.yaml.
    for path in sorted(package.rglob("*.y*ml")):
        relative = path.relative_to(package)
        if path.name == "kustomization.yaml" or any(part.startswith(".") for part in relative.parts):
            continue
        for doc in yamlio.load_all(path.read_text(encoding="utf-8")):
            if isinstance(doc, dict):
                yield doc


def _is_local_config(resource: dict[str, Any]) -> bool:
    annotations = (resource.get("metadata") or {}).get("annotations") or {}
    return str(annotations.get(_LOCAL_CONFIG, "false")).lower() == "true"


def _identity(resource: dict[str, Any]) -> str:
    meta = resource.get("metadata") or {}
    namespace = f"{meta['namespace']}/" if meta.get("namespace") else ""
    return f"{resource.get('kind')}/{namespace}{meta.get('name')} ({resource.get('apiVersion')})"


def _canonical(resource: dict[str, Any]) -> str:
    meta = dict(resource.get("metadata") or {})
    annotations = {
        k: v for k, v in (meta.pop("annotations", None) or {}).items() if not k.startswith(_ORCHESTRATOR_PREFIXES)
    }
    if annotations:
        meta["annotations"] = annotations
    return json.dumps({**resource, "metadata": meta}, sort_keys=True, default=str)


def _resource_changes(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[str]:
    old = Counter((_identity(r), _canonical(r)) for r in before)
    new = Counter((_identity(r), _canonical(r)) for r in after)
    removed = {identity for identity, _ in old - new}
    added = {identity for identity, _ in new - old}
    changes = [f"rendering changes {i}" for i in sorted(removed & added)]
    changes += [f"rendering removes {i}" for i in sorted(removed - added)]
    changes += [f"rendering adds {i}" for i in sorted(added - removed)]
    return changes
