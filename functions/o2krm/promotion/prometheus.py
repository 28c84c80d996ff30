"""A small client of the Prometheus HTTP API (``/api/v1/query`` and ``/api/v1/query_range``).

Two kinds of failure are kept apart, because they mean different things to a gate:

- ``PrometheusUnavailable``: nothing usable came back (connection refused, timeout, a 5xx, a
  body that is not the API's JSON). The whole evaluation is an error.
- ``QueryError``: Prometheus answered and refused or failed this query (``bad_data``,
  ``execution``, ``timeout``...). Only the measurement using it is an error.

Queries are sent as form-encoded POSTs so that long PromQL never hits URL length limits.
Values come back as floats, with Prometheus' "NaN", "+Inf" and "-Inf" kept as such.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

DEFAULT_TIMEOUT = 10.0  # seconds per request
USER_AGENT = "o2krm-promotion"


class PrometheusUnavailable(Exception):
    """No usable answer from the Prometheus server."""


class QueryError(Exception):
    """Prometheus answered that this query failed; ``error_type`` is its errorType."""

    def __init__(self, message: str, error_type: str = "") -> None:
        super().__init__(message)
        self.error_type = error_type


@dataclass(frozen=True)
class Sample:
    labels: Mapping[str, str]
    timestamp: float
    value: float


@dataclass(frozen=True)
class RangeSeries:
    labels: Mapping[str, str]
    points: tuple[tuple[float, float], ...]


class PrometheusClient:
    """Queries one Prometheus-compatible API (Prometheus, Thanos, Mimir) at ``base_url``."""

    def __init__(self, base_url: str, *, timeout: float = DEFAULT_TIMEOUT, client: httpx.Client | None = None) -> None:
        import httpx

        if not base_url.startswith(("http://", "https://")):
            raise PrometheusUnavailable(f"{base_url!r} is not an http:// or https:// URL of a Prometheus server")
        self.base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._client = client or httpx.Client(
            timeout=httpx.Timeout(timeout if timeout > 0 else None), headers={"User-Agent": USER_AGENT}
        )
        self._owns_client = client is None

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> PrometheusClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def query(self, expr: str, at: float) -> list[Sample]:
        """An instant query; scalars come back as one sample without labels."""
        data = self._post("/api/v1/query", {"query": expr, "time": _ts(at)})
        kind, result = data.get("resultType"), data.get("result")
        if kind == "scalar" and isinstance(result, list):
            return [Sample({}, *_point(result))]
        if kind != "vector" or not isinstance(result, list):
            raise QueryError(f"expected an instant vector, got resultType {kind!r}")
        return [Sample(_labels(item), *_point(item.get("value"))) for item in result if isinstance(item, dict)]

    def query_range(self, expr: str, start: float, end: float, step: float) -> list[RangeSeries]:
        data = self._post(
            "/api/v1/query_range", {"query": expr, "start": _ts(start), "end": _ts(end), "step": _ts(step)}
        )
        kind, result = data.get("resultType"), data.get("result")
        if kind != "matrix" or not isinstance(result, list):
            raise QueryError(f"expected a range vector, got resultType {kind!r}")
        return [
            RangeSeries(_labels(item), tuple(_point(p) for p in item.get("values") or []))
            for item in result
            if isinstance(item, dict)
        ]

    def _post(self, path: str, form: Mapping[str, str]) -> dict[str, Any]:
        import httpx

        url = self.base_url + path
        try:
            response = self._client.post(url, data=dict(form))
        except httpx.TimeoutException:
            raise PrometheusUnavailable(
                f"Prometheus at {self.base_url} did not answer within {self._timeout:g}s"
            ) from None
        except httpx.HTTPError as err:
            raise PrometheusUnavailable(f"cannot reach Prometheus at {self.base_url}: {_reason(err)}") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or body.get("status") not in ("success", "error"):
            raise PrometheusUnavailable(
                f"{url} answered HTTP {response.status_code} without the Prometheus API's JSON: "
                "is it a Prometheus server?"
            )
        if body["status"] == "error":
            error_type = str(body.get("errorType") or "")
            message = str(body.get("error") or f"HTTP {response.status_code}")
            if response.status_code >= 500 and error_type not in ("execution", "timeout", "canceled"):
                raise PrometheusUnavailable(f"Prometheus at {self.base_url} failed: {message}")
            raise QueryError(message, error_type)
        data = body.get("data")
        if not isinstance(data, dict):
            raise PrometheusUnavailable(f"{url} answered without a data object")
        return data


def _ts(value: float) -> str:
    return f"{value:.3f}"


def _labels(item: Mapping[str, Any]) -> dict[str, str]:
    metric = item.get("metric")
    return {str(k): str(v) for k, v in metric.items()} if isinstance(metric, Mapping) else {}


def _point(pair: Any) -> tuple[float, float]:
    if not isinstance(pair, list | tuple) or len(pair) != 2:
        raise QueryError(f"malformed sample {pair!r} in the answer")
    try:
        return float(pair[0]), _value(pair[1])
    except (TypeError, ValueError):
        raise QueryError(f"malformed sample {pair!r} in the answer") from None


def _value(text: Any) -> float:
    value = float(text)  # accepts "NaN", "+Inf", "-Inf" as Prometheus writes them
    return math.nan if math.isnan(value) else value


def _reason(err: Exception) -> str:
    text = str(err) or type(err).__name__
    if "Connection refused" in text or "[Errno 111]" in text:
        return "connection refused"
    return text
