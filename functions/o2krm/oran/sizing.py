"""Sizing: the CPU, memory and storage one site needs for an intent's O-RAN functions.

The profile table has one profile per service type. Each profile gives, per network function,
a ``base`` (one instance at light load) and a ``perGbps`` increment for user-plane throughput,
plus a CPU headroom factor and whether CPUs must be whole cores. For an intent:

    throughput = the largest throughput target (Mbit/s), else the profile's defaultThroughputMbps
    total      = sum over the intent's functions of  base + perGbps * throughput / 1000
    cpu        = total.cpu * cpuHeadroom, rounded up to 1m (or to whole cores)
    memory     = rounded up to 1Mi;  storage = rounded up to 1Gi

A latency target at or below ``latencyCritical.maxLatencyMs`` makes any profile latency-critical:
at least ``latencyCritical.cpuHeadroom`` and, if set, whole cores.

Why the defaults look the way they do (they are starting points; calibrate them against the
load your CU/DU vendor measures, through the function config):

- DU is the heaviest: RLC/MAC scheduling and high-PHY run every slot, and FEC runs on CPU
  unless an accelerator is present, so it gets the largest base and the steepest perGbps.
- CU-UP scales with throughput (PDCP ciphering and GTP-U per packet), about a core per Gbit/s.
- CU-CP scales with signalling (sessions, handovers), not with bits, so it has no perGbps; mMTC
  raises its base because many devices mean many UE contexts and attach storms.
- eMBB keeps 20% CPU headroom for traffic bursts above the target on shared cores.
- URLLC uses 50% headroom and whole cores: slot deadlines of 0.125-0.5 ms are missed when cores
  are shared or run hot, and the kubelet's static CPU manager gives exclusive cores only to
  Guaranteed pods with integer CPU requests.
- Storage is for logs, traces and configuration, not for images; DU keeps larger trace buffers.
- Default throughputs (eMBB 1 Gbit/s, URLLC 100 Mbit/s, mMTC 10 Mbit/s) size an intent that sets no
  throughput target for the typical load of its service type.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import Field, ValidationError, field_validator, model_validator

from o2krm.oran import vocabulary as v
from o2krm.oran.findings import DomainError, Finding
from o2krm.oran.intent_view import IntentView, Target
from o2krm.oran.model_support import InputModel, QuantityField, findings_from_validation_error
from o2krm.oran.quantity import CPU_CORE, CPU_MILLI, GIBIBYTE, MEBIBYTE, Quantity, QuantityFormat

_BYTES = QuantityFormat.BINARY_SI

DEFAULT_SIZING: dict[str, Any] = {
    "defaultServiceType": "eMBB",
    "latencyCritical": {"maxLatencyMs": 5, "cpuHeadroom": "1.5", "wholeCores": True},
    "profiles": {
        "eMBB": {
            "defaultThroughputMbps": 1000,
            "cpuHeadroom": "1.2",
            "wholeCores": False,
            "functions": {
                "CU-CP": {"base": {"cpu": "1", "memory": "2Gi", "storage": "5Gi"}},
                "CU-UP": {
                    "base": {"cpu": "1", "memory": "2Gi", "storage": "5Gi"},
                    "perGbps": {"cpu": "1", "memory": "1Gi"},
                },
                "DU": {
                    "base": {"cpu": "2", "memory": "4Gi", "storage": "10Gi"},
                    "perGbps": {"cpu": "2", "memory": "2Gi"},
                },
            },
        },
        "URLLC": {
            "defaultThroughputMbps": 100,
            "cpuHeadroom": "1.5",
            "wholeCores": True,
            "functions": {
                "CU-CP": {"base": {"cpu": "1", "memory": "2Gi", "storage": "5Gi"}},
                "CU-UP": {
                    "base": {"cpu": "1", "memory": "2Gi", "storage": "5Gi"},
                    "perGbps": {"cpu": "1", "memory": "1Gi"},
                },
                "DU": {
                    "base": {"cpu": "2", "memory": "4Gi", "storage": "10Gi"},
                    "perGbps": {"cpu": "2", "memory": "2Gi"},
                },
            },
        },
        "mMTC": {
            "defaultThroughputMbps": 10,
            "cpuHeadroom": "1.2",
            "wholeCores": False,
            "functions": {
                "CU-CP": {"base": {"cpu": "2", "memory": "4Gi", "storage": "5Gi"}},
                "CU-UP": {
                    "base": {"cpu": "1", "memory": "2Gi", "storage": "5Gi"},
                    "perGbps": {"cpu": "1", "memory": "1Gi"},
                },
                "DU": {
                    "base": {"cpu": "2", "memory": "4Gi", "storage": "10Gi"},
                    "perGbps": {"cpu": "2", "memory": "2Gi"},
                },
            },
        },
    },
}

_UPPER_BOUND_CONDITIONS = frozenset({v.IS_LESS_THAN, v.IS_EQUAL_TO_OR_LESS_THAN, v.IS_EQUAL_TO, v.IS_WITHIN_RANGE})


class Resources(InputModel):
    cpu: QuantityField = Quantity(Decimal(0))
    memory: QuantityField = Quantity(Decimal(0), _BYTES)
    storage: QuantityField = Quantity(Decimal(0), _BYTES)

    @field_validator("cpu", "memory", "storage")
    @classmethod
    def _not_negative(cls, value: Quantity) -> Quantity:
        if value.amount < 0:
            raise ValueError(f"must not be negative, got {value}")
        return value

    def plus(self, other: Resources, times: Decimal = Decimal(1)) -> Resources:
        return Resources(
            cpu=self.cpu + other.cpu.scaled(times),
            memory=self.memory + other.memory.scaled(times),
            storage=self.storage + other.storage.scaled(times),
        )


class FunctionProfile(InputModel):
    base: Resources
    per_gbps: Resources = Resources()


class ServiceProfile(InputModel):
    default_throughput_mbps: Decimal = Field(gt=0)
    cpu_headroom: Decimal = Field(ge=1)
    whole_cores: bool
    functions: dict[str, FunctionProfile] = Field(min_length=1)


class LatencyCritical(InputModel):
    max_latency_ms: Decimal = Field(gt=0)
    cpu_headroom: Decimal = Field(ge=1)
    whole_cores: bool


class SizingPolicy(InputModel):
    default_service_type: str
    latency_critical: LatencyCritical
    profiles: dict[str, ServiceProfile] = Field(min_length=1)

    @model_validator(mode="after")
    def _default_is_known(self) -> SizingPolicy:
        if self.default_service_type not in self.profiles:
            raise ValueError(
                f"defaultServiceType {self.default_service_type!r} has no profile; "
                f"profiles: {', '.join(sorted(self.profiles))}"
            )
        return self


def load_policy(overrides: Mapping[str, Any] | None = None, field_prefix: str = "sizing") -> SizingPolicy:
    """The default table with ``overrides`` merged in key by key (a null value removes a key).

    Raises DomainError with fields under ``field_prefix`` (the config path of the overrides).
    """
    if not overrides:
        return _default_policy()
    merged = _merge(DEFAULT_SIZING, overrides)
    try:
        return SizingPolicy.model_validate(merged)
    except ValidationError as error:
        raise DomainError(findings_from_validation_error(error, field_prefix, "sizing config")) from None


@functools.cache
def _default_policy() -> SizingPolicy:
    return SizingPolicy.model_validate(DEFAULT_SIZING)


@dataclass(frozen=True)
class Sizing:
    """What one site needs for one intent, and why."""

    cpu: Quantity
    memory: Quantity
    storage: Quantity
    service_type: str
    functions: tuple[str, ...]
    throughput_mbps: Decimal
    throughput_from_intent: bool
    latency_critical: bool
    cpu_headroom: Decimal
    whole_cores: bool

    def requirements(self) -> dict[str, str]:
        return {"cpu": str(self.cpu), "memory": str(self.memory), "storage": str(self.storage)}

    def explain(self) -> str:
        source = "the intent's throughput target" if self.throughput_from_intent else "the profile default"
        cores = ", whole cores" if self.whole_cores else ""
        critical = " (latency-critical)" if self.latency_critical else ""
        return (
            f"sized by the {self.service_type} profile{critical} for {_plain(self.throughput_mbps)} Mbit/s "
            f"({source}), CPU headroom x{_plain(self.cpu_headroom)}{cores}"
        )


def size(view: IntentView, functions: Sequence[str], policy: SizingPolicy) -> Sizing:
    """Size ``functions`` (already checked against the intent) for the intent's service type and targets."""
    service_type = view.service_type or policy.default_service_type
    profile = policy.profiles.get(service_type)
    if profile is None:
        raise DomainError(
            Finding(
                f"no sizing profile for {v.CTX_SERVICE_TYPE} {service_type!r}; profiles: "
                f"{', '.join(sorted(policy.profiles))}. Fix the intent or add sizing.profiles.{service_type} "
                "to the function config",
                field="spec",
                current=service_type,
            )
        )
    unknown = [f for f in functions if f not in profile.functions]
    if unknown:
        raise DomainError(
            Finding(
                f"the {service_type} sizing profile has no entry for {', '.join(unknown)}; it sizes "
                f"{', '.join(sorted(profile.functions))}. Fix the intent's {v.CTX_NETWORK_FUNCTIONS} or add "
                f"sizing.profiles.{service_type}.functions.{unknown[0]} to the function config",
                field="spec",
                current=", ".join(unknown),
            )
        )
    intent_throughput = _throughput_mbps(view.targets_named(v.TARGET_THROUGHPUT))
    throughput = intent_throughput if intent_throughput is not None else profile.default_throughput_mbps
    latency_bound = _latency_bound_ms(view.targets_named(v.TARGET_LATENCY))
    critical = latency_bound is not None and latency_bound <= policy.latency_critical.max_latency_ms
    headroom = max(profile.cpu_headroom, policy.latency_critical.cpu_headroom) if critical else profile.cpu_headroom
    whole_cores = profile.whole_cores or (critical and policy.latency_critical.whole_cores)

    gbps = throughput / 1000
    total = Resources()
    for name in functions:
        fn = profile.functions[name]
        total = total.plus(fn.base).plus(fn.per_gbps, gbps)
    cpu = Quantity(total.cpu.amount).scaled(headroom).round_up_to(CPU_CORE if whole_cores else CPU_MILLI)
    return Sizing(
        cpu=cpu,
        memory=Quantity(total.memory.amount, _BYTES).round_up_to(MEBIBYTE),
        storage=Quantity(total.storage.amount, _BYTES).round_up_to(GIBIBYTE),
        service_type=service_type,
        functions=tuple(functions),
        throughput_mbps=throughput,
        throughput_from_intent=intent_throughput is not None,
        latency_critical=critical,
        cpu_headroom=headroom,
        whole_cores=whole_cores,
    )


