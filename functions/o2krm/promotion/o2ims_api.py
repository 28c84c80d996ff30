"""MeasurementJob resources as objects of the O2 IMS infrastructure performance API: pure.

``MeasurementJobInfo`` has the attributes of o-ran-sc pti-o2's MeasurementJob
(``o2ims/domain/performance_obj.py`` and its ``MeasurementJobGetDto``): the IMS-assigned
``performanceMeasurementJobId``, the consumer's ``consumerPerformanceJobId``, ``state``,
``collectionInterval`` in seconds, ``resourceScopeCriteria``, ``measurementSelectionCriteria``,
``status``, ``preinstalledJob``, ``qualifiedResourceTypes``, ``measuredResources``,
``collectedMeasurements`` and ``extensions``. What only o2krm knows (the PromQL of each
measurement, the resource's name and namespace) travels in ``extensions``.

``MeasurementJobResults`` answers the seed document's ``/o2ims/v1/measurementJobs/{jobId}/results``:
the latest value of every measurement, from live queries.
"""

from __future__ import annotations

import math
import re
from typing import Any, Literal

from pydantic import BaseModel, Field

from o2krm.promotion.gates import Job
from o2krm.promotion.report import rfc3339
from o2krm.promotion.verdict import Series

PERFORMANCE_PREFIX = "/o2ims-infrastructurePerformance"
SEED_PREFIX = "/o2ims/v1"
API_VERSION = "1.0.0"

JobState = Literal["ACTIVE", "SUSPENDED", "DEPRECATED"]
JobStatus = Literal["RUNNING", "FAILED", "DEGRADED", "IDLE", "PENDING_DELETE"]
ResultStatus = Literal["OK", "NO_DATA", "ERROR"]

_EVERY_N_SECONDS = re.compile(r"^\*/(\d+) \* \* \* \* \*$")
_EVERY_N_MINUTES = re.compile(r"^(?:0 )?\*/(\d+) \* \* \* \*$")


class MeasuredResource(BaseModel):
    resourceId: str = Field(description="Identifier of the measured resource (the Kubernetes resource's name).")
    resourceTypeId: str = Field(description="Type of the measured resource, such as ProvisioningRequest.")
    isCurrentlyMeasured: bool = Field(description="Whether the job measures the resource now.")


class CollectedMeasurement(BaseModel):
    measurementId: str = Field(description="Name of the measurement, as SLOGate targets refer to it.")
    resourceTypeId: str = Field(description="Type of the resources it is collected for.")
    isCurrentlyMeasured: bool = Field(description="Whether the job collects it now.")


class MeasurementJobInfo(BaseModel):
    """A performance measurement job, with pti-o2's attribute names."""

    performanceMeasurementJobId: str = Field(description="Identifier of the job within the IMS.")
    consumerPerformanceJobId: str = Field(description="Identifier the consumer gave the job.")
    state: JobState = Field(description="Administrative state of the job.")
    collectionInterval: int | None = Field(
        description="Seconds between two collections; null when only a schedule that is not a fixed interval is set."
    )
    resourceScopeCriteria: dict[str, str] = Field(description="Attribute/value pairs selecting the measured resources.")
    measurementSelectionCriteria: list[dict[str, str]] = Field(
        description="Attribute/value pairs selecting the measurements, one pair per entry."
    )
    status: JobStatus = Field(description="Condition of the job within its state.")
    preinstalledJob: bool = Field(description="True for jobs the O-Cloud created itself.")
    qualifiedResourceTypes: list[str] = Field(description="The distinct resource types among measuredResources.")
    measuredResources: list[MeasuredResource]
    collectedMeasurements: list[CollectedMeasurement]
    extensions: dict[str, Any] = Field(
        description="o2krm additions: name, namespace, schedule, measurements (name, unit, query), prometheus."
    )


class MeasurementResult(BaseModel):
    name: str
    unit: str
    query: str
    status: ResultStatus = Field(description="OK: a value; NO_DATA: no series or NaN; ERROR: the query failed.")
    value: float | None = Field(description="Latest value in unit; null without data or when not finite.")
    valueText: str | None = Field(
        description="The value as Prometheus writes it, which also covers +Inf and -Inf; null without data."
    )
    collectedAt: str | None = Field(description="RFC 3339 time of the newest raw sample the query read.")
    sampleCount: int = Field(ge=0, description="Collections in the window that returned data.")
    message: str | None = None


