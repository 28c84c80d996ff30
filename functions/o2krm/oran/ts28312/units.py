"""Units of the canonical expectation targets (vocabulary.TARGET_UNITS).

TS 28.312 targets carry no unit field: a target's unit is fixed by its name (latency in
ms, throughput in Mbit/s, reliability/availability/successRate as ratios 0..1). Values
written in other units are converted with exact decimal arithmetic, so ``99.999%`` is
``0.99999`` and ``1Gbps`` is ``1000``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from o2krm.oran import vocabulary as v

_MS: Final[dict[str, Decimal]] = {
    **dict.fromkeys(("ns", "nanosecond", "nanoseconds"), Decimal("0.000001")),
    **dict.fromkeys(("us", "µs", "μs", "microsecond", "microseconds"), Decimal("0.001")),
    **dict.fromkeys(("ms", "msec", "millisecond", "milliseconds"), Decimal(1)),
    **dict.fromkeys(("s", "sec", "second", "seconds"), Decimal(1000)),
    **dict.fromkeys(("min", "minute", "minutes"), Decimal(60000)),
}
# Byte rates are matched exactly first ("MB/s" is bytes, "Mb/s" bits), bit rates ignoring case.
_MBPS_BYTES: Final[dict[str, Decimal]] = {
    **dict.fromkeys(("B/s", "Bps"), Decimal("0.000008")),
    **dict.fromkeys(("kB/s", "KB/s", "kBps", "KBps"), Decimal("0.008")),
    **dict.fromkeys(("MB/s", "MBps"), Decimal(8)),
    **dict.fromkeys(("GB/s", "GBps"), Decimal(8000)),
}
_MBPS_BITS: Final[dict[str, Decimal]] = {
    **dict.fromkeys(("bps", "bit/s", "b/s"), Decimal("0.000001")),
    **dict.fromkeys(("kbps", "kbit/s", "kb/s"), Decimal("0.001")),
    **dict.fromkeys(("mbps", "mbit/s", "mb/s"), Decimal(1)),
    **dict.fromkeys(("gbps", "gbit/s", "gb/s"), Decimal(1000)),
    **dict.fromkeys(("tbps", "tbit/s", "tb/s"), Decimal(1000000)),
}
_RATIO: Final[dict[str, Decimal]] = {
    **dict.fromkeys(("%", "percent", "pct"), Decimal("0.01")),
    **dict.fromkeys(("ratio", "1"), Decimal(1)),
}


_SECONDS: Final[dict[str, Decimal]] = {
    **{unit: factor / 1000 for unit, factor in _MS.items()},
    **dict.fromkeys(("h", "hr", "hour", "hours"), Decimal(3600)),
    **dict.fromkeys(("d", "day", "days"), Decimal(86400)),
    # W3C OWL-Time unit individuals, as TIO reporting intervals use them
    "unitsecond": Decimal(1),
    "unitminute": Decimal(60),
    "unithour": Decimal(3600),
    "unitday": Decimal(86400),
}


class UnitError(ValueError):
    def __init__(self, target: str, unit: str, accepted: list[str]) -> None:
        self.target = target
        self.unit = unit
        self.accepted = accepted
        super().__init__(f"unit {unit!r} is not a unit of {target}; use one of {', '.join(accepted)}")


class RatioRangeError(ValueError):
    def __init__(self, target: str, value: Decimal) -> None:
        self.target = target
        self.value = value
        super().__init__(f"{target} {value} is outside 0..1; write a ratio (0.99999) or a percentage (99.999%)")


@dataclass(frozen=True)
class Normalised:
    value: Decimal
    unit: str  # the canonical unit (vocabulary.TARGET_UNITS)
    assumed: bool  # the source gave no unit and the canonical one was assumed


def canonical_unit(target: str) -> str | None:
    return v.TARGET_UNITS.get(target)


def accepted_units(target: str) -> list[str]:
    unit = canonical_unit(target)
    if unit == "ms":
        return ["ns", "us", "ms", "s", "min"]
    if unit == "Mbps":
        return ["bps", "kbps", "Mbps", "Gbps", "Tbps", "MB/s", "GB/s"]
    if unit == "ratio":
        return ["%", "ratio"]
    return []


def normalise(target: str, value: Decimal, unit: str | None) -> Normalised:
    """Convert ``value unit`` to the canonical unit of ``target`` (a vocabulary target name)."""
    canonical = canonical_unit(target)
    if canonical is None:
        raise KeyError(f"{target} has no canonical unit")
    written = (unit or "").strip()
    factor = _factor(canonical, written)
    if factor is None:
        raise UnitError(target, written, accepted_units(target))
    result = (value * factor).normalize()
    if canonical == "ratio" and not Decimal(0) <= result <= Decimal(1):
        raise RatioRangeError(target, value)
    return Normalised(result, canonical, assumed=not written and canonical != "ratio")


def _factor(canonical: str, written: str) -> Decimal | None:
    if not written:
        return Decimal(1)
    if canonical == "ms":
        return _MS.get(written) or _MS.get(written.lower())
    if canonical == "Mbps":
        return _MBPS_BYTES.get(written) or _MBPS_BITS.get(written.lower())
    if canonical == "ratio":
        return _RATIO.get(written.lower())
    return None


def duration_seconds(value: Decimal, unit: str | None) -> Decimal:
    """A duration in seconds (``15 min`` -> 900); no unit means seconds."""
    written = (unit or "s").strip()
    factor = _SECONDS.get(written) or _SECONDS.get(written.lower())
    if factor is None:
        raise UnitError("a duration", written, ["s", "min", "h", "d", "time:unitMinute"])
    return (value * factor).normalize()


def json_number(value: Decimal) -> int | float:
    """An exact Decimal as the JSON number a reader expects: 10, not 10.0; 0.99999."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)
