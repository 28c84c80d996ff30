"""policy-validate: run every rule of ``o2krm.oran.policy`` over the package and report each finding
as a result with its resource, field, file and ``tags.rule``. Any error result fails the run (exit 1).

The CRDs that give custom kinds their schemas come from the package itself first, then from the
directories in ``$O2KRM_CRDS_PATH`` (os.pathsep-separated; a container image sets it), else from a
source checkout: the repository's ``crds/`` and the specs' ``crds/`` (``$O2KRM_SPECS_DIR``, default
``../shared/specs``). A CRD file named ``<group>_<plural>.yaml`` (controller-gen's convention) is
read only when the package holds a resource of that group: the Kyverno CRD alone is 1.4 MB.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from o2krm.fns._results import add_finding
from o2krm.oran.findings import DomainError, Finding
from o2krm.oran.policy import PolicyConfig, validate
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
    crds = [*(o.data for o in objects if o.is_gvk(group=CRD_GROUP, kind=CRD_KIND)), *_bundled_crds(objects)]
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

    repository = Path(__file__).resolve().parents[4]
    return [repository / "crds", specs_dir() / "crds"]


def _bundled_crds(objects: Iterable[KubeObject]) -> Iterator[dict[str, Any]]:
    groups = {obj.group for obj in objects}
    for directory in crd_directories():
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.yaml")):
            group, separator, _ = path.name.partition("_")
            if separator and group not in groups:
                continue
            yield from _load_crds(path)


def _load_crds(path: Path) -> Iterator[dict[str, Any]]:
    try:
        documents = yamlio.load_all(path.read_text(encoding="utf-8"))
        yield from (d for d in documents if isinstance(d, dict) and d.get("kind") == CRD_KIND)
    except (OSError, UnicodeDecodeError, yamlio.YAMLError) as error:
        raise KrmError(f"cannot read the CRDs in {path}: {error}") from None
