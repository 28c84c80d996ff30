"""The TS 28.312 Rel-18 ``IntentReport-Single`` that intent-translate starts and later stages fill.

A fresh report says what the producer knows right after accepting an intent: nothing is
fulfilled yet (``fulfilmentStatus: NOT_FULFILLED``, state ``ACKNOWLEDGED``) for the
intent, for every expectation and for every target.

Two attribute names are spelled the way ``TS28312_IntentNrm.yaml`` (v18.2.0) spells them,
misspellings included, so that consumers reading the official schema find them:
``notFullfilledState`` and ``expectaitonId``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from o2krm.oran.ts28312.model import IntentExpectation

NOT_FULFILLED: Final = "NOT_FULFILLED"
FULFILLED: Final = "FULFILLED"
ACKNOWLEDGED: Final = "ACKNOWLEDGED"

ATTR_NOT_FULFILLED_STATE: Final = "notFullfilledState"  # sic, TS28312_IntentNrm.yaml
ATTR_EXPECTATION_ID: Final = "expectaitonId"  # sic, TS28312_IntentNrm.yaml


def intent_reference(intent_id: str) -> str:
    """The DN an IntentReport uses to point at its Intent."""
    return f"Intent={intent_id}"


def acknowledged(intent_id: str, expectations: Sequence[IntentExpectation]) -> dict[str, Any]:
    """An IntentReport-Single body: everything NOT_FULFILLED / ACKNOWLEDGED."""
    return {
        "id": f"{intent_id}-report",
        "intentReference": intent_reference(intent_id),
        "intentFulfilmentReport": {
            "intentFulfilmentInfo": _acknowledged_info(),
            "expectationFulfilmentResult": [_expectation_result(e) for e in expectations],
        },
    }


def _expectation_result(expectation: IntentExpectation) -> dict[str, Any]:
    result: dict[str, Any] = {
        ATTR_EXPECTATION_ID: expectation.expectation_id,
        "expectationFulfilmentInfo": _acknowledged_info(),
    }
    if expectation.targets:
        result["targetFulfilmentResult"] = [
            {"targetName": t.name, "targetFulfilmentInfo": _acknowledged_info()} for t in expectation.targets
        ]
    return result


def _acknowledged_info() -> dict[str, str]:
    return {"fulfilmentStatus": NOT_FULFILLED, ATTR_NOT_FULFILLED_STATE: ACKNOWLEDGED}
