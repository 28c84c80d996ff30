"""Generators: functions that make resources from other resources.

A generator marks what it makes with an owner annotation. On every run it upserts the
items it produces (matched by group, kind, namespace and name) and prunes the items it
owns but did not produce this time. It never touches an item it does not own.

Upsert merges: the fields the generator produces overwrite the existing item's, and any
other field (a label or a field a person added by hand) survives.
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, Any

from o2krm.sdk.errors import KrmError
from o2krm.sdk.kubeobject import INDEX_ANNOTATION, PATH_ANNOTATION, KubeObject

if TYPE_CHECKING:
    from o2krm.sdk.resourcelist import ResourceList

OWNER_ANNOTATION = "o2krm.io/owned-by"
SOURCE_ANNOTATION = "o2krm.io/source"
_KEEP_ANNOTATIONS = ("internal.config.kubernetes.io/", "config.kubernetes.io/path", "config.kubernetes.io/index")


class OwnershipConflict(KrmError):
    pass


class Generator:
    def __init__(
        self,
        rl: ResourceList,
        owner: str,
        *,
        owner_key: str = OWNER_ANNOTATION,
        source_key: str = SOURCE_ANNOTATION,
    ):
        self.rl = rl
        self.owner = owner
        self.owner_key = owner_key
        self.source_key = source_key
        self._produced: set[tuple[str, str, str, str]] = set()
        # Indexes built on first use, so that upserting many items stays linear.
        self._by_kind: dict[str, dict[tuple[str, str, str, str], KubeObject]] = {}
        self._next_index: dict[str, int] | None = None

    def owns(self, obj: KubeObject) -> bool:
        return obj.peek_annotation(self.owner_key) == self.owner

    def owned(self) -> list[KubeObject]:
        return [obj for obj in self.rl.items if self.owns(obj)]

    def upsert(
        self,
        desired: KubeObject | dict[str, Any],
        *,
        source: KubeObject | None = None,
        path: str | None = None,
    ) -> KubeObject:
        """Add ``desired``, or merge it into the owned item of the same identity."""
        new = desired if isinstance(desired, KubeObject) else KubeObject(desired)
        new.set_annotation(self.owner_key, self.owner)
        if source is not None:
            new.set_annotation(self.source_key, source_id(source))
        identity = new.identity
        if identity in self._produced:
            raise KrmError(f"{self.owner} produced {new.describe()} twice", obj=source)
        self._produced.add(identity)
        same_kind = self._index(new.kind)
        existing = same_kind.get(identity)
        if existing is None:
            new.set_path(*self._place(new, source, path))
            self.rl.items.append(new)
            same_kind[identity] = new
            return new
        if not self.owns(existing):
            owner = existing.annotation(self.owner_key) or "a person"
            raise OwnershipConflict(
                f"{existing.describe()} already exists and is owned by {owner}, not {self.owner}: "
                f"rename or remove it, or set annotation {self.owner_key}: {self.owner} to hand it over",
                obj=existing,
            )
        merged = merge(existing.data, _without_placement(new.data))
        existing.data.clear()
        existing.data.update(merged)
        return existing

    def prune(self) -> list[KubeObject]:
        """Remove owned items not produced since this generator was created."""
        stale = [obj for obj in self.owned() if obj.identity not in self._produced]
        if stale:
            gone = {id(obj) for obj in stale}
            self.rl.items[:] = [obj for obj in self.rl.items if id(obj) not in gone]
            for obj in stale:
                self._index(obj.kind).pop(obj.identity, None)
        return stale

    def _index(self, kind: str) -> dict[tuple[str, str, str, str], KubeObject]:
        index = self._by_kind.get(kind)
        if index is None:
            index = {obj.identity: obj for obj in self.rl.items if obj.kind == kind}
            self._by_kind[kind] = index
        return index

    def _place(self, new: KubeObject, source: KubeObject | None, path: str | None) -> tuple[str, int]:
        if path is None:
            directory = posixpath.dirname(source.path or "") if source is not None else ""
            path = posixpath.join(directory, f"{new.kind.lower()}_{new.name}.yaml")
        if self._next_index is None:
            self._next_index = {}
            for obj in self.rl.items:
                if obj.path:
                    self._next_index[obj.path] = max(self._next_index.get(obj.path, 0), obj.index + 1)
        index = self._next_index.get(path, 0)
        self._next_index[path] = index + 1
        return path, index


def source_id(obj: KubeObject) -> str:
    parts = [obj.kind, obj.namespace, obj.name] if obj.namespace else [obj.kind, obj.name]
    return "/".join(parts)


def merge(current: Any, desired: Any) -> Any:
    """``desired`` laid over ``current``: mappings merge key by key, anything else is replaced."""
    if isinstance(current, dict) and isinstance(desired, dict):
        out = dict(current)
        for key, value in desired.items():
            out[key] = merge(current.get(key), value)
        return out
    return desired


def _without_placement(data: dict[str, Any]) -> dict[str, Any]:
    annotations = (data.get("metadata") or {}).get("annotations")
    if not annotations:
        return data
    kept = {k: v for k, v in annotations.items() if not k.startswith(_KEEP_ANNOTATIONS)}
    return {**data, "metadata": {**data["metadata"], "annotations": kept}}


__all__ = ["INDEX_ANNOTATION", "PATH_ANNOTATION", "Generator", "OwnershipConflict", "merge", "source_id"]
