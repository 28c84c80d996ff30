"""Typed shapes of the SLOGate and MeasurementJob resources (crds/ holds their CRDs).

Models build the output; ``as_object()`` gives the plain dict a KRM item carries, keys in
field order (so output is stable) and without unset optional fields.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from o2krm.oran import vocabulary as v
from o2krm.oran.slo.config import MissingDataAction, RollbackAction

Operator = Literal["<", "<=", ">", ">=", "=="]


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    def as_object(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


class ObjectMeta(_Model):
    name: str
    namespace: str | None = None
    labels: dict[str, str] | None = None


# --- SLOGate ---------------------------------------------------------------------------------


class TargetSource(_Model):
    """Where a threshold came from: lets a reviewer (and policy-validate) trace it to the intent."""

    intent: str
    expectation_id: str
    target_name: str
    target_condition: str


class SloTarget(_Model):
    metric: str  # name of a measurement in the gate's MeasurementJob
    operator: Operator
    threshold: int | float
    unit: str
    source: TargetSource | None = None


class ObjectRef(_Model):
    api_version: str
    kind: str
    name: str


class LocalRef(_Model):
    name: str


class FailurePolicy(_Model):
    on_missing_data: MissingDataAction = "Fail"
    on_stale_data: MissingDataAction = "Fail"
    max_data_age: str = "1m"
    failure_limit: int = Field(0, ge=0)


class Rollback(_Model):
    action: RollbackAction = "Rollback"


class SLOGateSpec(_Model):
    provisioning_request_ref: ObjectRef
    measurement_job_ref: LocalRef
    slo_targets: list[SloTarget] = Field(min_length=1)
    measurement_window: str = "5m"
    evaluation_period: str = "30s"
    min_sample_count: int = Field(10, ge=1)
    failure_policy: FailurePolicy = FailurePolicy()
    rollback: Rollback = Rollback()


class SLOGate(_Model):
    api_version: Literal["gate.slo.nephio.org/v1alpha1"] = v.SLOGATE_API
    kind: Literal["SLOGate"] = v.SLOGATE_KIND
    metadata: ObjectMeta
    spec: SLOGateSpec


# --- MeasurementJob --------------------------------------------------------------------------


class Measurement(_Model):
    name: str
    query: str  # PromQL
    unit: str
    description: str | None = None


class TargetResource(_Model):
    resource_type: str
    resource_name: str


class PrometheusProvider(_Model):
    address: str


class MeasurementProvider(_Model):
    prometheus: PrometheusProvider


class MeasurementJobSpec(_Model):
    consumer_performance_job_id: str
    state: Literal["ACTIVE", "SUSPENDED", "DEPRECATED"] = "ACTIVE"
    collection_interval: int = Field(ge=1)  # seconds, as O2 IMS performance jobs count it
    schedule: str | None = None
    resource_scope_criteria: dict[str, str]
    measurement_selection_criteria: list[dict[str, str]]
    target_resources: list[TargetResource]
    measurements: list[Measurement] = Field(min_length=1)
    provider: MeasurementProvider | None = None


class MeasurementJob(_Model):
    api_version: Literal["measurement.o2ims.org/v1alpha1"] = v.MEASUREMENT_JOB_API
    kind: Literal["MeasurementJob"] = v.MEASUREMENT_JOB_KIND
    metadata: ObjectMeta
    spec: MeasurementJobSpec
