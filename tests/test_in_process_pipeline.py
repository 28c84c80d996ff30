"""The in-process pipeline hands one ResourceList from function to function (ResourceList.settle
between steps) instead of writing and reading the whole list. What each function reads must be
what it would read through a pipe: here the pipe is the oracle, each step run as a process would
run it, on the previous step's output text."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from o2krm.gateway.blueprints import load_blueprint
from o2krm.gateway.loadgen import SITES, seed_intent
from o2krm.sdk.kubeobject import KubeObject
from o2krm.sdk.resourcelist import ResourceList
from o2krm.sdk.runner import KrmFunction
from o2krm.sdk.scan import scan
from o2krm.tools import pipeline
from tests.harness.cases import discover
from tests.harness.package import package_files

REPO = Path(__file__).resolve().parents[1]
BLUEPRINTS = sorted(p.parent for p in (REPO / "packages").glob("*/Kptfile"))
RENDER_CASES = [case for case in discover() if case.test_type == "render"]


def piped_render(files: Mapping[str, str]) -> tuple[bool, dict[str, str], list[dict[str, Any]], str]:
    """The Kptfile pipeline as kpt runs it: each function on the text the previous one wrote."""
    import io

    text = pipeline.to_resource_list(files)
    results: list[dict[str, Any]] = []
    stderr = ""
    for step in pipeline.pipeline_steps(files[pipeline.KPTFILE]):
        out, err = io.StringIO(), io.StringIO()
        code = pipeline.function(step.function).run(
            [], io.StringIO(pipeline.with_function_config(text, step.config)), out, err
        )
        results += pipeline._results(out.getvalue())
        stderr += err.getvalue()
        if code != 0:
            return False, dict(files), results, stderr
        if not step.validator:
            text = pipeline.with_function_config(out.getvalue(), None)
    return True, pipeline.from_resource_list(text), results, stderr


def in_process(files: Mapping[str, str]) -> tuple[bool, dict[str, str], list[dict[str, Any]], str]:
    rendered = pipeline.render_in_process(files)
    results = [r for step in rendered.steps for r in step.results]
    return rendered.ok, rendered.files, results, "".join(step.stderr for step in rendered.steps)


@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=lambda p: p.name)
@pytest.mark.parametrize("number", range(3))
def test_a_new_intent_renders_as_through_a_pipe(blueprint: Path, number: int) -> None:
    files = load_blueprint(blueprint).package_for(f"intent-{number}", seed_intent(f"i-{number}", SITES[number]))
    assert in_process(files) == piped_render(files)


@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=lambda p: p.name)
def test_a_rendered_blueprint_renders_as_through_a_pipe(blueprint: Path) -> None:
    files = package_files(blueprint)
    assert in_process(files) == piped_render(files)


@pytest.mark.parametrize("case", RENDER_CASES, ids=lambda c: c.id)
def test_every_render_example_renders_as_through_a_pipe(case: Any) -> None:
    files = package_files(case.root)
    assert in_process(files) == piped_render(files)


def test_settle_rereads_changed_items_and_keeps_parsed_unchanged_ones() -> None:
    text = (
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n"
        "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a  # kept\n"
        "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: b\n"
    )
    rl = ResourceList.parse(text)
    first, second = rl.items
    assert first.name == "a"  # parsed, unchanged
    second.set_label("team", "ran")
    rl.items.insert(0, type(first)({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "new"}}))
    rl.settle()
    assert rl.items[1] is first and first.parsed  # not parsed again
    assert rl.items[2] is not second  # a new object over its new text, its data handed over
    reread = ResourceList.parse(rl.to_text())
    assert [obj.data for obj in rl.items] == [obj.data for obj in reread.items]
    assert rl.items[2].label("team") == "ran" and rl.items[0].name == "new"
    assert [obj._position for obj in rl.items] == [0, 1, 2]
    assert rl.to_text() == ResourceList.parse(rl.to_text()).to_text()
    assert "name: a  # kept" in rl.to_text()


@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=lambda p: p.name)
def test_the_rendered_resources_are_those_of_the_files(blueprint: Path) -> None:
    files = load_blueprint(blueprint).package_for("intent-r", seed_intent("i-r", SITES[0]))
    rendered = pipeline.render_in_process(files)
    assert rendered.parsed is not None
    assert rendered.resources == pipeline.Rendered(rendered.ok, rendered.files, (), "kpt").resources


def test_settle_reads_back_what_yaml_would_not_give_back_as_it_is() -> None:
    rl = ResourceList.parse("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n")
    for name, value in (("plain", ["a", 1, 1.5, True, None]), ("tuple", ("a", "b"))):
        rl.items.append(
            KubeObject({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"v": value}})
        )
    rl.settle()
    plain, tupled = rl.items
    assert plain.parsed and plain.data["data"]["v"] == ["a", 1, 1.5, True, None]
    assert not tupled.parsed and tupled.data["data"]["v"] == ["a", "b"]  # parsed from its text: a list
    plain.data["data"]["v"].append("changed")  # the handed-over data is the object's own
    assert "- changed" in plain.to_text(0)


def _new_config_map(name: str, data: Any) -> KubeObject:
    return KubeObject({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data})


def test_settle_keeps_new_items_as_data_that_shares_nothing() -> None:
    rl = ResourceList.parse("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n")
    shared = {"k": "v"}
    rl.items += [_new_config_map("a", shared), _new_config_map("b", shared)]
    rl.settle()
    a, b = rl.items
    assert a._raw is None and b._raw is None  # not written and read: a new item's text is a dump of its data
    a.data["data"]["k"] = "changed"  # through a pipe the two never share a value; here neither
    assert b.data["data"]["k"] == "v" and shared == {"k": "v"}
    assert [obj.data for obj in ResourceList.parse(rl.to_text()).items] == [a.data, b.data]
    rl.settle()  # a changed new item is settled again; an unchanged one stays as it is
    assert rl.items[1] is b and a.unchanged() and a.data["data"]["k"] == "changed"


def _scribble(rl: ResourceList, config: Any) -> None:
    for obj in rl.items:
        obj.data["data"]["k"] = "scribbled"
    rl.results.error("always fails")


SCRIBBLER = KrmFunction(name="scribbler", process=f"{__name__}:_scribble")


def test_a_failed_run_puts_settled_new_items_back_as_they_were() -> None:
    rl = ResourceList.parse("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n")
    rl.items.append(_new_config_map("a", {"k": "v"}))
    rl.settle()
    assert SCRIBBLER.apply(rl) is True
    assert rl.items[0].data["data"] == {"k": "v"} and rl.items[0].unchanged()


@pytest.mark.parametrize(
    ("item", "has_work"),
    [
        (_new_config_map("plain", {}), False),
        (KubeObject({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"}}), True),
        (KubeObject({"kind": "Namespace", "metadata": {"name": "no-api-version"}}), True),
        (
            KubeObject(
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "o", "annotations": {"x/owned-by": "me"}},
                }
            ),
            True,
        ),
    ],
    ids=["other-kind", "its-kind", "unknown-kind", "owned"],
)
def test_new_items_give_work_as_their_text_would(item: KubeObject, has_work: bool) -> None:
    fn = KrmFunction(name="picky", process=f"{__name__}:_scribble", kinds=[(None, "Namespace")], owner="me")
    rl = ResourceList.parse("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n")
    rl.items.append(item)
    rl.settle()
    assert item._raw is None
    assert fn.has_work_on(rl) is has_work
    raw = scan(rl.to_text())  # what a process would decide from the text
    assert raw is not None and fn._has_work(raw) is has_work
