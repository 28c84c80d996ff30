"""Turning pydantic validation errors into findings that name the field."""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import ValidationError

from o2krm.oran.findings import Finding

# As o2krm.sdk.paths writes them: only keys holding dots, brackets or quotes are bracketed.
_NEEDS_BRACKETS = re.compile(r'[.\[\]"]')


def field_path(prefix: str, loc: Sequence[str | int]) -> str:
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _NEEDS_BRACKETS.search(part) or not part:
            path += f'["{part}"]'
        else:
            path += f".{part}" if path else part
    return path


def validation_findings(error: ValidationError, prefix: str, rule: str) -> list[Finding]:
    findings = []
    for item in error.errors(include_url=False):
        where = field_path(prefix, item["loc"])
        findings.append(
            Finding(
                message=f"{where}: {item['msg']}",
                field=where,
                current=_short(item.get("input")),
                rule=rule,
            )
        )
    return findings


def _short(value: object) -> object:
    if isinstance(value, dict | list):
        return None  # whole sub-documents make unreadable results
    return value
