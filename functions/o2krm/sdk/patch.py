"""Surgical edits of YAML text: apply a data change to the source it came from.

Given a document's text, its node tree and the data before and after a function ran,
``patch_text`` rewrites only the spans whose values changed. Everything else, comments,
quoting, key order, blank lines and flow style, stays byte for byte. This is what makes
a changed item keep its comments, and what keeps a function fast: there is no
whole-document re-serialisation.

When a change has no safe textual form (aliases, merge keys, a key sharing its line
with something we cannot rewrite), ``Unpatchable`` is raised and the caller falls back
to emitting the whole item anew.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from o2krm.sdk import yamlio
from o2krm.sdk.yamlio import MappingNode, Node, ScalarNode, SequenceNode


class Unpatchable(Exception):
    """The change cannot be expressed as a text edit; re-emit the document instead."""


class _ReplaceWhole(Exception):
    """Raised by a child whose value must be rewritten by its parent (type change)."""


@dataclass
class _Patcher:
    text: str
    wide_sequences: bool = False
    edits: list[tuple[int, int, str]] = field(default_factory=list)

    # --- entry ----------------------------------------------------------------
    def run(self, root: Node, old: Any, new: Any) -> str:
        try:
            self._value(root, old, new)
        except _ReplaceWhole as exc:
            raise Unpatchable("the document root changed type") from exc
        return self._apply()

    # --- dispatch on node type -----------------------------------------------
    def _value(self, node: Node, old: Any, new: Any) -> None:
        if same(old, new):
            return
        if isinstance(node, MappingNode) and isinstance(old, dict) and isinstance(new, dict):
            if node.flow_style:
                self._flow(node, old, new)
            else:
                self._block_mapping(node, old, new)
        elif isinstance(node, SequenceNode) and isinstance(old, list) and isinstance(new, list):
            if node.flow_style:
                self._flow(node, old, new)
            else:
                self._block_sequence(node, old, new)
        elif isinstance(node, ScalarNode) and _is_scalar(new) and _is_scalar(old):
            self._scalar(node, new)
        else:
            raise _ReplaceWhole

    def _flow(self, node: Node, old: Any, new: Any) -> None:
        # An empty flow collection ({} or []) that gains content reads better in block
        # style, which only the parent can write; non-empty flow stays flow.
        if not old or not new:
            raise _ReplaceWhole
        self._edit(node.start_mark.index, node.end_mark.index, yamlio.dump_inline(new))

    def _scalar(self, node: ScalarNode, new: Any) -> None:
        start, end = node.start_mark.index, node.end_mark.index
        trailing_newline = end > start and self.text[end - 1] == "\n"
        self._edit(start, end, format_scalar(new, node.style) + ("\n" if trailing_newline else ""))

    # --- mappings ----------------------------------------------------------------
    def _block_mapping(self, node: MappingNode, old: dict, new: dict) -> None:
        entries = node.value
        if len(entries) != len(old) or any(k.tag == "tag:yaml.org,2002:merge" for k, _ in entries):
            raise Unpatchable("duplicate or merge keys")
        keyed = list(zip(old.keys(), entries, strict=True))
        survivors = [key for key, _ in keyed if key in new]
        if not survivors and not [k for k in new if k not in old]:
            raise _ReplaceWhole  # every key removed: the parent writes {}
        skip = self._delete_leading_entries(keyed, new)
        for key, (knode, vnode) in keyed:
            if key in skip:
                continue
            if key not in new:
                self._delete_entry(knode, vnode)
            elif not same(old[key], new[key]):
                try:
                    self._value(vnode, old[key], new[key])
                except _ReplaceWhole:
                    self._replace_mapping_value(knode, vnode, new[key])
        added = [key for key in new if key not in old]
        if added:
            column = entries[0][0].start_mark.column
            at = self._line_end(self._content_end(entries[-1][1]))
            lines = "".join(
                " " * column + _key_text(key) + ":" + self._after_key(new[key], column) + "\n" for key in added
            )
            prefix = "" if self.text[at - 1 : at] == "\n" else "\n"
            self._edit(at, at, prefix + lines)

    def _delete_entry(self, knode: Node, vnode: Node) -> None:
        start = knode.start_mark.index
        line_start = self.text.rfind("\n", 0, start) + 1
        if self.text[line_start:start].strip(" "):
            raise Unpatchable("a key shares its line with another construct")
        self._edit(line_start, self._line_end(self._content_end(vnode)), "")

    def _delete_leading_entries(self, keyed: list, new: dict) -> set[Any]:
        """Removed keys at the start of a mapping whose first key shares the line of a
        sequence dash ("- name: x"): the first surviving key moves up onto that line."""
        first_key, (first_knode, _) = keyed[0]
        start = first_knode.start_mark.index
        line_start = self.text.rfind("\n", 0, start) + 1
        if first_key in new or not self.text[line_start:start].strip(" "):
            return set()
        leading: set[Any] = set()
        for key, (knode, _) in keyed:
            if key in new:
                self._edit(start, knode.start_mark.index, "")
                return leading
            leading.add(key)
        raise _ReplaceWhole

    def _replace_mapping_value(self, knode: Node, vnode: Node, new: Any) -> None:
        colon = self.text.index(":", knode.end_mark.index)
        end = self._value_end(vnode, colon + 1)
        newline = "\n" if self.text[end - 1] == "\n" and end > colon + 1 else ""
        self._edit(knode.end_mark.index, end, ":" + self._after_key(new, knode.start_mark.column) + newline)

    # --- sequences ---------------------------------------------------------------
    def _block_sequence(self, node: SequenceNode, old: list, new: list) -> None:
        items = node.value
        if not new:
            raise _ReplaceWhole
        common = min(len(old), len(new))
        for i in range(common):
            if not same(old[i], new[i]):
                try:
                    self._value(items[i], old[i], new[i])
                except _ReplaceWhole:
                    self._replace_item(items[i], new[i])
        for item in items[common:]:
            self._dash_column(item)  # raises when the dash is not alone on its line start
            line_start = self.text.rfind("\n", 0, item.start_mark.index) + 1
            self._edit(line_start, self._line_end(self._content_end(item)), "")
        if len(new) > len(old):
            column = self._dash_column(items[0])
            at = self._line_end(self._content_end(items[-1]))
            lines = "".join(" " * column + "- " + self._after_dash(value, column) + "\n" for value in new[common:])
            prefix = "" if self.text[at - 1 : at] == "\n" else "\n"
            self._edit(at, at, prefix + lines)

    def _replace_item(self, item: Node, new: Any) -> None:
        column = self._dash_column(item)
        end = self._value_end(item, item.start_mark.index)
        newline = "\n" if end > item.start_mark.index and self.text[end - 1] == "\n" else ""
        self._edit(item.start_mark.index, end, self._after_dash(new, column) + newline)

    def _dash_column(self, item: Node) -> int:
        start = item.start_mark.index
        line_start = self.text.rfind("\n", 0, start) + 1
        before = self.text[line_start:start]
        dash = before.rfind("-")
        if dash < 0 or before[:dash].strip(" ") or before[dash + 1 :].strip(" "):
            raise Unpatchable("a sequence item does not start its own line")
        return dash

    # --- rendering new values --------------------------------------------------
    def _after_key(self, value: Any, key_column: int) -> str:
        if not _is_collection(value) or not value:
            return " " + yamlio.dump_inline(value)
        indent = key_column + (0 if isinstance(value, list) and not self.wide_sequences else 2)
        return "\n" + _indent(yamlio.dump(value), indent)[:-1]

    def _after_dash(self, value: Any, dash_column: int) -> str:
        if not _is_collection(value) or not value:
            return yamlio.dump_inline(value)
        body = _indent(yamlio.dump(value), dash_column + 2)[:-1]
        return body[dash_column + 2 :]

    # --- positions -------------------------------------------------------------------
    def _content_end(self, node: Node) -> int:
        """Where a value's own text ends (block collections end at their last child)."""
        while not getattr(node, "flow_style", True) and isinstance(node, MappingNode | SequenceNode) and node.value:
            last = node.value[-1]
            node = last[1] if isinstance(last, tuple) else last
        return node.end_mark.index

    def _value_end(self, node: Node, floor: int) -> int:
        if isinstance(node, ScalarNode) and node.start_mark.index == node.end_mark.index:
            return floor  # an empty value ("key:") has no text of its own
        return max(self._content_end(node), floor)

    def _line_end(self, index: int) -> int:
        if index > 0 and self.text[index - 1] == "\n":
            return index
        newline = self.text.find("\n", index)
        return len(self.text) if newline < 0 else newline + 1

    # --- edits -----------------------------------------------------------------------
    def _edit(self, start: int, end: int, replacement: str) -> None:
        self.edits.append((start, end, replacement))

    def _apply(self) -> str:
        out: list[str] = []
        position = 0
        for start, end, replacement in sorted(self.edits, key=lambda e: (e[0], e[1])):
            if start < position:
                raise Unpatchable("overlapping edits")
            out.append(self.text[position:start])
            out.append(replacement)
            position = end
        out.append(self.text[position:])
        return "".join(out)


