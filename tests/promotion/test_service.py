"""The measurement-job service: pti-o2's MeasurementJob shape, live results, the published OpenAPI
document (checked with schemathesis against the running service), and ``mj --server``."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from o2krm.promotion.cli import main
from o2krm.promotion.o2ims_api import collection_interval, job_info
from o2krm.promotion.service import OPENAPI_FILE, create_app, openapi_document
from o2krm.promotion.sources import bundle_from_path, bundle_from_texts

from .conftest import EDGE_RAN, EDGE_RAN_GATE, PACKAGES, Prometheus, free_port
from .test_gates import SEED_JOB

# pti-o2 o2ims/views/performance_dto.py MeasurementJobGetDto + domain MeasurementJob attributes
PTI_O2_ATTRIBUTES = {
    "performanceMeasurementJobId",
    "consumerPerformanceJobId",
    "state",
    "collectionInterval",
    "resourceScopeCriteria",
    "measurementSelectionCriteria",
    "status",
    "preinstalledJob",
    "qualifiedResourceTypes",
    "measuredResources",
    "collectedMeasurements",
    "extensions",
}


def test_a_generated_job_as_an_o2ims_measurement_job() -> None:
    (job,) = bundle_from_path(EDGE_RAN).jobs
    info = job_info(job).model_dump(mode="json")
    assert set(info) == PTI_O2_ATTRIBUTES
    assert {k: info[k] for k in sorted(PTI_O2_ATTRIBUTES - {"extensions"})} == {
        "collectedMeasurements": [
            {"measurementId": "latency_p95_ms", "resourceTypeId": "ProvisioningRequest", "isCurrentlyMeasured": True},
            {"measurementId": "throughput_mbps", "resourceTypeId": "ProvisioningRequest", "isCurrentlyMeasured": True},
        ],
        "collectionInterval": 30,
        "consumerPerformanceJobId": EDGE_RAN_GATE,
        "measuredResources": [
            {"resourceId": EDGE_RAN_GATE, "resourceTypeId": "ProvisioningRequest", "isCurrentlyMeasured": True}
        ],
        "measurementSelectionCriteria": [{"measurementName": "latency_p95_ms"}, {"measurementName": "throughput_mbps"}],
        "performanceMeasurementJobId": EDGE_RAN_GATE,
        "preinstalledJob": False,
        "qualifiedResourceTypes": ["ProvisioningRequest"],
        "resourceScopeCriteria": {"provisioningRequestId": EDGE_RAN_GATE, "oCloudSite": "edge-us-west-1"},
        "state": "ACTIVE",
        "status": "RUNNING",
    }
    assert [m["name"] for m in info["extensions"]["measurements"]] == ["latency_p95_ms", "throughput_mbps"]
    assert info["extensions"]["measurements"][0]["query"].startswith("histogram_quantile(0.95, sum by (le)")


def test_seed_job_interval_comes_from_its_schedule() -> None:
    (job,) = bundle_from_texts("seed", [("job.yaml", SEED_JOB)]).jobs
    assert collection_interval(job) == 30
    info = job_info(job)
    assert (info.performanceMeasurementJobId, info.consumerPerformanceJobId) == ("edge-ran-performance",) * 2
    assert info.measurementSelectionCriteria == [{"measurementName": "latency_p95"}]


def test_the_published_openapi_document_is_current() -> None:
    published = json.loads(OPENAPI_FILE.read_text())
    assert published == json.loads(json.dumps(openapi_document())), (
        "regenerate it: python -m o2krm.promotion openapi > functions/o2krm/promotion/openapi.json"
    )
    assert sorted(published["paths"]) == [
        "/o2ims-infrastructurePerformance/v1/api_versions",
        "/o2ims-infrastructurePerformance/v1/measurementJobs",
        "/o2ims-infrastructurePerformance/v1/measurementJobs/{measurementJobId}",
        "/o2ims/v1/measurementJobs",
        "/o2ims/v1/measurementJobs/{jobId}",
        "/o2ims/v1/measurementJobs/{jobId}/results",
    ]
    attributes = set(published["components"]["schemas"]["MeasurementJobInfo"]["properties"])
    assert attributes == PTI_O2_ATTRIBUTES


def test_endpoints(prometheus: Prometheus) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(create_app(PACKAGES / "multi-site-edge", prometheus=prometheus.url))
    listed = client.get("/o2ims-infrastructurePerformance/v1/measurementJobs").json()
    assert len(listed) == 3
    assert listed == client.get("/o2ims/v1/measurementJobs").json()
    assert [j["performanceMeasurementJobId"] for j in listed] == sorted(
        j["performanceMeasurementJobId"] for j in listed
    )
    first = listed[0]["performanceMeasurementJobId"]
    assert client.get(f"/o2ims-infrastructurePerformance/v1/measurementJobs/{first}").json() == listed[0]
    missing = client.get("/o2ims/v1/measurementJobs/nope/results")
    assert (missing.status_code, missing.headers["content-type"]) == (404, "application/problem+json")
    assert missing.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "Measurement Job nope doesn't exist",
        "instance": "/o2ims/v1/measurementJobs/nope/results",
    }
    versions = client.get("/o2ims-infrastructurePerformance/v1/api_versions").json()
    assert versions == {
        "uriPrefix": "http://testserver/o2ims-infrastructurePerformance/v1",
        "apiVersions": [{"version": "1.0.0"}],
    }


def test_results_are_live_queries(prometheus: Prometheus, down_url: str) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(create_app(EDGE_RAN, prometheus=prometheus.url))
    body = client.get(f"/o2ims/v1/measurementJobs/{EDGE_RAN_GATE}/results").json()
    latency, throughput = body["results"]
    assert (latency["status"], latency["sampleCount"], latency["unit"]) == ("OK", 11, "ms")
    assert latency["value"] == pytest.approx(4.75) and throughput["value"] == pytest.approx(1200)
    assert throughput["valueText"].startswith(("1200", "1199.99"))
    down = TestClient(create_app(EDGE_RAN, prometheus=down_url)).get(
        f"/o2ims/v1/measurementJobs/{EDGE_RAN_GATE}/results"
    )
    assert down.status_code == 502
    assert down.json()["detail"] == f"cannot reach Prometheus at {down_url}: connection refused"
    unconfigured = TestClient(create_app(EDGE_RAN)).get(f"/o2ims/v1/measurementJobs/{EDGE_RAN_GATE}/results")
    assert unconfigured.status_code == 502 and "pass --prometheus URL" in unconfigured.json()["detail"]


@pytest.fixture(scope="module")
def live_service(prometheus: Prometheus) -> Iterator[str]:
    """The service on a real port, serving edge-ran with results from the test Prometheus."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(
        create_app(EDGE_RAN, prometheus=prometheus.url), host="127.0.0.1", port=port, log_level="error"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the service did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_the_running_service_conforms_to_its_published_openapi(live_service: str) -> None:
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    schema = schemathesis.openapi.from_path(OPENAPI_FILE)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 6
    strategy = st.one_of([op.as_strategy() for op in operations])
    calls: list[int] = []

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=strategy)
    def check(case: schemathesis.Case) -> None:
        response = case.call_and_validate(base_url=live_service)
        calls.append(response.status_code)

    check()
    assert 200 in calls and 404 in calls


