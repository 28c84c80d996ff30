"""SLOGate and MeasurementJob as the promotion code reads them: typed, with the CRD defaults applied.

The models accept what the CRDs in ``crds/`` accept, plus the seed document's simplified shapes
(an SLOGate without ``provisioningRequestRef``, units in any case). Unknown fields are refused so
that a misspelt ``minSampleCount`` is not silently replaced by its default. Every problem comes
back as a ``Finding`` whose ``field`` is a path into the resource.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, PlainValidator, StrictInt, ValidationError

from o2krm.oran import vocabulary as v
from o2krm.oran.findings import DomainError, Finding
from o2krm.oran.model_support import InputModel, findings_from_validation_error
from o2krm.oran.slo.config import MissingDataAction, RollbackAction
from o2krm.oran.slo.models import Operator
from o2krm.oran.slo.promql import duration_seconds, is_duration

RULE_INPUT = "o2krm.promotion.input"
_NAME = r"^[a-zA-Z_][a-zA-Z0-9_]*$"


def _duration(value: str) -> str:
    if not is_duration(value):
        raise ValueError(f"{value!r} is not a Prometheus duration such as 30s, 5m or 1h30m")
    return value


Duration = Annotated[str, AfterValidator(_duration)]


def _number(value: object) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"must be a number (got {type(value).__name__} {value!r}); write it without quotes")
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


Number = Annotated[int | float, PlainValidator(_number)]


# --- SLOGate ---------------------------------------------------------------------------------------


class RequestRef(InputModel):
    api_version: str = v.PR_API
    kind: Literal["ProvisioningRequest"] = v.PR_KIND
    name: str = Field(min_length=1, max_length=253)


class JobRef(InputModel):
    name: str = Field(min_length=1, max_length=253)


class TargetSource(InputModel):
    intent: str | None = None
    expectation_id: str | None = None
    target_name: str | None = None
    target_condition: str | None = None


class GateTarget(InputModel):
    metric: str = Field(min_length=1, max_length=128, pattern=_NAME)
    operator: Operator
    threshold: Number
    unit: str | None = Field(None, max_length=32)
    source: TargetSource | None = None

    def describe_requirement(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.operator} {self.threshold:g}{unit}"


class FailurePolicy(InputModel):
    on_missing_data: MissingDataAction = "Fail"
    on_stale_data: MissingDataAction = "Fail"
    max_data_age: Duration = "1m"
    failure_limit: StrictInt = Field(0, ge=0)


class RollbackPolicy(InputModel):
    action: RollbackAction = "Rollback"


class GateSpec(InputModel):
    # Required by the CRD; optional here because the seed document's SLOGate has none.
    provisioning_request_ref: RequestRef | None = None
    measurement_job_ref: JobRef | None = None
    slo_targets: list[GateTarget] = Field(min_length=1)
    measurement_window: Duration = "5m"
    evaluation_period: Duration = "30s"
    min_sample_count: StrictInt = Field(10, ge=1)
    failure_policy: FailurePolicy = FailurePolicy()
    rollback: RollbackPolicy = RollbackPolicy()


# --- MeasurementJob --------------------------------------------------------------------------------


class JobMeasurement(InputModel):
    name: str = Field(min_length=1, max_length=128, pattern=_NAME)
    query: str = Field(min_length=1)
    unit: str = Field(min_length=1, max_length=32)
    description: str | None = None


class TargetResource(InputModel):
    resource_type: str = Field(min_length=1)
    resource_name: str = Field(min_length=1, max_length=253)


class PrometheusAddress(InputModel):
    address: str = Field(min_length=1)


class Provider(InputModel):
    prometheus: PrometheusAddress | None = None


class JobSpec(InputModel):
    consumer_performance_job_id: str | None = Field(None, max_length=255)
    state: Literal["ACTIVE", "SUSPENDED", "DEPRECATED"] = "ACTIVE"
    collection_interval: StrictInt | None = Field(None, ge=1)
    schedule: str | None = None
    resource_scope_criteria: dict[str, str] | None = None
    measurement_selection_criteria: list[dict[str, str]] | None = None
    target_resources: list[TargetResource] = Field(min_length=1)
    measurements: list[JobMeasurement] = Field(min_length=1)
    provider: Provider | None = None


# --- the resources ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Meta:
    name: str
    namespace: str | None
    labels: Mapping[str, str]
    origin: str  # where it was read from, for messages ("packages/edge-ran/slogate_x.yaml")

    def describe(self, kind: str) -> str:
        where = f" ({self.origin})" if self.origin else ""
        return f"{kind}/{self.name}{where}"


@dataclass(frozen=True)
class Gate:
    meta: Meta
    spec: GateSpec

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def job_name(self) -> str:
        return self.spec.measurement_job_ref.name if self.spec.measurement_job_ref else self.meta.name

    @property
    def request_name(self) -> str | None:
        ref = self.spec.provisioning_request_ref
        return ref.name if ref else None

    @property
    def intent(self) -> str | None:
        """The 28.312 intent the gate's targets came from: its label, else its targets' source."""
        label = self.meta.labels.get(v.LABEL_INTENT)
        if label:
            return label
        sources = sorted({t.source.intent for t in self.spec.slo_targets if t.source and t.source.intent})
        return sources[0] if len(sources) == 1 else None

    @property
    def site(self) -> str | None:
        return self.meta.labels.get(v.LABEL_SITE)

    @property
    def window_seconds(self) -> float:
        return duration_seconds(self.spec.measurement_window)

    @property
    def period_seconds(self) -> float:
        return duration_seconds(self.spec.evaluation_period)

    @property
    def max_data_age_seconds(self) -> float:
        return duration_seconds(self.spec.failure_policy.max_data_age)

    def describe(self) -> str:
        return self.meta.describe(v.SLOGATE_KIND)


@dataclass(frozen=True)
class Job:
    meta: Meta
    spec: JobSpec
    status: Mapping[str, Any]

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def job_id(self) -> str:
        """The O2 IMS performanceMeasurementJobId: the IMS-assigned one when recorded, else the name."""
        assigned = self.status.get("performanceMeasurementJobId")
        return assigned if isinstance(assigned, str) and assigned else self.meta.name

    @property
    def consumer_job_id(self) -> str:
        return self.spec.consumer_performance_job_id or self.meta.name

    @property
    def prometheus_address(self) -> str | None:
        provider = self.spec.provider
        return provider.prometheus.address if provider and provider.prometheus else None

    def measurement(self, name: str) -> JobMeasurement | None:
        return next((m for m in self.spec.measurements if m.name == name), None)

    def describe(self) -> str:
        return self.meta.describe(v.MEASUREMENT_JOB_KIND)


def is_gate(obj: Mapping[str, Any]) -> bool:
    return obj.get("kind") == v.SLOGATE_KIND and _group(obj) == v.SLOGATE_API.split("/")[0]


def is_job(obj: Mapping[str, Any]) -> bool:
    return obj.get("kind") == v.MEASUREMENT_JOB_KIND and _group(obj) == v.MEASUREMENT_JOB_API.split("/")[0]


def read_gate(obj: Mapping[str, Any], origin: str = "") -> Gate:
    meta = _meta(obj, v.SLOGATE_KIND, origin)
    return Gate(meta, _spec(GateSpec, obj, meta.describe(v.SLOGATE_KIND)))


def read_job(obj: Mapping[str, Any], origin: str = "") -> Job:
    meta = _meta(obj, v.MEASUREMENT_JOB_KIND, origin)
    spec = _spec(JobSpec, obj, meta.describe(v.MEASUREMENT_JOB_KIND))
    names = [m.name for m in spec.measurements]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        index = names.index(duplicates[0], names.index(duplicates[0]) + 1)
        raise DomainError(
            _error(
                f"{meta.describe(v.MEASUREMENT_JOB_KIND)}: measurement {duplicates[0]!r} is defined twice; "
                "measurement names must be unique",
                f"spec.measurements[{index}].name",
                duplicates[0],
            )
        )
    status = obj.get("status")
    return Job(meta, spec, status if isinstance(status, Mapping) else {})


def _group(obj: Mapping[str, Any]) -> str:
    api_version = obj.get("apiVersion")
    return api_version.split("/")[0] if isinstance(api_version, str) else ""


def _meta(obj: Mapping[str, Any], kind: str, origin: str) -> Meta:
    metadata = obj.get("metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    name = metadata.get("name")
    where = f" in {origin}" if origin else ""
    if not isinstance(name, str) or not name:
        raise DomainError(_error(f"a {kind}{where} has no metadata.name; give it one", "metadata.name", name))
    namespace = metadata.get("namespace")
    labels = metadata.get("labels")
    return Meta(
        name=name,
        namespace=namespace if isinstance(namespace, str) and namespace else None,
        labels={str(k): str(val) for k, val in labels.items()} if isinstance(labels, Mapping) else {},
        origin=origin,
    )


def _spec(model: type[GateSpec] | type[JobSpec], obj: Mapping[str, Any], what: str) -> Any:
    spec = obj.get("spec")
    if not isinstance(spec, Mapping):
        raise DomainError(_error(f"{what}: spec is missing or not a mapping", "spec", None))
    try:
        return model.model_validate(spec)
    except ValidationError as err:
        raise DomainError(
            [
                Finding(f.message, "error", f.field, f.current, rule=RULE_INPUT)
                for f in findings_from_validation_error(err, "spec", what)
            ]
        ) from None


def _error(message: str, field: str, current: object) -> Finding:
    return Finding(
        message, "error", field, current if isinstance(current, str | int | float) else None, rule=RULE_INPUT
    )
