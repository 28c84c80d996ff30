"""What the API answers: TMF921 Intent, IntentReport, Hub and event bodies built from the stored
records, and the seed API's KRM form of an intent."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from o2krm.gateway.lifecycle import HANDLING_STATE, State
from o2krm.gateway.store import HubRecord, IntentRecord, ReportRecord

API_ROOT = "/tmf-api/intentManagement/v5"
SEED_ROOT = "/intent-gateway/v1"
TIO = "http://tio.models.tmforum.org/tio/v3.6.0"
REPORT_CONTEXT = {
    "icm": f"{TIO}/IntentCommonModel/",
    "imo": f"{TIO}/IntentManagementOntology/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "o2krm": "https://o2krm.io/ontology/gateway/",
}
ALWAYS_SHOWN = ("@type", "id", "href")  # kept by a ?fields= selection


def now() -> str:
    """The current time as RFC 3339 UTC with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def intent_href(base: str, intent_id: str) -> str:
    return f"{base}{API_ROOT}/intent/{intent_id}"


# --- intents -----------------------------------------------------------------------------------
def intent_resource(record: IntentRecord, base: str) -> dict[str, Any]:
    resource: dict[str, Any] = {"@type": "Intent", **record.body}
    resource.update(
        id=record.id,
        href=intent_href(base, record.id),
        creationDate=record.created_at,
        lastUpdate=record.updated_at,
        statusChangeDate=record.status_changed_at,
        lifecycleStatus=record.lifecycle_status,
    )
    if "intentSpecification" not in resource:
        resource["intentSpecification"] = {
            "@type": "EntityRef",
            "@referredType": "IntentSpecification",
            "id": record.blueprint,
            "name": record.blueprint,
        }
    return resource


def select_fields(resource: dict[str, Any], fields: str | None) -> dict[str, Any]:
    """TMF630 ``?fields=a,b``: only those attributes (and @type, id, href)."""
    if not fields:
        return resource
    wanted = {name.strip() for name in fields.split(",") if name.strip()}
    return {key: value for key, value in resource.items() if key in wanted or key in ALWAYS_SHOWN}


def seed_resource(record: IntentRecord, base: str) -> dict[str, Any]:
    """The seed API's answer: the intent resource as posted, with a ``status``."""
    envelope = record.envelope
    return {
        "apiVersion": envelope["apiVersion"],
        "kind": envelope["kind"],
        "metadata": envelope["metadata"],
        "spec": envelope["spec"],
        "status": {
            "lifecycleStatus": record.lifecycle_status,
            "reason": record.reason,
            "href": intent_href(base, record.id),
            "blueprint": record.blueprint,
            "packageRevision": record.published.tag if record.published else None,
            "provisioningRequests": request_rows(record),
        },
    }


def request_rows(record: IntentRecord) -> list[dict[str, str]]:
    rows = []
    for name in sorted(record.requests):
        observed = record.request_states.get(name, {})
        rows.append(
            {
                "name": name,
                "state": observed.get("state", "") or ("not created" if name not in record.provisioned else ""),
                "message": observed.get("message", ""),
            }
        )
    return rows


# --- reports -------------------------------------------------------------------------------------
def new_report(record: IntentRecord, summary: str, slo_gate: str) -> ReportRecord:
    """The report of ``record`` as it is now (numbered when stored)."""
    details: dict[str, Any] = {
        "blueprint": record.blueprint,
        "package": record.package,
        "reason": record.reason,
        "provisioningRequests": request_rows(record),
        "sloGate": slo_gate,
        "findings": [{"message": f.get("message", ""), "severity": f.get("severity", "")} for f in record.findings],
    }
    if record.published is not None:
        details["packageRevision"] = record.published.tag
        details["commit"] = record.published.commit
    if record.report_28312 is not None:
        fulfilment = (record.report_28312.get("intentFulfilmentReport") or {}).get("intentFulfilmentInfo") or {}
        details["ts28312Fulfilment"] = dict(fulfilment)
    return ReportRecord(
        intent_id=record.id,
        number=0,
        created_at=now(),
        lifecycle_status=record.lifecycle_status,
        handling_state=HANDLING_STATE[State(record.lifecycle_status)],
        summary=summary,
        details=details,
    )