def test_mj_commands_against_the_service(live_service: str, capsys: pytest.CaptureFixture[str]) -> None:
    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    code, out, _ = run("mj", "list", "--server", live_service)
    assert code == 0 and out.split("\n")[1].split()[:4] == [EDGE_RAN_GATE, EDGE_RAN_GATE, "ACTIVE", "RUNNING"]
    code, local, _ = run("mj", "list", "-f", str(EDGE_RAN))
    assert local == out
    code, out, _ = run("mj", "get", EDGE_RAN_GATE, "--server", live_service, "-o", "json")
    assert code == 0 and json.loads(out) == job_info(bundle_from_path(EDGE_RAN).jobs[0]).model_dump(mode="json")
    code, out, _ = run("mj", "results", EDGE_RAN_GATE, "--server", live_service)
    rows = [line.split() for line in out.splitlines()]
    assert rows[0] == ["MEASUREMENT", "VALUE", "UNIT", "COLLECTED", "SAMPLES", "STATUS"]
    assert (rows[1][0], rows[1][1], rows[1][2], rows[1][4], rows[1][5]) == (
        "latency_p95_ms",
        rows[1][1],
        "ms",
        "11",
        "OK",
    )
    assert float(rows[1][1]) == pytest.approx(4.75)
    code, out, err = run("mj", "get", "nope", "--server", live_service)
    assert (code, err) == (3, f'error: measurementjob "nope" not found at {live_service}\n')
    code, out, err = run("mj", "list", "--server", "http://127.0.0.1:1")
    assert code == 1 and err.startswith("error: cannot reach the O2 IMS API at http://127.0.0.1:1")
    code, out, _ = run("mj", "list", "-f", str(Path(EDGE_RAN)), "-o", "name")
    assert out == f"measurementjob/{EDGE_RAN_GATE}\n"
