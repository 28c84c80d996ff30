"""The network-config KRM function adapter, in-process: config errors, re-render, records, ownership."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import yaml

from o2krm.fns.network_config import FUNCTION
from o2krm.oran.network import rules as r
from tests.oran.network_support import (
    IPCLAIM_CRD,
    NAD_CRD,
    SITE_CATALOG_CRD,
    VLANCLAIM_CRD,
    pr_crd_path,
    pr_doc,
    schema_errors,
    validation_problems,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "functions" / "o2krm" / "fns" / "network_config" / "examples"
CRDS = {"IPClaim": IPCLAIM_CRD, "VLANClaim": VLANCLAIM_CRD, "NetworkAttachmentDefinition": NAD_CRD}


def sites() -> dict[str, Any]:
    return yaml.safe_load((EXAMPLES / "single-request" / "sites.yaml").read_text())


def run(items: list[dict[str, Any]], config: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
    rl: dict[str, Any] = {"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": items}
    if config is not None:
        rl["functionConfig"] = config
    out, err = io.StringIO(), io.StringIO()
    code = FUNCTION.run([], io.StringIO(yaml.safe_dump(rl, sort_keys=False)), out, err)
    return code, yaml.safe_load(out.getvalue())


def config_map(**data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "function-input"}, "data": data}


def results(output: dict[str, Any]) -> list[tuple[str, str, str | None, str | None]]:
    return [
        (x["severity"], x.get("resourceRef", {}).get("kind", ""), x.get("field", {}).get("path"),
         (x.get("tags") or {}).get("rule"))
        for x in output.get("results") or []
    ]  # fmt: skip


def test_output_is_valid_and_rerender_is_stable() -> None:
    code, first = run([sites(), pr_doc("ran-a", "edge-us-west-1"), pr_doc("ran-b", "edge-us-east-1", ["DU"])])
    assert code == 0, first.get("results")
    kinds = [i["kind"] for i in first["items"]]
    assert (
        kinds.count("VLANClaim") == 5
        and kinds.count("IPClaim") == 10
        and kinds.count("NetworkAttachmentDefinition") == 8
    )
    for item in first["items"]:
        if item["kind"] in CRDS:
            assert validation_problems(item, CRDS[item["kind"]]) == [], item["metadata"]["name"]
        elif item["kind"] == "ProvisioningRequest":
            assert schema_errors(item, pr_crd_path()) == []
            assert item["spec"]["templateParameters"]["networkConfig"]["vlan"] in (103, 2000)
    code, second = run(first["items"])
    assert code == 0 and second["items"] == first["items"]


def test_a_claim_edited_out_of_range_is_reallocated_with_a_warning() -> None:
    _, first = run([sites(), pr_doc("ran-a", "edge-us-west-1", ["DU"])])
    items = first["items"]
    claim = next(i for i in items if i["kind"] == "VLANClaim")
    claim["status"]["vlanID"] = 4000
    pr = next(i for i in items if i["kind"] == "ProvisioningRequest")
    del pr["spec"]["templateParameters"]["networkConfig"]  # as if pr-generate wrote it again
    code, second = run(items)
    assert code == 0
    assert results(second) == [("warning", "VLANClaim", "status.vlanID", r.RECORD_DROPPED)]
    again = next(i for i in second["items"] if i["kind"] == "VLANClaim")
    assert again["status"]["vlanID"] == 100


def test_removed_request_prunes_what_was_made_for_it() -> None:
    _, first = run([sites(), pr_doc("ran-a", "edge-us-west-1", ["DU"]), pr_doc("ran-b", "edge-us-west-1", ["DU"])])
    kept = [i for i in first["items"] if i["metadata"]["name"] != "ran-b"]
    code, second = run(kept)
    assert code == 0
    names = {i["metadata"]["name"] for i in second["items"]}
    assert not any(n.startswith("ran-b") for n in names)
    assert [i for i in second["items"] if i["metadata"]["name"].startswith("ran-a")] == [
        i for i in first["items"] if i["metadata"]["name"].startswith("ran-a")
    ]


def test_bad_config_values_name_the_field() -> None:
    code, output = run([sites(), pr_doc("ran-a", "edge-us-west-1")], config_map(cniType="bridge"))
    assert code == 1
    assert [(s, k, f) for s, k, f, _ in results(output)] == [("error", "ConfigMap", "data.cniType")]
    defaults = "{vlanRange: {start: 1, end: 9}, networks: {f1: {ipv4Prefix: 10.0.0.1/24}}}"
    code, output = run([pr_doc("ran-a", "elsewhere", ["DU"])], config_map(defaults=defaults))
    assert code == 1
    assert results(output) == [("error", "ConfigMap", "data.defaults.networks.f1.ipv4Prefix", r.INVALID_VALUE)]
    assert "host bits set; the prefix is 10.0.0.0/24" in output["results"][0]["message"]


def test_a_foreign_resource_with_a_generated_name_is_not_overwritten() -> None:
    foreign = {
        "apiVersion": "k8s.cni.cncf.io/v1",
        "kind": "NetworkAttachmentDefinition",
        "metadata": {"name": "ran-a-du-f1"},
        "spec": {"config": "{}"},
    }
    code, output = run([sites(), pr_doc("ran-a", "edge-us-west-1", ["DU"]), foreign])
    assert code == 1
    assert "owned by a person" in output["results"][0]["message"]
    assert output["items"][2] == foreign


def test_requests_without_network_functions_are_left_alone() -> None:
    pr = pr_doc("ran-a", "edge-us-west-1")
    del pr["spec"]["templateParameters"]["networkFunctions"]
    code, output = run([sites(), pr])
    assert code == 0 and output["items"] == [sites(), pr]


def test_example_inputs_are_valid_against_their_crds() -> None:
    checked = 0
    for path in sorted(EXAMPLES.glob("*/*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and doc.get("kind") == "OCloudSiteCatalog":
                assert schema_errors(doc, SITE_CATALOG_CRD) == [], path
                checked += 1
            elif doc and doc.get("kind") == "ProvisioningRequest":
                assert schema_errors(doc, pr_crd_path()) == [], path
                checked += 1
            elif doc and doc.get("kind") in CRDS:
                assert validation_problems(doc, CRDS[doc["kind"]]) == [], path
                checked += 1
    assert checked > 20
