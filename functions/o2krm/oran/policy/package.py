"""The package under validation as rule families see it: resources with their index, looked up by kind.

Rule families never build their own indexes; they ask the ``Package``, which builds each one once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

_PLAIN_KEY = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$-]*$")


def path(base: str, key: str | int) -> str:
    """Append a key to a field path: spec.foo[0].bar, metadata.labels["o2krm.io/site"]."""
    if isinstance(key, int):
        return f"{base}[{key}]"
    if not _PLAIN_KEY.match(key):
        return f"{base}[{json.dumps(key)}]"
    return f"{base}.{key}" if base else key


@dataclass(frozen=True)
class Violation:
    """A rule broken by one resource (index) or by the config (index None), before severities apply."""

    index: int | None
    rule: str
    message: str
    field: str | None = None
    current: Any = None
    proposed: Any = None
    container: str | None = None  # lets exemptions name one container of a pod template


@dataclass(frozen=True)
class Item:
    """One resource of the package, read defensively: malformed fields read as empty."""

    index: int
    body: Mapping[str, Any]

    @property
    def api_version(self) -> str:
        value = self.body.get("apiVersion")
        return value if isinstance(value, str) else ""

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0]

    @property
    def version(self) -> str:
        return self.api_version.rpartition("/")[2]

    @property
    def kind(self) -> str:
        value = self.body.get("kind")
        return value if isinstance(value, str) else ""

    @property
    def metadata(self) -> Mapping[str, Any]:
        value = self.body.get("metadata")
        return value if isinstance(value, Mapping) else {}

    @property
    def name(self) -> str:
        value = self.metadata.get("name")
        return value if isinstance(value, str) else ""

    @property
    def namespace(self) -> str:
        value = self.metadata.get("namespace")
        return value if isinstance(value, str) else ""

    @property
    def labels(self) -> Mapping[str, Any]:
        value = self.metadata.get("labels")
        return value if isinstance(value, Mapping) else {}

    @property
    def annotations(self) -> Mapping[str, Any]:
        value = self.metadata.get("annotations")
        return value if isinstance(value, Mapping) else {}

    @property
    def spec(self) -> Mapping[str, Any]:
        value = self.body.get("spec")
        return value if isinstance(value, Mapping) else {}

    def describe(self) -> str:
        namespace = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {namespace}{self.name}"


@dataclass
class Package:
    resources: list[Mapping[str, Any]]
    items: list[Item] = field(init=False)

    def __post_init__(self) -> None:
        self.items = [Item(i, r if isinstance(r, Mapping) else {}) for i, r in enumerate(self.resources)]

    @cached_property
    def _by_kind(self) -> dict[tuple[str, str], list[Item]]:
        index: dict[tuple[str, str], list[Item]] = {}
        for item in self.items:
            index.setdefault((item.group, item.kind), []).append(item)
        return index

    def of_kind(self, group: str, kind: str) -> list[Item]:
        """Resources of one API group and kind, in package order."""
        return self._by_kind.get((group, kind), [])

    def of_kinds(self, kinds: Mapping[tuple[str, str], Any]) -> Iterator[Item]:
        """Resources whose (group, kind) is a key of ``kinds``, in package order."""
        if not any(key in self._by_kind for key in kinds):
            return iter(())
        return (item for item in self.items if (item.group, item.kind) in kinds)


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
