"""The policy-validate KRM function: results as kpt reads them, exit codes, config, CRD sources, README."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import yaml

from o2krm.fns.policy_validate import FUNCTION
from o2krm.fns.policy_validate import fn as adapter
from tests.oran.policy.support import DATA, ROOT

README = ROOT / "functions" / "o2krm" / "fns" / "policy_validate" / "README.md"
METADATA = README.with_name("metadata.yaml")


def resource_list(files: dict[str, str], config: dict[str, Any] | None = None) -> str:
    items = []
    for path, text in files.items():
        for index, doc in enumerate(d for d in yaml.safe_load_all(text) if d):
            annotations = doc.setdefault("metadata", {}).setdefault("annotations", {})
            annotations["internal.config.kubernetes.io/path"] = path
            annotations["internal.config.kubernetes.io/index"] = str(index)
            items.append(doc)
    body: dict[str, Any] = {"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": items}
    if config is not None:
        body["functionConfig"] = config
    return yaml.safe_dump(body, sort_keys=False)


def run(text: str) -> tuple[int, dict[str, Any], str]:
    out, err = io.StringIO(), io.StringIO()
    code = FUNCTION.run([], io.StringIO(text), out, err)
    return code, yaml.safe_load(out.getvalue()), err.getvalue()


def config_map(**data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "function-input"}, "data": data}


def bad(name: str) -> dict[str, str]:
    return {"du.yaml": (DATA / "bad" / f"{name}.yaml").read_text()}


def test_an_error_fails_the_run_with_a_complete_result_and_changes_no_item() -> None:
    text = resource_list(bad("pss.baseline.privileged"))
    code, output, stderr = run(text)
    assert code == 1
    (result,) = output["results"]
    assert result["severity"] == "error"
    assert result["tags"] == {"rule": "pss.baseline.privileged"}
    assert result["resourceRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "o-ran-du",
        "namespace": "oran",
    }
    assert result["field"] == {
        "path": "spec.template.spec.containers[0].securityContext.privileged",
        "currentValue": True,
    }
    assert result["file"] == {"path": "du.yaml", "index": 0}
    assert output["items"] == yaml.safe_load(text)["items"]
    assert "pss" not in stderr or "privileged" in stderr


def test_warnings_alone_pass() -> None:
    code, output, _ = run(resource_list(bad("rbac.wildcard-verbs--seed-operator")))
    assert code == 0
    assert [(r["severity"], r["tags"]["rule"]) for r in output["results"]] == [("warning", "rbac.wildcard-verbs")]


def test_a_clean_package_has_no_results() -> None:
    code, output, _ = run(resource_list({"pkg.yaml": (DATA / "good" / "oran-edge-package.yaml").read_text()}))
    assert (code, output.get("results")) == (0, None)


def test_exemption_from_a_configmap_block_list() -> None:
    exemptions = (
        "- rule: pss.baseline.privileged\n  kind: Deployment\n  name: o-ran-du\n  reason: SR-IOV VF setup\n"
        "- rule: pss.baseline.host-ports\n  kind: Deployment\n  name: o-ran-cu\n  reason: none\n"
    )
    code, output, _ = run(resource_list(bad("pss.baseline.privileged"), config_map(exemptions=exemptions)))
    assert code == 0
    found = [(r["severity"], r["tags"]["rule"], r.get("field", {}).get("path")) for r in output["results"]]
    assert found == [
        ("warning", "policy.unused-exemption", "data.exemptions"),
        ("info", "pss.baseline.privileged", "spec.template.spec.containers[0].securityContext.privileged"),
    ]
    assert output["results"][0]["resourceRef"]["name"] == "function-input"


def test_config_findings_point_into_a_typed_config() -> None:
    config = {
        "apiVersion": "fn.o2krm.io/v1alpha1",
        "kind": "PolicyValidateConfig",
        "metadata": {"name": "policy"},
        "spec": {"exemptions": [{"rule": "rbac", "kind": "Role", "name": "r", "reason": "x"}]},
    }
    code, output, _ = run(resource_list(bad("rbac.cluster-admin-binding"), config))
    assert code == 1
    paths = [r["field"]["path"] for r in output["results"]]
    assert paths == ["spec.exemptions[0]", "roleRef.name"]


def test_an_unknown_rule_id_in_the_config_is_an_error_naming_it() -> None:
    code, output, _ = run(
        resource_list(bad("pss.baseline.privileged"), config_map(severity="{pss.baseline.privilege: off}"))
    )
    assert code == 1
    (result,) = output["results"]
    assert result["field"]["path"] == 'data.severity["pss.baseline.privilege"]'
    assert "pss.baseline.privilege" in result["message"]


def test_an_unsupported_kubernetes_version_is_an_error_on_that_key() -> None:
    code, output, _ = run(resource_list(bad("pss.baseline.privileged"), config_map(kubernetesVersion="1.10")))
    assert code == 1
    (result,) = output["results"]
    assert result["field"]["path"] == "data.kubernetesVersion"
    assert "available" in result["message"]


def test_crds_come_from_the_configured_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    files = {"pkg.yaml": (DATA / "good" / "oran-edge-package.yaml").read_text()}
    monkeypatch.setenv(adapter.CRDS_PATH_ENV, str(tmp_path))
    code, output, _ = run(resource_list(files))
    unknown = sorted(
        {r["resourceRef"]["kind"] for r in output["results"] if r["tags"]["rule"] == "schema.unknown-kind"}
    )
    assert (code, unknown) == (0, ["MeasurementJob", "ProvisioningRequest", "SLOGate"])
    for crd in (ROOT / "crds").glob("*.yaml"):
        (tmp_path / crd.name).write_text(crd.read_text())
    code, output, _ = run(resource_list(files))
    unknown = sorted(
        {r["resourceRef"]["kind"] for r in output["results"] if r["tags"]["rule"] == "schema.unknown-kind"}
    )
    assert unknown == ["ProvisioningRequest"]


def test_a_crd_in_the_package_defines_its_kind() -> None:
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "names": {"kind": "Widget", "plural": "widgets", "singular": "widget", "listKind": "WidgetList"},
            "scope": "Cluster",
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {"spec": {"type": "object", "properties": {"size": {"type": "integer"}}}},
                        }
                    },
                }
            ],
        },
    }
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": "big"}}
    code, output, _ = run(resource_list({"crd.yaml": yaml.safe_dump(crd), "w.yaml": yaml.safe_dump(widget)}))
    assert code == 1
    assert [(r["tags"]["rule"], r["field"]["path"]) for r in output["results"]] == [("schema.invalid", "spec.size")]


def test_big_crd_files_are_read_only_for_their_group(monkeypatch: pytest.MonkeyPatch) -> None:
    read = spy_on_crd_reads(monkeypatch)
    run(resource_list(bad("rbac.wildcard-verbs")))
    assert not [name for name in read if "_" in name]
    run(resource_list(bad("supply-chain.image-not-pinned--audit-policy")))
    assert [name for name in read if "_" in name] == ["kyverno.io_clusterpolicies.yaml"]


def spy_on_crd_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the CRD files read from now on (caches emptied first)."""
    read: list[str] = []
    original = adapter._crds_in
    original.cache_clear()
    adapter._catalog_of.cache_clear()

    def spy(path: Path, mtime_ns: int, size: int) -> Any:
        read.append(path.name)
        return original(path, mtime_ns, size)

    monkeypatch.setattr(adapter, "_crds_in", spy)
    return read


def test_crd_files_are_read_once_and_again_when_they_change(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    source = ROOT / "crds" / "gate.slo.nephio.org_slogates.yaml"
    crd = tmp_path / source.name
    crd.write_text(source.read_text())
    monkeypatch.setenv(adapter.CRDS_PATH_ENV, str(tmp_path))
    read = spy_on_crd_reads(monkeypatch)
    gate = {"gate.yaml": "apiVersion: gate.slo.nephio.org/v1alpha1\nkind: SLOGate\nmetadata:\n  name: g\nspec: 7\n"}
    first, second = run(resource_list(gate)), run(resource_list(gate))
    assert read == [crd.name]  # the second run reuses the file's CRDs and its compiled schemas
    assert first == second and first[0] == 1  # spec: 7 is refused by the CRD's schema both times
    crd.write_text(source.read_text() + "\n")
    run(resource_list(gate))
    assert read == [crd.name, crd.name]
