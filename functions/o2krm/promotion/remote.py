"""A client of an O2 IMS measurement-job API (``o2imsctl mj ... --server URL``), such as ``mj serve``.

Jobs come from the infrastructure performance API (``/o2ims-infrastructurePerformance/v1``),
results from the seed's ``/o2ims/v1/measurementJobs/{jobId}/results``. Answers are validated
with the same models the service uses.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from pydantic import TypeAdapter, ValidationError

from o2krm.cli.errors import CliError, NotFoundError
from o2krm.promotion.o2ims_api import PERFORMANCE_PREFIX, SEED_PREFIX, MeasurementJobInfo, MeasurementJobResults
from o2krm.promotion.prometheus import DEFAULT_TIMEOUT


class RemoteJobs:
    def __init__(self, server: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        if not server.startswith(("http://", "https://")):
            raise CliError(f"--server {server!r} is not an http:// or https:// URL")
        self.server = server.rstrip("/")
        self.timeout = timeout

    def list(self) -> list[MeasurementJobInfo]:
        data = self._get(f"{PERFORMANCE_PREFIX}/v1/measurementJobs", "measurement jobs")
        return self._parse(TypeAdapter(list[MeasurementJobInfo]), data)

    def get(self, job_id: str) -> MeasurementJobInfo:
        data = self._get(
            f"{PERFORMANCE_PREFIX}/v1/measurementJobs/{quote(job_id, safe='')}", f'measurementjob "{job_id}"'
        )
        return self._parse(TypeAdapter(MeasurementJobInfo), data)

    def results(self, job_id: str) -> MeasurementJobResults:
        data = self._get(
            f"{SEED_PREFIX}/measurementJobs/{quote(job_id, safe='')}/results", f'measurementjob "{job_id}"'
        )
        return self._parse(TypeAdapter(MeasurementJobResults), data)

    def _get(self, path: str, what: str) -> Any:
        import httpx

        url = self.server + path
        try:
            response = httpx.get(
                url, timeout=self.timeout if self.timeout > 0 else None, headers={"Accept": "application/json"}
            )
        except httpx.HTTPError as err:
            raise CliError(f"cannot reach the O2 IMS API at {self.server}: {err or type(err).__name__}") from None
        if response.status_code == 404:
            raise NotFoundError(f"{what} not found at {self.server}")
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400:
            detail = body.get("detail") if isinstance(body, dict) else None
            raise CliError(f"{url}: HTTP {response.status_code}{f': {detail}' if detail else ''}")
        if body is None:
            raise CliError(f"{url} did not answer JSON")
        return body

    def _parse(self, adapter: TypeAdapter[Any], data: Any) -> Any:
        try:
            return adapter.validate_python(data)
        except ValidationError as err:
            raise CliError(f"{self.server} answered something that is not an O2 IMS measurement job: {err}") from None
