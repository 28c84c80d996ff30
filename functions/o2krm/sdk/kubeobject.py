"""KubeObject: one KRM resource, parsed only when touched, written back surgically.

A KubeObject read from a ResourceList keeps its exact source text. Its data is parsed
on first access; when the object is written, an unchanged object is emitted as its
original text and a changed one as that text with only the changed spans rewritten.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from o2krm.sdk import paths
from o2krm.sdk.errors import InputError, ObjectValidationError
from o2krm.sdk.paths import PathLike
from o2krm.sdk.scan import RawItem

if TYPE_CHECKING:
    from pydantic import BaseModel

M = TypeVar("M", bound="BaseModel")

PATH_ANNOTATION = "internal.config.kubernetes.io/path"
INDEX_ANNOTATION = "internal.config.kubernetes.io/index"
LEGACY_PATH_ANNOTATION = "config.kubernetes.io/path"
LEGACY_INDEX_ANNOTATION = "config.kubernetes.io/index"
SEQINDENT_ANNOTATION = "internal.config.kubernetes.io/seqindent"
LOCAL_CONFIG_ANNOTATION = "config.kubernetes.io/local-config"

_MISSING: Any = object()


class KubeObject:
    """A KRM resource. Create one with ``KubeObject(dict)`` or ``KubeObject.from_model``."""

    __slots__ = ("_data", "_node", "_original", "_original_json", "_position", "_raw")

    def __init__(self, data: Mapping[str, Any] | None = None, *, raw: RawItem | None = None, position: int = -1):
        self._raw = raw
        self._node: Any = None
        self._original: Any = None  # the data as parsed, kept apart: what changes are found against
        self._original_json: str | None = None  # its JSON text, once asked for (see _is_pristine)
        self._data: dict[str, Any] | None = dict(data) if data is not None else None
        self._position = position  # index in the input items, for messages
        if raw is None and data is None:
            raise ValueError("KubeObject needs data or source text")

    # --- construction -------------------------------------------------------------
    @classmethod
    def from_model(cls, model: BaseModel) -> KubeObject:
        return cls(model.model_dump(mode="json", by_alias=True, exclude_none=True))

    # --- data ---------------------------------------------------------------------
    @property
    def data(self) -> dict[str, Any]:
        """The object as plain data; changes to it are written out."""
        if self._data is None:
            self._data = self._parse()
        return self._data

    @property
    def parsed(self) -> bool:
        return self._data is not None

    def _parse(self) -> dict[str, Any]:
        from o2krm.sdk import yamlio

        assert self._raw is not None
        document = self._raw.document
        try:
            node = yamlio.compose(document)
            value = yamlio.construct(document, node) if node is not None else None
        except yamlio.YAMLError as exc:
            raise InputError(f"{self._where()}: is not valid YAML: {_yaml_problem(exc)}") from None
        if not isinstance(value, dict):
            raise InputError(f"{self._where()}: is not a mapping (a KRM object must be one)")
        self._node = node
        self._original = self._original_json = None
        return value

    def _where(self) -> str:
        return f"items[{self._position}]" if self._position >= 0 else "object"

    # --- identity -----------------------------------------------------------------
    @property
    def api_version(self) -> str:
        if self._data is None and self._raw is not None and self._raw.api_version is not None:
            return self._raw.api_version
        return _str(self.data.get("apiVersion"))

    @property
    def kind(self) -> str:
        if self._data is None and self._raw is not None and self._raw.kind is not None:
            return self._raw.kind
        return _str(self.data.get("kind"))

    @property
    def group(self) -> str:
        group, _, _ = self.api_version.rpartition("/")
        return group

    @property
    def version(self) -> str:
        return self.api_version.rpartition("/")[2]

    @property
    def name(self) -> str:
        return _str(self.get("metadata.name"))

    @property
    def namespace(self) -> str:
        return _str(self.get("metadata.namespace"))

    def is_gvk(self, group: str | None = None, version: str | None = None, kind: str | None = None) -> bool:
        return (
            (kind is None or self.kind == kind)
            and (group is None or self.group == group)
            and (version is None or self.version == version)
        )

    def matches(self, api_version: str | None = None, kind: str | None = None) -> bool:
        return (kind is None or self.kind == kind) and (api_version is None or self.api_version == api_version)

    @property
    def identity(self) -> tuple[str, str, str, str]:
        """(group, kind, namespace, name): what makes two objects the same resource."""
        return (self.group, self.kind, self.namespace, self.name)

    def ref(self) -> dict[str, str]:
        """The resourceRef of a result."""
        ref = {"apiVersion": self.api_version, "kind": self.kind, "name": self.name}
        if self.namespace:
            ref["namespace"] = self.namespace
        return ref

    def describe(self) -> str:
        return f"{self.kind}/{self.name}" if self.name else f"{self.kind or 'object'} {self._where()}"

    # --- fields -------------------------------------------------------------------
    def get(self, path: PathLike, default: Any = None) -> Any:
        node: Any = self.data
        for part in paths.parse(path):
            if isinstance(part, int):
                if not isinstance(node, list) or not -len(node) <= part < len(node):
                    return default
            elif not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    def has(self, path: PathLike) -> bool:
        return self.get(path, _MISSING) is not _MISSING

    def set(self, path: PathLike, value: Any) -> None:
        """Set a nested field, creating mappings on the way."""
        parts = paths.parse(path)
        if not parts:
            raise ValueError("empty field path")
        node: Any = self.data
        for depth, part in enumerate(parts[:-1]):
            following = parts[depth + 1]
            if isinstance(part, int):
                if not isinstance(node, list) or not -len(node) <= part < len(node):
                    raise KeyError(f"{paths.format(parts[: depth + 1])}: no such list item")
                node = node[part]
                continue
            child = node.get(part) if isinstance(node, dict) else None
            if not isinstance(child, dict | list):
                if isinstance(following, int):
                    raise KeyError(f"{paths.format(parts[: depth + 2])}: no such list item")
                child = {}
                node[part] = child
            node = child
        last = parts[-1]
        if isinstance(last, int) and (not isinstance(node, list) or not -len(node) <= last < len(node)):
            raise KeyError(f"{paths.format(parts)}: no such list item")
        node[last] = value

    def remove(self, path: PathLike) -> bool:
        """Remove a field; returns whether it was there."""
        parts = paths.parse(path)
        parent = self.get(parts[:-1], _MISSING) if len(parts) > 1 else self.data
        last = parts[-1]
        if isinstance(parent, dict) and last in parent:
            del parent[last]
            return True
        if isinstance(parent, list) and isinstance(last, int) and -len(parent) <= last < len(parent):
            del parent[last]
            return True
        return False

    # --- metadata helpers ---------------------------------------------------------------
    @property
    def labels(self) -> dict[str, str]:
        return dict(self.get("metadata.labels") or {})

    @property
    def annotations(self) -> dict[str, str]:
        return dict(self.get("metadata.annotations") or {})

    def label(self, key: str, default: str | None = None) -> str | None:
        value = (self.get("metadata.labels") or {}).get(key)
        return default if value is None else str(value)

    def annotation(self, key: str, default: str | None = None) -> str | None:
        value = (self.get("metadata.annotations") or {}).get(key)
        return default if value is None else str(value)

    def peek_annotation(self, key: str, default: str | None = None) -> str | None:
        """``annotation(key)`` without parsing the object when its text says enough.

        An unparsed object whose text does not contain the key has no such annotation; one
        whose line for the key holds a plain or simply quoted value gives that value. Anything
        else parses the object.
        """
        raw = self._raw
        if self._data is not None or raw is None:
            return self.annotation(key, default)
        text = raw.text
        hits = [i for i in _find_all(text, key + ":") if i == 0 or text[i - 1] in " \n"]
        if not hits:
            return default if key not in text else self.annotation(key, default)
        at = hits[0]
        if len(hits) == 1:
            line_end = text.find("\n", at)
            value = text[at + len(key) + 1 : None if line_end < 0 else line_end].strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"" and "\\" not in value:
                value = value[1:-1]
                if "'" not in value and '"' not in value:
                    return value
            elif value and value[0] not in "|>&*!{[#'\"" and " #" not in value:
                return value
        return self.annotation(key, default)

    def set_label(self, key: str, value: str) -> None:
        self.set(("metadata", "labels", key), value)

    def set_annotation(self, key: str, value: str) -> None:
        self.set(("metadata", "annotations", key), value)

    def remove_annotation(self, key: str) -> bool:
        removed = self.remove(("metadata", "annotations", key))
        if removed and self.get("metadata.annotations") == {}:
            self.remove("metadata.annotations")
        return removed

    def remove_label(self, key: str) -> bool:
        removed = self.remove(("metadata", "labels", key))
        if removed and self.get("metadata.labels") == {}:
            self.remove("metadata.labels")
        return removed

    @property
    def is_local_config(self) -> bool:
        return str(self.annotation(LOCAL_CONFIG_ANNOTATION, "false")).lower() == "true"

    @property
    def path(self) -> str | None:
        """The file the object came from, relative to the package."""
        return self.peek_annotation(PATH_ANNOTATION) or self.peek_annotation(LEGACY_PATH_ANNOTATION)

    @property
    def index(self) -> int:
        value = self.peek_annotation(INDEX_ANNOTATION) or self.peek_annotation(LEGACY_INDEX_ANNOTATION) or "0"
        return int(value) if value.isdigit() else 0

    def set_path(self, path: str, index: int = 0) -> None:
        for key, value in (
            (PATH_ANNOTATION, path),
            (LEGACY_PATH_ANNOTATION, path),
            (INDEX_ANNOTATION, str(index)),
            (LEGACY_INDEX_ANNOTATION, str(index)),
        ):
            self.set_annotation(key, value)

    def file(self) -> dict[str, Any] | None:
        """The file reference of a result."""
        path = self.path
        return {"path": path, "index": self.index} if path else None

    # --- models -------------------------------------------------------------------
    def as_model(self, model: type[M], *, at: PathLike = ()) -> M:
        """Validate the object (or the field ``at``) into a pydantic model.

        Raises ObjectValidationError whose problems carry full field paths.
        """
        from pydantic import ValidationError

        base = paths.parse(at)
        value = self.get(base) if base else self.data
        try:
            return model.model_validate(value)
        except ValidationError as exc:
            raise ObjectValidationError.from_pydantic(self, exc, base) from None

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(self.data)

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __repr__(self) -> str:
        return f"KubeObject({self.api_version} {self.describe()})"

    def unchanged(self) -> bool:
        """True when the object's data is still what its source text says (or was never read),
        or for a settled new object (see ``_settled_as_data``) what it was when settled."""
        if self._data is None:
            return True
        if self._raw is None and self._original is None:
            return False
        return self._is_pristine()

    def _is_pristine(self) -> bool:
        """``same(pristine data, data)``; an object is compared at every step of a pipeline,
        so the pristine side's JSON text is made once."""
        from o2krm.sdk.patch import json_text, same

        original, data = self._pristine(), self._data
        if type(original) is not type(data) or original != data:
            return False
        try:
            if self._original_json is None:
                self._original_json = json_text(original)
            if json_text(data) == self._original_json:
                return True
        except (TypeError, ValueError):
            pass
        return same(original, data)

    def _settled_as_data(self) -> bool:
        """For ResourceList.settle: keep a new object (no source text) as data rather than
        writing and reading it. Its data becomes a copy of itself, which is what reading its
        dump gives for JSON-shaped data and shares nothing with other objects, as parsed objects
        do not; the copy kept apart is what changes are found against (and put back from, see
        ``_as_settled``). Its text, needed only for the output, is a dump of its data then.
        False when it must go through text: it has source text of its own, or data that YAML
        would not give back as it is."""
        if self._raw is not None:
            return False
        if self._original is not None and self.unchanged():
            return True
        try:
            copied = _plain_copy(self.data)
        except NotPlainData:
            return False
        self._data, self._original, self._original_json = copied, _plain_copy(copied), None
        return True

    def _as_settled(self) -> KubeObject:
        """This object as it was when last settled (a validator or a failed run puts it back)."""
        again = KubeObject(_plain_copy(self._original), position=self._position)
        again._original = _plain_copy(self._original)
        return again

    def _pristine(self) -> Any:
        """The data as parsed from the source text, built once (objects are compared with it
        at every write, and in a pipeline run in one process at every step)."""
        if self._original is None:
            from o2krm.sdk import yamlio

            assert self._raw is not None, "a new object has no data as parsed"
            self._original = yamlio.construct(self._raw.document, self._source_node())
        return self._original

    def _source_node(self) -> Any:
        """The composed source text (composed here for an object whose data was handed over)."""
        if self._node is None:
            from o2krm.sdk import yamlio

            assert self._raw is not None
            self._node = yamlio.compose(self._raw.document)
        return self._node

    def _handed_over(self, data: dict[str, Any]) -> None:
        """Take ``data`` as what parsing this object's source text gives (the caller wrote that
        text from it): it is not parsed again unless it must be patched."""
        copied = _plain_copy(data)
        self._data, self._original, self._original_json = copied, _plain_copy(copied), None

    # --- writing --------------------------------------------------------------------
    def to_text(self, item_indent: int | None) -> str:
        """The object's text for the output: a ``- `` item at ``item_indent`` or, with
        ``None``, a standalone document."""
        raw = self._raw
        as_item = item_indent is not None
        if raw is not None and (raw.dash >= 0 or not as_item):
            document = raw.document if self._data is None else self._patched_document(raw)
            if document is not None:
                if raw.dash < 0:
                    return _with_newline(document)
                if as_item:
                    return _with_newline(document[: raw.dash] + "- " + document[raw.dash + 2 :])
                return _with_newline(_dedent(document, raw.dash + 2))
        return _fresh_text(self.data, item_indent)

    def _patched_document(self, raw: RawItem) -> str | None:
        from o2krm.sdk.patch import Unpatchable, patch_text

        document = raw.document
        original = self._pristine()
        if self._is_pristine():
            return document
        wide = self.annotation(SEQINDENT_ANNOTATION) == "wide"
        try:
            return patch_text(document, self._source_node(), original, self._data, wide_sequences=wide)
        except Unpatchable:
            return None


