"""TMF921 intents, in the two KRM forms o2krm reads, into one neutral model.

* ``tmf921.intent.tmforum.org/v1``: the simplified form the seed document shows
  (:mod:`o2krm.oran.tmf921.seed`).
* ``tmf921.intent.tmforum.org/v5``: a real TMF921 v5 Intent resource as ``spec``, whose
  expression is JSON-LD or Turtle in the TM Forum Intent Ontology
  (:mod:`o2krm.oran.tmf921.v5`, :mod:`o2krm.oran.tmf921.tio`).

Both give a :class:`~o2krm.oran.tmf921.model.SourceIntent`. The mapping to TS 28.312 is
documented in the intent-translate README (``o2krm/fns/intent_translate/README.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from o2krm.oran import vocabulary as v
from o2krm.oran.findings import DomainError, Finding
from o2krm.oran.tmf921.model import SourceIntent

API_VERSIONS = (v.TMF921_SEED_API, v.TMF921_V5_API)


def is_tmf921_intent(resource: Mapping[str, Any]) -> bool:
    return resource.get("kind") == v.TMF921_KIND and resource.get("apiVersion") in API_VERSIONS


def read_intent(resource: dict[str, Any]) -> SourceIntent:
    """Read either form; DomainError naming the field when the resource cannot be read."""
    if not is_tmf921_intent(resource):
        raise DomainError(
            Finding(
                f"not a TMF921 intent: expected kind {v.TMF921_KIND} with apiVersion "
                f"{' or '.join(API_VERSIONS)}, got {resource.get('kind')!r} "
                f"{resource.get('apiVersion')!r}",
                field="apiVersion",
                current=resource.get("apiVersion"),
                rule="o2krm.intent-translate.input",
            )
        )
    if resource["apiVersion"] == v.TMF921_SEED_API:
        from o2krm.oran.tmf921.seed import read_seed

        return read_seed(resource)
    from o2krm.oran.tmf921.v5 import read_v5

    return read_v5(resource)


__all__ = ["API_VERSIONS", "SourceIntent", "is_tmf921_intent", "read_intent"]
