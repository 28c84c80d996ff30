"""Render a kpt package with its Kptfile pipeline: in-process (fast), or with ``kpt fn render``.

In-process, each step is the function's ``KrmFunction.run`` over the ResourceList that kpt
would send it: every YAML document of the package (the Kptfile included) as an item carrying
its path and index annotations, and the step's ``configMap`` as a ``function-input``
ConfigMap. A mutator's output feeds the next step; a validator's output is discarded. The
first step that fails (exit code other than 0) stops the render and the package is left as it
was, as kpt does. The output items go back to files the way kpt writes them: grouped by their
path annotation, in index order, with the orchestrator annotations removed.

Only this project's functions run in-process: ``exec: <fn>`` entries, and ``image:`` entries
whose image name is one of them (``ghcr.io/o2krm/pr-generate:v0.1.0``). Anything else needs
``engine="kpt"``.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from o2krm.sdk import yamlio

if TYPE_CHECKING:
    from o2krm.sdk.kubeobject import KubeObject
    from o2krm.sdk.resourcelist import ResourceList
    from o2krm.sdk.runner import KrmFunction

KPTFILE = "Kptfile"
ENGINES = ("in-process", "kpt")
_SKIP_DIRS = frozenset({".expected", ".git"})
_PATH = "internal.config.kubernetes.io/path"
_INDEX = "internal.config.kubernetes.io/index"
_LEGACY_PATH = "config.kubernetes.io/path"
_LEGACY_INDEX = "config.kubernetes.io/index"
_ORCHESTRATOR_ANNOTATIONS = (_PATH, _INDEX, _LEGACY_PATH, _LEGACY_INDEX)
_FUNCTION_PACKAGE = "o2krm.fns"


class PipelineError(Exception):
    """The package or its pipeline cannot be run at all (as opposed to a step that fails)."""


@dataclass(frozen=True)
class Step:
    function: str  # console script name, e.g. "pr-generate"
    config: Mapping[str, str] = field(default_factory=dict)  # the step's configMap
    validator: bool = False


@dataclass(frozen=True)
class StepReport:
    function: str
    exit_code: int
    results: tuple[dict[str, Any], ...]
    stderr: str
    seconds: float


@dataclass(frozen=True)
class Rendered:
    """The outcome of a render. ``files`` is the rendered package, or the input when it failed."""

    ok: bool
    files: dict[str, str]
    steps: tuple[StepReport, ...]
    engine: str
    message: str = ""  # why it failed, in one line
    parsed: tuple[dict[str, Any], ...] | None = field(default=None, repr=False, compare=False)

    @property
    def resources(self) -> list[dict[str, Any]]:
        """The resources of ``files`` as data, in file and document order."""
        if self.parsed is not None:
            return list(self.parsed)
        loaded = (yamlio.load(d) for text in self.files.values() for d in split_documents(text))
        return [resource for resource in loaded if isinstance(resource, dict)]

    @property
    def results(self) -> list[dict[str, Any]]:
        return [result for step in self.steps for result in step.results]

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [result for result in self.results if result.get("severity", "error") == "error"]


# --- packages on disk ------------------------------------------------------------------------------
def read_package(root: Path, *, require_kptfile: bool = True) -> dict[str, str]:
    """Every YAML file of the package and its Kptfile (relative path -> text), in path order."""
    if require_kptfile and not (root / KPTFILE).is_file():
        raise PipelineError(f"{root} is not a kpt package (no Kptfile)")
    files: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        for name in sorted(filenames):
            if name.endswith((".yaml", ".yml")) or name == KPTFILE:
                path = Path(dirpath, name)
                files[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
    return files


def write_package(files: Mapping[str, str], root: Path) -> None:
    """Write ``files`` under ``root`` (created if needed)."""
    for relative, text in sorted(files.items()):
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


# --- the pipeline -------------------------------------------------------------------------------
def pipeline_steps(kptfile_text: str) -> list[Step]:
    """The steps of a Kptfile pipeline, mutators first. Raises PipelineError for what cannot run here."""
    try:
        kptfile = yamlio.load(kptfile_text)
    except yamlio.YAMLError as exc:
        raise PipelineError(f"Kptfile is not valid YAML: {exc}") from None
    if not isinstance(kptfile, dict) or kptfile.get("kind") != "Kptfile":
        raise PipelineError("Kptfile: kind Kptfile expected")
    pipeline = kptfile.get("pipeline") or {}
    if not isinstance(pipeline, dict):
        raise PipelineError("Kptfile pipeline: must be a mapping")
    steps: list[Step] = []
    for section, validator in (("mutators", False), ("validators", True)):
        for number, entry in enumerate(pipeline.get(section) or []):
            where = f"Kptfile pipeline.{section}[{number}]"
            if not isinstance(entry, dict):
                raise PipelineError(f"{where}: must be a mapping")
            name = _function_name(entry)
            if name is None:
                raise PipelineError(f"{where}: {entry} is not one of this project's functions; use engine kpt")
            if entry.get("configPath"):
                raise PipelineError(f"{where}: configPath is not supported in-process; use configMap or engine kpt")
            config = entry.get("configMap") or {}
            steps.append(Step(name, {str(k): str(v) for k, v in config.items()}, validator))
    return steps


def _function_name(entry: Mapping[str, Any]) -> str | None:
    reference = entry.get("exec") or entry.get("image")
    if not isinstance(reference, str) or not reference:
        return None
    name = reference.rsplit("/", 1)[-1].split("@", 1)[0]
    if entry.get("image"):
        name = name.split(":", 1)[0]
    return name if _function_module(name) is not None else None


@cache
def _function_module(name: str) -> str | None:
    import importlib.util

    module = f"{_FUNCTION_PACKAGE}.{name.replace('-', '_')}"
    try:
        return module if importlib.util.find_spec(module) is not None else None
    except (ImportError, ValueError):
        return None


def function(name: str) -> KrmFunction:
    """The KrmFunction declared by this project's function ``name`` (console script name)."""
    import importlib

    module = _function_module(name)
    if module is None:
        raise PipelineError(f"unknown function {name!r}")
    declared: KrmFunction = importlib.import_module(module).FUNCTION
    return declared


