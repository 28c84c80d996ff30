"""set-labels: add or overwrite labels on every item, or on the items of the given kinds."""

from __future__ import annotations

from typing import Any

from o2krm.sdk.config import FieldProblem
from o2krm.sdk.resourcelist import ResourceList


class Config:
    """ConfigMap data: each key is a label; ``kinds`` (optional) limits the items.

    A plain class, not a pydantic model: the config is a flat map of strings, and importing
    pydantic would cost each call (Porch starts the process for every one) about 80 ms.
    """

    def __init__(self, labels: dict[str, str], kinds: list[str]) -> None:
        self._labels = labels
        self.kinds = kinds

    @classmethod
    def from_fields(cls, fields: dict[str, Any]) -> Config:
        kinds = fields.get("kinds", [])
        if not isinstance(kinds, list) or not all(isinstance(kind, str) for kind in kinds):
            raise FieldProblem("kinds", "must be a YAML list of kinds, e.g. '[Deployment, Service]'", kinds)
        labels = {str(key): str(value) for key, value in sorted(fields.items()) if key != "kinds"}
        return cls(labels, kinds)

    def labels(self) -> dict[str, str]:
        return dict(self._labels)


def set_labels(rl: ResourceList, config: Config) -> None:
    labels = config.labels()
    if not labels:
        rl.results.warning("no labels given: pass key=value pairs in the functionConfig data")
        return
    for key in labels:
        if not _valid_label_key(key):
            rl.results.error(f"{key!r} is not a valid label key", obj=rl.function_config, field=("data", key))
    if rl.results.has_errors:
        return
    for obj in rl.items:
        if obj.is_local_config or (config.kinds and obj.kind not in config.kinds):
            continue
        for key, value in labels.items():
            if obj.label(key) != value:
                obj.set_label(key, value)


def _valid_label_key(key: str) -> bool:
    prefix, _, name = key.rpartition("/")
    if prefix and (len(prefix) > 253 or not all(part and _alnum_dash(part, ".-") for part in prefix.split("."))):
        return False
    return 0 < len(name) <= 63 and _alnum_dash(name, "-_.") and name[0].isalnum() and name[-1].isalnum()


def _alnum_dash(text: str, allowed: str) -> bool:
    return all(ch.isascii() and (ch.isalnum() or ch in allowed) for ch in text)
