"""The KRM envelopes around a TS 28.312 Intent and IntentReport.

::

    apiVersion: intent.3gpp.org/v1alpha1
    kind: Intent                      # or IntentReport
    metadata:
      name: <source intent name>
      labels: {o2krm.io/intent: <name>, intent.source: tmf921}
      annotations:
        config.kubernetes.io/local-config: "true"
        o2krm.io/source: Intent/<name>   # Intent/<namespace>/<name> when namespaced
    spec: <Intent-Single | IntentReport-Single>

Both are local-config: they describe what is wanted and how far it got, and are never
applied to a cluster.
"""

from __future__ import annotations

import re
from typing import Any

from o2krm.oran import vocabulary as v

_LABEL_VALUE = re.compile(r"^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$")


def intent_resource(spec: dict[str, Any], *, name: str, namespace: str | None, source: str) -> dict[str, Any]:
    return _envelope(v.INTENT_3GPP_KIND, spec, name=name, namespace=namespace, source=source)


def report_resource(spec: dict[str, Any], *, name: str, namespace: str | None, source: str) -> dict[str, Any]:
    return _envelope(v.INTENT_REPORT_KIND, spec, name=name, namespace=namespace, source=source)


def source_reference(kind: str, name: str, namespace: str | None = None) -> str:
    """The value of the o2krm.io/source annotation: ``<kind>/<name>``, or
    ``<kind>/<namespace>/<name>`` for a namespaced source (as the SDK's generator writes it)."""
    return f"{kind}/{namespace}/{name}" if namespace else f"{kind}/{name}"


def _envelope(kind: str, spec: dict[str, Any], *, name: str, namespace: str | None, source: str) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if namespace:
        metadata["namespace"] = namespace
    labels = {v.LABEL_INTENT_SOURCE: "tmf921"}
    if _LABEL_VALUE.match(name):  # label values are at most 63 characters
        labels = {v.LABEL_INTENT: name, **labels}
    metadata["labels"] = labels
    metadata["annotations"] = {v.LOCAL_CONFIG: "true", v.ANN_SOURCE: source}
    return {"apiVersion": v.INTENT_3GPP_API, "kind": kind, "metadata": metadata, "spec": spec}