def report_resource(report: ReportRecord, record: IntentRecord | None, base: str) -> dict[str, Any]:
    href = intent_href(base, report.intent_id)
    name = str((record.body.get("name") if record else None) or report.intent_id)
    details = report.details
    graph: dict[str, Any] = {
        "@context": REPORT_CONTEXT,
        "@id": f"{href}/intentReport/{report.number}",
        "@type": "icm:IntentReport",
        "icm:about": {"@id": href},
        "icm:reportNumber": {"@value": str(report.number), "@type": "xsd:positiveInteger"},
        "icm:reportGenerated": {"@value": report.created_at, "@type": "xsd:dateTime"},
        "icm:intentHandlingState": {"@id": f"imo:{report.handling_state}"},
        "o2krm:lifecycleStatus": report.lifecycle_status,
        "o2krm:summary": report.summary,
        "o2krm:blueprint": details.get("blueprint", ""),
        "o2krm:sloGate": details.get("sloGate", ""),
        "o2krm:provisioningRequest": [
            {"o2krm:name": row["name"], "o2krm:state": row["state"], "o2krm:message": row["message"]}
            for row in details.get("provisioningRequests", [])
        ],
        "o2krm:finding": [f"{f['severity']}: {f['message']}" for f in details.get("findings", [])],
    }
    if details.get("reason"):
        graph["o2krm:reason"] = details["reason"]
    if details.get("packageRevision"):
        graph["o2krm:packageRevision"] = details["packageRevision"]
        graph["o2krm:commit"] = details["commit"]
    fulfilment = details.get("ts28312Fulfilment") or {}
    if fulfilment:
        graph["o2krm:ts28312FulfilmentStatus"] = str(fulfilment.get("fulfilmentStatus", ""))
        if fulfilment.get("notFullfilledState"):
            graph["o2krm:ts28312NotFulfilledState"] = str(fulfilment["notFullfilledState"])
    return {
        "@type": "IntentReport",
        "id": str(report.number),
        "href": f"{href}/intentReport/{report.number}",
        "name": f"{name} report {report.number}",
        "description": report.summary,
        "creationDate": report.created_at,
        "intent": {"@type": "IntentRef", "id": report.intent_id, "href": href, "name": name},
        "expression": {
            "@type": "JsonLdExpression",
            "iri": f"{href}/intentReport/{report.number}",
            "expressionValue": graph,
        },
    }


# --- hubs and events -------------------------------------------------------------------------------
def hub_resource(hub: HubRecord, base: str) -> dict[str, Any]:
    resource: dict[str, Any] = {"@type": "Hub", "id": hub.id, "href": f"{base}{API_ROOT}/hub/{hub.id}"}
    resource["callback"] = hub.callback
    if hub.query:
        resource["query"] = hub.query
    return resource


EVENT_TYPES = (
    "IntentCreateEvent",
    "IntentAttributeValueChangeEvent",
    "IntentStatusChangeEvent",
    "IntentDeleteEvent",
    "IntentReportCreateEvent",
)


def event(event_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A TMF921 event: ``payload`` is ``{"intent": ...}`` or ``{"intentReport": ...}``."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type}")
    stamp = now()
    return {
        "@type": event_type,
        "eventId": str(uuid.uuid4()),
        "eventTime": stamp,
        "timeOccurred": stamp,
        "eventType": event_type,
        "title": event_type,
        "domain": "o2krm",
        "event": payload,
    }


def wants(hub: HubRecord, event_type: str) -> bool:
    return not hub.event_types or event_type in hub.event_types


def parse_event_filter(query: str | None) -> list[str]:
    """``eventType=A,B`` (or ``eventType=A&eventType=B``) -> [A, B]; ValueError saying what is wrong."""
    from urllib.parse import parse_qsl

    if not query or not query.strip():
        return []
    wanted: list[str] = []
    for key, value in parse_qsl(query.strip(), keep_blank_values=True, strict_parsing=False):
        if key != "eventType":
            raise ValueError(f"query filter {key!r} is not supported; use eventType=<{'|'.join(EVENT_TYPES)}>")
        for name in value.split(","):
            name = name.strip()
            if name not in EVENT_TYPES:
                raise ValueError(f"eventType {name!r} is not one of {', '.join(EVENT_TYPES)}")
            wanted.append(name)
    if not wanted:
        raise ValueError(f"query must be eventType=<{'|'.join(EVENT_TYPES)}>[,...]")
    return sorted(set(wanted))
