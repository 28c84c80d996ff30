"""Field paths: ``spec.template.spec.containers[0].image`` <-> ``("spec", ..., 0, "image")``.

Keys that contain dots or brackets are written in brackets with double quotes:
``metadata.annotations["config.kubernetes.io/path"]``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache

Path = Sequence[str | int]
PathLike = str | Path


class PathSyntaxError(ValueError):
    pass


def parse(path: PathLike) -> tuple[str | int, ...]:
    if not isinstance(path, str):
        return tuple(path)
    return _parse_text(path)


@lru_cache(maxsize=4096)  # functions read the same few paths of every object
def _parse_text(path: str) -> tuple[str | int, ...]:
    parts: list[str | int] = []
    i, n = 0, len(path)
    token = ""
    while i < n:
        ch = path[i]
        if ch == ".":
            if token:
                parts.append(token)
                token = ""
            i += 1
        elif ch == "[":
            if token:
                parts.append(token)
                token = ""
            close = path.find("]", i)
            if path.startswith('["', i):
                end = _closing_quote(path, i + 2)
                parts.append(json.loads(path[i + 1 : end + 1]))
                close = end + 1
                if path[close : close + 1] != "]":
                    raise PathSyntaxError(f"missing ']' in field path {path!r}")
            elif close < 0:
                raise PathSyntaxError(f"missing ']' in field path {path!r}")
            else:
                inner = path[i + 1 : close]
                if not inner.isdigit():
                    raise PathSyntaxError(f"index {inner!r} is not a number in field path {path!r}")
                parts.append(int(inner))
            i = close + 1
        else:
            token += ch
            i += 1
    if token:
        parts.append(token)
    return tuple(parts)


def _closing_quote(path: str, start: int) -> int:
    i = start
    while i < len(path):
        if path[i] == "\\":
            i += 2
            continue
        if path[i] == '"':
            return i
        i += 1
    raise PathSyntaxError(f"unterminated quote in field path {path!r}")


def format(path: PathLike) -> str:
    if isinstance(path, str):
        return path
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif "." in part or "[" in part or "]" in part or '"' in part or not part:
            out += "[" + json.dumps(part, ensure_ascii=False) + "]"
        else:
            out += ("." if out else "") + part
    return out
