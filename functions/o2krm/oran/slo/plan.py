"""plan_gate: one SLOGate and one MeasurementJob for one ProvisioningRequest of an intent."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from o2krm.oran import vocabulary as v
from o2krm.oran.findings import DomainError, Finding
from o2krm.oran.intent_view import IntentView, Target
from o2krm.oran.slo import promql
from o2krm.oran.slo.config import SloConfig
from o2krm.oran.slo.measurements import KINDS
from o2krm.oran.slo.models import (
    FailurePolicy,
    LocalRef,
    Measurement,
    MeasurementJob,
    MeasurementJobSpec,
    MeasurementProvider,
    ObjectMeta,
    ObjectRef,
    PrometheusProvider,
    Rollback,
    SLOGate,
    SLOGateSpec,
    SloTarget,
    TargetResource,
    TargetSource,
)
from o2krm.oran.slo.thresholds import intent_tags, thresholds_for

RULE_UNMEASURABLE = "o2krm.slo.unmeasurable-target"
RULE_NO_TARGETS = "o2krm.slo.no-targets"
RULE_REQUEST = "o2krm.slo.request"
RULE_UNSCOPED = "o2krm.slo.unscoped-workload"

Planned = tuple[dict[str, Any] | None, dict[str, Any] | None, list[Finding]]


def plan_gate(
    intent_view: IntentView, provisioning_request: Mapping[str, Any], config: SloConfig | None = None
) -> Planned:
    """The SLOGate and MeasurementJob that gate ``provisioning_request`` on its intent's targets.

    Returns ``(slogate, measurementjob, findings)`` with warnings and infos in ``findings``.
    Raises DomainError (carrying every finding) when any finding is an error. When no target
    is measurable and ``config.require_targets`` is off, returns ``(None, None, findings)``.
    """
    config = config or SloConfig()
    request = _Request.read(provisioning_request, intent_view)
    findings: list[Finding] = []
    scope, where = _scope(request, intent_view, config, findings)

    slo_targets: list[SloTarget] = []
    measurements: dict[str, Measurement] = {}
    for target in intent_view.targets:
        kind = KINDS.get(target.name)
        measurement = kind.build(config, scope, where) if kind else None
        if kind is None or measurement is None:
            findings.append(_unmeasurable(target))
            continue
        thresholds, problems = thresholds_for(target, kind.physical)
        findings.extend(problems)
        measurements.setdefault(measurement.name, measurement)
        source = TargetSource(
            intent=request.intent,
            expectation_id=target.expectation_id,
            target_name=target.original_name,
            target_condition=target.condition,
        )
        slo_targets.extend(
            SloTarget(metric=measurement.name, operator=t.operator, threshold=t.value, unit=kind.unit, source=source)
            for t in thresholds
        )

    if any(f.severity == "error" for f in findings):
        raise DomainError(findings)
    if not slo_targets:
        findings.append(_no_targets(request.intent, config))
        if config.require_targets:
            raise DomainError(findings)
        return None, None, findings

    metadata = ObjectMeta(name=request.name, namespace=config.namespace or None, labels=request.labels)
    gate = SLOGate(
        metadata=metadata,
        spec=SLOGateSpec(
            provisioning_request_ref=ObjectRef(api_version=v.PR_API, kind=v.PR_KIND, name=request.name),
            measurement_job_ref=LocalRef(name=request.name),
            slo_targets=slo_targets,
            measurement_window=config.measurement_window,
            evaluation_period=config.evaluation_period,
            min_sample_count=config.min_sample_count,
            failure_policy=FailurePolicy(
                on_missing_data=config.on_missing_data,
                on_stale_data=config.on_stale_data,
                max_data_age=config.max_data_age,
                failure_limit=config.failure_limit,
            ),
            rollback=Rollback(action=config.rollback_action),
        ),
    )
    job = MeasurementJob(
        metadata=metadata,
        spec=MeasurementJobSpec(
            consumer_performance_job_id=request.name,
            collection_interval=config.collection_interval_seconds,
            schedule=cron_schedule(config.collection_interval_seconds),
            resource_scope_criteria={"provisioningRequestId": request.name, "oCloudSite": request.site},
            measurement_selection_criteria=[{"measurementName": name} for name in measurements],
            target_resources=[TargetResource(resource_type=v.PR_KIND, resource_name=request.name)],
            measurements=list(measurements.values()),
            provider=(
                MeasurementProvider(prometheus=PrometheusProvider(address=config.prometheus_address))
                if config.prometheus_address
                else None
            ),
        ),
    )
    return gate.as_object(), job.as_object(), findings


def cron_schedule(seconds: int) -> str | None:
    """The seed's six-field cron (with seconds) for an interval, when cron can say it exactly."""
    if seconds < 60 and 60 % seconds == 0:
        return f"*/{seconds} * * * * *"
    minutes, rest = divmod(seconds, 60)
    if rest == 0 and minutes < 60 and 60 % minutes == 0:
        return f"0 */{minutes} * * * *"
    hours, rest = divmod(seconds, 3600)
    if rest == 0 and hours <= 24 and 24 % hours == 0:
        return f"0 0 */{hours} * * *"
    return None


