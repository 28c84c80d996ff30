"""slo-gate-inject: gate every ProvisioningRequest on the service levels of its 28.312 intent.

A ProvisioningRequest names its intent with the label o2krm.io/intent (the Intent's
metadata.name) and its site with o2krm.io/site. For each request the function upserts one
SLOGate and one MeasurementJob (named after the request) and prunes those it made for
requests that are gone. The planning itself is ``o2krm.oran.slo.plan_gate``.
"""

from __future__ import annotations

from o2krm.fns._results import add_finding
from o2krm.oran import vocabulary as v
from o2krm.oran.findings import DomainError, Finding
from o2krm.oran.intent_view import IntentView
from o2krm.oran.slo import SloConfig, plan_gate
from o2krm.sdk.kubeobject import KubeObject
from o2krm.sdk.resourcelist import ResourceList

OWNER = "slo-gate-inject"
INTENT_GROUP = v.INTENT_3GPP_API.partition("/")[0]
PR_GROUP = v.PR_API.partition("/")[0]
LABEL_INTENT_FIELD = f'metadata.labels["{v.LABEL_INTENT}"]'


def slo_gate_inject(rl: ResourceList, config: SloConfig) -> None:
    intents = _intents_by_name(rl)
    reporter = _Reporter(rl)
    generator = rl.generator(OWNER)
    for request in list(rl.items.of_group(PR_GROUP, v.PR_KIND)):
        intent = _intent_of(request, intents, rl)
        if intent is None:
            continue
        view = IntentView.from_spec(intent.get("spec") or {}, default_id=intent.name)
        try:
            gate, job, findings = plan_gate(view, request.data, config)
        except DomainError as error:
            reporter.report(error.findings, intent=intent, request=request)
            continue
        reporter.report(findings, intent=intent, request=request)
        if gate is not None and job is not None:
            generator.upsert(gate, source=request)
            generator.upsert(job, source=request)
    if not rl.results.has_errors:
        generator.prune()


def _intents_by_name(rl: ResourceList) -> dict[str, KubeObject]:
    found: dict[str, KubeObject] = {}
    for intent in rl.items.of_group(INTENT_GROUP, v.INTENT_3GPP_KIND):
        if intent.name in found:
            rl.results.error(
                f"two 28.312 Intents are named {intent.name!r}; ProvisioningRequests link to intents by "
                f"name (label {v.LABEL_INTENT}), so rename one",
                obj=intent,
                field="metadata.name",
            )
            continue
        found[intent.name] = intent
    return found


def _intent_of(request: KubeObject, intents: dict[str, KubeObject], rl: ResourceList) -> KubeObject | None:
    name = request.label(v.LABEL_INTENT)
    if not name:
        rl.results.warning(
            f"{request.describe()} has no label {v.LABEL_INTENT} naming its 28.312 Intent: it is not SLO-gated",
            obj=request,
            field="metadata.labels",
        )
        return None
    intent = intents.get(name)
    if intent is None:
        rl.results.error(
            f"{request.describe()} names intent {name!r} (label {v.LABEL_INTENT}) but the package holds no "
            f"28.312 Intent ({v.INTENT_3GPP_API}) of that name: add it, or fix the label",
            obj=request,
            field=LABEL_INTENT_FIELD,
        )
    return intent


class _Reporter:
    """Findings to results, on the Intent or the ProvisioningRequest they are about.

    An intent's problem shows up once, however many of its requests (sites) reveal it.
    """

    def __init__(self, rl: ResourceList):
        self.rl = rl
        self.seen: set[tuple[object, ...]] = set()

    def report(self, findings: list[Finding], *, intent: KubeObject, request: KubeObject) -> None:
        for finding in findings:
            obj = request if finding.tags.get("resource") == v.PR_KIND else intent
            key = (finding.severity, finding.message, finding.field, obj.identity)
            if key in self.seen:
                continue
            self.seen.add(key)
            add_finding(self.rl, finding, obj)
