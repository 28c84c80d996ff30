"""A cheap scan of a ResourceList's text: where each item starts and ends, and its kind.

Porch starts a function for every call and kpt sends every resource of the package,
so most items are of no interest to a given function. The scan finds item boundaries
and each item's ``apiVersion`` and ``kind`` with string searches only; an item is fully
parsed later, and only if the function touches it. Anything the scan does not
recognise makes it return ``None``, and the caller parses the whole input instead.
"""

from __future__ import annotations

from typing import NamedTuple

RESOURCE_LIST_KEYS = ("apiVersion", "kind", "items", "functionConfig", "results")


class RawItem(NamedTuple):
    """One item's exact source text.

    ``dash`` is the offset of the item's ``- `` sequence indicator inside ``text``
    (-1 for a document of a plain multi-document stream).
    """

    text: str
    dash: int
    api_version: str | None
    kind: str | None

    @property
    def document(self) -> str:
        """The item as a standalone YAML document with the same character offsets."""
        if self.dash < 0:
            return self.text
        return self.text[: self.dash] + "  " + self.text[self.dash + 2 :]


class RawInput(NamedTuple):
    form: str  # "resourcelist" or "stream"
    api_version: str
    items: list[RawItem]
    item_indent: int  # column of the items' "- "
    function_config: str | None  # text of the functionConfig value (indented block), if any


def scan(text: str) -> RawInput | None:
    if _is_resource_list(text):
        return _scan_resource_list(text)
    return _scan_stream(text)


def _is_resource_list(text: str) -> bool:
    head = "\n" + text
    return "\nkind: ResourceList" in head


def _scan_resource_list(text: str) -> RawInput | None:
    api_version = "config.kubernetes.io/v1"
    items: list[RawItem] = []
    function_config: str | None = None
    item_indent = -1
    section = ""
    section_start = 0
    item_start = -1
    position = 0
    length = len(text)

    def close_item(end: int) -> None:
        if item_start >= 0:
            items.append(_raw_item(text[item_start:end], item_indent))

    while position < length:
        newline = text.find("\n", position)
        line_end = length if newline < 0 else newline + 1
        line = text[position:line_end]
        first = line[:1]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            position = line_end
            continue
        if first == " " or first == "-":
            if section == "items":
                indent = len(line) - len(line.lstrip(" "))
                starts_item = line[indent : indent + 2] in ("- ", "-\n") or line[indent:].rstrip("\r\n") == "-"
                if item_indent < 0:
                    if not starts_item:
                        return None
                    item_indent = indent
                if starts_item and indent == item_indent:
                    close_item(position)
                    item_start = position
                elif indent <= item_indent:
                    return None
            elif section in ("functionConfig", "results") and first == " ":
                pass
            else:
                return None
            position = line_end
            continue
        if line.startswith(("---", "...")):
            return None
        # a top-level key of the ResourceList
        key, sep, value = line.partition(":")
        if not sep or key not in RESOURCE_LIST_KEYS:
            return None
        value = _strip_comment(value).strip()
        if section == "items":
            close_item(position)
            item_start = -1
        elif section == "functionConfig":
            function_config = text[section_start:position]
        section = key
        section_start = line_end
        if key == "apiVersion":
            api_version = _unquote(value) or api_version
        elif key == "kind":
            if _unquote(value) != "ResourceList":
                return None
        elif key == "items":
            if value not in ("", "[]"):
                return None
        elif key == "functionConfig":
            if value in ("{}", "null", "~"):
                section = ""
            elif value:
                return None
        position = line_end
    if section == "items":
        close_item(length)
    elif section == "functionConfig":
        function_config = text[section_start:length]
    return RawInput("resourcelist", api_version, items, max(item_indent, 0), function_config)


def _scan_stream(text: str) -> RawInput | None:
    documents: list[str] = []
    start = 0
    position = 0
    length = len(text)
    while position < length:
        newline = text.find("\n", position)
        line_end = length if newline < 0 else newline + 1
        if text.startswith("---", position) and text[position + 3 : position + 4] in ("", "\n", " ", "\r"):
            documents.append(text[start:position])
            start = line_end
        elif text.startswith("...", position):
            return None
        position = line_end
    documents.append(text[start:])
    items = [_raw_item(doc, -1) for doc in documents if _has_content(doc)]
    if any(item.kind is None or item.kind == "ResourceList" for item in items):
        return None  # JSON, flow style, or a ResourceList the line scan did not see: parse fully
    return RawInput("stream", "config.kubernetes.io/v1", items, 0, None)


def _raw_item(text: str, dash_column: int) -> RawItem:
    if dash_column < 0:
        content_indent, dash = 0, -1
    else:
        content_indent, dash = dash_column + 2, dash_column
    return RawItem(
        text=text,
        dash=dash,
        api_version=_top_level_value(text, "apiVersion", content_indent, dash),
        kind=_top_level_value(text, "kind", content_indent, dash),
    )


def _top_level_value(text: str, key: str, indent: int, dash: int) -> str | None:
    """The plain value of a top-level key of the item, or None when not found simply."""
    needle = "\n" + " " * indent + key + ":"
    if dash >= 0 and text.startswith(key + ":", dash + 2):
        at = dash + 2 + len(key) + 1
    elif dash < 0 and text.startswith(key + ":"):
        at = len(key) + 1
    else:
        found = text.find(needle)
        if found < 0:
            return None
        at = found + len(needle)
    newline = text.find("\n", at)
    value = _unquote(_strip_comment(text[at : len(text) if newline < 0 else newline]).strip())
    if not value or value[0] in "|>&*!{[" or value == "null":
        return None
    return value


def _strip_comment(value: str) -> str:
    cut = value.find(" #")
    return value if cut < 0 else value[:cut]


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"" and "\\" not in value:
        return value[1:-1]
    return value


def _has_content(document: str) -> bool:
    return any(line.strip() and not line.lstrip().startswith("#") for line in document.split("\n"))
