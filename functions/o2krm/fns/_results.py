"""Domain findings as KRM results: the one bridge every function adapter uses."""

from __future__ import annotations

from typing import Any

from o2krm.oran.findings import Finding
from o2krm.sdk.kubeobject import KubeObject
from o2krm.sdk.resourcelist import ResourceList

_FROM_FINDING: Any = object()


def add_finding(
    rl: ResourceList,
    finding: Finding,
    obj: KubeObject | None,
    *,
    field: str | None = _FROM_FINDING,
    message: str | None = None,
    tags: dict[str, str] | None = None,
) -> None:
    """Report ``finding`` on ``obj``: its rule id becomes the ``rule`` tag, its current and
    proposed values the field's. Without an object there is no field to point at."""
    extra: dict[str, Any] = {}
    if finding.current is not None:
        extra["current"] = finding.current
    if finding.proposed is not None:
        extra["proposed"] = finding.proposed
    all_tags = dict(tags or {})
    if finding.rule:
        all_tags["rule"] = finding.rule
    path = finding.field if field is _FROM_FINDING else field
    rl.results.add(
        message or finding.message,
        finding.severity,
        obj=obj,
        field=path if obj is not None else None,
        tags=all_tags or None,
        **extra,
    )
