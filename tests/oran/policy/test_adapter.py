"""The policy-validate KRM function: results as kpt reads them, exit codes, config, CRD sources, README."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from o2krm.fns.policy_validate import FUNCTION
from o2krm.fns.policy_validate import fn as adapter
from o2krm.oran.policy import RULES
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
    read: list[str] = []
    original = adapter._load_crds

    def spy(path: Path) -> Any:
        read.append(path.name)
        return original(path)

    monkeypatch.setattr(adapter, "_load_crds", spy)
    run(resource_list(bad("rbac.wildcard-verbs")))
    assert not [name for name in read if "_" in name]
    run(resource_list(bad("supply-chain.image-not-pinned--audit-policy")))
    assert [name for name in read if "_" in name] == ["kyverno.io_clusterpolicies.yaml"]


def test_help_is_the_readme() -> None:
    out = io.StringIO()
    assert FUNCTION.run(["--help"], io.StringIO(""), out, io.StringIO()) == 0
    assert "| `pss.baseline.privileged` |" in out.getvalue()


# --- the README and catalog metadata -----------------------------------------------------------------

RULE_ROW = re.compile(r"^\| `([a-z0-9.-]+)` \| (error|warning|info) \| (.+) \| (.+) \|$", re.MULTILINE)


def test_every_rule_is_in_the_readme_table_with_its_default_and_an_example() -> None:
    rows = {rule: (severity, example) for rule, severity, _, example in RULE_ROW.findall(README.read_text())}
    assert set(rows) == set(RULES)
    for rule_id, rule in RULES.items():
        severity, example = rows[rule_id]
        assert severity == rule.severity, rule_id
        assert example.strip(), rule_id


def test_catalog_metadata_says_validator() -> None:
    metadata = yaml.safe_load(METADATA.read_text())
    assert "validator" in metadata["tags"]
    assert metadata["image"].endswith("/policy-validate:v0.1.0")
