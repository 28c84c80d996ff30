"""Reading SLOGates and MeasurementJobs: the generated ones, the seed's shapes, and bad input."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from o2krm.oran.findings import DomainError
from o2krm.promotion.gates import read_gate, read_job
from o2krm.promotion.measure import check_gate_against_job
from o2krm.promotion.sources import bundle_from_path, bundle_from_texts

from .conftest import EDGE_RAN_GATE, PACKAGES, edge_ran_gate, edge_ran_job

SEED_GATE = """\
apiVersion: gate.slo.nephio.org/v1alpha1
kind: SLOGate
metadata:
  name: edge-ran-gate
spec:
  sloTargets:
    - metric: "latency_p95_ms"
      threshold: 10
      operator: "<="
    - metric: "success_rate"
      threshold: 0.995
      operator: ">="
  measurementWindow: "5m"
  evaluationPeriod: "30s"
"""

SEED_JOB = """\
apiVersion: measurement.o2ims.org/v1alpha1
kind: MeasurementJob
metadata:
  name: edge-ran-performance
spec:
  targetResources:
    - resourceType: "ProvisioningRequest"
      resourceName: "edge-ran-deployment"
  measurements:
    - name: "latency_p95"
      query: "histogram_quantile(0.95, rate(request_duration_seconds_bucket[5m]))"
      unit: "ms"
  schedule: "*/30 * * * * *"  # Every 30 seconds
