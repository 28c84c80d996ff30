"""3GPP TS 28.312 intents in the package are valid Intent-Single objects of the Rel-18 schema.

The schema validation itself belongs to ``o2krm.oran.ts28312`` (it resolves the $refs across the
3GPP files and reads their oneOf as anyOf). This module only finds the intents and maps that
validator's findings onto ``consistency.intent-invalid``: ``intent_validator()`` is the hook.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from o2krm.oran import vocabulary as v
from o2krm.oran.findings import Finding
from o2krm.oran.policy.package import Package, Violation

INTENT_GROUP = v.INTENT_3GPP_API.split("/")[0]
IntentValidator = Callable[[Mapping[str, Any]], Iterable[Finding]]


def intent_validator() -> IntentValidator | None:
    """The Rel-18 Intent-Single validator of o2krm.oran.ts28312, or None while that package is absent.

    HOOK: ts28312 is written in parallel; when it lands, this returns its validator, which takes an
    Intent-Single (the envelope's spec) and returns findings with field paths relative to it.
    """
    try:
        from o2krm.oran import ts28312  # type: ignore[attr-defined]
    except ImportError:
        return None
    return getattr(ts28312, "validate_intent", None)


def check(package: Package, validator: IntentValidator | None) -> Iterator[Violation]:
    if validator is None:
        return
    for item in package.of_kind(INTENT_GROUP, v.INTENT_3GPP_KIND):
        for finding in validator(item.spec):
            if finding.severity != "error":
                continue
            field = f"spec.{finding.field}" if finding.field else "spec"
            yield Violation(item.index, "consistency.intent-invalid", finding.message, field, finding.current)
