"""Pure pieces of o2imsctl: durations, wait rules, the simulated O-Cloud, ages and tables."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from o2krm.cli import fake_ocloud
from o2krm.cli.durations import format_duration, parse_duration
from o2krm.cli.errors import CliError, NotFoundError, ProvisioningFailedError
from o2krm.cli.output import human_age, parse_timestamp, table
from o2krm.cli.waiting import TargetKind, Verdict, WaitTarget, evaluate, raise_unless_met
from tests.cli.conftest import valid_pr
from tests.cli.kube_api_server import load_crd

SCHEMA = load_crd()["spec"]["versions"][0]["schema"]["openAPIV3Schema"]


# --- durations ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("10m", 600), ("1h30m", 5400), ("500ms", 0.5), ("90", 90), ("1.5s", 1.5), ("0", 0), ("-1s", -1), (" 2m ", 120)],
)
def test_durations_parse_like_kubectl(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "10x", "m", "1m-", "inf", "nan", "1h 2m"])
def test_bad_durations_say_what_is_accepted(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


@given(st.integers(1, 10**6))
def test_formatted_whole_durations_parse_back(seconds: int) -> None:
    assert parse_duration(format_duration(seconds)) == seconds


# --- wait rules ---------------------------------------------------------------------------------


def _pr(
    state: str | None = None, conditions: list[dict[str, str]] | None = None, deleting: bool = False
) -> dict[str, Any]:
    obj: dict[str, Any] = {"metadata": {"name": "x"}, "status": {}}
    if state:
        obj["status"]["provisioningStatus"] = {"provisioningState": state, "provisioningMessage": f"now {state}"}
    if conditions:
        obj["status"]["conditions"] = conditions
    if deleting:
        obj["metadata"]["deletionTimestamp"] = "2025-01-01T00:00:00Z"
    return obj


@pytest.mark.parametrize(
    ("condition", "obj", "verdict"),
    [
        ("Ready", _pr("fulfilled"), Verdict.MET),
        ("ready", _pr("progressing"), Verdict.PENDING),
        ("Ready", _pr("failed"), Verdict.FAILED),
        ("Ready", _pr("deleting"), Verdict.DELETING),
        ("Ready", _pr(deleting=True), Verdict.DELETING),
        ("Ready", _pr(), Verdict.PENDING),
        ("Ready", _pr(conditions=[{"type": "Ready", "status": "True"}]), Verdict.MET),
        # provisioningState, when present, decides over a Ready condition
        ("Ready", _pr("progressing", [{"type": "Ready", "status": "True"}]), Verdict.PENDING),
        ("Ready", None, Verdict.GONE),
        ("failed", _pr("failed"), Verdict.MET),
        ("progressing", _pr("progressing"), Verdict.MET),
        ("Deleted", None, Verdict.MET),
        ("Deleted", _pr("failed"), Verdict.PENDING),
        ("ClusterProvisioned", _pr("progressing", [{"type": "clusterprovisioned", "status": "True"}]), Verdict.MET),
        (
            "ClusterProvisioned",
            _pr("progressing", [{"type": "ClusterProvisioned", "status": "False"}]),
            Verdict.PENDING,
        ),
        ("ClusterProvisioned", _pr("failed"), Verdict.FAILED),
    ],
)
def test_wait_rules(condition: str, obj: dict[str, Any] | None, verdict: Verdict) -> None:
    assert evaluate(WaitTarget.parse(condition), obj).verdict is verdict


def test_wait_targets_and_the_errors_that_end_a_wait() -> None:
    assert WaitTarget.parse("Ready") == WaitTarget(TargetKind.STATE, "fulfilled")
    assert WaitTarget.parse("delete").kind is TargetKind.DELETED
    assert WaitTarget.parse("condition=Ready") == WaitTarget.parse("Ready")  # kubectl's --for=condition=Ready
    with pytest.raises(ValueError, match="only a condition name is supported"):
        WaitTarget.parse("condition=Ready=False")
    ready = WaitTarget.parse("Ready")
    with pytest.raises(ProvisioningFailedError, match="x failed: now failed"):
        raise_unless_met(evaluate(ready, _pr("failed")), "x", ready)
    with pytest.raises(NotFoundError):
        raise_unless_met(evaluate(ready, None), "x", ready)
    with pytest.raises(CliError, match="is being deleted and will not reach provisioningState fulfilled"):
        raise_unless_met(evaluate(ready, _pr("deleting")), "x", ready)
    assert raise_unless_met(evaluate(ready, _pr("progressing")), "x", ready) is False


# --- the simulated O-Cloud ---------------------------------------------------------------------------


CAPACITY = fake_ocloud.parse_capacity("cpu=16,memory=64Gi,storage=1Ti")


def _record(obj: dict[str, Any], records: dict[str, Any], now: float = 1000.0, seconds: float = 10.0) -> dict[str, Any]:
    admission = fake_ocloud.admit(obj, records, CAPACITY)
    return fake_ocloud.new_record(obj, admission, now, seconds, resource_version=len(records) + 1)


def test_a_fitting_request_progresses_then_is_fulfilled_on_time() -> None:
    record = _record(valid_pr(cpu="8"), {})
    assert record["reserved"] == {"cpu": "8", "memory": "16Gi", "storage": "50Gi"}
    states = {
        t: fake_ocloud.observe(record, t)["status"]["provisioningStatus"]["provisioningState"]
        for t in (1000.0, 1005.0, 1009.99, 1010.0, 5000.0)
    }
    assert states == {
        1000.0: "progressing",
        1005.0: "progressing",
        1009.99: "progressing",
        1010.0: "fulfilled",
        5000.0: "fulfilled",
    }
    assert fake_ocloud.next_change(record, 1000.0) == 1010.0
    assert fake_ocloud.next_change(record, 1010.0) is None
    for t in (1000.0, 1010.0):
        jsonschema.validate(fake_ocloud.observe(record, t), SCHEMA)
    fulfilled = fake_ocloud.observe(record, 1010.0)["status"]
    assert fulfilled["provisioningStatus"]["provisioningUpdateTime"] == "1970-01-01T00:16:50Z"
    assert fake_ocloud.observe(record, 1010.0) == fake_ocloud.observe(record, 1010.0)  # a pure function of time


def test_requests_share_the_capacity_and_failures_hold_nothing() -> None:
    records = {"a": _record(valid_pr("a", cpu="10"), {})}
    second = _record(valid_pr("b", cpu="8"), records)
    assert second["outcome"] == "failed" and second["reserved"] == {}
    assert second["failureMessage"] == "fake O-Cloud: insufficient cpu: requested 8, free 6 of 16"
    records["b"] = second
    assert _record(valid_pr("c", cpu="6"), records)["outcome"] == "fulfilled"
    assert str(fake_ocloud.in_use(records)["cpu"]) == "10"
    failed = fake_ocloud.observe(second, 1004.99)["status"]["provisioningStatus"]["provisioningState"]
    assert failed == "progressing"
    shown = fake_ocloud.observe(second, 1005.0)
    assert shown["status"]["provisioningStatus"]["provisioningState"] == "failed"
    jsonschema.validate(shown, SCHEMA)


@pytest.mark.parametrize(
    ("requirements", "message"),
    [
        ({"cpu": "1", "gpu": "2"}, "fake O-Cloud: no gpu (requested 2; it offers cpu, memory, storage)"),
        (
            {"cpu": "lots"},
            "fake O-Cloud: spec.templateParameters.resourceRequirements.cpu: 'lots' is not a Kubernetes quantity",
        ),
        (
            "8 cores",
            "fake O-Cloud: spec.templateParameters.resourceRequirements must be a mapping of resource to quantity",
        ),
        (
            {"memory": "65Gi", "storage": "2Ti"},
            "fake O-Cloud: insufficient memory: requested 65Gi, free 64Gi of 64Gi; "
            "insufficient storage: requested 2Ti, free 1Ti of 1Ti",
        ),
    ],
)
def test_unmeetable_requests_fail_with_a_reason(requirements: Any, message: str) -> None:
    obj = valid_pr()
    obj["spec"]["templateParameters"]["resourceRequirements"] = requirements
    admission = fake_ocloud.admit(obj, {}, CAPACITY)
    assert admission.outcome == "failed"
    assert admission.message.startswith(message)


def test_a_request_without_requirements_needs_nothing() -> None:
    obj = valid_pr()
    del obj["spec"]["templateParameters"]["resourceRequirements"]
    assert fake_ocloud.admit(obj, {}, CAPACITY) == fake_ocloud.Admission("fulfilled", "", {})


def test_created_objects_look_like_the_api_server_made_them() -> None:
    obj = valid_pr()
    obj["status"] = {"provisioningStatus": {"provisioningState": "fulfilled"}}
    record = _record(obj, {})
    stored = record["object"]
    assert "status" not in stored  # status is a subresource
    assert stored["metadata"]["creationTimestamp"] == "1970-01-01T00:16:40Z"
    assert stored["metadata"]["resourceVersion"] == "1"
    assert stored["metadata"]["uid"] == _record(valid_pr(), {})["object"]["metadata"]["uid"]  # deterministic


@pytest.mark.parametrize("text", ["cpu", "cpu=", "=4", "cpu=-1", "cpu=four", ","])
def test_bad_capacity_specs(text: str) -> None:
    with pytest.raises(ValueError):
        fake_ocloud.parse_capacity(text)


# --- output ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "age"),
    [
        (0, "0s"),
        (119, "119s"),
        (125, "2m5s"),
        (600, "10m"),
        (3 * 3600, "3h"),
        (5 * 3600 + 60, "5h1m"),
        (30 * 3600, "30h"),
        (3 * 86400 + 3600, "3d1h"),
        (100 * 86400, "100d"),
        (800 * 86400, "2y70d"),
    ],
)
def test_ages_read_like_kubectl(seconds: int, age: str) -> None:
    assert human_age(seconds) == age


def test_timestamps_and_tables() -> None:
    assert parse_timestamp("1970-01-01T00:16:40Z") == 1000
    assert parse_timestamp("1970-01-01T01:16:40+01:00") == 1000
    assert parse_timestamp("yesterday") is None
    assert table(["NAME", "STATE"], [["a", "fulfilled"], ["longer-name", "x"]]) == (
        "NAME          STATE\na             fulfilled\nlonger-name   x"
    )
