"""Shared helpers of the policy tests: the CRDs the adapter passes, and the annotated corpus."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from o2krm.oran.policy import CrdCatalog, PolicyConfig
from tests.shared_docs import SPECS

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests" / "data" / "policy"
CRD_DIRS = (ROOT / "crds", SPECS / "crds")


def load_documents(path: Path) -> list[Any]:
    return [d for d in yaml.load_all(path.read_text(), Loader=yaml.CSafeLoader) if d is not None]


@cache
def crd_documents() -> tuple[dict[str, Any], ...]:
    """The project's CRDs and the bundled specs' CRDs, in the order the adapter passes them."""
    return tuple(
        doc for directory in CRD_DIRS for path in sorted(directory.glob("*.yaml")) for doc in load_documents(path)
    )


@cache
def crd_catalog() -> CrdCatalog:
    return CrdCatalog.from_documents(crd_documents())


@dataclass(frozen=True)
class Expectation:
    rule: str
    resource: str | None  # "Kind/name"; None: the function config
    field: str


@dataclass(frozen=True)
class Case:
    path: Path
    expectation: Expectation | None
    config: PolicyConfig

    @property
    def id(self) -> str:
        return self.path.stem

    def resources(self) -> list[Any]:
        return load_documents(self.path)


_EXPECT = re.compile(r"^# expect: (\S+) (\S+) (.+)$", re.MULTILINE)
_CONFIG = re.compile(r"^# config: (.+)$", re.MULTILINE)


def read_case(path: Path) -> Case:
    text = path.read_text()
    expect = _EXPECT.search(text)
    config = _CONFIG.search(text)
    expectation = None
    if expect:
        rule, resource, field = expect.groups()
        expectation = Expectation(rule, None if resource == "config" else resource, field.strip())
    return Case(path, expectation, PolicyConfig.model_validate(json.loads(config.group(1)) if config else {}))


def cases(kind: str) -> list[Case]:
    return [read_case(p) for p in sorted((DATA / kind).glob("*.yaml"))]


def describe(resources: list[Any], index: int | None) -> str | None:
    if index is None:
        return None
    resource = resources[index]
    name = (resource.get("metadata") or {}).get("name", "")
    return f"{resource.get('kind', '')}/{name}"
