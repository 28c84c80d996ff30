"""Where a value came from, so that every finding names the resource and the field.

Domain code never sees files or ResourceLists; it only knows that a pool came from
``OCloudSiteCatalog/sites`` at ``spec.sites[1].network.networks.f1.ipv4Prefix``. The
adapter looks the resource up by the ``kind``/``name``/``namespace`` tags of a Finding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from o2krm.oran.findings import Finding, Severity

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def child_path(path: str, key: str | int) -> str:
    """``spec.a`` + ``b`` -> ``spec.a.b``; + ``0`` (int) -> ``spec.a[0]``; odd keys are quoted."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    segment = key if _PLAIN_KEY.match(key) else f'["{key}"]'
    if not path:
        return segment
    return f"{path}{segment}" if segment.startswith("[") else f"{path}.{segment}"


@dataclass(frozen=True, slots=True)
class Origin:
    """A field of one resource."""

    kind: str
    name: str
    field: str = ""
    namespace: str | None = None

    def at(self, *keys: str | int) -> Origin:
        path = self.field
        for key in keys:
            path = child_path(path, key)
        return Origin(self.kind, self.name, path, self.namespace)

    @property
    def resource(self) -> str:
        return f"{self.kind}/{self.name}"

    def tags(self) -> dict[str, str]:
        tags = {"kind": self.kind, "name": self.name}
        if self.namespace:
            tags["namespace"] = self.namespace
        return tags

    def finding(
        self,
        message: str,
        *,
        rule: str,
        severity: Severity = "error",
        current: Any = None,
        proposed: Any = None,
    ) -> Finding:
        return Finding(
            message=message,
            severity=severity,
            field=self.field or None,
            current=current,
            proposed=proposed,
            rule=rule,
            tags=self.tags(),
        )
