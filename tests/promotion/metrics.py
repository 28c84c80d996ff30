"""OpenMetrics test data with exactly known answers, for ``promtool tsdb create-blocks-from openmetrics``.

Every site is one scenario. Its series carry the labels the generated queries select on
(``site``, ``network_function``) and are sampled every 15 s. Rates are constant, so PromQL's
answers are exact (up to float rounding):

- throughput_mbps = rate(bytes_transferred_total) * 8 / 1e6
- latency_p95_ms: every observation falls in one histogram bucket (lo, hi], so
  histogram_quantile(0.95) = lo + (hi - lo) * 0.95, times 1000
- success ratio = good / (good + bad) requests per second

Data may extend into the future: Prometheus answers at "now" from samples up to now only, so a
series that goes on for another half hour is fresh for every test of the session.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

SCRAPE = 15  # seconds between samples
BUCKETS = (0.005, 0.01, 0.025, 0.05)  # seconds; plus +Inf
NETWORK_FUNCTION = "DU"


@dataclass(frozen=True)
class Scenario:
    site: str
    start: int  # seconds relative to now
    end: int  # seconds relative to now (inclusive)
    bytes_per_second: Callable[[int], float]  # of relative time
    bucket: int  # index into BUCKETS of the bucket every observation falls in
    requests_per_second: float = 100.0
    good_ratio: float = 0.999

    def p95_ms(self) -> float:
        low = BUCKETS[self.bucket - 1] if self.bucket else 0.0
        return (low + (BUCKETS[self.bucket] - low) * 0.95) * 1000


def constant(value: float) -> Callable[[int], float]:
    return lambda _: value


def outage(normal: float, start: int, end: int) -> Callable[[int], float]:
    """``normal`` bytes/s except nothing in [start, end) (relative seconds)."""
    return lambda t: 0.0 if start <= t < end else normal


MBPS_1200 = 150e6  # bytes/s: 1200 Mbit/s
MBPS_800 = 100e6

SCENARIOS = (
    # latency p95 4.75 ms, throughput 1200 Mbps, success 0.999: every target of edge-ran holds
    Scenario("edge-us-west-1", -1800, 1800, constant(MBPS_1200), bucket=0),
    # latency p95 24.25 ms, throughput 800 Mbps: both edge-ran targets broken
    Scenario("site-fail", -1800, 1800, constant(MBPS_800), bucket=2),
    # good values, but the last sample is three minutes old
    Scenario("site-stale", -1800, -180, constant(MBPS_1200), bucket=0),
    # good values since 100 s ago: too few evaluations with data
    Scenario("site-young", -100, 1800, constant(MBPS_1200), bucket=0),
    # good now, but an outage 9 to 7 minutes ago broke throughput in the earlier evaluations
    Scenario("site-outage", -1800, 1800, outage(MBPS_1200, -540, -420), bucket=0),
)


def openmetrics(now: int, scenarios: tuple[Scenario, ...] = SCENARIOS) -> str:
    families = [
        _family("request_duration_seconds", "histogram", [_histogram(s, now) for s in scenarios]),
        _family("requests", "counter", [_requests(s, now) for s in scenarios]),
        _family("bytes_transferred", "counter", [_bytes(s, now) for s in scenarios]),
    ]
    return "".join(families) + "# EOF\n"


def _family(name: str, kind: str, bodies: list[list[str]]) -> str:
    lines = [f"# TYPE {name} {kind}"] + [line for body in bodies for line in body]
    return "\n".join(lines) + "\n"


def _times(s: Scenario, now: int) -> range:
    return range(now + s.start, now + s.end + 1, SCRAPE)


def _labels(s: Scenario, **extra: str) -> str:
    pairs = {"site": s.site, "network_function": NETWORK_FUNCTION, **extra}
    return "{" + ",".join(f'{k}="{v}"' for k, v in pairs.items()) + "}"


def _histogram(s: Scenario, now: int) -> list[str]:
    lines: list[str] = []
    bounds = [*(f"{b}" for b in BUCKETS), "+Inf"]
    for index, bound in enumerate(bounds):
        for t in _times(s, now):
            count = (t - now - s.start) * s.requests_per_second if index >= s.bucket else 0
            lines.append(f"request_duration_seconds_bucket{_labels(s, le=bound)} {count:.1f} {t}")
    for t in _times(s, now):
        count = (t - now - s.start) * s.requests_per_second
        lines.append(f"request_duration_seconds_count{_labels(s)} {count:.1f} {t}")
    for t in _times(s, now):
        count = (t - now - s.start) * s.requests_per_second
        lines.append(f"request_duration_seconds_sum{_labels(s)} {count * BUCKETS[s.bucket]:.6f} {t}")
    return lines


def _requests(s: Scenario, now: int) -> list[str]:
    lines: list[str] = []
    for status, share in (("200", s.good_ratio), ("500", 1 - s.good_ratio)):
        for t in _times(s, now):
            count = (t - now - s.start) * s.requests_per_second * share
            lines.append(f"requests_total{_labels(s, status=status)} {count:.3f} {t}")
    return lines


def _bytes(s: Scenario, now: int) -> list[str]:
    lines: list[str] = []
    total = 1e12  # a counter that has been running for a while
    previous = now + s.start
    for t in _times(s, now):
        total += sum(s.bytes_per_second(u - now) for u in range(previous, t))
        previous = t
        lines.append(f"bytes_transferred_total{_labels(s)} {total:.1f} {t}")
    return lines
