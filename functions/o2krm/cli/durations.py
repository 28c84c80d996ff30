"""Go-style durations as kubectl accepts them: "30s", "10m", "1h30m", "500ms"; a bare number is seconds."""

from __future__ import annotations

import re

_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ms|s|m|h)")
ACCEPTED = 'a duration such as "30s", "10m", "1h30m" or "500ms" (a bare number means seconds)'


def parse_duration(text: str) -> float:
    """Seconds in ``text``; raises ValueError naming the accepted forms. A leading "-" gives a negative value."""
    body = text.strip()
    sign = -1.0 if body.startswith("-") else 1.0
    body = body.lstrip("+-")
    if not body:
        raise ValueError(f"empty duration; write {ACCEPTED}")
    try:
        seconds = float(body)
    except ValueError:
        pass
    else:
        if seconds != seconds or seconds == float("inf"):
            raise ValueError(f"{text!r} is not a duration; write {ACCEPTED}")
        return sign * seconds
    total, position = 0.0, 0
    for match in _PART.finditer(body):
        if match.start() != position:
            break
        total += float(match[1]) * _UNIT_SECONDS[match[2]]
        position = match.end()
    if position != len(body) or position == 0:
        raise ValueError(f"{text!r} is not a duration; write {ACCEPTED}")
    return sign * total


def format_duration(seconds: float) -> str:
    """Compact text for messages: 90 -> "1m30s", 0.5 -> "500ms"."""
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours}h" if hours else "", f"{minutes}m" if minutes else "", f"{secs}s" if secs else ""]
    return "".join(parts) or "0s"
