"""yamlio.dump builds the node tree itself (PyYAML's generic representer is most of a dump's
cost): the text must be exactly what PyYAML's representer, with our string rule, would give."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from o2krm.sdk import yamlio

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20),
    st.sampled_from(["", "true", "on", "1.0", "0x1f", "~", "- a", "a: b", "#x", "x\ny\n", "x\n\n", " lead", "\u2028"]),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(scalars, children, max_size=4)),
    max_leaves=25,
)


def by_representer(value: Any) -> str:
    text = yaml.dump(value, Dumper=yamlio.Dumper, **yamlio._BLOCK)
    return text[: -len("...\n")] if text.endswith("\n...\n") else text


@settings(max_examples=400)
@given(value=values)
def test_dump_writes_what_the_representer_writes(value: Any) -> None:
    assert yamlio.dump(value) == by_representer(value)


def test_a_value_met_twice_is_written_as_pyyaml_writes_it() -> None:
    shared = {"a": [1]}
    value = {"x": shared, "y": shared, "z": (1, 2)}
    assert yamlio.dump(value) == by_representer(value)
    assert "&id001" in yamlio.dump({"x": shared, "y": shared})


def test_what_is_not_json_shaped_goes_through_pyyaml() -> None:
    assert yamlio.dump({"t": (1, 2)}) == "t:\n- 1\n- 2\n"
    assert yamlio.load(yamlio.dump({"b": b"x"}))["b"] == b"x"
