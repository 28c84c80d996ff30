"""Evaluating gates against Prometheus, once or until decided (``--watch``).

Glue between the pure parts (``verdict``) and the I/O (``measure``, ``prometheus``): which
server each gate's job is queried on, one client per server, the watch loop. Time and sleep are
parameters so the loop is testable without waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from o2krm.oran.slo.promql import duration_seconds
from o2krm.promotion.gates import Gate, Job
from o2krm.promotion.measure import Window, check_gate_against_job, measure
from o2krm.promotion.o2ims_api import MeasurementJobResults, collection_interval, job_results
from o2krm.promotion.prometheus import DEFAULT_TIMEOUT, PrometheusClient, PrometheusUnavailable
from o2krm.promotion.sources import Bundle
from o2krm.promotion.verdict import GateResult, evaluate_gate

Clock = Callable[[], float]
Sleep = Callable[[float], None]
DEFAULT_RESULTS_WINDOW = "5m"


class NoPrometheus(Exception):
    """Neither --prometheus nor the MeasurementJob says where to query."""


@dataclass(frozen=True)
class Pair:
    gate: Gate
    job: Job


def prometheus_for(job: Job, override: str | None) -> str:
    address = override or job.prometheus_address
    if not address:
        raise NoPrometheus(
            f"{job.describe()} names no Prometheus (spec.provider.prometheus.address); pass --prometheus URL"
        )
    return address


class Clients:
    """One Prometheus client per server address, closed together."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        self._timeout = timeout
        self._clients: dict[str, PrometheusClient] = {}

    def get(self, address: str) -> PrometheusClient:
        if address not in self._clients:
            self._clients[address] = PrometheusClient(address, timeout=self._timeout)
        return self._clients[address]

    def close(self) -> None:
        for client in self._clients.values():
            client.close()


@contextmanager
def clients(timeout: float = DEFAULT_TIMEOUT) -> Iterator[Clients]:
    pool = Clients(timeout)
    try:
        yield pool
    finally:
        pool.close()


def evaluate_once(
    pairs: Sequence[Pair],
    pool: Clients,
    *,
    prometheus: str | None,
    at: float,
    earlier_missing: dict[str, int] | None = None,
) -> list[GateResult]:
    """Every gate's verdict at ``at``. Raises PrometheusUnavailable, NoPrometheus, DomainError."""
    for pair in pairs:
        check_gate_against_job(pair.gate, pair.job)
    results = []
    for pair in pairs:
        client = pool.get(prometheus_for(pair.job, prometheus))
        metrics = [t.metric for t in pair.gate.spec.slo_targets]
        series = measure(pair.job, metrics, client, Window.of_gate(pair.gate, at))
        missing = (earlier_missing or {}).get(_key(pair.gate), 0)
        results.append(evaluate_gate(pair.gate, series, at, earlier_missing=missing))
    return results


def watch(
    pairs: Sequence[Pair],
    pool: Clients,
    *,
    prometheus: str | None,
    timeout: float,
    clock: Clock = time.time,
    sleep: Sleep = time.sleep,
    on_evaluation: Callable[[int, list[GateResult]], None] = lambda n, r: None,
) -> tuple[list[GateResult], bool]:
    """Re-evaluate every evaluationPeriod (the shortest of the gates) until every gate is decided
    (Passed, Failed or Error) or ``timeout`` seconds passed. Returns the last results and whether
    they are decided. Evaluations without fresh data count against each gate's failureLimit."""
    deadline = clock() + timeout
    period = min(pair.gate.period_seconds for pair in pairs)
    missing: dict[str, int] = {}
    count = 0
    while True:
        count += 1
        results = evaluate_once(pairs, pool, prometheus=prometheus, at=clock(), earlier_missing=missing)
        on_evaluation(count, results)
        if all(r.decided for r in results):
            return results, True
        for result in results:
            if result.missing_data:
                missing[_key(result.gate)] = missing.get(_key(result.gate), 0) + 1
        remaining = deadline - clock()
        if remaining <= 0:
            return results, False
        sleep(min(period, remaining))


def live_results(
    bundle: Bundle, job: Job, pool: Clients, *, prometheus: str | None, at: float
) -> MeasurementJobResults:
    """The latest value of each of the job's measurements. The window and step are those of a gate
    that uses the job, else 5m at the job's collection interval."""
    gate = next((g for g in bundle.gates if g.job_name == job.name and g.meta.namespace == job.meta.namespace), None)
    interval = collection_interval(job) or 30
    window_text = gate.spec.measurement_window if gate else DEFAULT_RESULTS_WINDOW
    window = Window.of_gate(gate, at) if gate else Window(at, duration_seconds(window_text), float(interval))
    step = int(window.step) if window.step >= 1 else 1
    client = pool.get(prometheus_for(job, prometheus))
    series = measure(job, [m.name for m in job.spec.measurements], client, window)
    return job_results(job, series, at=at, window=window_text, interval=step)


def _key(gate: Gate) -> str:
    return f"{gate.meta.namespace or ''}/{gate.name}"


__all__ = [
    "Clients",
    "NoPrometheus",
    "Pair",
    "PrometheusUnavailable",
    "clients",
    "evaluate_once",
    "live_results",
    "prometheus_for",
    "watch",
]
