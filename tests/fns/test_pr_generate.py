"""pr-generate as a KRM function: generator semantics (upsert, prune, hand edits, idempotence),
config forms, results on the right resource, and passing through packages it has no work in."""

from __future__ import annotations

import copy
import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import o2krm.fns.pr_generate
from o2krm.fns.pr_generate import FUNCTION
from o2krm.oran import vocabulary as v
from o2krm.sdk import yamlio
from tests.oran.pr_support import assert_valid_pr, catalog_of, intent, site

EXAMPLES = Path(o2krm.fns.pr_generate.__file__).parent / "examples"
WEST = "6d5be75b-7500-5029-8a9d-0ada5af7035a"  # uuid5 of edge-ran-intent at edge-us-west-1


def example(case: str, file: str) -> dict[str, Any]:
    return yamlio.load((EXAMPLES / case / file).read_text())


def package(case: str = "single-site") -> list[dict[str, Any]]:
    return [example(case, "intent.yaml"), example(case, "sites.yaml"), example(case, "templates.yaml")]


def resource_list(items: list[dict[str, Any]], config: dict[str, Any] | None = None) -> str:
    body: dict[str, Any] = {"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": items}
    if config is not None:
        body["functionConfig"] = config
    return yamlio.dump(body)


def run_text(text: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = FUNCTION.run([], io.StringIO(text), out, err)
    return code, out.getvalue(), err.getvalue()


def run(items: list[dict[str, Any]], config: dict[str, Any] | None = None) -> tuple[int, dict[str, Any], str]:
    code, out, err = run_text(resource_list(items, config))
    return code, yamlio.load(out), err


def requests(output: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for item in output["items"] if item["kind"] == v.PR_KIND]


def configmap(**data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "function-input"}, "data": data}


def errors(output: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in output.get("results") or [] if r["severity"] == "error"]


# --- generation -------------------------------------------------------------------------------


def test_every_request_is_valid_and_placed_beside_its_intent() -> None:
    code, output, _ = run(package("multi-site"))
    assert code == 0
    made = requests(output)
    assert len(made) == 4
    for pr in made:
        assert_valid_pr({**pr, "metadata": {k: x for k, x in pr["metadata"].items() if k != "annotations"}})
        annotations = pr["metadata"]["annotations"]
        assert annotations["o2krm.io/owned-by"] == "pr-generate"
        assert annotations["o2krm.io/source"] == "Intent/edge-ran-multi-site"
        assert annotations["config.kubernetes.io/path"] == f"provisioningrequest_{pr['metadata']['name']}.yaml"


def test_rendering_the_output_again_changes_no_byte() -> None:
    code, first, _ = run_text(resource_list(package()))
    assert code == 0
    code, second, _ = run_text(first)
    assert code == 0
    assert second == first


def test_a_changed_target_updates_the_request_and_keeps_hand_edits() -> None:
    code, output, _ = run(package())
    (pr,) = requests(output)
    pr["metadata"]["labels"]["team"] = "ran"
    pr["spec"]["templateParameters"]["networkConfig"] = {"vlan": 100, "subnet": "10.10.0.0/28"}
    changed = copy.deepcopy(package())
    changed[0]["spec"]["intentExpectations"][0]["expectationTargets"][1]["targetValueRange"] = 2000
    code, output, _ = run([*changed, pr])
    assert code == 0
    (updated,) = requests(output)
    params = updated["spec"]["templateParameters"]
    assert params["resourceRequirements"] == {"cpu": "12", "memory": "14Gi", "storage": "20Gi"}  # (1+3+6)*1.2
    assert params["networkConfig"] == {"vlan": 100, "subnet": "10.10.0.0/28"}
    assert updated["metadata"]["labels"]["team"] == "ran"
    assert updated["metadata"]["name"] == WEST


def test_removing_a_site_from_the_intent_prunes_its_request() -> None:
    items = package()
    items[0]["spec"]["intentExpectations"][0]["expectationObject"]["objectContexts"][0]["contextValueRange"] = [
        "edge-cluster-us-*"
    ]
    code, output, _ = run(items)
    assert code == 0 and len(requests(output)) == 2
    code, pruned, _ = run([*package(), *requests(output)])
    assert code == 0
    assert [pr["metadata"]["name"] for pr in requests(pruned)] == [WEST]


def test_a_request_someone_else_made_with_the_same_name_is_an_error() -> None:
    theirs = {
        "apiVersion": v.PR_API,
        "kind": v.PR_KIND,
        "metadata": {"name": WEST},
        "spec": {"templateName": "x", "templateVersion": "1", "templateParameters": {}},
    }
    code, output, _ = run([*package(), theirs])
    assert code == 1
    (error,) = errors(output)
    assert "owned by a person, not pr-generate" in error["message"]
    assert output["items"][-1] == theirs  # nothing half-written


