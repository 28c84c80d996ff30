"""Every rule policy-validate knows: its stable id, family, default severity and what it checks.

Rule ids are part of the public contract: users silence, re-grade and exempt them by id in the
function config, and results carry them in ``tags.rule``. Never rename one; add a new id instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from o2krm.oran.findings import Severity


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity  # default; the config may change it per rule or per family prefix
    summary: str

    @property
    def family(self) -> str:
        return self.id.split(".", 1)[0]


def _rules(*rules: Rule) -> dict[str, Rule]:
    return {r.id: r for r in rules}


RULES: Final[dict[str, Rule]] = _rules(
    # --- schema -------------------------------------------------------------------------------
    Rule("schema.not-krm", "error", "a resource lacks apiVersion, kind or metadata.name"),
    Rule("schema.invalid", "error", "a resource does not validate against its Kubernetes or CRD schema"),
    Rule("schema.unknown-kind", "warning", "no schema is known for the resource's apiVersion and kind"),
    # --- Pod Security Standards: baseline --------------------------------------------------------
    Rule("pss.baseline.host-process", "error", "Windows HostProcess containers"),
    Rule("pss.baseline.host-namespaces", "error", "hostNetwork, hostPID or hostIPC"),
    Rule("pss.baseline.privileged", "error", "privileged containers"),
    Rule("pss.baseline.capabilities", "error", "capabilities added beyond the baseline set"),
    Rule("pss.baseline.host-path-volumes", "error", "hostPath volumes"),
    Rule("pss.baseline.host-ports", "error", "container ports bound to a host port"),
    Rule("pss.baseline.apparmor", "error", "AppArmor profile set to unconfined"),
    Rule("pss.baseline.selinux", "error", "SELinux type, user or role outside the allowed set"),
    Rule("pss.baseline.proc-mount", "error", "procMount other than Default"),
    Rule("pss.baseline.seccomp", "error", "seccomp profile Unconfined"),
    Rule("pss.baseline.sysctls", "error", "sysctls outside the safe set"),
    # --- Pod Security Standards: restricted ------------------------------------------------------
    Rule("pss.restricted.volume-types", "error", "volume types other than the restricted set"),
    Rule("pss.restricted.privilege-escalation", "error", "allowPrivilegeEscalation not set to false"),
    Rule("pss.restricted.run-as-non-root", "error", "runAsNonRoot not set to true"),
    Rule("pss.restricted.run-as-user", "error", "runAsUser 0 (root)"),
    Rule("pss.restricted.seccomp", "error", "seccomp profile neither RuntimeDefault nor Localhost"),
    Rule(
        "pss.restricted.capabilities",
        "error",
        "capabilities not dropping ALL or adding beyond NET_BIND_SERVICE",
    ),
    # --- RBAC ------------------------------------------------------------------------------------
    Rule("rbac.wildcard-verbs", "warning", 'a rule grants every verb ("*")'),
    Rule("rbac.wildcard-resources", "error", 'a rule grants every resource or non-resource URL ("*")'),
    Rule("rbac.escalation-verbs", "error", "a rule grants escalate, bind or impersonate"),
    Rule("rbac.secrets-access", "warning", "a rule grants access to all Secrets"),
    Rule("rbac.cluster-admin-binding", "error", "a binding grants the cluster-admin ClusterRole"),
    # --- network -----------------------------------------------------------------------------------
    Rule("network.namespace-without-policy", "error", "a namespace has workloads but no NetworkPolicy"),
    Rule("network.workload-not-selected", "warning", "no NetworkPolicy selects a workload's pods"),
    # --- supply chain ------------------------------------------------------------------------------
    Rule("supply-chain.latest-tag", "error", "an image has no tag or the :latest tag and no digest"),
    Rule(
        "supply-chain.image-not-pinned",
        "warning",
        "an image is not pinned by digest and no Kyverno verifyImages rule covers it",
    ),
    # --- domain consistency ----------------------------------------------------------------------
    Rule(
        "consistency.network-config-invalid",
        "error",
        "a ProvisioningRequest's networkConfig VLAN, subnet or gateway is malformed",
    ),
    Rule(
        "consistency.gateway-outside-subnet",
        "error",
        "a ProvisioningRequest's gateway is not a usable host address of its subnet",
    ),
    Rule("consistency.vlan-overlap", "error", "two ProvisioningRequests of one site use the same VLAN"),
    Rule("consistency.subnet-overlap", "error", "two ProvisioningRequests of one site have overlapping subnets"),
    Rule("consistency.missing-slogate", "error", "a ProvisioningRequest has no SLOGate"),
    Rule("consistency.missing-measurementjob", "error", "a ProvisioningRequest has no MeasurementJob"),
    Rule(
        "consistency.dangling-reference",
        "error",
        "an SLOGate or MeasurementJob names a request, job or measurement not in the package",
    ),
    Rule(
        "consistency.threshold-mismatch",
        "error",
        "an SLOGate threshold differs from its source intent's target",
    ),
    Rule(
        "consistency.intent-invalid",
        "error",
        "a 3GPP TS 28.312 intent is not valid against the Rel-18 schema",
    ),
    Rule(
        "consistency.intent-unchecked",
        "info",
        "the package has 28.312 intents but the Rel-18 schema documents are not installed",
    ),
    # --- the function config itself ----------------------------------------------------------------
    Rule("policy.unused-exemption", "warning", "an exemption in the config matches no finding"),
)


def is_rule_or_family(key: str) -> bool:
    """True for a rule id or a dotted prefix of one ("pss", "pss.restricted")."""
    return key in RULES or any(rule_id.startswith(key + ".") for rule_id in RULES)
