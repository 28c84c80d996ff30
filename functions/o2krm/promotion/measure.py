"""Running a MeasurementJob's queries for a gate: the I/O half of an evaluation.

Each measurement is queried as a range over the gate's window at its evaluation period, which
gives the evaluation history ``verdict`` decides on. The freshness of its data comes from a second
query per series selector in it, ``max(timestamp(<selector>))``: the time of the newest raw sample
the measurement reads (an aggregate such as ``rate(...[5m])`` keeps answering for minutes after
the workload stopped reporting, so its own timestamps say nothing about freshness).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from o2krm.oran.findings import DomainError, Finding
from o2krm.oran.slo.promql import string_literal
from o2krm.promotion.gates import Gate, Job
from o2krm.promotion.prometheus import PrometheusClient, QueryError, RangeSeries
from o2krm.promotion.verdict import Series

_MATCH_OPS = {"Equal": "=", "NotEqual": "!=", "Re": "=~", "NotRe": "!~"}


@dataclass(frozen=True)
class Window:
    """The range every query of one evaluation covers: [end - length, end] at ``step``."""

    end: float
    length: float
    step: float

    @property
    def start(self) -> float:
        return self.end - self.length

    @classmethod
    def of_gate(cls, gate: Gate, at: float) -> Window:
        return cls(end=at, length=gate.window_seconds, step=gate.period_seconds)


def check_gate_against_job(gate: Gate, job: Job) -> None:
    """Every target names a measurement of the job, in the same unit. Raises DomainError."""
    findings: list[Finding] = []
    known = ", ".join(m.name for m in job.spec.measurements)
    for index, target in enumerate(gate.spec.slo_targets):
        measurement = job.measurement(target.metric)
        field = f"spec.sloTargets[{index}]"
        if measurement is None:
            findings.append(
                Finding(
                    f"{gate.describe()}: target metric {target.metric!r} is not a measurement of "
                    f"{job.describe()} (it has: {known}); fix the metric or the job",
                    "error",
                    f"{field}.metric",
                    target.metric,
                )
            )
        elif target.unit and target.unit.lower() != measurement.unit.lower():
            findings.append(
                Finding(
                    f"{gate.describe()}: target {target.metric!r} is in {target.unit} but the measurement "
                    f"returns {measurement.unit}; thresholds must be in the unit the query returns",
                    "error",
                    f"{field}.unit",
                    target.unit,
                )
            )
    if findings:
        raise DomainError(findings)


def measure(job: Job, metrics: Sequence[str], client: PrometheusClient, window: Window) -> dict[str, Series]:
    """metric -> Series for each of ``metrics`` (names of the job's measurements).

    ``PrometheusUnavailable`` propagates: without a server there is nothing to decide on.
    """
    out: dict[str, Series] = {}
    for metric in dict.fromkeys(metrics):
        measurement = job.measurement(metric)
        if measurement is None:
            out[metric] = Series(error=f"{job.describe()} has no measurement {metric!r}")
            continue
        out[metric] = measure_query(measurement.query, client, window)
    return out


def measure_query(query: str, client: PrometheusClient, window: Window) -> Series:
    try:
        result = client.query_range(query, window.start, window.end, window.step)
    except QueryError as err:
        return Series(error=f"Prometheus refused the query: {err}")
    if len(result) > 1:
        return Series(error=_not_single(result))
    points = result[0].points if result else ()
    if not any(not math.isnan(value) for _, value in points):
        return Series(points=points)
    return Series(points=points, newest_sample_at=_newest_sample(query, client, window.end))


def freshness_queries(query: str) -> list[str]:
    """``max(timestamp(<selector>))`` for every distinct series selector in ``query``, sorted.

    Offsets and ``@`` modifiers are dropped: freshness is about the series' newest sample.
    Empty when the query does not parse here (Prometheus has the last word on it).
    """
    import promql_parser

    try:
        expr = promql_parser.parse(query)
    except ValueError:
        return []
    selectors: set[str] = set()

    def visit(node: object) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            selectors.add(_selector(node))

    promql_parser.walk(expr, visit)
    return [f"max(timestamp({s}))" for s in sorted(selectors)]


def _selector(node: object) -> str:
    name = getattr(node, "name", None) or ""
    matchers = [
        f"{m.name}{_MATCH_OPS[str(m.op).rsplit('.', 1)[-1]]}{string_literal(m.value)}"
        for m in node.matchers.matchers  # type: ignore[attr-defined]
        if not (name and m.name == "__name__")
    ]
    return f"{name}{{{', '.join(matchers)}}}" if matchers or not name else name


def _newest_sample(query: str, client: PrometheusClient, at: float) -> float | None:
    newest: float | None = None
    for freshness in freshness_queries(query):
        try:
            samples = client.query(freshness, at)
        except QueryError:
            continue
        for sample in samples:
            if math.isfinite(sample.value) and (newest is None or sample.value > newest):
                newest = sample.value
    return newest


def _not_single(result: Sequence[RangeSeries]) -> str:
    shown = "; ".join(_describe_labels(s.labels) for s in result[:3])
    more = f" and {len(result) - 3} more" if len(result) > 3 else ""
    return (
        f"the query returned {len(result)} series ({shown}{more}); a measurement must reduce to one number: "
        "aggregate it (sum, avg, or histogram_quantile over sum by (le))"
    )


def _describe_labels(labels: Mapping[str, str]) -> str:
    return "{" + ", ".join(f"{k}={v!r}" for k, v in sorted(labels.items())) + "}"
