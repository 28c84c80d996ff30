"""Which measurement answers which 28.312 target, and in what range its values are physical.

One row per canonical target name (vocabulary.TARGET_UNITS). A target whose row is missing,
or whose metric the configuration switched off, has no measurable metric.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from o2krm.oran import vocabulary as v
from o2krm.oran.slo import promql
from o2krm.oran.slo.config import SloConfig
from o2krm.oran.slo.models import Measurement


@dataclass(frozen=True)
class PhysicalRange:
    """Values a measurement can take: ``low`` (exclusive when ``low_open``) to ``high``."""

    low: float
    low_open: bool
    high: float = math.inf

    def contains(self, value: float) -> bool:
        above = value > self.low if self.low_open else value >= self.low
        return above and value <= self.high

    def describe(self) -> str:
        low = f"> {self.low:g}" if self.low_open else f">= {self.low:g}"
        return low if self.high == math.inf else f"{low} and <= {self.high:g}"


LATENCY_RANGE = PhysicalRange(0, low_open=True)
THROUGHPUT_RANGE = PhysicalRange(0, low_open=False)
RATIO_RANGE = PhysicalRange(0, low_open=False, high=1)

Scope = tuple[promql.Matcher, ...]
Builder = Callable[[SloConfig, Scope, str], Measurement | None]


@dataclass(frozen=True)
class MeasurementKind:
    target_name: str
    unit: str
    physical: PhysicalRange
    build: Builder  # (config, label matchers, where-phrase for descriptions) -> None if switched off


def _latency(config: SloConfig, scope: Scope, where: str) -> Measurement | None:
    if not config.latency_histogram:
        return None
    percentile = f"{config.latency_quantile * 100:g}".replace(".", "_")
    return Measurement(
        name=f"latency_p{percentile}_ms",
        query=promql.latency_quantile_ms(
            config.latency_histogram,
            scope,
            config.measurement_window,
            config.latency_quantile,
            config.latency_histogram_unit,
        ),
        unit="ms",
        description=f"p{percentile.replace('_', '.')} latency in ms of {config.latency_histogram} {where}",
    )


def _ratio(name: str, enabled: Callable[[SloConfig], bool]) -> Builder:
    def build(config: SloConfig, scope: Scope, where: str) -> Measurement | None:
        if not config.requests_total or not enabled(config):
            return None
        return Measurement(
            name=name,
            query=promql.success_ratio(
                config.requests_total,
                scope,
                config.measurement_window,
                config.status_label,
                config.success_status_regex,
            ),
            unit="ratio",
            description=(
                f"share of {config.requests_total} with {config.status_label} matching "
                f"{config.success_status_regex!r} {where}"
            ),
        )

    return build


def _throughput(config: SloConfig, scope: Scope, where: str) -> Measurement | None:
    if not config.throughput_counter:
        return None
    return Measurement(
        name="throughput_mbps",
        query=promql.throughput_mbps(
            config.throughput_counter, scope, config.measurement_window, config.throughput_counter_unit
        ),
        unit="Mbps",
        description=f"mean rate of {config.throughput_counter} in Mbit/s {where}",
    )


def _availability(config: SloConfig, scope: Scope, where: str) -> Measurement | None:
    if not config.availability_metric:
        return None
    return Measurement(
        name="availability",
        query=promql.availability_ratio(config.availability_metric, scope, config.measurement_window),
        unit="ratio",
        description=f"share of time {config.availability_metric} was 1, averaged over endpoints {where}",
    )


KINDS: dict[str, MeasurementKind] = {
    kind.target_name: kind
    for kind in (
        MeasurementKind(v.TARGET_LATENCY, "ms", LATENCY_RANGE, _latency),
        MeasurementKind(v.TARGET_THROUGHPUT, "Mbps", THROUGHPUT_RANGE, _throughput),
        MeasurementKind(v.TARGET_SUCCESS_RATE, "ratio", RATIO_RANGE, _ratio("success_rate", lambda c: True)),
        MeasurementKind(
            v.TARGET_RELIABILITY,
            "ratio",
            RATIO_RANGE,
            _ratio("reliability", lambda c: c.reliability_from_success_ratio),
        ),
        MeasurementKind(v.TARGET_AVAILABILITY, "ratio", RATIO_RANGE, _availability),
    )
}