@dataclass(frozen=True)
class _Request:
    """The facts of a ProvisioningRequest a gate needs: name, site, source intent."""

    name: str
    site: str
    intent: str

    @property
    def labels(self) -> dict[str, str]:
        return {v.LABEL_INTENT: self.intent, v.LABEL_SITE: self.site}

    @classmethod
    def read(cls, obj: Mapping[str, Any], intent_view: IntentView) -> _Request:
        metadata = _mapping(obj.get("metadata"))
        labels = _mapping(metadata.get("labels"))
        parameters = _mapping(_mapping(obj.get("spec")).get("templateParameters"))
        name = metadata.get("name")
        site = labels.get(v.LABEL_SITE) or parameters.get("targetCluster")
        findings: list[Finding] = []
        if not isinstance(name, str) or not name:
            findings.append(_request_error("the ProvisioningRequest has no metadata.name", "metadata.name", name))
        if not isinstance(site, str) or not site:
            findings.append(
                _request_error(
                    f"the ProvisioningRequest names no site: set label {v.LABEL_SITE} "
                    "(or spec.templateParameters.targetCluster) so its queries can be scoped to it",
                    f'metadata.labels["{v.LABEL_SITE}"]',
                    site,
                )
            )
        if findings:
            raise DomainError(findings)
        intent = labels.get(v.LABEL_INTENT) or intent_view.intent_id
        return cls(str(name), str(site), str(intent))


def _scope(
    request: _Request, intent_view: IntentView, config: SloConfig, findings: list[Finding]
) -> tuple[tuple[promql.Matcher, ...], str]:
    """Label matchers tying every series to the request's site and workload, and a phrase for humans."""
    matchers = [promql.Matcher.equal(config.site_label, request.site)]
    where = f"at site {request.site}"
    if config.network_function_label and intent_view.functions:
        matchers.append(promql.Matcher.one_of(config.network_function_label, intent_view.functions))
        where += f" for {', '.join(sorted(set(intent_view.functions)))}"
    elif config.network_function_label:
        findings.append(
            Finding(
                f"intent {request.intent!r} names no network functions (context {v.CTX_NETWORK_FUNCTIONS}): "
                "its measurements are scoped by site only",
                "info",
                "spec.intentExpectations",
                rule=RULE_UNSCOPED,
                tags=intent_tags(),
            )
        )
    if config.provisioning_request_label:
        matchers.append(promql.Matcher.equal(config.provisioning_request_label, request.name))
    return tuple(matchers), where


def _unmeasurable(target: Target) -> Finding:
    known = ", ".join(KINDS)
    return Finding(
        f"target {target.original_name!r} has no measurable metric (measured: {known}; a metric set to '' "
        "in the function config is off); it is not gated",
        "warning",
        f"{target.field_path}.targetName",
        target.original_name,
        rule=RULE_UNMEASURABLE,
        tags=intent_tags(),
    )


def _no_targets(intent: str, config: SloConfig) -> Finding:
    consequence = (
        "its ProvisioningRequests cannot be SLO-gated"
        if config.require_targets
        else "its ProvisioningRequests get no SLOGate or MeasurementJob"
    )
    return Finding(
        f"intent {intent!r} has no measurable service-level target, so {consequence}; add a latency, "
        "throughput, successRate, reliability or availability target, or set requireTargets: false",
        "error" if config.require_targets else "warning",
        "spec.intentExpectations",
        rule=RULE_NO_TARGETS,
        tags=intent_tags(),
    )


def _request_error(message: str, field: str, current: object) -> Finding:
    return Finding(message, "error", field, current, rule=RULE_REQUEST, tags={"resource": v.PR_KIND})


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
