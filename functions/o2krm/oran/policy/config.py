"""What a user can tune in policy-validate: severities, exemptions, the Kubernetes version.

Field names are camelCase as in every other KRM config; Python code may use the snake_case names.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from o2krm.oran.findings import Severity
from o2krm.oran.policy.rules import RULES, is_rule_or_family

SeverityOrOff = Literal["error", "warning", "info", "off"]
PodSecurityLevel = Literal["privileged", "baseline", "restricted"]

DEFAULT_KUBERNETES_VERSION = "1.31"
# kpt's own kinds and function configs are never applied to a cluster: no schema needed.
DEFAULT_SCHEMALESS_API_VERSIONS = ("kpt.dev/*", "fn.kpt.dev/*", "config.kubernetes.io/*")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _known_rule(value: str) -> str:
    if not is_rule_or_family(value):
        raise ValueError(f"unknown rule or rule family {value!r}; the README lists every rule id")
    return value


class Exemption(_Model):
    """Accept one control for one resource, on purpose and with a reason.

    An exempted finding is still reported, as info, with the reason; an exemption that matches
    nothing is itself reported so that stale exemptions do not pile up.
    """

    rule: str = Field(description="rule id or family prefix, e.g. pss.baseline.privileged or pss.restricted")
    kind: str
    name: str = Field(description="resource name; shell-style wildcards allowed")
    namespace: str | None = Field(None, description="resource namespace; omitted: any namespace")
    container: str | None = Field(None, description="limit a pod-security exemption to one container")
    reason: str = Field(min_length=1, description="why the control does not apply, shown in the result")

    _check_rule = field_validator("rule")(_known_rule)

    def covers(self, rule: str, kind: str, name: str, namespace: str, container: str | None) -> bool:
        return (
            (rule == self.rule or rule.startswith(self.rule + "."))
            and kind == self.kind
            and fnmatchcase(name, self.name)
            and (self.namespace is None or self.namespace == namespace)
            and (self.container is None or self.container == container)
        )


class PolicyConfig(_Model):
    kubernetes_version: str = Field(
        DEFAULT_KUBERNETES_VERSION,
        alias="kubernetesVersion",
        pattern=r"^v?\d+\.\d+(\.\d+)?$",
        description="Kubernetes version whose built-in schemas apply (the newest bundled one not above it)",
    )
    pod_security_level: PodSecurityLevel = Field(
        "restricted",
        alias="podSecurityLevel",
        description="Pod Security Standard to check: restricted implies baseline; privileged checks nothing",
    )
    severity: dict[str, SeverityOrOff] = Field(
        default_factory=dict,
        description="rule id or family prefix -> error | warning | info | off; the longest match wins",
    )
    exemptions: tuple[Exemption, ...] = ()
    schemaless_api_versions: tuple[str, ...] = Field(
        DEFAULT_SCHEMALESS_API_VERSIONS,
        alias="schemalessApiVersions",
        description="apiVersion patterns that need no schema (not reported as unknown kinds)",
    )

    @field_validator("severity", "exemptions", "schemaless_api_versions", mode="before")
    @classmethod
    def _yaml_text(cls, value: Any) -> Any:
        """A ConfigMap carries lists and maps as text: read it as YAML (block or flow style)."""
        if not isinstance(value, str):
            return value
        import yaml

        try:
            return yaml.safe_load(value)
        except yaml.YAMLError as error:
            raise ValueError(f"is not valid YAML: {error}") from None

    @field_validator("severity")
    @classmethod
    def _known_rules(cls, value: dict[str, SeverityOrOff]) -> dict[str, SeverityOrOff]:
        for key in value:
            _known_rule(key)
        return value

    def severity_of(self, rule: str) -> Severity | None:
        """The configured severity of a rule, or None when it is switched off."""
        parts = rule.split(".")
        for end in range(len(parts), 0, -1):
            configured = self.severity.get(".".join(parts[:end]))
            if configured is not None:
                return None if configured == "off" else configured
        return RULES[rule].severity

    def is_schemaless(self, api_version: str) -> bool:
        return any(fnmatchcase(api_version, pattern) for pattern in self.schemaless_api_versions)
