"""Function configuration for slo-gate-inject: which metrics and labels the queries use,
and the gate policy written into every SLOGate.

Every field is flat and scalar so that a plain ConfigMap ``data`` section can set it
(``latencyHistogram: ran_packet_delay_seconds``). An empty string switches an optional
metric or label off. Defaults follow the user's seed document (``request_duration_seconds``,
``requests_total`` with a ``status`` label, ``bytes_transferred_total``) so the seed's
examples work unchanged; real deployments will point them at their exporters' names.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from o2krm.oran.slo.promql import duration_seconds, is_duration, is_label_name, is_metric_name

MissingDataAction = Literal["Fail", "Inconclusive"]
RollbackAction = Literal["Rollback", "Pause", "None"]


class SloConfig(BaseModel):
    """Configuration of slo-gate-inject; field aliases are the camelCase keys users write."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)

    # --- label matchers: how a series is tied to a request's site and workload -----------
    site_label: str = Field("site", description="Label carrying the O-Cloud site name.")
    network_function_label: str = Field(
        "network_function",
        description="Label carrying the O-RAN function (CU-CP, CU-UP, DU); '' to not scope by function.",
    )
    provisioning_request_label: str = Field(
        "", description="Label carrying the ProvisioningRequest name, if your workloads export one."
    )

    # --- metrics ---------------------------------------------------------------------------
    latency_histogram: str = Field(
        "request_duration_seconds",
        description="Histogram base name (its _bucket series is queried); '' leaves latency unmeasured.",
    )
    latency_histogram_unit: Literal["seconds", "milliseconds"] = Field(
        "seconds", description="Unit of the histogram's le buckets; the query converts it to ms."
    )
    latency_quantile: float = Field(0.95, gt=0, lt=1, description="Quantile the latency target means.")
    requests_total: str = Field(
        "requests_total",
        description="Counter of all requests; success ratio = good / all. '' leaves ratios unmeasured.",
    )
    status_label: str = Field("status", description="Label on requests_total that tells good from bad.")
    success_status_regex: str = Field("2..", description="RE2 regex of status values that count as good.")
    reliability_from_success_ratio: bool = Field(
        True, description="Measure a reliability target with the success-ratio query (a proxy)."
    )
    throughput_counter: str = Field(
        "bytes_transferred_total",
        description="Counter of transferred volume; '' leaves throughput unmeasured.",
    )
    throughput_counter_unit: Literal["bytes", "bits"] = Field(
        "bytes", description="What throughput_counter counts; the query converts it to Mbit/s."
    )
    availability_metric: str = Field(
        "up", description="0/1 gauge of a workload endpoint being up; '' leaves availability unmeasured."
    )

    # --- gate policy -------------------------------------------------------------------------
    measurement_window: str = Field("5m", description="Range every query aggregates over ([5m]).")
    evaluation_period: str = Field("30s", description="How often the gate evaluates; whole seconds.")
    min_sample_count: int = Field(10, ge=1, description="Evaluations with data needed before a pass.")
    failure_limit: int = Field(0, ge=0, description="Failed evaluations tolerated before the gate fails.")
    on_missing_data: MissingDataAction = "Fail"
    on_stale_data: MissingDataAction = "Fail"
    max_data_age: str = Field("1m", description="A sample older than this is stale.")
    rollback_action: RollbackAction = "Rollback"
    require_targets: bool = Field(
        True, description="An intent with no measurable target is an error (else: no gate, a warning)."
    )

    # --- output ------------------------------------------------------------------------------
    namespace: str = Field("", description="Namespace of the generated SLOGate and MeasurementJob.")
    prometheus_address: str = Field("", description="Prometheus URL written into the MeasurementJob.")

    @field_validator("latency_histogram", "requests_total", "throughput_counter", "availability_metric")
    @classmethod
    def _metric_name(cls, value: str) -> str:
        if value and not is_metric_name(value):
            raise ValueError(f"{value!r} is not a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)")
        if value.endswith("_bucket"):
            base = value.removesuffix("_bucket")
            raise ValueError(f"give the histogram's base name, without _bucket: {base!r}")
        return value

    @field_validator("site_label", "status_label")
    @classmethod
    def _required_label_name(cls, value: str) -> str:
        if not is_label_name(value):
            raise ValueError(f"{value!r} is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)")
        return value

    @field_validator("network_function_label", "provisioning_request_label")
    @classmethod
    def _optional_label_name(cls, value: str) -> str:
        return cls._required_label_name(value) if value else value

    @field_validator("success_status_regex")
    @classmethod
    def _regex(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        return value

    @field_validator("measurement_window", "evaluation_period", "max_data_age")
    @classmethod
    def _duration(cls, value: str) -> str:
        if not is_duration(value):
            raise ValueError(f"{value!r} is not a Prometheus duration such as 30s, 5m or 1h30m")
        return value

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, value: str) -> str:
        if value and not re.fullmatch(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?", value):
            raise ValueError(f"{value!r} is not a Kubernetes namespace name (RFC 1123 label)")
        return value

    @model_validator(mode="after")
    def _whole_seconds(self) -> SloConfig:
        seconds = duration_seconds(self.evaluation_period)
        if seconds < 1 or seconds != int(seconds):
            raise ValueError(
                f"evaluationPeriod {self.evaluation_period!r} must be whole seconds (O2 IMS "
                "collectionInterval is an integer number of seconds)"
            )
        return self

    @property
    def collection_interval_seconds(self) -> int:
        return int(duration_seconds(self.evaluation_period))