def _find_all(text: str, needle: str) -> list[int]:
    found, at = [], text.find(needle)
    while at >= 0:
        found.append(at)
        at = text.find(needle, at + 1)
    return found


def _dedent(text: str, spaces: int) -> str:
    pad = " " * spaces
    return "\n".join(line[spaces:] if line.startswith(pad) else line.lstrip(" ") for line in text.split("\n"))


def _fresh_text(data: dict[str, Any], item_indent: int | None) -> str:
    from o2krm.sdk import yamlio

    body = yamlio.dump(data)
    if item_indent is None:
        return body
    first, newline, rest = body.partition("\n")
    return " " * item_indent + "- " + first + newline + yamlio.indent(rest, item_indent + 2)


class NotPlainData(Exception):
    """A value that YAML would not give back as it is (only JSON's types come back unchanged)."""


_PLAIN_SCALARS = (str, int, float, bool, type(None))


def _plain_copy(value: Any) -> Any:
    """A deep copy of JSON-shaped ``value``; raises NotPlainData for anything else."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, _PLAIN_SCALARS):
                raise NotPlainData(key)
            out[key] = _plain_copy(item)
        return out
    if isinstance(value, list):
        return [_plain_copy(item) for item in value]
    if isinstance(value, _PLAIN_SCALARS) and not (isinstance(value, float) and value != value):
        return value
    raise NotPlainData(value)


def _with_newline(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def _yaml_problem(exc: Exception) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is not None:
        return f"{problem} (line {mark.line + 1}, column {mark.column + 1})"
    return str(problem)