def test_owned_requests_without_any_intent_are_an_error() -> None:
    code, output, _ = run(package())
    code, output, stderr = run([*package()[1:], *requests(output)])
    assert code == 1
    assert "the package has no 3GPP TS 28.312 Intent" in errors(output)[0]["message"]
    assert "pr-generate: error: the package has no 3GPP TS 28.312 Intent" in stderr


# --- results on the right resource ---------------------------------------------------------


def test_intents_that_overload_a_site_together_both_get_the_error() -> None:
    small = catalog_of(site("edge-a", "r1", cpu="12"))
    items = [
        intent("first", sites=["edge-a"]),
        intent("second", sites=["edge-a"]),
        small,
        example("single-site", "templates.yaml"),
    ]
    code, output, _ = run(items)
    assert code == 1
    found = errors(output)
    assert [e["resourceRef"]["name"] for e in found] == ["first", "second"]
    assert all("intents first, second together need cpu 16800m > 12" in e["message"] for e in found)
    assert found[0]["tags"] == {"site": "edge-a"}
    assert requests(output) == []


def test_catalog_problems_land_on_the_catalog_they_are_in() -> None:
    templates = example("single-site", "templates.yaml")
    broken = copy.deepcopy(templates)
    broken["metadata"]["name"] = "broken"
    broken["spec"]["templates"][0]["networkFunctions"] = []
    code, output, _ = run([*package(), broken])
    assert code == 1
    (error,) = errors(output)
    assert error["resourceRef"] == {"apiVersion": v.O2KRM_API, "kind": v.TEMPLATE_CATALOG_KIND, "name": "broken"}
    assert error["field"]["path"] == "spec.templates[0].networkFunctions"


def test_missing_catalogs_are_each_reported() -> None:
    code, output, _ = run([example("single-site", "intent.yaml")])
    assert code == 1
    messages = [e["message"] for e in errors(output)]
    assert any("no OCloudSiteCatalog" in m for m in messages)
    assert any("no ProvisioningTemplateCatalog" in m for m in messages)


# --- configuration ------------------------------------------------------------------------------


def test_a_typed_config_may_nest_the_sizing_overrides() -> None:
    config = {
        "apiVersion": "fn.o2krm.io/v1alpha1",
        "kind": "PrGenerateConfig",
        "metadata": {"name": "sizing"},
        "spec": {"sizing": {"profiles": {"eMBB": {"cpuHeadroom": "1.5"}}}},
    }
    code, output, _ = run(package(), config)
    assert code == 0
    (pr,) = requests(output)
    assert pr["spec"]["templateParameters"]["resourceRequirements"]["cpu"] == "10500m"  # 7 * 1.5


def test_a_bad_typed_config_names_the_spec_field() -> None:
    config = {
        "apiVersion": "fn.o2krm.io/v1alpha1",
        "kind": "PrGenerateConfig",
        "metadata": {"name": "sizing"},
        "spec": {"sizing": {"profiles": {"eMBB": {"functions": {"DU": {"base": {"memory": "4GB"}}}}}}},
    }
    code, output, _ = run(package(), config)
    assert code == 1
    (error,) = errors(output)
    assert error["field"]["path"] == "spec.sizing.profiles.eMBB.functions.DU.base.memory"
    assert 'write "4Gi" (2^30) or "4G" (10^9)' in error["message"]


def test_an_unknown_config_key_is_an_error() -> None:
    code, output, _ = run(package(), configmap(sizng="{}"))
    assert code == 1
    (error,) = errors(output)
    assert error["field"]["path"] == "data.sizng"


# --- cost when there is nothing to do ----------------------------------------------------------


def test_a_package_without_its_kinds_passes_through_without_loading_the_function() -> None:
    text = resource_list([{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"a": "1"}}])
    probe = (
        "import io, sys\n"
        "from o2krm.fns.pr_generate import FUNCTION\n"
        "out = io.StringIO()\n"
        "code = FUNCTION.run([], io.StringIO(sys.stdin.read()), out, sys.stderr)\n"
        "assert 'o2krm.fns.pr_generate.fn' not in sys.modules and 'pydantic' not in sys.modules\n"
        "sys.stdout.write(out.getvalue())\n"
        "sys.exit(code)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], input=text, capture_output=True, text=True, check=False, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == text


def test_help_shows_the_readme() -> None:
    out = io.StringIO()
    assert FUNCTION.run(["--help"], io.StringIO(""), out, io.StringIO()) == 0
    assert out.getvalue().startswith("pr-generate ")
    assert "## Sizing" in out.getvalue()