def warm_up(files: Mapping[str, str]) -> None:
    """Import every function the package's pipeline names (and what they import lazily) by
    rendering it once, so that the first real render is not the slow one."""
    render_in_process(files)


# --- rendering -------------------------------------------------------------------------------
def render(files: Mapping[str, str], *, engine: str = "in-process") -> Rendered:
    if engine == "in-process":
        return render_in_process(files)
    if engine == "kpt":
        return render_with_kpt(files)
    raise PipelineError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")


def render_in_process(files: Mapping[str, str]) -> Rendered:
    """The Kptfile pipeline run in this process, step by step on one ResourceList: what each
    function reads is what it would read from the previous one's output through a pipe (see
    ResourceList.settle), without writing and reading the whole list between steps."""
    from o2krm.sdk.resourcelist import ResourceList

    if KPTFILE not in files:
        raise PipelineError("the package has no Kptfile")
    steps = pipeline_steps(files[KPTFILE])
    rl = ResourceList.parse(to_resource_list(files))
    reports: list[StepReport] = []
    for step in steps:
        started = time.perf_counter()
        code, results, err = _run_step(function(step.function), rl, step.config)
        reports.append(StepReport(step.function, code, tuple(results), err, time.perf_counter() - started))
        if code != 0:
            why = err.strip().splitlines()[0] if err.strip() else f"exit code {code}"
            return Rendered(False, dict(files), tuple(reports), "in-process", f"{step.function}: {why}")
    in_file_order = sorted(rl.items, key=lambda obj: (obj.path or "", obj.index))
    files = files_of(rl.items)  # (removes the path and index annotations)
    return Rendered(True, files, tuple(reports), "in-process", parsed=tuple(obj.data for obj in in_file_order))


def _run_step(fn: KrmFunction, rl: ResourceList, config: Mapping[str, str]) -> tuple[int, list[dict[str, Any]], str]:
    """One function on ``rl`` in place, as ``fn.run`` would on its text with ``config`` as the
    function-input ConfigMap: (exit code, results as written, stderr)."""
    from o2krm.sdk.kubeobject import KubeObject
    from o2krm.sdk.results import Results

    rl.function_config = KubeObject(function_input(config)) if config else None
    rl.results = Results()
    if not fn.has_work_on(rl):
        return 0, [], ""
    err = io.StringIO()
    failed = fn.apply(rl, stderr=err)
    results = _as_written([r.to_dict() for r in rl.results]) if rl.results else []
    err.write("".join(fn.error_lines(rl)))
    rl.settle()
    return (1 if failed else 0), results, err.getvalue()


