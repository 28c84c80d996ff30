"""The config: severities by rule or family, switches, exemptions reported as info, Kubernetes versions."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from o2krm.oran.findings import DomainError
from o2krm.oran.policy import PolicyConfig, validate
from o2krm.oran.policy.k8s_schemas import bundled_versions, resolve_version
from tests.oran.policy.support import DATA, crd_catalog, load_documents

PRIVILEGED_DU = load_documents(DATA / "bad" / "pss.baseline.privileged.yaml")
PRIVILEGED_FIELD = "spec.template.spec.containers[0].securityContext.privileged"


def rules_and_severities(config: PolicyConfig, resources: list) -> list[tuple[str | None, str]]:
    return [(f.rule, f.severity) for _, f in validate(resources, config, crd_catalog())]


def test_severity_by_rule_family_and_longest_match() -> None:
    config = PolicyConfig(severity={"pss": "warning", "pss.baseline.privileged": "info", "rbac": "off"})
    assert config.severity_of("pss.baseline.privileged") == "info"
    assert config.severity_of("pss.baseline.host-ports") == "warning"
    assert config.severity_of("pss.restricted.seccomp") == "warning"
    assert config.severity_of("rbac.wildcard-verbs") is None
    assert config.severity_of("schema.unknown-kind") == "warning"  # the default
    assert config.severity_of("schema.invalid") == "error"


def test_a_rule_switched_off_reports_nothing() -> None:
    assert rules_and_severities(PolicyConfig(severity={"pss.baseline": "off"}), PRIVILEGED_DU) == []


def test_regraded_rule_keeps_its_id() -> None:
    config = PolicyConfig.model_validate({"severity": {"pss.baseline.privileged": "warning"}})
    assert rules_and_severities(config, PRIVILEGED_DU) == [("pss.baseline.privileged", "warning")]


@pytest.mark.parametrize("key", ["pss.baseline.privilege", "psss", "rbac.", "schema.invalid.more"])
def test_unknown_rule_ids_are_rejected_naming_the_key(key: str) -> None:
    with pytest.raises(ValidationError) as error:
        PolicyConfig.model_validate({"severity": {key: "error"}})
    assert key in str(error.value)


def test_unknown_config_fields_are_rejected() -> None:
    with pytest.raises(ValidationError) as error:
        PolicyConfig.model_validate({"podSecurityLvl": "baseline"})
    assert "podSecurityLvl" in str(error.value)


def test_exemption_reports_the_finding_as_info_with_its_reason() -> None:
    config = PolicyConfig.model_validate(
        {
            "exemptions": [
                {
                    "rule": "pss.baseline.privileged",
                    "kind": "Deployment",
                    "name": "o-ran-*",
                    "namespace": "oran",
                    "container": "du",
                    "reason": "the DU programs SR-IOV virtual functions at start",
                }
            ]
        }
    )
    ((index, finding),) = validate(PRIVILEGED_DU, config, crd_catalog())
    assert (index, finding.rule, finding.field, finding.severity) == (
        0,
        "pss.baseline.privileged",
        PRIVILEGED_FIELD,
        "info",
    )
    assert "SR-IOV virtual functions" in finding.message
    assert finding.tags == {"rule": "pss.baseline.privileged", "exempted": "true"}


def test_exemption_by_family_prefix() -> None:
    config = PolicyConfig.model_validate(
        {"exemptions": [{"rule": "pss.baseline", "kind": "Deployment", "name": "o-ran-du", "reason": "DU"}]}
    )
    assert rules_and_severities(config, PRIVILEGED_DU) == [("pss.baseline.privileged", "info")]


@pytest.mark.parametrize(
    "exemption",
    [
        {"kind": "StatefulSet", "name": "o-ran-du"},
        {"kind": "Deployment", "name": "o-ran-cu"},
        {"kind": "Deployment", "name": "o-ran-du", "namespace": "other"},
        {"kind": "Deployment", "name": "o-ran-du", "container": "sidecar"},
        {"kind": "Deployment", "name": "o-ran-du", "rule": "pss.baseline.host-ports"},
    ],
)
def test_an_exemption_for_something_else_leaves_the_error_and_is_reported_unused(exemption: dict) -> None:
    config = PolicyConfig.model_validate(
        {"exemptions": [{"rule": "pss.baseline.privileged", "reason": "r", **exemption}]}
    )
    found = [(i, f.rule, f.severity, f.field) for i, f in validate(PRIVILEGED_DU, config, crd_catalog())]
    assert found == [
        (None, "policy.unused-exemption", "warning", "exemptions[0]"),
        (0, "pss.baseline.privileged", "error", PRIVILEGED_FIELD),
    ]


def test_exemption_needs_a_reason() -> None:
    with pytest.raises(ValidationError) as error:
        PolicyConfig.model_validate(
            {"exemptions": [{"rule": "pss.baseline.privileged", "kind": "Deployment", "name": "du", "reason": ""}]}
        )
    assert "reason" in str(error.value)


def test_pod_security_level() -> None:
    unset_escalation = load_documents(DATA / "bad" / "pss.restricted.privilege-escalation.yaml")
    assert rules_and_severities(PolicyConfig(pod_security_level="baseline"), unset_escalation) == []
    assert rules_and_severities(PolicyConfig(pod_security_level="privileged"), PRIVILEGED_DU) == []
    assert rules_and_severities(PolicyConfig(pod_security_level="baseline"), PRIVILEGED_DU) == [
        ("pss.baseline.privileged", "error")
    ]


def test_kubernetes_version_resolves_to_the_newest_bundled_not_above_it() -> None:
    versions = bundled_versions()
    oldest, newest = versions[0], versions[-1]
    assert resolve_version(f"{newest[0]}.{newest[1] + 5}") == newest
    assert resolve_version(f"v{oldest[0]}.{oldest[1]}.3") == oldest
    with pytest.raises(DomainError) as error:
        resolve_version(f"{oldest[0]}.{oldest[1] - 1}")
    (finding,) = error.value.findings
    assert finding.field == "kubernetesVersion"
    assert f"{newest[0]}.{newest[1]}" in finding.message


def test_unsupported_kubernetes_version_fails_the_call() -> None:
    with pytest.raises(DomainError):
        validate(PRIVILEGED_DU, PolicyConfig(kubernetes_version="1.2"), crd_catalog())


def test_malformed_kubernetes_version_is_a_config_error() -> None:
    with pytest.raises(ValidationError):
        PolicyConfig.model_validate({"kubernetesVersion": "latest"})
