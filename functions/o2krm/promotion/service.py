"""The O2 IMS measurement-job service: a package's MeasurementJobs over HTTP, results from Prometheus.

Paths:

- ``/o2ims-infrastructurePerformance/v1/api_versions``, ``.../v1/measurementJobs`` and
  ``.../v1/measurementJobs/{measurementJobId}``: the O2 IMS infrastructure performance API as
  o-ran-sc pti-o2 serves it (read-only here: jobs are declared in the package, not POSTed);
- ``/o2ims/v1/measurementJobs``, ``/o2ims/v1/measurementJobs/{jobId}`` and ``.../{jobId}/results``:
  the paths the o2krm seed document queries; results are live Prometheus queries.

Errors are RFC 7807 problem details. The package is read once, when the app is created; a job id
is its performanceMeasurementJobId (status), else its name; its consumerPerformanceJobId works too.
``openapi.json`` beside this module is the published document (``python -m o2krm.promotion openapi``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse

from o2krm.promotion.evaluation import Clients, NoPrometheus, live_results
from o2krm.promotion.o2ims_api import (
    API_VERSION,
    PERFORMANCE_PREFIX,
    SEED_PREFIX,
    ApiVersion,
    ApiVersions,
    MeasurementJobInfo,
    MeasurementJobResults,
    ProblemDetails,
    job_info,
)
from o2krm.promotion.prometheus import DEFAULT_TIMEOUT, PrometheusUnavailable
from o2krm.promotion.sources import Bundle, bundle_from_path

OPENAPI_FILE = Path(__file__).with_name("openapi.json")
PROBLEM_JSON = "application/problem+json"


def create_app(
    package: Path | Bundle,
    *,
    prometheus: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    clock: Callable[[], float] = time.time,
) -> FastAPI:
    bundle = package if isinstance(package, Bundle) else bundle_from_path(package)
    app = FastAPI(
        title="o2krm O2 IMS measurement jobs",
        version=API_VERSION,
        description="The MeasurementJobs of a kpt package as O2 IMS infrastructure performance measurement "
        "jobs (attribute names as in o-ran-sc pti-o2), and their latest results from Prometheus.",
    )
    not_found = {404: _problem_response("No measurement job with this id")}
    upstream = {502: _problem_response("Prometheus could not be queried")}

    def problem(status: int, title: str, detail: str, instance: str) -> JSONResponse:
        body = ProblemDetails(title=title, status=status, detail=detail, instance=instance)
        return JSONResponse(body.model_dump(), status_code=status, media_type=PROBLEM_JSON)

    def missing(job_id: str, request: Request) -> JSONResponse:
        return problem(404, "Not Found", f"Measurement Job {job_id} doesn't exist", request.url.path)

    def jobs() -> list[MeasurementJobInfo]:
        return sorted((job_info(j) for j in bundle.jobs), key=lambda j: j.performanceMeasurementJobId)

    def job_id_param() -> Any:  # a fresh one per route: FastAPI binds the parameter's name to it
        return PathParam(description="performanceMeasurementJobId (or consumerPerformanceJobId) of the job")

    @app.get(
        f"{PERFORMANCE_PREFIX}/v1/api_versions",
        tags=["O2IMS-InfrastructurePerformance"],
        summary="Get Performance API version",
    )
    def api_versions(request: Request) -> ApiVersions:
        prefix = str(request.url).split("?", 1)[0].rsplit("/", 1)[0]
        return ApiVersions(uriPrefix=prefix, apiVersions=[ApiVersion(version=API_VERSION)])

    @app.get(
        f"{PERFORMANCE_PREFIX}/v1/measurementJobs",
        tags=["O2IMS-InfrastructurePerformance"],
        summary="Get Measurement Job List",
    )
    def list_performance_jobs() -> list[MeasurementJobInfo]:
        return jobs()

    @app.get(
        f"{PERFORMANCE_PREFIX}/v1/measurementJobs/{{measurementJobId}}",
        tags=["O2IMS-InfrastructurePerformance"],
        summary="Get Measurement Job Information",
        responses=not_found,
        response_model=MeasurementJobInfo,
    )
    def get_performance_job(request: Request, measurementJobId: str = job_id_param()) -> Any:
        job = bundle.job_by_id(measurementJobId)
        return job_info(job) if job else missing(measurementJobId, request)

    @app.get(f"{SEED_PREFIX}/measurementJobs", tags=["o2krm"], summary="List measurement jobs")
    def list_jobs() -> list[MeasurementJobInfo]:
        return jobs()

    @app.get(
        f"{SEED_PREFIX}/measurementJobs/{{jobId}}",
        tags=["o2krm"],
        summary="Get a measurement job",
        responses=not_found,
        response_model=MeasurementJobInfo,
    )
    def get_job(request: Request, jobId: str = job_id_param()) -> Any:
        job = bundle.job_by_id(jobId)
        return job_info(job) if job else missing(jobId, request)

    @app.get(
        f"{SEED_PREFIX}/measurementJobs/{{jobId}}/results",
        tags=["o2krm"],
        summary="Latest value of each measurement, from Prometheus",
        responses={**not_found, **upstream},
        response_model=MeasurementJobResults,
    )
    def job_results(request: Request, jobId: str = job_id_param()) -> Any:
        job = bundle.job_by_id(jobId)
        if job is None:
            return missing(jobId, request)
        pool = Clients(timeout)
        try:
            return live_results(bundle, job, pool, prometheus=prometheus, at=clock())
        except (PrometheusUnavailable, NoPrometheus) as err:
            return problem(502, "Bad Gateway", str(err), request.url.path)
        finally:
            pool.close()

    return app


def _problem_response(description: str) -> dict[str, Any]:
    """An error response documented with the media type it really has (RFC 7807)."""
    schema = {"$ref": "#/components/schemas/ProblemDetails"}
    return {"model": ProblemDetails, "description": description, "content": {PROBLEM_JSON: {"schema": schema}}}


def openapi_document() -> dict[str, Any]:
    """The service's OpenAPI document, independent of any package."""
    return create_app(Bundle("no package")).openapi()


def serve(package: Path, *, prometheus: str | None, host: str, port: int, timeout: float = DEFAULT_TIMEOUT) -> None:
    import uvicorn

    uvicorn.run(create_app(package, prometheus=prometheus, timeout=timeout), host=host, port=port, log_level="info")
