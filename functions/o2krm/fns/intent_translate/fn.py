"""intent-translate: one TS 28.312 Intent and one IntentReport per TMF921 intent of the package.

Inputs: TMF921 intents, in the seed's form (``tmf921.intent.tmforum.org/v1``) or as TMF921 v5
Intent resources (``tmf921.intent.tmforum.org/v5``, JSON-LD or Turtle expression). Outputs
(local-config, owned by this function, placed beside their source): an
``intent.3gpp.org/v1alpha1`` Intent and IntentReport of the same name. The translation is
``o2krm.oran.intent_translate.translate``; this module moves its findings onto the
resources and keeps the outputs in step with their sources:

* the spec of an output is exactly the translation (a stale field never survives);
  labels and annotations added by hand do;
* the fulfilment state later stages wrote into an IntentReport is kept for the
  expectations and targets that still exist;
* outputs whose source intent is gone are pruned;
* any error: nothing is emitted, every problem is reported (exit 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from o2krm.fns._results import add_finding
from o2krm.oran import vocabulary as v
from o2krm.oran.findings import DomainError, Finding
from o2krm.oran.intent_translate import Translation, translate
from o2krm.oran.ts28312.report import carry_over
from o2krm.sdk.kubeobject import KubeObject
from o2krm.sdk.resourcelist import ResourceList

OWNER = "intent-translate"
TMF921_GROUP = v.TMF921_SEED_API.partition("/")[0]
_LONG_VALUE = 120  # field values longer than this (Turtle text) are not echoed into results


class Config(BaseModel):
    """functionConfig: ConfigMap ``data`` or the ``spec`` of a typed config."""

    model_config = ConfigDict(extra="forbid")

    validateOutput: bool = Field(
        default=False,
        description="Also validate every output against the 3GPP TS 28.312 OpenAPI documents in "
        "$O2KRM_SPECS_DIR/3gpp-r18 (skipped where that directory does not exist).",
    )


def intent_translate(rl: ResourceList, config: Config) -> None:
    translations: list[tuple[KubeObject, Translation]] = []
    seen: dict[tuple[str, str], KubeObject] = {}
    for source in list(rl.items.of_group(TMF921_GROUP, v.TMF921_KIND)):
        key = (source.namespace, source.name)
        if key in seen:
            rl.results.error(
                f"two TMF921 intents are named {source.name!r} ({seen[key].api_version} and "
                f"{source.api_version}); both would become the 28.312 Intent {source.name!r}: rename one",
                obj=source,
                field="metadata.name",
            )
            continue
        seen[key] = source
        try:
            result = translate(source.data, check_schema=config.validateOutput)
        except DomainError as error:
            _report(rl, error.findings, source)
            continue
        _report(rl, result.findings, source)
        translations.append((source, result))
    if rl.results.has_errors:
        return

    generator = rl.generator(OWNER)
    for source, result in translations:
        previous_intent = _spec_of(rl, result.intent)
        previous_report = _spec_of(rl, result.report)
        _upsert(generator, result.intent, source)
        spec = carry_over(
            result.report["spec"], previous_report, intent=result.intent["spec"], previous_intent=previous_intent
        )
        _upsert(generator, {**result.report, "spec": spec}, source)
    generator.prune()


def _spec_of(rl: ResourceList, resource: dict[str, Any]) -> Any:
    """The spec of the item with the identity of ``resource`` already in the package, if any."""
    existing = rl.items.find(KubeObject(resource).identity)
    return existing.get("spec") if existing is not None else None


def _upsert(generator: Any, desired: dict[str, Any], source: KubeObject) -> None:
    """Upsert, then make the spec exactly the desired one: the generator merges, which would
    keep fields an earlier translation produced and this one does not."""
    obj = generator.upsert(desired, source=source)
    if obj.get("spec") != desired["spec"]:
        obj.set("spec", desired["spec"])


def _report(rl: ResourceList, findings: Sequence[Finding], obj: KubeObject) -> None:
    for finding in findings:
        field = finding.field
        if finding.current is None and field and _is_long_text(obj.get(field)):
            # name the mapping that holds it, so the whole Turtle text is not echoed as currentValue
            field = field.rpartition(".")[0] or field
        add_finding(rl, finding, obj, field=field, tags=finding.tags)


def _is_long_text(value: Any) -> bool:
    return isinstance(value, str) and len(value) > _LONG_VALUE
