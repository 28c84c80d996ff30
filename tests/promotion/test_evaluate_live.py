"""``slo evaluate`` and ``mj results`` against a real Prometheus holding the scenarios of ``metrics``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from o2krm.promotion.cli import main

from ..oran.slo_support import SLOGATE_CRD, schema_errors
from .conftest import EDGE_RAN, EDGE_RAN_GATE, PACKAGES, Prometheus, copy_package, edge_ran_gate, write_gate


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def evaluate_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code, out, err = run(capsys, "slo", "evaluate", *argv, "-o", "json")
    assert out, err
    return code, json.loads(out)


def test_the_rendered_edge_ran_package_passes(prometheus: Prometheus, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "slo", "evaluate", str(EDGE_RAN), "--prometheus", prometheus.url)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["GATE", "SITE", "METRIC", "REQUIRED", "MEASURED", "SAMPLES", "VERDICT"]
    assert lines[1].split() == [
        EDGE_RAN_GATE,
        "edge-us-west-1",
        "latency_p95_ms",
        "<",
        "10",
        "ms",
        "4.75",
        "ms",
        "11",
        "Held",
    ]
    assert lines[2].split() == [
        EDGE_RAN_GATE,
        "edge-us-west-1",
        "throughput_mbps",
        ">",
        "1000",
        "Mbps",
        "1200",
        "Mbps",
        "11",
        "Held",
    ]
    assert lines[4] == (
        f"{EDGE_RAN_GATE}: Passed (TargetsMet): every target held at all 11 evaluations with data in the last 5m"
    )


def test_json_carries_exact_values(prometheus: Prometheus, capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = evaluate_json(capsys, str(EDGE_RAN), "--prometheus", prometheus.url)
    assert (code, doc["result"], doc["exitCode"]) == (0, "Passed", 0)
    (gate,) = doc["gates"]
    assert {k: gate[k] for k in ("name", "provisioningRequest", "site", "measurementJob", "prometheus", "phase")} == {
        "name": EDGE_RAN_GATE,
        "provisioningRequest": EDGE_RAN_GATE,
        "site": "edge-us-west-1",
        "measurementJob": EDGE_RAN_GATE,
        "prometheus": prometheus.url,
        "phase": "Passed",
    }
    latency, throughput = gate["targetResults"]
    assert latency["value"] == pytest.approx(4.75) and throughput["value"] == pytest.approx(1200)
    assert (latency["held"], latency["samples"], latency["violations"], latency["status"]) == (True, 11, 0, "Held")
    assert latency["newestSampleAt"] <= latency["observedAt"]
    # What the command prints under the SLOGate status' names is a valid SLOGate status.
    status_keys = ("phase", "sampleCount", "failedCount", "lastEvaluationTime", "message", "targetResults")
    assert schema_errors({**edge_ran_gate(), "status": {k: gate[k] for k in status_keys}}, SLOGATE_CRD) == []


def test_broken_targets_fail_with_exit_6(
    prometheus: Prometheus, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, doc = evaluate_json(capsys, str(write_gate(tmp_path, "site-fail")), "--prometheus", prometheus.url)
    assert (code, doc["result"]) == (6, "Failed")
    (gate,) = doc["gates"]
    assert (gate["phase"], gate["reason"], gate["failedCount"]) == ("Failed", "TargetsNotMet", 11)
    latency, throughput = gate["targetResults"]
    assert latency["value"] == pytest.approx(24.25) and throughput["value"] == pytest.approx(800)
    assert latency["message"] == "measured 24.25, required < 10 ms"
    assert throughput["message"] == "measured 800, required > 1000 Mbps"


def test_no_data_fails_closed_with_exit_7(
    prometheus: Prometheus, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(
        capsys, "slo", "evaluate", str(write_gate(tmp_path, "site-nodata")), "--prometheus", prometheus.url
    )
    assert code == 7
    assert out.splitlines()[1].split()[-4:] == ["<no", "data>", "0", "NoData"]
    assert f"{EDGE_RAN_GATE}: Failed (NoData): latency_p95_ms: the query returned no data" in out


def test_stale_data_fails_closed_with_exit_7(
    prometheus: Prometheus, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, doc = evaluate_json(capsys, str(write_gate(tmp_path, "site-stale")), "--prometheus", prometheus.url)
    assert (code, doc["result"]) == (7, "NoData")
    (gate,) = doc["gates"]
    assert (gate["phase"], gate["reason"]) == ("Failed", "StaleData")
    latency = gate["targetResults"][0]
    assert latency["status"] == "Stale" and latency["held"] is True
    assert latency["message"].startswith("newest sample is ") and latency["message"].endswith("more than maxDataAge 1m")
    # the newest sample is the last one backfilled, 180 s before the data's "now"
    assert latency["newestSampleAt"] == time_text(prometheus.now - 180)
    relaxed = write_gate(tmp_path / "relaxed", "site-stale", maxDataAge="1h")
    relaxed_code, relaxed_doc = evaluate_json(capsys, str(relaxed), "--prometheus", prometheus.url)
    assert relaxed_doc["gates"][0]["reason"] != "StaleData" and relaxed_code != 7


def latency_only(directory: Path) -> Path:
    """The gate without its throughput target: rate() of a series younger than the window sags."""
    gate_file = directory / "slogate.yaml"
    gate = yaml.safe_load(gate_file.read_text())
    gate["spec"]["sloTargets"] = gate["spec"]["sloTargets"][:1]
    gate_file.write_text(yaml.safe_dump(gate))
    return directory


def test_too_few_samples_exit_8(prometheus: Prometheus, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    directory = latency_only(write_gate(tmp_path, "site-young"))
    code, doc = evaluate_json(capsys, str(directory), "--prometheus", prometheus.url)
    assert (code, doc["result"]) == (8, "Evaluating")
    (result,) = doc["gates"]
    assert (result["phase"], result["reason"]) == ("Evaluating", "InsufficientSamples")
    assert 2 <= result["sampleCount"] < 10


def test_failure_limit_tolerates_an_outage_in_the_window(
    prometheus: Prometheus, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, doc = evaluate_json(
        capsys, str(write_gate(tmp_path / "strict", "site-outage")), "--prometheus", prometheus.url
    )
    (gate,) = doc["gates"]
    assert (code, gate["reason"]) == (6, "TargetsNotMet")
    assert 1 <= gate["failedCount"] <= 8
    assert gate["targetResults"][1]["value"] == pytest.approx(1200)  # fine again now
    tolerant = write_gate(tmp_path / "tolerant", "site-outage", failureLimit=8)
    code, doc = evaluate_json(capsys, str(tolerant), "--prometheus", prometheus.url)
    assert (code, doc["gates"][0]["phase"]) == (0, "Passed")


def test_prometheus_down_is_an_error(down_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "slo", "evaluate", str(EDGE_RAN), "--prometheus", down_url)
    assert (code, out) == (1, "")
    assert err == f"error: cannot reach Prometheus at {down_url}: connection refused\n"


def test_a_query_prometheus_refuses_is_an_error(
    prometheus: Prometheus, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    directory = write_gate(tmp_path, "edge-us-west-1")
    job_file = directory / "measurementjob.yaml"
    job = yaml.safe_load(job_file.read_text())
    job["spec"]["measurements"][1]["query"] = "sum(rate(bytes_transferred_total[5m]) * 8"
    job_file.write_text(yaml.safe_dump(job))
    code, doc = evaluate_json(capsys, str(directory), "--prometheus", prometheus.url)
    assert (code, doc["result"]) == (1, "Error")
    (gate,) = doc["gates"]
    assert (gate["phase"], gate["reason"]) == ("Error", "QueryError")
    latency, throughput = gate["targetResults"]
    assert latency["status"] == "Held"
    assert throughput["status"] == "Error"
    assert throughput["message"] == "Prometheus refused the query: 1:42: parse error: unclosed left parenthesis"


def test_a_query_that_does_not_reduce_to_one_number_is_an_error(
    prometheus: Prometheus, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    directory = write_gate(tmp_path, "edge-us-west-1")
    job_file = directory / "measurementjob.yaml"
    job = yaml.safe_load(job_file.read_text())
    job["spec"]["measurements"][1]["query"] = "sum by (site) (rate(bytes_transferred_total[5m])) * 8 / 1000000"
    job_file.write_text(yaml.safe_dump(job))
    code, doc = evaluate_json(capsys, str(directory), "--prometheus", prometheus.url)
    assert code == 1
    message = doc["gates"][0]["targetResults"][1]["message"]
    assert message.startswith("the query returned 5 series ({site='edge-us-west-1'}; {site='site-fail'};")
    assert message.endswith("aggregate it (sum, avg, or histogram_quantile over sum by (le))")


def test_the_gate_of_a_provisioning_request(prometheus: Prometheus, capsys: pytest.CaptureFixture[str]) -> None:
    request_file = EDGE_RAN / f"provisioningrequest_{EDGE_RAN_GATE}.yaml"
    code, doc = evaluate_json(capsys, str(request_file), "--prometheus", prometheus.url)
    assert code == 0 and [g["name"] for g in doc["gates"]] == [EDGE_RAN_GATE]
    code, doc = evaluate_json(capsys, str(EDGE_RAN), "--pr", EDGE_RAN_GATE, "--prometheus", prometheus.url)
    assert code == 0 and [g["provisioningRequest"] for g in doc["gates"]] == [EDGE_RAN_GATE]
    code, out, err = run(capsys, "slo", "evaluate", str(EDGE_RAN), "--pr", "other", "--prometheus", prometheus.url)
    assert (code, out) == (1, "")
    assert "no SLOGate in" in err and "holds ProvisioningRequest 'other'" in err


def test_every_gate_of_a_package(prometheus: Prometheus, capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = evaluate_json(capsys, str(PACKAGES / "multi-site-edge"), "--prometheus", prometheus.url)
    assert (code, doc["result"]) == (7, "NoData")  # the worst gate decides the exit code
    assert sorted((g["site"], g["phase"], g["reason"]) for g in doc["gates"]) == [
        ("edge-eu-west-1", "Failed", "NoData"),
        ("edge-us-east-1", "Failed", "NoData"),
        ("edge-us-west-1", "Passed", "TargetsMet"),
    ]


def test_watch_stops_at_a_decision_or_the_timeout(
    prometheus: Prometheus, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "slo", "evaluate", str(EDGE_RAN), "--prometheus", prometheus.url, "--watch")
    assert code == 0
    assert (
        err
        == f"evaluation 1: {EDGE_RAN_GATE}: Passed (TargetsMet): every target held at all 11 evaluations with data in the last 5m\n"
    )
    directory = latency_only(write_gate(tmp_path, "site-young"))
    code, out, err = run(
        capsys, "slo", "evaluate", str(directory), "--prometheus", prometheus.url, "--watch", "--timeout", "1s"
    )
    lines = err.splitlines()
    assert code == 8
    assert len(lines) == 3 and all("Evaluating (InsufficientSamples)" in line for line in lines[:2])
    assert lines[-1] == "timed out after 1s: not every gate passed or failed"
    assert "Evaluating (InsufficientSamples)" in out


def test_update_report_writes_the_verdict(
    prometheus: Prometheus, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    package = copy_package(EDGE_RAN, tmp_path / "edge-ran")
    code, _, err = run(capsys, "slo", "evaluate", str(package), "--prometheus", prometheus.url, "--update-report")
    assert code == 0
    report_file = package / "intentreport_deploy-edge-ran.yaml"
    assert err == f"updated IntentReport deploy-edge-ran in {report_file}\n"
    report = yaml.safe_load(report_file.read_text())
    assert report["spec"]["intentFulfilmentReport"]["intentFulfilmentInfo"] == {"fulfilmentStatus": "FULFILLED"}
    for name in sorted(p.name for p in EDGE_RAN.iterdir()):
        if name != report_file.name:
            assert (package / name).read_bytes() == (EDGE_RAN / name).read_bytes(), name


def test_mj_results_live(prometheus: Prometheus, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "mj", "results", EDGE_RAN_GATE, "-f", str(EDGE_RAN), "--prometheus", prometheus.url, "-o", "json"
    )
    assert code == 0
    doc = json.loads(out)
    assert (doc["measurementJobId"], doc["window"], doc["collectionInterval"]) == (EDGE_RAN_GATE, "5m", 30)
    latency, throughput = doc["results"]
    assert (latency["name"], latency["status"], latency["sampleCount"]) == ("latency_p95_ms", "OK", 11)
    assert latency["value"] == pytest.approx(4.75) and throughput["value"] == pytest.approx(1200)
    code, out, err = run(capsys, "mj", "results", "nope", "-f", str(EDGE_RAN), "--prometheus", prometheus.url)
    assert (code, err) == (3, f'error: measurementjob "nope" not found in {EDGE_RAN}\n')


def time_text(seconds: float) -> str:
    import time

    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def test_o2imsctl_runs_the_promotion_commands(prometheus: Prometheus, capsys: pytest.CaptureFixture[str]) -> None:
    from o2krm.cli import main as o2imsctl

    code = o2imsctl(["slo", "evaluate", str(EDGE_RAN), "--prometheus", prometheus.url, "-o", "yaml"])
    out, _ = capsys.readouterr()
    assert code == 0 and yaml.safe_load(out)["result"] == "Passed"
    code = o2imsctl(["mj", "get", EDGE_RAN_GATE, "-f", str(EDGE_RAN), "-o", "name"])
    assert (code, capsys.readouterr().out) == (0, f"measurementjob/{EDGE_RAN_GATE}\n")
    code = o2imsctl(["slo", "evaluate", str(EDGE_RAN), "--prometheus", prometheus.url, "-o", "name"])
    assert (code, capsys.readouterr().err) == (
        2,
        "error: -o name is not supported here; use one of: table, json, yaml\n",
    )