class MeasurementJobResults(BaseModel):
    measurementJobId: str
    consumerPerformanceJobId: str
    evaluatedAt: str = Field(description="RFC 3339 time the queries were evaluated at.")
    window: str = Field(description="Prometheus duration the collections cover.")
    collectionInterval: int = Field(ge=1, description="Seconds between the collections counted in sampleCount.")
    results: list[MeasurementResult]


class ApiVersion(BaseModel):
    version: str = Field(description="A supported version of the API.")


class ApiVersions(BaseModel):
    uriPrefix: str = Field(description="URI prefix of the API.")
    apiVersions: list[ApiVersion]


class ProblemDetails(BaseModel):
    """RFC 7807 problem details, as O2 IMS APIs report errors."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None


def collection_interval(job: Job) -> int | None:
    """The job's interval in seconds: collectionInterval, else what its schedule says when it is a fixed interval."""
    if job.spec.collection_interval is not None:
        return job.spec.collection_interval
    schedule = " ".join((job.spec.schedule or "").split())
    match = _EVERY_N_SECONDS.match(schedule)
    if match and int(match[1]) > 0:
        return int(match[1])
    match = _EVERY_N_MINUTES.match(schedule)
    if match and int(match[1]) > 0:
        return int(match[1]) * 60
    return None


def job_info(job: Job) -> MeasurementJobInfo:
    spec = job.spec
    recorded = job.status.get("status")
    status: JobStatus = (
        recorded
        if recorded in ("RUNNING", "FAILED", "DEGRADED", "IDLE", "PENDING_DELETE")
        else "RUNNING"
        if spec.state == "ACTIVE"
        else "IDLE"
    )
    measuring = spec.state == "ACTIVE"
    types = sorted({r.resource_type for r in spec.target_resources})
    extensions: dict[str, Any] = {
        "name": job.name,
        "measurements": [
            {
                "name": m.name,
                "unit": m.unit,
                "query": m.query,
                **({"description": m.description} if m.description else {}),
            }
            for m in spec.measurements
        ],
    }
    if job.meta.namespace:
        extensions["namespace"] = job.meta.namespace
    if spec.schedule:
        extensions["schedule"] = spec.schedule
    if job.prometheus_address:
        extensions["prometheus"] = job.prometheus_address
    return MeasurementJobInfo(
        performanceMeasurementJobId=job.job_id,
        consumerPerformanceJobId=job.consumer_job_id,
        state=spec.state,
        collectionInterval=collection_interval(job),
        resourceScopeCriteria=dict(spec.resource_scope_criteria or {}),
        measurementSelectionCriteria=[
            dict(c)
            for c in spec.measurement_selection_criteria or [{"measurementName": m.name} for m in spec.measurements]
        ],
        status=status,
        preinstalledJob=False,
        qualifiedResourceTypes=types,
        measuredResources=[
            MeasuredResource(resourceId=r.resource_name, resourceTypeId=r.resource_type, isCurrentlyMeasured=measuring)
            for r in spec.target_resources
        ],
        collectedMeasurements=[
            CollectedMeasurement(measurementId=m.name, resourceTypeId=t, isCurrentlyMeasured=measuring)
            for m in spec.measurements
            for t in types
        ],
        extensions=extensions,
    )


def job_results(job: Job, series: dict[str, Series], *, at: float, window: str, interval: int) -> MeasurementJobResults:
    return MeasurementJobResults(
        measurementJobId=job.job_id,
        consumerPerformanceJobId=job.consumer_job_id,
        evaluatedAt=rfc3339(at),
        window=window,
        collectionInterval=interval,
        results=[_result(m.name, m.unit, m.query, series.get(m.name, Series()), at) for m in job.spec.measurements],
    )


def _result(name: str, unit: str, query: str, measured: Series, at: float) -> MeasurementResult:
    samples = sum(1 for _, value in measured.points if not math.isnan(value))
    collected = rfc3339(measured.newest_sample_at) if measured.newest_sample_at is not None else None
    if measured.error is not None:
        return MeasurementResult(
            name=name, unit=unit, query=query, status="ERROR", value=None, valueText=None,
            collectedAt=None, sampleCount=0, message=measured.error,
        )  # fmt: skip
    value = measured.value_at(at)
    if value is None:
        return MeasurementResult(
            name=name, unit=unit, query=query, status="NO_DATA", value=None, valueText=None,
            collectedAt=collected, sampleCount=samples, message="no series, or NaN, at the evaluation time",
        )  # fmt: skip
    return MeasurementResult(
        name=name, unit=unit, query=query, status="OK", value=value if math.isfinite(value) else None,
        valueText=_text(value), collectedAt=collected, sampleCount=samples,
    )  # fmt: skip


def _text(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(value)
