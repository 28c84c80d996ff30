"""policy-validate: run every rule of ``o2krm.oran.policy`` over the package and report each finding
as a result with its resource, field, file and ``tags.rule``. Any error result fails the run (exit 1).

The CRDs that give custom kinds their schemas come from the package itself first, then from the
directories in ``$O2KRM_CRDS_PATH`` (os.pathsep-separated; a container image sets it), else from a
source checkout: the repository's ``crds/`` and the specs' ``crds/`` (``$O2KRM_SPECS_DIR``, default
``../shared/specs``). A CRD file named ``<group>_<plural>.yaml`` (controller-gen's convention) is
read only when the package holds a resource of that group: the Kyverno CRD alone is 1.4 MB.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from o2krm.fns._results import add_finding
from o2krm.oran.findings import DomainError, Finding
from o2krm.oran.policy import CrdCatalog, PolicyConfig, validate
from o2krm.sdk import yamlio
from o2krm.sdk.config import config_fields
from o2krm.sdk.errors import KrmError
from o2krm.sdk.kubeobject import KubeObject
from o2krm.sdk.resourcelist import ResourceList

CRDS_PATH_ENV = "O2KRM_CRDS_PATH"
CRD_GROUP = "apiextensions.k8s.io"
CRD_KIND = "CustomResourceDefinition"


def policy_validate(rl: ResourceList, config: PolicyConfig) -> None:
    objects = list(rl.items)
    resources = [obj.data for obj in objects]
    inline = [o.data for o in objects if o.is_gvk(group=CRD_GROUP, kind=CRD_KIND)]
    bundled = _bundled_files({obj.group for obj in objects})
    # The package's own CRDs come first; without them the compiled catalog of the files is reused.
    crds: CrdCatalog | list[dict[str, Any]] = (
        [*inline, *(crd for file in bundled for crd in _crds_in(*file))] if inline else _catalog_of(bundled)
    )
    try:
        located = validate(resources, config, crds)
    except DomainError as error:  # the config cannot be applied (an unsupported Kubernetes version)
        for finding in error.findings:
            _report_on_config(rl, finding)
        return
    for index, finding in located:
        if index is None:
            _report_on_config(rl, finding)
        else:
            _report(rl, finding, objects[index])


def _report(rl: ResourceList, finding: Finding, obj: KubeObject | None, field: str | None = None) -> None:
    add_finding(rl, finding, obj, field=field or finding.field, tags=finding.tags)


def _report_on_config(rl: ResourceList, finding: Finding) -> None:
    """Findings about the config point at its field; a ConfigMap carries lists as one YAML string."""
    config = rl.function_config
    _, prefix = config_fields(config)
    field = finding.field or ""
    if config is not None and config.kind == "ConfigMap":
        field = "data." + field.split("[", 1)[0]
    elif prefix:
        field = f"{prefix}.{field}"
    _report(rl, finding, config, field or None)


# --- where CRDs come from ----------------------------------------------------------------------


def crd_directories() -> list[Path]:
    configured = os.environ.get(CRDS_PATH_ENV)
    if configured is not None:
        return [Path(p) for p in configured.split(os.pathsep) if p]
    from o2krm.oran.ts28312.schema import specs_dir

    return [_REPOSITORY / "crds", specs_dir() / "crds"]


_REPOSITORY = Path(__file__).resolve().parents[4]
# A CRD file as (path, mtime_ns, size): a long-lived process (the gateway renders in-process)
# reads and compiles each file once, and again only when it changes.
CrdFile = tuple[Path, int, int]


def _bundled_files(groups: set[str]) -> tuple[CrdFile, ...]:
    files: list[CrdFile] = []
    for directory in crd_directories():
        try:
            listed = _yaml_files(directory, directory.stat().st_mtime_ns)
        except OSError:  # no such directory
            continue
        for path in listed:
            group, separator, _ = path.name.partition("_")
            if separator and group not in groups:
                continue
            try:
                stat = path.stat()
            except OSError as error:
                raise KrmError(f"cannot read the CRDs in {path}: {error.strerror or error}") from None
            files.append((path, stat.st_mtime_ns, stat.st_size))
    return tuple(files)


@functools.lru_cache(maxsize=32)
def _yaml_files(directory: Path, mtime_ns: int) -> tuple[Path, ...]:
    """The YAML files of ``directory`` while its listing is unchanged (``mtime_ns``)."""
    return tuple(sorted(directory.glob("*.yaml")))


@functools.lru_cache(maxsize=32)
def _catalog_of(files: tuple[CrdFile, ...]) -> CrdCatalog:
    """The schemas of ``files``, compiled once per set of files (on first use of each kind)."""
    return CrdCatalog.from_documents(crd for file in files for crd in _crds_in(*file))


@functools.lru_cache(maxsize=256)
def _crds_in(path: Path, mtime_ns: int, size: int) -> tuple[dict[str, Any], ...]:
    try:
        documents = yamlio.load_all(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yamlio.YAMLError) as error:
        raise KrmError(f"cannot read the CRDs in {path}: {error}") from None
    return tuple(d for d in documents if isinstance(d, dict) and d.get("kind") == CRD_KIND)
