"""YAML parsing and emitting on libyaml's C implementation, with Kubernetes' scalar rules.

Two differences from PyYAML's defaults matter for KRM:

* Timestamps stay strings. ``2024-01-01`` in a manifest is data, not a ``datetime``.
* Emitted YAML is block style, keeps key order, never wraps long lines, and writes
  multi-line strings as literal blocks, the way a person would write them.
"""

from __future__ import annotations

import functools
import io
import re
from typing import Any

import yaml

try:  # pragma: no branch - the C extension ships in PyYAML wheels
    _BaseLoader = yaml.CSafeLoader
    _BaseDumper = yaml.CSafeDumper
except AttributeError:  # pragma: no cover - pure-Python fallback
    _BaseLoader = yaml.SafeLoader  # type: ignore[misc]
    _BaseDumper = yaml.SafeDumper  # type: ignore[misc]

YAMLError = yaml.YAMLError
MarkedError = yaml.MarkedYAMLError
Node = yaml.Node
ScalarNode = yaml.ScalarNode
MappingNode = yaml.MappingNode
SequenceNode = yaml.SequenceNode


class Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe C loader that leaves timestamps as strings."""

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        # A plain scalar's tag depends on its text alone, and manifests repeat the same short
        # texts (keys, "v1", "true") thousands of times: remember the answers.
        if kind is ScalarNode and implicit[0] and len(value) < 64:
            tag = _PLAIN_TAGS.get(value)
            return tag or _remember(_PLAIN_TAGS, value, _BaseLoader.resolve(self, kind, value, implicit))
        return _BaseLoader.resolve(self, kind, value, implicit)  # type: ignore[no-any-return]


Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


class Dumper(_BaseDumper):  # type: ignore[misc, valid-type]
    """Safe C dumper: block style, ordered keys, literal blocks for multi-line text."""

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        # The emitter asks twice per scalar whether its tag can be left implicit; as when
        # loading, the same short texts come again and again.
        if kind is ScalarNode and len(value) < 64:
            key = (value, implicit)
            tag = _DUMP_TAGS.get(key)
            return tag or _remember(_DUMP_TAGS, key, _BaseDumper.resolve(self, kind, value, implicit))
        return _BaseDumper.resolve(self, kind, value, implicit)  # type: ignore[no-any-return]


_PLAIN_TAGS: dict[str, str] = {}
_DUMP_TAGS: dict[tuple[str, tuple[bool, bool]], str] = {}


def _remember(cache: dict[Any, str], key: Any, tag: str) -> str:
    if len(cache) < 100_000:
        cache[key] = tag
    return tag


_ONLY_LINE_FEEDS = frozenset("\x85\u2028\u2029")


def _represent_str(dumper: yaml.BaseDumper, value: str) -> yaml.ScalarNode:
    # Literal blocks for text with inner line breaks, but never with "keep" chomping: a
    # kept block would swallow blank lines that follow it where the text is embedded. The
    # emitter itself falls back to quoting when a literal block cannot hold the text.
    # Characters that YAML 1.1 (PyYAML) reads as line breaks but YAML 1.2 (kpt, kustomize) reads
    # as text are written escaped, in double quotes, so both read the same string.
    if not _ONLY_LINE_FEEDS.isdisjoint(value):
        style: str | None = '"'
    else:
        style = "|" if "\n" in value.rstrip("\n") and not value.endswith("\n\n") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


Dumper.add_representer(str, _represent_str)


def compose(text: str) -> Node | None:
    """Parse one YAML document into its node tree (with source positions). Node trees are
    shared, never changed: the same document text is parsed once (a pipeline reads a
    blueprint's documents again for every package made from it)."""
    if len(text) <= _CACHED_TEXT:
        return _compose_cached(text)
    return _compose(text)


_CACHED_TEXT = 64 << 10


@functools.lru_cache(maxsize=64)  # few: node trees are many objects for the collector to walk
def _compose_cached(text: str) -> Node | None:
    return _compose(text)


def _compose(text: str) -> Node | None:
    loader = Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_SCALARS = {
    "tag:yaml.org,2002:int": yaml.constructor.SafeConstructor.construct_yaml_int,
    "tag:yaml.org,2002:float": yaml.constructor.SafeConstructor.construct_yaml_float,
    "tag:yaml.org,2002:bool": yaml.constructor.SafeConstructor.construct_yaml_bool,
    "tag:yaml.org,2002:null": yaml.constructor.SafeConstructor.construct_yaml_null,
}
_constructor = yaml.constructor.SafeConstructor()


class _Unusual(Exception):
    pass


def _build(node: Node) -> Any:
    kind = type(node)
    if kind is ScalarNode:
        if node.tag == _STR:
            return node.value
        scalar = _SCALARS.get(node.tag)
        if scalar is None:
            raise _Unusual
        return scalar(_constructor, node)
    if kind is MappingNode:
        out = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE or type(key_node) is not ScalarNode:
                raise _Unusual
            out[_build(key_node)] = _build(value_node)
        return out
    if kind is SequenceNode:
        return [_build(item) for item in node.value]
    raise _Unusual


def construct(text: str, node: Node) -> Any:
    """Build plain Python data (dict, list, str, int, float, bool, None) from a node.

    A direct recursive build, several times faster than PyYAML's generator-based
    constructor; documents with merge keys, complex keys or explicit tags go through
    PyYAML's own constructor.
    """
    try:
        return _build(node)
    except (_Unusual, RecursionError):
        loader = Loader(text)
        try:
            return loader.construct_document(node)
        finally:
            loader.dispose()


def load(text: str) -> Any:
    return yaml.load(text, Loader=Loader)


def load_all(text: str) -> list[Any]:
    return list(yaml.load_all(text, Loader=Loader))


def dump(value: Any) -> str:
    """Block-style YAML for ``value`` at indentation 0, ending with a newline.

    No document-end marker: the text is often embedded (an item of a ResourceList, a nested
    value), where the next line ends a kept literal block just as well.
    """
    try:
        node = _node(value, set())
    except _Unusual:  # not JSON-shaped, or a container met twice (PyYAML writes an alias)
        text = yaml.dump(value, Dumper=Dumper, **_BLOCK)
    else:
        stream = io.StringIO()
        dumper = Dumper(stream, **_BLOCK)
        try:
            dumper.open()
            dumper.serialize(node)
            dumper.close()
        finally:
            dumper.dispose()
        text = stream.getvalue()
    return text[: -len("...\n")] if text.endswith("\n...\n") else text


_BLOCK: dict[str, Any] = {"default_flow_style": False, "sort_keys": False, "allow_unicode": True, "width": 1_000_000}
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_INT = "tag:yaml.org,2002:int"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"


def _node(value: Any, containers: set[int]) -> Node:
    """The node PyYAML's representer makes of JSON-shaped ``value`` (with our string rule),
    built directly: the representer's generic dispatch is most of the cost of a dump."""
    kind = type(value)
    if kind is str:
        return _represent_str(_NODE_MAKER, value)
    if kind is dict or kind is list:
        if id(value) in containers:
            raise _Unusual
        containers.add(id(value))
        if kind is dict:
            pairs = [(_node(k, containers), _node(v, containers)) for k, v in value.items()]
            return MappingNode(_MAP, pairs, flow_style=False)
        return SequenceNode(_SEQ, [_node(item, containers) for item in value], flow_style=False)
    if kind is bool:
        return ScalarNode(_BOOL, "true" if value else "false")
    if kind is int:
        return ScalarNode(_INT, str(value))
    if value is None:
        return ScalarNode(_NULL, "null")
    if kind is float:
        return Dumper.represent_float(_NODE_MAKER, value)  # type: ignore[no-any-return]
    raise _Unusual


class _NodeMaker:
    """What the representer functions above need of a dumper: making a scalar node."""

    inf_value = Dumper.inf_value

    @staticmethod
    def represent_scalar(tag: str, value: str, style: str | None = None) -> ScalarNode:
        return ScalarNode(tag, value, style=style)


_NODE_MAKER: Any = _NodeMaker()


def indent(text: str, spaces: int) -> str:
    """``text`` with every non-empty line indented by ``spaces``. Lines end at "\n" only:
    str.splitlines would also split at characters that are text inside a YAML scalar."""
    return _LINE_START.sub(" " * spaces, text)


_LINE_START = re.compile(r"(?m)^(?=[^\n])")


def dump_inline(value: Any) -> str:
    """A scalar, or an empty/flow collection, on one line without document markers."""
    if isinstance(value, str) and "\n" in value:
        return dump_double_quoted(value)
    text = yaml.dump(
        value,
        Dumper=Dumper,
        default_flow_style=True,
        sort_keys=False,
        allow_unicode=True,
        width=1_000_000,
    )
    if text.endswith("\n...\n"):
        text = text[: -len("\n...\n")]
    return text.rstrip("\n")


def dump_double_quoted(value: str) -> str:
    """A double-quoted YAML scalar with every character escaped as YAML requires."""
    text = yaml.dump(value, Dumper=_BaseDumper, default_style='"', allow_unicode=True, width=1_000_000)
    if text.endswith("\n...\n"):
        text = text[: -len("\n...\n")]
    return text.rstrip("\n")


def is_plain_string(text: str) -> bool:
    """True when ``text`` written without quotes reads back as the same string."""
    if not text or text != text.strip() or "\n" in text:
        return False
    try:
        return load(text) == text and ": " not in text and " #" not in text
    except yaml.YAMLError:
        return False
