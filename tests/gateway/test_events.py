"""Listeners registered at /hub get TMF921 events on create, on each state change and on delete."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.gateway.conftest import API, SEED, Listener, oas_errors, seed_intent, status_of, tmf921_intent, wait_for


def _hub(client: TestClient, callback: str, query: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"@type": "Hub", "callback": callback}
    if query is not None:
        body["query"] = query
    response = client.post(f"{API}/hub", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_events_on_create_state_changes_and_delete(client: TestClient, listener: Listener) -> None:
    hub = _hub(client, listener.url)
    assert oas_errors("Hub", hub) == []
    assert client.get(f"{API}/hub/{hub['id']}").json() == hub

    intent_id = client.post(f"{API}/intent", json=tmf921_intent()).json()["id"]
    wait_for(lambda: status_of(client, intent_id) == "Provisioned")
    wait_for(lambda: len(listener.of("IntentStatusChangeEvent")) == 3)
    assert client.delete(f"{API}/intent/{intent_id}").status_code == 204
    wait_for(lambda: listener.of("IntentDeleteEvent"))

    (created,) = listener.of("IntentCreateEvent")
    assert created["event"]["intent"]["id"] == intent_id
    assert created["event"]["intent"]["lifecycleStatus"] == "Created"
    changes = [e["event"]["intent"]["lifecycleStatus"] for e in listener.of("IntentStatusChangeEvent")]
    assert changes == ["Published", "Provisioning", "Provisioned", "Deleting"]
    (deleted,) = listener.of("IntentDeleteEvent")
    assert deleted["event"]["intent"]["id"] == intent_id
    reports = [e["event"]["intentReport"]["id"] for e in listener.of("IntentReportCreateEvent")]
    assert reports == ["2", "3", "4", "5"]  # report 1 comes with the create event's intent
    for item in listener.events:
        assert oas_errors(item["eventType"], item) == [], item["eventType"]
        assert item["@type"] == item["eventType"]
    assert len({e["eventId"] for e in listener.events}) == len(listener.events)


def test_query_filters_event_types_and_delete_stops_delivery(client: TestClient) -> None:
    only_status, everything = Listener(), Listener()
    try:
        filtered = _hub(client, only_status.url, "eventType=IntentStatusChangeEvent")
        assert filtered["query"] == "eventType=IntentStatusChangeEvent"
        all_hub = _hub(client, everything.url)
        assert client.post(SEED, json=seed_intent("watched")).status_code == 201
        wait_for(lambda: len(only_status.events) >= 2 and len(everything.events) >= 4)
        assert {e["eventType"] for e in only_status.events} == {"IntentStatusChangeEvent"}
        assert client.delete(f"{API}/hub/{all_hub['id']}").status_code == 204
        assert client.get(f"{API}/hub/{all_hub['id']}").status_code == 404
        seen = len(everything.events)
        wait_for(lambda: status_of(client, "watched") == "Provisioned")
        wait_for(lambda: [e for e in only_status.events if e["event"]["intent"]["lifecycleStatus"] == "Provisioned"])
        assert len(everything.events) == seen
    finally:
        only_status.stop()
        everything.stop()


def test_a_failing_listener_does_not_stop_the_others(client: TestClient, listener: Listener) -> None:
    broken = Listener(status=500)
    try:
        _hub(client, broken.url)
        _hub(client, listener.url)
        assert client.post(SEED, json=seed_intent("resilient")).status_code == 201
        wait_for(lambda: listener.of("IntentCreateEvent"))
        assert broken.events == []
    finally:
        broken.stop()


def test_hub_registration_errors(client: TestClient) -> None:
    bad_url = client.post(f"{API}/hub", json={"@type": "Hub", "callback": "ftp://example.com/x"})
    assert bad_url.status_code == 422 and bad_url.json()["details"][0]["field"] == "callback"
    bad_query = client.post(f"{API}/hub", json={"callback": "http://127.0.0.1:9/x", "query": "eventType=Nope"})
    assert bad_query.status_code == 422 and "Nope" in bad_query.json()["message"]
    unknown_filter = client.post(f"{API}/hub", json={"callback": "http://127.0.0.1:9/x", "query": "state=Active"})
    assert unknown_filter.status_code == 422 and unknown_filter.json()["details"][0]["field"] == "query"
    missing = client.post(f"{API}/hub", json={"@type": "Hub"})
    assert missing.status_code == 422 and missing.json()["details"][0]["field"] == "callback"
    assert client.delete(f"{API}/hub/nope").status_code == 404
