"""Rendering for stdout: ``-o yaml|json|table|name``, tables laid out as kubectl does."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from o2krm.cli import resource

FORMATS = ("table", "yaml", "json", "name")
Row = Callable[[Mapping[str, Any], float], str]
Columns = Sequence[tuple[str, Row]]

_TIMESTAMP = re.compile(r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.\d+)?(Z|z|[+-]\d\d:\d\d)")


def to_json(data: Any) -> str:
    return json.dumps(data, indent=4, ensure_ascii=False)


def to_yaml(data: Any) -> str:
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, default_flow_style=False, sort_keys=False, allow_unicode=True).rstrip("\n")


def as_list(items: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": list(items)}


def render(
    items: Sequence[Mapping[str, Any]], fmt: str, columns: Columns, type_name: str, *, single: bool = False
) -> str:
    """Text for ``items``; "" for an empty table (the caller says "No resources found" on stderr)."""
    if fmt in ("json", "yaml"):
        data = items[0] if single and len(items) == 1 else as_list(items)
        return to_json(data) if fmt == "json" else to_yaml(data)
    if fmt == "name":
        return "\n".join(f"{type_name}/{resource.name_of(item)}" for item in items)
    if not items:
        return ""
    now = time.time()
    return table([header for header, _ in columns], [[cell(item, now) for _, cell in columns] for item in items])


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]
    lines = [
        "   ".join(str(value).ljust(width) for value, width in zip(row, widths, strict=True)).rstrip()
        for row in [headers, *rows]
    ]
    return "\n".join(lines)


# --- ages ----------------------------------------------------------------------------------


def parse_timestamp(text: object) -> float | None:
    """Seconds since the epoch for an RFC 3339 timestamp, None when absent or malformed."""
    import calendar

    match = _TIMESTAMP.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(match[i]) for i in range(1, 7))
    offset = 0
    zone = match[7]
    if zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        offset = sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    return calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0)) - offset


def human_age(seconds: float) -> str:
    """kubectl's compact ages: 45s, 3m20s, 47m, 5h12m, 30h, 3d4h, 120d, 2y30d."""
    s = max(0, int(seconds))
    minutes, hours, days = s // 60, s // 3600, s // 86400
    if s < 120:
        return f"{s}s"
    if minutes < 10:
        return f"{minutes}m{s % 60}s" if s % 60 else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    if hours < 8:
        return f"{hours}h{minutes % 60}m" if minutes % 60 else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 192:
        return f"{days}d{hours % 24}h" if hours % 24 else f"{days}d"
    if days < 730:
        return f"{days}d"
    years, rest = divmod(days, 365)
    return f"{years}y{rest}d" if rest else f"{years}y"


def _age(obj: Mapping[str, Any], now: float) -> str:
    created = parse_timestamp((obj.get("metadata") or {}).get("creationTimestamp"))
    return "<unknown>" if created is None else human_age(now - created)


# --- columns ---------------------------------------------------------------------------------


def _text(value: object) -> str:
    return "<none>" if value in (None, "") else str(value)


PR_COLUMNS: Columns = (
    ("NAME", lambda o, _: resource.name_of(o)),
    ("STATE", lambda o, _: _text(resource.state_of(o))),
    ("TEMPLATE", lambda o, _: _text((o.get("spec") or {}).get("templateName"))),
    ("VERSION", lambda o, _: _text((o.get("spec") or {}).get("templateVersion"))),
    ("TARGET", lambda o, _: _text(resource.template_parameters(o).get("targetCluster"))),
    ("AGE", _age),
)


def _node_status(node: Mapping[str, Any], _: float) -> str:
    ready = resource.condition(node, "Ready")
    status = "Ready" if ready is not None and ready.get("status") == "True" else "NotReady"
    if (node.get("spec") or {}).get("unschedulable"):
        status += ",SchedulingDisabled"
    return status


def _node_roles(node: Mapping[str, Any], _: float) -> str:
    prefix = "node-role.kubernetes.io/"
    labels = (node.get("metadata") or {}).get("labels") or {}
    roles = sorted(key[len(prefix) :] for key in labels if key.startswith(prefix) and key[len(prefix) :])
    return ",".join(roles) or "<none>"


NODE_COLUMNS: Columns = (
    ("NAME", lambda o, _: resource.name_of(o)),
    ("STATUS", _node_status),
    ("ROLES", _node_roles),
    ("AGE", _age),
    ("VERSION", lambda o, _: _text(((o.get("status") or {}).get("nodeInfo") or {}).get("kubeletVersion"))),
)

NAMESPACE_COLUMNS: Columns = (
    ("NAME", lambda o, _: resource.name_of(o)),
    ("STATUS", lambda o, _: _text((o.get("status") or {}).get("phase"))),
    ("AGE", _age),
)

CHECK_COLUMNS: Columns = (
    ("CHECK", lambda o, _: str(o["check"])),
    ("RESULT", lambda o, _: str(o["result"])),
    ("DETAIL", lambda o, _: str(o["detail"])),
)
