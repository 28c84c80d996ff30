"""A read-only view of a TS 28.312 Intent for the stages after intent-translate.

pr-generate, network-config and slo-gate-inject need the same few facts from an intent:
where it goes (site names or patterns, region), what it deploys (O-RAN functions,
service type) and which service levels it sets (targets). They read them here, from
the standard Intent-Single shape, so that no stage re-interprets the 28.312 structure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from o2krm.oran import vocabulary as v


@dataclass(frozen=True)
class Target:
    """One expectation target: ``name`` is canonical (see vocabulary.TARGET_UNITS)."""

    name: str
    condition: str
    values: tuple[Any, ...]  # one value, or (low, high) for ranges
    unit: str | None
    expectation_id: str
    index: int  # position in expectationTargets, for field paths
    original_name: str
    expectation_index: int = 0  # position in intentExpectations: field paths index, ids may be any text

    @property
    def field_path(self) -> str:
        return f"spec.intentExpectations[{self.expectation_index}].expectationTargets[{self.index}]"


@dataclass(frozen=True)
class IntentView:
    intent_id: str
    sites: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()
    service_type: str | None = None
    targets: tuple[Target, ...] = ()
    expectation_ids: tuple[str, ...] = field(default=())

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any], default_id: str = "") -> IntentView:
        """Read an Intent-Single body (the ``spec`` of a 28.312 Intent envelope)."""
        contexts: list[Mapping[str, Any]] = list(_mappings(spec.get("intentContexts")))
        targets: list[Target] = []
        expectation_ids: list[str] = []
        for exp_index, exp in enumerate(_mappings(spec.get("intentExpectations"))):
            exp_id = str(exp.get("expectationId", ""))
            expectation_ids.append(exp_id)
            contexts.extend(_mappings(exp.get("expectationContexts")))
            obj = exp.get("expectationObject")
            if isinstance(obj, Mapping):
                contexts.extend(_mappings(obj.get("objectContexts")))
            for i, t in enumerate(_mappings(exp.get("expectationTargets"))):
                raw_name = str(t.get("targetName", ""))
                name = v.TARGET_ALIASES.get(raw_name, raw_name)
                targets.append(
                    Target(
                        name=name,
                        condition=str(t.get("targetCondition", "")),
                        values=_as_tuple(t.get("targetValueRange")),
                        unit=v.TARGET_UNITS.get(name),
                        expectation_id=exp_id,
                        index=i,
                        original_name=raw_name,
                        expectation_index=exp_index,
                    )
                )
        return cls(
            intent_id=str(spec.get("id") or default_id),
            sites=_context_values(contexts, v.CTX_TARGET_SITE),
            regions=_context_values(contexts, v.CTX_REGION),
            functions=_context_values(contexts, v.CTX_NETWORK_FUNCTIONS),
            service_type=next(iter(_context_values(contexts, v.CTX_SERVICE_TYPE)), None),
            targets=tuple(targets),
            expectation_ids=tuple(expectation_ids),
        )

    def targets_named(self, name: str) -> tuple[Target, ...]:
        return tuple(t for t in self.targets if t.name == name)


def _mappings(value: Any) -> Iterable[Mapping[str, Any]]:
    if isinstance(value, list):
        return [x for x in value if isinstance(x, Mapping)]
    return []


def _as_tuple(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(value)
    return (value,)


def _context_values(contexts: Iterable[Mapping[str, Any]], attribute: str) -> tuple[str, ...]:
    """All values of one context attribute, in order, without duplicates."""
    seen: dict[str, None] = {}
    for ctx in contexts:
        if ctx.get("contextAttribute") == attribute:
            for value in _as_tuple(ctx.get("contextValueRange")):
                seen.setdefault(str(value), None)
    return tuple(seen)