def _as_written(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The results as the next reader of the function's output gets them: JSON-shaped ones are
    what they read back as (a copy); anything else is written and read back."""
    from o2krm.sdk.kubeobject import NotPlainData, _plain_copy

    try:
        return [r for r in _plain_copy(results) if isinstance(r, dict)]
    except NotPlainData:
        return _results(yamlio.dump({"results": results}))


def _results(output: str) -> list[dict[str, Any]]:
    _, sep, tail = ("\n" + output).partition("\nresults:")
    if not sep:
        return []
    data = yamlio.load("results:" + tail) or {}
    return [r for r in data.get("results") or [] if isinstance(r, dict)]


def render_with_kpt(files: Mapping[str, str]) -> Rendered:
    """``kpt fn render --allow-exec`` on a copy of the package (functions from this environment)."""
    kpt = shutil.which("kpt")
    if kpt is None:
        raise PipelineError("kpt not found on PATH; install kpt or use the in-process engine")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    with tempfile.TemporaryDirectory(prefix="o2krm-pipeline-") as tmp:
        package, results_dir = Path(tmp) / "pkg", Path(tmp) / "results"
        results_dir.mkdir()
        write_package(files, package)
        started = time.perf_counter()
        proc = subprocess.run(
            [kpt, "fn", "render", str(package), "--allow-exec", "--results-dir", str(results_dir)],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        seconds = time.perf_counter() - started
        results: list[dict[str, Any]] = []
        results_file = results_dir / "results.yaml"
        if results_file.exists():
            for item in (yamlio.load(results_file.read_text(encoding="utf-8")) or {}).get("items") or []:
                results.extend(r for r in item.get("results") or [] if isinstance(r, dict))
        report = StepReport("kpt fn render", proc.returncode, tuple(results), proc.stderr, seconds)
        if proc.returncode != 0:
            lines = [line for line in proc.stderr.splitlines() if line.strip()]
            return Rendered(False, dict(files), (report,), "kpt", lines[-1] if lines else "kpt fn render failed")
        return Rendered(True, read_package(package), (report,), "kpt")


# --- ResourceList <-> files -------------------------------------------------------------------
def to_resource_list(files: Mapping[str, str]) -> str:
    """The ResourceList kpt sends: every document as an item with its path/index annotations."""
    items = [_item(doc, path, index) for path, text in files.items() for index, doc in enumerate(split_documents(text))]
    head = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"
    return head + ("items:\n" + "".join(items) if items else "items: []\n")


def split_documents(text: str) -> list[str]:
    """The non-empty documents of a YAML stream, as text (comments kept)."""
    documents: list[str] = []
    current: list[str] = []
    for line in re.split(r"(?<=\n)", text):  # lines end at "\n" only, as YAML's do
        if line.rstrip() == "---":
            documents.append("".join(current))
            current = []
        else:
            current.append(line)
    documents.append("".join(current))
    return [d for d in documents if any(x.strip() and not x.lstrip().startswith("#") for x in d.split("\n"))]


@lru_cache(maxsize=4096)
def _item(document: str, path: str, index: int) -> str:
    """``document`` as a ResourceList item with the orchestrator annotations added in place
    (the rest of its text unchanged). Cached: a blueprint's documents repeat across renders."""
    from o2krm.sdk.patch import patch_text

    node = yamlio.compose(document)
    if node is None:
        raise PipelineError(f"{path}: document {index} is empty")
    original = yamlio.construct(document, node)
    if not isinstance(original, dict):
        raise PipelineError(f"{path}: document {index} is not a mapping (a KRM object must be one)")
    changed = yamlio.construct(document, node)
    metadata = changed.setdefault("metadata", {})
    if not isinstance(metadata, dict):
        raise PipelineError(f"{path}: document {index}: metadata is not a mapping")
    annotations = metadata.setdefault("annotations", {})
    annotations.update({_LEGACY_INDEX: str(index), _LEGACY_PATH: path, _INDEX: str(index), _PATH: path})
    text = patch_text(document, node, original, changed)
    first, newline, rest = text.partition("\n")
    return "- " + first + newline + yamlio.indent(rest, 2)


def with_function_config(text: str, config: Mapping[str, str] | None) -> str:
    """``text`` (a ResourceList) without its functionConfig and results, plus ``config`` as the
    function-input ConfigMap when given."""
    head, sep, _ = text.partition("\nfunctionConfig:")
    if sep:
        head, _, _ = (head + "\n").partition("\nresults:")
    else:
        head, _, _ = text.partition("\nresults:")
    head = head.rstrip("\n") + "\n"
    if not config:
        return head
    return head + yamlio.dump({"functionConfig": function_input(config)})


def function_input(config: Mapping[str, str]) -> dict[str, Any]:
    """``config`` as the ConfigMap kpt hands a function for a ``configMap`` in the Kptfile."""
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "function-input"}, "data": dict(config)}


def from_resource_list(text: str) -> dict[str, str]:
    """The files the items of ``text`` go to (what kpt writes), orchestrator annotations removed."""
    from o2krm.sdk.resourcelist import ResourceList

    return files_of(ResourceList.parse(text).items)


def files_of(items: Iterable[KubeObject]) -> dict[str, str]:
    """The files ``items`` go to (what kpt writes), orchestrator annotations removed."""
    by_file: dict[str, list[tuple[int, str]]] = {}
    for obj in items:
        path = obj.path
        if not path:
            raise PipelineError(f"{obj.describe()} has no path annotation")
        index = obj.index
        for key in _ORCHESTRATOR_ANNOTATIONS:
            obj.remove_annotation(key)
        by_file.setdefault(path, []).append((index, obj.to_text(None)))
    return {path: "---\n".join(t for _, t in sorted(docs)) for path, docs in sorted(by_file.items())}
