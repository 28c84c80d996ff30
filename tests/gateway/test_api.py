"""The gateway's HTTP API against a tmp data directory and the fake O-Cloud: what a POST does
(render, publish, provision), what GET/PATCH/DELETE answer, and every error status."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from o2krm.cli.fake_state import StateStore
from tests.gateway.conftest import (
    API,
    DATA,
    SEED,
    git_files,
    git_show,
    git_tags,
    oas_errors,
    pr_errors,
    seed_intent,
    status_of,
    tmf921_intent,
    wait_for,
)

Client = TestClient


def fake_requests(state: Path) -> dict[str, dict[str, Any]]:
    with StateStore(state).open(write=False, now=0) as current:
        return {name: record["object"] for name, record in current.requests.items()}


def repo_of(tmp_path: Path) -> Path:
    return tmp_path / "data" / "deployments.git"


# --- create --------------------------------------------------------------------------------------
def test_seed_post_renders_publishes_and_provisions(client: Client, tmp_path: Path, fake_env: Path) -> None:
    response = client.post(SEED, json=seed_intent())
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["status"]["lifecycleStatus"] == "Provisioning"
    assert answer["status"]["packageRevision"] == "deploy-edge-ran/v1"
    assert response.headers["location"] == "http://testserver/intent-gateway/v1/intents/deploy-edge-ran"
    timing = response.headers["server-timing"]
    assert {part.split(";")[0] for part in timing.split(", ")} == {
        "render",
        "publish",
        "publish-queue",
        "provision",
        "store",
        "total",
    }

    # The published revision: the seed intent, its TS 28.312 translation, one ProvisioningRequest.
    repo = repo_of(tmp_path)
    assert git_tags(repo) == ["deploy-edge-ran/v1"]
    files = git_files(repo, "deploy-edge-ran/v1", "deploy-edge-ran")
    assert {"Kptfile", "intent.yaml", "intent_deploy-edge-ran.yaml", "intentreport_deploy-edge-ran.yaml"} <= set(files)
    kptfile = yaml.safe_load(git_show(repo, "deploy-edge-ran/v1", "deploy-edge-ran/Kptfile"))
    assert kptfile["metadata"]["name"] == "deploy-edge-ran"
    translated = yaml.safe_load(git_show(repo, "deploy-edge-ran/v1", "deploy-edge-ran/intent_deploy-edge-ran.yaml"))
    assert translated["apiVersion"] == "intent.3gpp.org/v1alpha1"
    pr_files = [f for f in files if f.startswith("provisioningrequest_")]
    assert len(pr_files) == 1
    published = yaml.safe_load(git_show(repo, "deploy-edge-ran/v1", f"deploy-edge-ran/{pr_files[0]}"))
    assert pr_errors(published) == []

    # The same request is in the fake O-Cloud, as o2imsctl --fake shows it.
    created = fake_requests(fake_env)
    assert list(created) == [published["metadata"]["name"]]
    assert created[published["metadata"]["name"]]["spec"] == published["spec"]
    assert [row["name"] for row in answer["status"]["provisioningRequests"]] == list(created)

    wait_for(lambda: status_of(client, "deploy-edge-ran") == "Provisioned")
    seed_view = client.get(f"{SEED}/deploy-edge-ran").json()
    assert seed_view["status"]["provisioningRequests"][0]["state"] == "fulfilled"


def test_tmf921_post_answers_an_intent_of_the_official_schema(client: Client) -> None:
    body = tmf921_intent()
    response = client.post(f"{API}/intent", json=body)
    assert response.status_code == 201, response.text
    intent = response.json()
    assert oas_errors("Intent", intent) == []
    assert intent["lifecycleStatus"] == "Provisioning"
    assert intent["expression"] == body["expression"]
    assert intent["name"] == body["name"]
    assert intent["intentSpecification"]["id"] == "edge-ran"
    assert response.headers["location"] == intent["href"] == f"http://testserver{API}/intent/{intent['id']}"
    again = client.get(f"{API}/intent/{intent['id']}").json()
    assert again["id"] == intent["id"] and again["creationDate"] == intent["creationDate"]


def test_turtle_intent_with_client_id_and_blueprint(client: Client, tmp_path: Path) -> None:
    body = tmf921_intent("turtle", id="ran-west-7", intentSpecification={"id": "urllc-scaling", "@type": "EntityRef"})
    response = client.post(f"{API}/intent", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["id"] == "ran-west-7"
    assert git_tags(repo_of(tmp_path)) == ["ran-west-7/v1"]
    kptfile = yaml.safe_load(git_show(repo_of(tmp_path), "ran-west-7/v1", "ran-west-7/Kptfile"))
    assert "URLLC" in kptfile["info"]["description"] or "DU" in kptfile["info"]["description"]


def test_seed_endpoint_takes_the_v5_envelope_too(client: Client) -> None:
    resource = yaml.safe_load((DATA / "tio-ran-edge-west.turtle.yaml").read_text())
    response = client.post(SEED, json=resource)
    assert response.status_code == 201, response.text
    assert response.json()["status"]["packageRevision"] == "ran-edge-west/v1"
    intent = client.get(f"{API}/intent/ran-edge-west").json()
    assert oas_errors("Intent", intent) == []
    assert intent["name"] == resource["spec"]["name"]
    other = {**resource, "metadata": {"name": "other-name"}}
    answer = client.post(SEED, json=other)
    assert answer.status_code == 422 and answer.json()["details"][0]["field"] == "spec.id"


def test_blueprint_query_parameter_wins(client: Client) -> None:
    response = client.post(f"{SEED}?blueprint=multi-site-edge", json=seed_intent("picked"))
    assert response.status_code == 201
    assert response.json()["status"]["blueprint"] == "multi-site-edge"


def test_list_offset_limit_and_fields(client: Client) -> None:
    for name in ("one", "two", "three"):
        assert client.post(SEED, json=seed_intent(name)).status_code == 201
    listed = client.get(f"{API}/intent", params={"offset": 1, "limit": 1, "fields": "name,lifecycleStatus"})
    assert listed.status_code == 200
    assert listed.headers["x-total-count"] == "3" and listed.headers["x-result-count"] == "1"
    (only,) = listed.json()
    assert set(only) == {"@type", "id", "href", "name", "lifecycleStatus"}
    assert only["id"] == "two"
    assert [i["id"] for i in client.get(f"{API}/intent").json()] == ["one", "two", "three"]


# --- reports -------------------------------------------------------------------------------------
def test_reports_follow_the_lifecycle(client: Client) -> None:
    intent_id = client.post(f"{API}/intent", json=tmf921_intent()).json()["id"]
    wait_for(lambda: status_of(client, intent_id) == "Provisioned")
    reports = client.get(f"{API}/intent/{intent_id}/intentReport").json()
    states = [r["expression"]["expressionValue"]["o2krm:lifecycleStatus"] for r in reports]
    assert states == ["Created", "Published", "Provisioning", "Provisioned"]
    assert [r["id"] for r in reports] == ["1", "2", "3", "4"]
    for report in reports:
        assert oas_errors("IntentReport", report) == []
    last = reports[-1]["expression"]["expressionValue"]
    assert last["o2krm:packageRevision"] == f"{intent_id}/v1"
    assert last["o2krm:provisioningRequest"][0]["o2krm:state"] == "fulfilled"
    assert last["o2krm:sloGate"].startswith("not evaluated")
    assert last["o2krm:ts28312FulfilmentStatus"] == "NOT_FULFILLED"
    one = client.get(f"{API}/intent/{intent_id}/intentReport/2")
    assert one.status_code == 200 and one.json() == reports[1]


def test_report_expression_is_json_ld_in_the_intent_ontology(client: Client) -> None:
    from rdflib import Graph, Literal, Namespace, URIRef
    from rdflib.namespace import RDF, XSD

    intent_id = client.post(f"{API}/intent", json=tmf921_intent()).json()["id"]
    report = client.get(f"{API}/intent/{intent_id}/intentReport/1").json()
    graph = Graph().parse(data=json.dumps(report["expression"]["expressionValue"]), format="json-ld")
    icm = Namespace("http://tio.models.tmforum.org/tio/v3.6.0/IntentCommonModel/")
    imo = Namespace("http://tio.models.tmforum.org/tio/v3.6.0/IntentManagementOntology/")
    subject = URIRef(report["href"])
    assert (subject, RDF.type, icm.IntentReport) in graph
    assert (subject, icm.about, URIRef(report["intent"]["href"])) in graph
    assert (subject, icm.reportNumber, Literal("1", datatype=XSD.positiveInteger)) in graph
    assert (subject, icm.intentHandlingState, imo.StateIntentReceived) in graph


# --- patch ---------------------------------------------------------------------------------------
def test_patch_expression_publishes_the_next_revision(client: Client, tmp_path: Path, fake_env: Path) -> None:
    body = tmf921_intent("turtle", id="ran-west")
    assert client.post(f"{API}/intent", json=body).status_code == 201
    before = fake_requests(fake_env)
    expression = dict(body["expression"])
    expression["expressionValue"] = expression["expressionValue"].replace("rdf:value 10", "rdf:value 5")
    assert "rdf:value 5" in expression["expressionValue"]
    response = client.patch(
        f"{API}/intent/ran-west", content=json.dumps({"expression": expression}),
        headers={"Content-Type": "application/merge-patch+json"},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.json()["expression"] == expression
    assert git_tags(repo_of(tmp_path)) == ["ran-west/v1", "ran-west/v2"]
    translated = yaml.safe_load(git_show(repo_of(tmp_path), "ran-west/v2", "ran-west/intent_ran-west.yaml"))
    targets = [t for e in translated["spec"]["intentExpectations"] for t in e.get("expectationTargets", [])]
    assert {"targetName": "latency", "targetCondition": "IS_LESS_THAN", "targetValueRange": 5} in [
        {k: t[k] for k in ("targetName", "targetCondition", "targetValueRange")} for t in targets
    ]
    after = fake_requests(fake_env)
    assert list(after) == list(before)  # same site: the same request, replaced with the new spec
    assert after != before


def test_patch_without_change_publishes_nothing_and_prose_keeps_the_requests(
    client: Client, tmp_path: Path, fake_env: Path
) -> None:
    body = tmf921_intent(id="quiet")
    assert client.post(f"{API}/intent", json=body).status_code == 201
    assert client.patch(f"{API}/intent/quiet", json={"description": body["description"]}).status_code == 200
    assert git_tags(repo_of(tmp_path)) == ["quiet/v1"]
    before = fake_requests(fake_env)

    response = client.patch(f"{API}/intent/quiet", json={"description": "reworded"})
    assert response.status_code == 200
    assert response.json()["description"] == "reworded"
    # The package holds the intent, so it changes; the ProvisioningRequest does not.
    assert git_tags(repo_of(tmp_path)) == ["quiet/v1", "quiet/v2"]
    assert fake_requests(fake_env) == before


@pytest.mark.parametrize(
    ("patch", "field"),
    [({"lifecycleStatus": "Active"}, "lifecycleStatus"), ({"id": "other"}, "id"), ({"name": None}, "name")],
)
def test_patch_refusals_name_the_field(client: Client, patch: dict[str, Any], field: str) -> None:
    assert client.post(f"{API}/intent", json=tmf921_intent(id="fixed")).status_code == 201
    response = client.patch(f"{API}/intent/fixed", json=patch)
    assert response.status_code == 422, response.text
    assert field in [d["field"] for d in response.json()["details"]]
    assert oas_errors("Error", response.json()) == []


def test_patch_conflicts_and_media_types(client: Client) -> None:
    assert client.post(SEED, json=seed_intent("seeded")).status_code == 201
    seeded = client.patch(f"{API}/intent/seeded", json={"description": "x"})
    assert seeded.status_code == 409 and "seed form" in seeded.json()["message"]
    json_patch = client.patch(
        f"{API}/intent/seeded", content=b'[{"op": "remove", "path": "/description"}]',
        headers={"Content-Type": "application/json-patch+json"},
    )  # fmt: skip
    assert json_patch.status_code == 415 and "merge-patch" in json_patch.json()["message"]
    assert client.patch(f"{API}/intent/nope", json={"description": "x"}).status_code == 404


# --- delete --------------------------------------------------------------------------------------
def test_delete_publishes_an_empty_revision_and_removes_the_requests(
    client: Client, tmp_path: Path, fake_env: Path
) -> None:
    assert client.post(SEED, json=seed_intent("short-lived")).status_code == 201
    assert len(fake_requests(fake_env)) == 1
    response = client.delete(f"{API}/intent/short-lived")
    assert response.status_code == 204
    assert client.get(f"{API}/intent/short-lived").status_code == 404
    assert client.get(f"{API}/intent/short-lived/intentReport").status_code == 404
    assert git_tags(repo_of(tmp_path)) == ["short-lived/v1", "short-lived/v2"]
    assert git_files(repo_of(tmp_path), "short-lived/v2", "short-lived") == ["Kptfile"]
    assert fake_requests(fake_env) == {}
    assert client.delete(f"{API}/intent/short-lived").status_code == 404
    # The name is free again.
    assert client.post(SEED, json=seed_intent("short-lived")).status_code == 201
    assert git_tags(repo_of(tmp_path))[-1] == "short-lived/v3"


# --- errors --------------------------------------------------------------------------------------
def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert oas_errors("Error", body) == []
    assert body["code"] == f"ERR{status}" and body["status"] == str(status)
    return body


def test_malformed_requests_are_400(client: Client) -> None:
    body = _error(client.post(f"{API}/intent", content=b"{not json", headers={"Content-Type": "application/json"}), 400)
    assert "json" in body["message"].lower()
    _error(client.post(f"{API}/intent", headers={"Content-Type": "application/json"}), 400)
    _error(client.get(f"{API}/intent", params={"offset": -1}), 400)
    _error(client.get(f"{API}/intent", params={"limit": "many"}), 400)


def test_not_json_is_415_and_too_large_is_413(gateway: Any) -> None:
    client = gateway(max_body_bytes=4096)
    body = _error(client.post(SEED, content=b"name: x", headers={"Content-Type": "application/yaml"}), 415)
    assert "application/json" in body["message"]
    _error(client.post(SEED, content=b"{}"), 415)  # a body without a Content-Type
    big = {**seed_intent(), "padding": "x" * 5000}
    body = _error(client.post(SEED, json=big), 413)
    assert "4096" in body["message"]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"@type": "Intent", "name": "n"}, "expression", "Field required"),
        ({**tmf921_intent(), "name": None}, "name", "string"),
        ({**tmf921_intent(), "@type": "ProbeIntent"}, "@type", "ProbeIntent"),
        ({**tmf921_intent(), "id": "Not_A_Label"}, "id", "RFC 1123"),
        (tmf921_intent(intentSpecification={"id": "no-such-blueprint"}), "intentSpecification.id", "edge-ran"),
    ],
)
def test_invalid_intents_are_422_naming_the_field(client: Client, body: dict[str, Any], field: str, words: str) -> None:
    answer = _error(client.post(f"{API}/intent", json=body), 422)
    assert field in [d.get("field") for d in answer["details"]], answer
    assert words in json.dumps(answer)


def test_intent_the_pipeline_rejects_is_422_with_the_function_message(client: Client) -> None:
    body = tmf921_intent("turtle")
    body["expression"] = {**body["expression"], "expressionValue": "@prefix ex: <urn:x> .\nex:a ex:b"}
    answer = _error(client.post(f"{API}/intent", json=body), 422)
    assert answer["details"][0]["field"] == "expression.expressionValue"
    assert "turtle" in answer["details"][0]["message"].lower()

    seed = seed_intent("mars")
    seed["spec"]["intentExpectations"][0]["expectationTargets"] = [{"targetName": "edge-cluster-mars-1"}]
    answer = _error(client.post(SEED, json=seed), 422)
    assert "edge-cluster-mars-1" in answer["message"]
    assert client.get(f"{API}/intent/mars").status_code == 404  # nothing stored


def test_seed_resource_problems_are_422(client: Client) -> None:
    answer = _error(client.post(SEED, json={**seed_intent(), "apiVersion": "example.com/v1"}), 422)
    assert [d["field"] for d in answer["details"]] == ["apiVersion"]
    answer = _error(client.post(SEED, json={**seed_intent(), "metadata": {"name": "Bad Name"}}), 422)
    assert [d["field"] for d in answer["details"]] == ["metadata.name"]
    answer = _error(client.post(SEED, json={**seed_intent(), "spec": {"intentExpectations": []}}), 422)
    assert [d["field"] for d in answer["details"]] == ["spec.intentExpectations"]


def test_duplicates_are_409_and_unknowns_404(client: Client) -> None:
    assert client.post(SEED, json=seed_intent("twice")).status_code == 201
    assert "exists already" in _error(client.post(SEED, json=seed_intent("twice")), 409)["message"]
    assert client.post(f"{API}/intent", json=tmf921_intent(id="twice")).status_code == 409
    _error(client.get(f"{API}/intent/unknown"), 404)
    _error(client.get(f"{API}/intent/twice/intentReport/99"), 404)
    _error(client.get(f"{API}/intent/twice/intentReport/first"), 404)
    _error(client.get(f"{API}/hub/unknown"), 404)
    _error(client.get("/no/such/path"), 404)


def test_bearer_token(gateway: Any) -> None:
    client = gateway(token="s3cret-token")
    missing = _error(client.get(f"{API}/intent"), 401)
    assert "Bearer" in missing["message"]
    _error(client.get(f"{API}/intent", headers={"Authorization": "Bearer wrong"}), 401)
    denied = client.post(SEED, json=seed_intent())
    assert denied.status_code == 401 and denied.headers["www-authenticate"].startswith("Bearer")
    assert client.get(f"{API}/intent", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
    assert client.get("/health").status_code == 200


# --- failures after the intent is stored ------------------------------------------------------------
def test_publish_failure_keeps_the_intent_and_retries(gateway: Any, tmp_path: Path) -> None:
    import subprocess

    repo = tmp_path / "later.git"
    client = gateway(repo=str(repo))
    response = client.post(SEED, json=seed_intent("patient"))
    assert response.status_code == 201
    status = response.json()["status"]
    assert status["lifecycleStatus"] == "Created"
    assert "publishing failed" in status["reason"] and "trying again" in status["reason"]
    subprocess.run(["git", "init", "-q", "--bare", str(repo)], check=True)
    wait_for(lambda: status_of(client, "patient") in ("Provisioning", "Provisioned"), timeout=15)
    assert git_tags(repo) == ["patient/v1"]


def test_o_cloud_without_capacity_fails_the_intent(gateway: Any) -> None:
    from o2krm.gateway.provisioning import OCloudSettings

    client = gateway(
        ocloud=OCloudSettings(mode="fake", fake_capacity="cpu=1,memory=1Gi,storage=1Gi", fake_provision_seconds=0.2)
    )
    intent_id = client.post(SEED, json=seed_intent("too-big")).json()["metadata"]["name"]
    wait_for(lambda: status_of(client, intent_id) == "Failed")
    reports = client.get(f"{API}/intent/{intent_id}/intentReport").json()
    last = reports[-1]["expression"]["expressionValue"]
    assert "insufficient cpu" in last["o2krm:summary"]
    assert last["icm:intentHandlingState"] == {"@id": "imo:StateDegraded"}
