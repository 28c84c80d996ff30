"""intent-translate as a KRM function: generator semantics (idempotent re-render, hand edits,
pruning), errors that emit nothing, config, and passing through packages without intents."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import o2krm.fns.intent_translate
from o2krm.fns.intent_translate import FUNCTION
from o2krm.oran import vocabulary as v
from o2krm.oran.intent_view import IntentView
from o2krm.sdk import yamlio
from tests.oran.tmf921_support import load, seed_intent

EXAMPLES = Path(o2krm.fns.intent_translate.__file__).parent / "examples"


def resource_list(items: list[dict[str, Any]], config: dict[str, Any] | None = None) -> str:
    body: dict[str, Any] = {"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": items}
    if config is not None:
        body["functionConfig"] = config
    return yamlio.dump(body)


def run_text(text: str, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = FUNCTION.run(list(args), io.StringIO(text), out, err)
    return code, out.getvalue(), err.getvalue()


def run(items: list[dict[str, Any]], config: dict[str, Any] | None = None) -> tuple[int, dict[str, Any], str]:
    code, out, err = run_text(resource_list(items, config))
    return code, yamlio.load(out), err


def of_kind(output: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [i for i in output["items"] if i["apiVersion"] == v.INTENT_3GPP_API and i["kind"] == kind]


def test_translates_every_intent_of_the_package() -> None:
    items = [load("seed-deploy-edge-ran"), load("tio-ran-edge-west.turtle"), load("tio-urllc-campus.jsonld")]
    code, output, err = run(items)
    assert code == 0, err
    intents = of_kind(output, v.INTENT_3GPP_KIND)
    assert [i["metadata"]["name"] for i in intents] == ["deploy-edge-ran", "ran-edge-west", "urllc-campus"]
    assert [i["metadata"]["name"] for i in of_kind(output, v.INTENT_REPORT_KIND)] == [
        "deploy-edge-ran", "ran-edge-west", "urllc-campus"]  # fmt: skip
    for intent in intents:
        annotations = intent["metadata"]["annotations"]
        assert annotations["o2krm.io/owned-by"] == "intent-translate"
        assert annotations[v.LOCAL_CONFIG] == "true"
    assert IntentView.from_spec(intents[0]["spec"]).sites == ("edge-cluster-us-west-1",)
    warnings = [r for r in output["results"] if r["severity"] == "warning"]
    assert {r["resourceRef"]["name"] for r in warnings} == {"urllc-campus"}


def test_rendering_the_output_again_changes_no_byte() -> None:
    code, first, _ = run_text(resource_list([load("seed-urllc-scaling"), load("tio-du-with-reports.jsonld")]))
    assert code == 0
    code, second, _ = run_text(first)
    assert code == 0
    assert second == first


def test_errors_emit_nothing_and_name_every_problem() -> None:
    good = load("seed-deploy-edge-ran")
    bad = seed_intent({"expectationVerbs": ["deploy"], "expectationObjects": ["du", "latency<3furlongs"]}, name="bad")
    code, output, err = run([good, bad])
    assert code == 1
    assert [i["kind"] for i in output["items"]] == ["Intent", "Intent"]  # the two inputs, nothing added
    (error,) = [r for r in output["results"] if r["severity"] == "error"]
    assert error["resourceRef"]["name"] == "bad"
    assert error["field"]["path"] == "spec.intentExpectations[0].expectationObjects[1]"
    assert "furlongs" in err


def test_two_intents_with_one_name_are_an_error() -> None:
    seed, v5 = load("seed-urllc-scaling"), load("tio-urllc-scaling.turtle")
    v5["metadata"]["name"] = seed["metadata"]["name"]
    code, output, _ = run([seed, v5])
    assert code == 1
    (error,) = output["results"]
    assert "two TMF921 intents are named 'urllc-scaling'" in error["message"]
    assert error["field"]["path"] == "metadata.name"


def test_unknown_config_key_is_an_error() -> None:
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"validate": "true"}}
    code, output, _ = run([load("seed-urllc-scaling")], config)
    assert code == 1
    assert output["results"][0]["field"]["path"] == "data.validate"


def test_validate_output_argument() -> None:
    code, out, err = run_text(resource_list([load("tio-ranges-west.turtle")]), "validateOutput=true")
    assert code == 0, err
    assert len(of_kind(yamlio.load(out), v.INTENT_3GPP_KIND)) == 1


def test_package_without_intents_passes_through_unchanged() -> None:
    items = "".join(
        f"- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: cm-{i}  # keep me\n  data:\n    k: 'v{i}'\n"
        for i in range(1000)
    )
    text = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n" + items
    code, out, _ = run_text(text)
    assert code == 0
    assert out == text


def test_help_shows_the_readme() -> None:
    code, out, _ = run_text("", "--help")
    assert code == 0
    assert "intent-translate" in out and "Mapping" in out
