"""How pure domain logic reports problems without knowing about ResourceLists.

Domain functions return or raise ``Finding``s; the function adapters in ``o2krm.fns``
turn them into KRM results with the resource reference and file attached.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Finding:
    message: str
    severity: Severity = "error"
    field: str | None = None  # path inside the resource, e.g. "spec.intentExpectations[0].expectationObject"
    current: Any = None
    proposed: Any = None
    rule: str | None = None  # stable id, for validators ("o2krm.schema", ...)
    tags: dict[str, str] = dataclasses.field(default_factory=dict)  # not field(): shadowed


class DomainError(Exception):
    """One or more error findings that stop a resource from being processed."""

    def __init__(self, findings: list[Finding] | Finding):
        self.findings = findings if isinstance(findings, list) else [findings]
        super().__init__("; ".join(f.message for f in self.findings))
