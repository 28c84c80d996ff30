"""3GPP TS 28.312 intents in the package are valid Intent-Single objects of the Rel-18 schema.

The schema validation itself belongs to ``o2krm.oran.ts28312.schema`` (it resolves the $refs
across the 3GPP files and reads their oneOf as anyOf). This module only finds the intents and maps
that validator's findings onto ``consistency.intent-invalid``. Where the 3GPP documents are not
installed, the intents are reported once as ``consistency.intent-unchecked`` (info), never skipped
silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from o2krm.oran import vocabulary as v
from o2krm.oran.findings import Finding
from o2krm.oran.policy.package import Package, Violation

INTENT_GROUP = v.INTENT_3GPP_API.split("/")[0]
# Takes an Intent-Single (an envelope's spec); returns findings with field paths from the resource root.
IntentValidator = Callable[[Mapping[str, Any]], Iterable[Finding]]


def intent_validator() -> IntentValidator | None:
    """The Rel-18 Intent-Single validator of o2krm.oran.ts28312, or None where the 3GPP documents
    it reads are not installed (they are not shipped with the package; see that module)."""
    from o2krm.oran.ts28312 import schema

    return schema.validate_intent_spec if schema.available() else None


def check(package: Package, provider: Callable[[], IntentValidator | None]) -> Iterator[Violation]:
    intents = package.of_kind(INTENT_GROUP, v.INTENT_3GPP_KIND)
    if not intents:
        return
    validator = provider()
    if validator is None:
        yield Violation(
            intents[0].index,
            "consistency.intent-unchecked",
            f"{len(intents)} TS 28.312 intent(s) not checked against the Rel-18 schema: its documents are not "
            "installed here (set O2KRM_SPECS_DIR to a directory holding 3gpp-r18/)",
            "spec",
        )
        return
    for item in intents:
        for finding in validator(item.spec):
            if finding.severity == "error":
                yield Violation(
                    item.index, "consistency.intent-invalid", finding.message, finding.field, finding.current
                )
