"""PromQL text for SLO measurements, built so that no input can change a query's shape.

Every label value passes through ``string_literal`` (and, inside a regex matcher, through
``quote_meta`` first), so a site named ``x"} or vector(1)`` stays one quoted value. Metric
and label names are checked against the Prometheus grammar before they get here (config).

Unit convention: every query returns the unit of its intent target (latency in ms,
throughput in Mbit/s, ratios as 0..1), so gate thresholds are the intent's numbers unchanged.
A histogram in seconds is therefore multiplied by 1000 in the query.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
# Prometheus durations: units in this order, each at most once (model.ParseDuration).
_DURATION = re.compile(
    r"(?:(?P<y>[0-9]+)y)?(?:(?P<w>[0-9]+)w)?(?:(?P<d>[0-9]+)d)?(?:(?P<h>[0-9]+)h)?"
    r"(?:(?P<m>[0-9]+)m)?(?:(?P<s>[0-9]+)s)?(?:(?P<ms>[0-9]+)ms)?"
)
_UNIT_SECONDS = {"y": 365 * 86400, "w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1, "ms": 0.001}
# Go's regexp.QuoteMeta set: what Prometheus' RE2 treats as syntax.
_RE2_META = frozenset("\\.+*?()|[]{}^$")
_SIMPLE_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def is_metric_name(name: str) -> bool:
    return _METRIC_NAME.fullmatch(name) is not None


def is_label_name(name: str) -> bool:
    return _LABEL_NAME.fullmatch(name) is not None and not name.startswith("__")


def is_duration(text: str) -> bool:
    match = _DURATION.fullmatch(text)
    return bool(text) and match is not None and duration_seconds(text) > 0


def duration_seconds(text: str) -> float:
    """Seconds in a Prometheus duration; 0 for text that is not one."""
    match = _DURATION.fullmatch(text)
    if not text or match is None:
        return 0
    return sum(int(n) * _UNIT_SECONDS[unit] for unit, n in match.groupdict().items() if n)


def quote_meta(value: str) -> str:
    """Escape RE2 syntax so that ``value`` matches only itself (Go's regexp.QuoteMeta)."""
    return "".join("\\" + c if c in _RE2_META else c for c in value)


def string_literal(value: str) -> str:
    """A double-quoted PromQL string whose parsed value is exactly ``value``."""
    out: list[str] = []
    for c in value:
        if c in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[c])
        elif c.isprintable() or c == " ":
            out.append(c)
        elif ord(c) <= 0xFFFF:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(f"\\U{ord(c):08x}")
    return '"' + "".join(out) + '"'


@dataclass(frozen=True)
class Matcher:
    label: str
    op: Literal["=", "=~"]
    value: str  # for "=~" a regex, already built with quote_meta where literal

    def render(self) -> str:
        return f"{self.label}{self.op}{string_literal(self.value)}"

    @classmethod
    def equal(cls, label: str, value: str) -> Matcher:
        return cls(label, "=", value)

    @classmethod
    def one_of(cls, label: str, values: Iterable[str]) -> Matcher:
        """Matches any of the literal ``values``; sorted, so input order never changes the query."""
        return cls(label, "=~", "|".join(quote_meta(v) for v in sorted(set(values))))


def selector(metric: str, matchers: Iterable[Matcher]) -> str:
    rendered = ", ".join(m.render() for m in matchers)
    return f"{metric}{{{rendered}}}"


def latency_quantile_ms(
    histogram: str,
    matchers: tuple[Matcher, ...],
    window: str,
    quantile: float,
    unit: Literal["seconds", "milliseconds"],
) -> str:
    query = (
        f"histogram_quantile({quantile!r}, sum by (le) (rate({selector(histogram + '_bucket', matchers)}[{window}])))"
    )
    return f"{query} * 1000" if unit == "seconds" else query


def success_ratio(total: str, matchers: tuple[Matcher, ...], window: str, status_label: str, good_regex: str) -> str:
    good = (*matchers, Matcher(status_label, "=~", good_regex))
    return f"sum(rate({selector(total, good)}[{window}])) / sum(rate({selector(total, matchers)}[{window}]))"


def throughput_mbps(counter: str, matchers: tuple[Matcher, ...], window: str, unit: Literal["bytes", "bits"]) -> str:
    rate = f"sum(rate({selector(counter, matchers)}[{window}]))"
    return f"{rate} * 8 / 1000000" if unit == "bytes" else f"{rate} / 1000000"


def availability_ratio(up_metric: str, matchers: tuple[Matcher, ...], window: str) -> str:
    return f"avg(avg_over_time({selector(up_metric, matchers)}[{window}]))"