def _throughput_mbps(targets: Sequence[Target]) -> Decimal | None:
    values = [_positive_number(t, value) for t in targets for value in _values(t)]
    return max(values) if values else None


def _latency_bound_ms(targets: Sequence[Target]) -> Decimal | None:
    bounds = [
        max(_positive_number(t, value) for value in _values(t))
        for t in targets
        if t.condition in _UPPER_BOUND_CONDITIONS
    ]
    return min(bounds) if bounds else None


def _values(target: Target) -> tuple[Any, ...]:
    if not target.values:
        raise DomainError(
            Finding(
                f"{target.original_name} target has no value; set targetValueRange to a number of {target.unit}",
                field=f"{target.field_path}.targetValueRange",
            )
        )
    return target.values


def _positive_number(target: Target, value: Any) -> Decimal:
    number: Decimal | None = None
    if not isinstance(value, bool) and isinstance(value, int | float | str):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite() or number <= 0:
        raise DomainError(
            Finding(
                f"{target.original_name} target value {value!r} is not a positive number of {target.unit}; "
                f"write it as a plain number in {target.unit}",
                field=f"{target.field_path}.targetValueRange",
                current=value if isinstance(value, str | int | float) else None,
            )
        )
    return number


def _merge(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in overrides.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _plain(number: Decimal) -> str:
    return f"{number.normalize():f}"
