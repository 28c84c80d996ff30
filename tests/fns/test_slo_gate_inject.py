"""slo-gate-inject as a KRM function: linking requests to intents, generator semantics
(upsert, prune, hand edits, idempotence) and results on the right resource."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import o2krm.fns.slo_gate_inject
from o2krm.fns.slo_gate_inject import FUNCTION
from o2krm.oran import vocabulary as v
from o2krm.sdk import yamlio
from tests.harness.cases import discover
from tests.oran.slo_support import assert_valid

NAME = "slo-gate-inject"
HERE = Path(o2krm.fns.slo_gate_inject.__file__).parent / "examples"


def example(case: str, file: str) -> dict[str, Any]:
    return yamlio.load((HERE / case / file).read_text())


def examples(case: str, file: str) -> list[dict[str, Any]]:
    return [d for d in yamlio.load_all((HERE / case / file).read_text()) if d]


def run(items: list[dict[str, Any]], config: dict[str, str] | None = None) -> tuple[int, dict[str, Any], str]:
    resource_list: dict[str, Any] = {
        "apiVersion": "config.kubernetes.io/v1",
        "kind": "ResourceList",
        "items": items,
    }
    if config:
        resource_list["functionConfig"] = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "function-input"},
            "data": config,
        }
    out, err = io.StringIO(), io.StringIO()
    code = FUNCTION.run([], io.StringIO(yamlio.dump(resource_list)), out, err)
    return code, yamlio.load(out.getvalue()), err.getvalue()


def of_kind(output: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [item for item in output["items"] if item["kind"] == kind]


def seed_items() -> list[dict[str, Any]]:
    return [example("seed-edge", "intent.yaml"), example("seed-edge", "provisioningrequest.yaml")]


# --- linking and generation ---------------------------------------------------------------


def test_one_gate_and_one_job_per_request() -> None:
    requests = examples("urllc-multi-site", "provisioningrequests.yaml")
    items = [example("urllc-multi-site", "intent.yaml"), *requests]
    code, out, _ = run(items)
    assert code == 0 and out.get("results", []) == []
    gates, jobs = of_kind(out, v.SLOGATE_KIND), of_kind(out, v.MEASUREMENT_JOB_KIND)
    names = [item["metadata"]["name"] for item in requests]
    assert [g["spec"]["provisioningRequestRef"]["name"] for g in gates] == names
    assert [j["spec"]["targetResources"][0]["resourceName"] for j in jobs] == names
    for generated in (*gates, *jobs):
        annotations = generated["metadata"]["annotations"]
        assert annotations["o2krm.io/owned-by"] == NAME
        assert annotations["o2krm.io/source"].startswith("ProvisioningRequest/")
        assert annotations["internal.config.kubernetes.io/path"] == (
            f"{generated['kind'].lower()}_{generated['metadata']['name']}.yaml"
        )
        assert_valid(generated)


def test_rendering_the_output_again_changes_nothing() -> None:
    _, first, _ = run(seed_items())
    code, second, _ = run(first["items"])
    assert code == 0 and second["items"] == first["items"]


def test_a_removed_request_loses_its_gate_and_job() -> None:
    _, first, _ = run(seed_items())
    without_request = [item for item in first["items"] if item["kind"] != v.PR_KIND]
    code, second, _ = run(without_request)
    assert code == 0
    assert [item["kind"] for item in second["items"]] == [v.INTENT_3GPP_KIND]


def test_hand_edits_to_fields_it_does_not_produce_survive() -> None:
    _, first, _ = run(seed_items())
    (gate,) = of_kind(first, v.SLOGATE_KIND)
    gate["metadata"]["labels"]["team"] = "ran"
    gate["spec"]["sloTargets"][0]["threshold"] = 50  # a produced field: the intent wins
    _, second, _ = run(first["items"])
    (regenerated,) = of_kind(second, v.SLOGATE_KIND)
    assert regenerated["metadata"]["labels"]["team"] == "ran"
    assert regenerated["spec"]["sloTargets"][0]["threshold"] == 10


def test_a_gate_it_does_not_own_is_never_overwritten() -> None:
    _, first, _ = run(seed_items())
    (gate,) = of_kind(first, v.SLOGATE_KIND)
    del gate["metadata"]["annotations"]["o2krm.io/owned-by"]
    code, out, err = run(first["items"])
    assert code == 1
    (error,) = out["results"]
    assert error["resourceRef"]["kind"] == v.SLOGATE_KIND and "owned by a person" in error["message"]
    assert "slo-gate-inject: error:" in err


def test_request_of_a_missing_intent_is_an_error_on_the_label() -> None:
    request = example("missing-intent", "provisioningrequest.yaml")
    code, out, _ = run([example("seed-edge", "intent.yaml"), request])
    assert code == 1
    (error,) = out["results"]
    assert error["resourceRef"]["kind"] == v.PR_KIND
    assert error["field"] == {"path": 'metadata.labels["o2krm.io/intent"]', "currentValue": "deploy-core"}
    assert of_kind(out, v.SLOGATE_KIND) == []


def test_request_without_intent_label_is_a_warning_and_not_gated() -> None:
    request = example("seed-edge", "provisioningrequest.yaml")
    del request["metadata"]["labels"][v.LABEL_INTENT]
    code, out, _ = run([example("seed-edge", "intent.yaml"), request])
    assert code == 0
    assert [(r["severity"], r["resourceRef"]["kind"]) for r in out["results"]] == [("warning", v.PR_KIND)]
    assert of_kind(out, v.SLOGATE_KIND) == []


def test_two_intents_of_one_name_are_an_error() -> None:
    twins = [example("seed-edge", "intent.yaml"), example("seed-edge", "intent.yaml")]
    code, out, _ = run([*twins, example("seed-edge", "provisioningrequest.yaml")])
    assert code == 1
    assert [r["field"]["path"] for r in out["results"]] == ["metadata.name"]


def test_an_intent_problem_is_reported_once_for_all_its_sites() -> None:
    intent = example("urllc-multi-site", "intent.yaml")
    intent["spec"]["intentExpectations"][0]["expectationTargets"][0]["targetValueRange"] = 0
    code, out, _ = run([intent, *examples("urllc-multi-site", "provisioningrequests.yaml")])
    assert code == 1
    (error,) = out["results"]
    intent_ref = {"apiVersion": v.INTENT_3GPP_API, "kind": "Intent", "name": "urllc-scaling"}
    assert error["resourceRef"] == intent_ref
    assert error["field"] == {
        "path": "spec.intentExpectations[0].expectationTargets[0].targetValueRange",
        "currentValue": 0,
    }
    assert error["tags"] == {"rule": "o2krm.slo.physical-range"}


def test_a_package_without_requests_passes_through_untouched() -> None:
    text = (HERE / "seed-edge" / "intent.yaml").read_text()
    item = text.replace("\n", "\n  ")
    stream = f"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- {item}"
    out = io.StringIO()
    assert FUNCTION.run([], io.StringIO(stream), out, io.StringIO()) == 0
    assert out.getvalue().rstrip() == stream.rstrip()


# --- golden examples: tests/test_golden.py runs them in-process, under kpt and under kustomize ------


def test_every_example_is_a_golden_case_of_this_function() -> None:
    cases = [c for c in discover() if c.root.parent == HERE]
    assert {c.root.name for c in cases} == {p.name for p in HERE.iterdir() if p.is_dir()}
    assert {c.function for c in cases} == {NAME}