def patch_text(text: str, root: Node, old: Any, new: Any, *, wide_sequences: bool = False) -> str:
    """Return ``text`` rewritten so that it loads as ``new`` (it loaded as ``old``)."""
    return _Patcher(text, wide_sequences).run(root, old, new)


def same(a: Any, b: Any) -> bool:
    """Equality that tells 1, 1.0 and True apart, as YAML does."""
    if type(a) is not type(b) or a != b:
        return False
    # Equal values that are not the same differ in a scalar's type somewhere (1 and True);
    # JSON text tells those apart, in C. It also tells key order apart, which does not count.
    try:
        if json_text(a) == json_text(b):
            return True
    except (TypeError, ValueError):
        pass
    return _same(a, b)


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


json_text = json.JSONEncoder(check_circular=False, allow_nan=True).encode


def format_scalar(value: Any, style: str | None = None) -> str:
    """Write one scalar, keeping the quoting style of the value it replaces when it can."""
    if not isinstance(value, str):
        return yamlio.dump_inline(value)
    if style == "'" and "\n" not in value and value.isprintable():
        return "'" + value.replace("'", "''") + "'"
    if style in (None, "", "|", ">") and yamlio.is_plain_string(value):
        return value
    return yamlio.dump_double_quoted(value)


def _key_text(key: Any) -> str:
    if isinstance(key, str) and yamlio.is_plain_string(key):
        return key
    return format_scalar(key, '"') if isinstance(key, str) else yamlio.dump_inline(key)


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _is_collection(value: Any) -> bool:
    return isinstance(value, dict | list)


def _indent(text: str, spaces: int) -> str:
    return yamlio.indent(text, spaces)
