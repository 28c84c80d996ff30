"""The surgical patcher: changed data comes back exactly, untouched text stays."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from o2krm.sdk import yamlio
from o2krm.sdk.patch import Unpatchable, patch_text, same

SOURCE = """\
# a leading comment
apiVersion: v1   # where it lives
kind: ConfigMap
metadata:
  name: demo
  labels: {app: web, tier: "front"}
  annotations:
    note: 'single quoted'
data:
  plain: value
  quoted: "double"
  number: 3
  block: |
    line one
    line two
  list:
  - a   # first
  - b
spec:
  containers:
  - name: c1
    image: nginx
  - name: c2
    image: redis
"""


def apply(text: str, change: Any) -> str:
    node = yamlio.compose(text)
    old = yamlio.construct(text, node)
    new = copy.deepcopy(old)
    change(new)
    out = patch_text(text, node, old, new)
    assert same(yamlio.load(out), new), out
    return out


def test_unchanged_is_identical() -> None:
    assert apply(SOURCE, lambda d: None) == SOURCE


def test_scalar_change_keeps_comments_and_quotes() -> None:
    def change(d: dict) -> None:
        d["data"]["quoted"] = "changed"
        d["metadata"]["annotations"]["note"] = "it's"
        d["apiVersion"] = "v2"

    out = apply(SOURCE, change)
    assert 'quoted: "changed"' in out
    assert "note: 'it''s'" in out
    assert "apiVersion: v2   # where it lives" in out
    assert out.count("#") == SOURCE.count("#")


def test_add_key_to_block_and_flow_mappings() -> None:
    def change(d: dict) -> None:
        d["metadata"]["labels"]["team"] = "ran"
        d["metadata"]["annotations"]["new.io/key"] = "x"

    out = apply(SOURCE, change)
    assert "labels: {app: web, tier: front, team: ran}" in out
    assert "    new.io/key: x\n" in out


def test_remove_entries_and_items() -> None:
    def change(d: dict) -> None:
        del d["data"]["block"]
        d["data"]["list"].pop()
        del d["spec"]["containers"][1]["name"]

    out = apply(SOURCE, change)
    assert "line one" not in out
    assert "- a   # first\n" in out
    assert "  - image: redis\n" in out


def test_append_list_items_and_nested_values() -> None:
    def change(d: dict) -> None:
        d["spec"]["containers"].append({"name": "c3", "image": "busybox", "args": ["-c", "x"]})
        d["data"]["nested"] = {"a": [1, 2], "b": {"c": None}}

    out = apply(SOURCE, change)
    assert "  - name: c3\n    image: busybox\n" in out


def test_type_change_is_rewritten_in_place() -> None:
    def change(d: dict) -> None:
        d["data"]["plain"] = {"now": "a map"}
        d["data"]["list"] = "scalar now"
        d["metadata"]["labels"] = {}

    apply(SOURCE, change)


def test_unicode_and_hostile_strings() -> None:
    def change(d: dict) -> None:
        d["data"]["plain"] = "zürich: # not a comment\n\ttab"
        d["data"]["quoted"] = '日本語 "quotes" \\ backslash'
        d["data"]["number"] = "3"

    out = apply(SOURCE, change)
    assert "日本語" in out


def test_removing_every_key_of_a_seq_item_mapping() -> None:
    apply("items:\n- name: a\n  image: b\n", lambda d: d["items"][0].clear())


# --- property: any edit of any document round-trips ---------------------------------
keys = st.sampled_from(["a", "b", "name", "x.y/z", "with space", "1", "true"])
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 1000),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(keys, children, max_size=3),
    ),
    max_leaves=12,
)
documents = st.dictionaries(keys, values, min_size=1, max_size=4)


@st.composite
def edits(draw: st.DrawFn, doc: dict) -> dict:
    new = copy.deepcopy(doc)
    for _ in range(draw(st.integers(1, 4))):
        target: Any = new
        while isinstance(target, dict | list) and target and draw(st.booleans()):
            key = draw(st.sampled_from(list(target.keys()) if isinstance(target, dict) else list(range(len(target)))))
            if not isinstance(target[key], dict | list):
                break
            target = target[key]
        action = draw(st.sampled_from(["set", "delete", "append"]))
        if isinstance(target, dict):
            if action == "delete" and target:
                del target[draw(st.sampled_from(list(target)))]
            else:
                target[draw(keys)] = draw(values)
        elif isinstance(target, list):
            if action == "delete" and target:
                target.pop(draw(st.integers(0, len(target) - 1)))
            elif action == "set" and target:
                target[draw(st.integers(0, len(target) - 1))] = draw(values)
            else:
                target.append(draw(values))
    return new


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), documents, st.booleans(), st.booleans())
def test_any_edit_round_trips(data: st.DataObject, doc: dict, indented: bool, trailer: bool) -> None:
    text = yamlio.dump(doc)
    if trailer:  # blank lines and a comment after the document, as between ResourceList items
        text += "\n\n# a comment after the document\n"
    if indented:  # as an item inside a ResourceList
        text = yamlio.indent(text, 2)
    node = yamlio.compose(text)
    old = yamlio.construct(text, node)
    assert same(old, doc)
    new = data.draw(edits(old))
    try:
        out = patch_text(text, node, old, new)
    except Unpatchable:
        return  # the caller re-emits the document; correctness is kept
    assert same(yamlio.load(out), new), (text, out)


@pytest.mark.parametrize(
    "value",
    ["x\n\u2028", "a\u2029b", "\x85", "\n\u3000", "x\n   \ny", "tail\n \n"],
)
def test_text_survives_dump_indent_and_patch(value: str) -> None:
    """Characters that are line breaks to YAML 1.1 but text to YAML 1.2 are written escaped, and
    lines that hold only whitespace (content of a literal block) are indented like any other."""
    text = yamlio.dump({"a": value, "b": [value]})
    assert "\u2028" not in text and "\u2029" not in text and "\x85" not in text
    assert yamlio.load(yamlio.indent(text, 4)) == {"a": value, "b": [value]}
    out = apply(yamlio.indent(text, 2), lambda d: d.update(c={"d": value}))
    assert yamlio.load(out)["c"] == {"d": value}