"""


def errors(call: Any) -> list[tuple[str | None, str]]:
    with pytest.raises(DomainError) as caught:
        call()
    return [(f.field, f.message) for f in caught.value.findings]


INTENTS = {"edge-ran": "deploy-edge-ran", "multi-site-edge": "multi-site-edge", "urllc-scaling": "urllc-scaling"}


def test_every_generated_gate_reads_with_its_job() -> None:
    for package in sorted(PACKAGES.iterdir()):
        if not (package / "Kptfile").exists():
            continue
        bundle = bundle_from_path(package)
        pairs = bundle.gates_for()
        assert pairs, package
        for gate, job in pairs:
            check_gate_against_job(gate, job)
            assert gate.job_name == job.name == gate.request_name
            assert gate.intent == INTENTS[package.name]
            assert job.spec.collection_interval == 30


def test_generated_edge_ran_gate_values() -> None:
    gate = read_gate(edge_ran_gate(), "slogate.yaml")
    assert [(t.metric, t.operator, t.threshold, t.unit) for t in gate.spec.slo_targets] == [
        ("latency_p95_ms", "<", 10, "ms"),
        ("throughput_mbps", ">", 1000, "Mbps"),
    ]
    assert (gate.window_seconds, gate.period_seconds, gate.max_data_age_seconds) == (300, 30, 60)
    assert gate.spec.min_sample_count == 10
    assert gate.site == "edge-us-west-1"
    assert gate.describe() == f"SLOGate/{EDGE_RAN_GATE} (slogate.yaml)"


def test_seed_shapes_read_with_crd_defaults_and_mismatches_are_named() -> None:
    bundle = bundle_from_texts("seed", [("gate.yaml", SEED_GATE), ("job.yaml", SEED_JOB)])
    (gate,) = bundle.gates
    assert gate.request_name is None
    assert gate.job_name == "edge-ran-gate"  # CRD: the job with the gate's own name
    assert gate.spec.min_sample_count == 10 and gate.spec.failure_policy.on_missing_data == "Fail"
    (job,) = bundle.jobs
    assert job.spec.collection_interval is None and job.spec.state == "ACTIVE"
    assert errors(bundle.gates_for) == [
        (
            "spec.measurementJobRef.name",
            "SLOGate/edge-ran-gate (gate.yaml): MeasurementJob 'edge-ran-gate' is not in seed; "
            "set spec.measurementJobRef.name to the MeasurementJob's name",
        )
    ]
    linked = bundle_from_texts(
        "seed",
        [("gate.yaml", SEED_GATE + "  measurementJobRef:\n    name: edge-ran-performance\n"), ("job.yaml", SEED_JOB)],
    )
    (pair,) = linked.gates_for()
    problems = errors(lambda: check_gate_against_job(*pair))
    assert [field for field, _ in problems] == ["spec.sloTargets[0].metric", "spec.sloTargets[1].metric"]
    assert "(it has: latency_p95)" in problems[0][1]


@pytest.mark.parametrize(
    ("edit", "field", "words"),
    [
        (lambda s: s["sloTargets"][0].update(operator="lt"), "spec.sloTargets[0].operator", "'<'"),
        (lambda s: s["sloTargets"][1].update(threshold="1000"), "spec.sloTargets[1].threshold", "number"),
        (lambda s: s["sloTargets"][1].update(threshold=True), "spec.sloTargets[1].threshold", "number"),
        (lambda s: s.update(measurementWindow="5 minutes"), "spec.measurementWindow", "Prometheus duration"),
        (lambda s: s["failurePolicy"].update(maxDataAge="0s"), "spec.failurePolicy.maxDataAge", "duration"),
        (lambda s: s.update(minSampleCount=0), "spec.minSampleCount", "greater than or equal to 1"),
        (lambda s: s.update(minSampleCont=5), "spec.minSampleCont", "unknown field"),
        (lambda s: s.update(sloTargets=[]), "spec.sloTargets", "at least 1"),
        (lambda s: s["rollback"].update(action="Revert"), "spec.rollback.action", "'Rollback'"),
        (lambda s: s["sloTargets"][0].update(metric="p95 latency"), "spec.sloTargets[0].metric", "pattern"),
    ],
)
def test_bad_gates_name_the_field(edit: Any, field: str, words: str) -> None:
    obj = copy.deepcopy(edge_ran_gate())
    edit(obj["spec"])
    problems = errors(lambda: read_gate(obj, "g.yaml"))
    assert [f for f, _ in problems] == [field]
    assert words in problems[0][1]
    assert problems[0][1].startswith(f"SLOGate/{EDGE_RAN_GATE} (g.yaml): {field}:")


def test_bad_jobs_name_the_field() -> None:
    job = copy.deepcopy(edge_ran_job())
    job["spec"]["measurements"].append(dict(job["spec"]["measurements"][0]))
    assert errors(lambda: read_job(job)) == [
        (
            "spec.measurements[2].name",
            f"MeasurementJob/{EDGE_RAN_GATE}: measurement 'latency_p95_ms' is defined twice; measurement names "
            "must be unique",
        )
    ]
    job = copy.deepcopy(edge_ran_job())
    del job["spec"]["measurements"][0]["query"]
    job["spec"]["state"] = "RUNNING"
    assert [f for f, _ in errors(lambda: read_job(job))] == ["spec.state", "spec.measurements[0].query"]
    assert errors(lambda: read_job({"kind": "MeasurementJob", "spec": {}}, "x.yaml")) == [
        ("metadata.name", "a MeasurementJob in x.yaml has no metadata.name; give it one")
    ]


def test_unit_mismatch_between_target_and_measurement() -> None:
    gate, job = copy.deepcopy(edge_ran_gate()), edge_ran_job()
    gate["spec"]["sloTargets"][0]["unit"] = "s"
    problems = errors(lambda: check_gate_against_job(read_gate(gate), read_job(job)))
    assert problems == [
        (
            "spec.sloTargets[0].unit",
            f"SLOGate/{EDGE_RAN_GATE}: target 'latency_p95_ms' is in s but the measurement returns ms; "
            "thresholds must be in the unit the query returns",
        )
    ]


def test_bundle_errors(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("kind: [unclosed\n")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "ignored.yaml").write_text("kind: [also broken\n")
    problems = errors(lambda: bundle_from_path(tmp_path))
    assert len(problems) == 1 and problems[0][1].startswith("broken.yaml: not valid YAML:")
    (tmp_path / "broken.yaml").write_text("apiVersion: v1\nkind: ConfigMap\n")
    assert errors(lambda: bundle_from_path(tmp_path).gates_for()) == [
        (
            None,
            f"no SLOGate (gate.slo.nephio.org/v1alpha1) in {tmp_path}; render the package with slo-gate-inject first",
        )
    ]
    assert errors(lambda: bundle_from_path(PACKAGES / "edge-ran").gates_for("nope")) == [
        (
            None,
            f"no SLOGate in {PACKAGES / 'edge-ran'} holds ProvisioningRequest 'nope' (gated requests: {EDGE_RAN_GATE})",
        )
    ]
    assert errors(lambda: bundle_from_path(tmp_path / "missing")) == [
        (None, f"{tmp_path / 'missing'} does not exist; give a SLOGate file or a package directory")
    ]
