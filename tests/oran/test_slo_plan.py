"""plan_gate: the seed's examples give exactly the expected gates, every output is valid
against crds/ and every query parses; bad targets and requests give findings naming the field."""

from __future__ import annotations

import copy
import math
from typing import Any

import promql_parser as pp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from o2krm.oran import vocabulary as v
from o2krm.oran.findings import DomainError, Finding
from o2krm.oran.intent_view import IntentView
from o2krm.oran.slo import SloConfig, plan_gate
from o2krm.oran.slo.plan import cron_schedule
from o2krm.sdk import paths
from tests.oran.slo_support import (
    PR_CRD,
    SEED_EDGE_TARGETS,
    SEED_URLLC_TARGETS,
    assert_valid,
    intent_spec,
    provisioning_request,
    schema_errors,
    seed_object,
    target,
)

PR_NAME = "6f1c2b8e-3f7a-5d2e-9a41-0c7d2e5b9f10"
SITE = "edge-cluster-us-west-1"
SCOPE = f'site="{SITE}", network_function=~"CU-CP|CU-UP|DU"'
TARGET_PATH = "spec.intentExpectations[0].expectationTargets"


def plan(
    targets: list[dict[str, Any]],
    pr: dict[str, Any] | None = None,
    config: SloConfig | None = None,
    **kw: Any,
) -> tuple[dict[str, Any], dict[str, Any], list[Finding]]:
    view = IntentView.from_spec(intent_spec(targets, **kw))
    gate, job, findings = plan_gate(view, pr or provisioning_request(), config)
    assert gate is not None and job is not None
    return gate, job, findings


def errors_of(targets: list[dict[str, Any]], **kw: Any) -> list[Finding]:
    with pytest.raises(DomainError) as caught:
        plan(targets, **kw)
    return [f for f in caught.value.findings if f.severity == "error"]


def simple(gate: dict[str, Any]) -> list[tuple[str, str, float, str]]:
    return [(t["metric"], t["operator"], t["threshold"], t["unit"]) for t in gate["spec"]["sloTargets"]]


def assert_outputs_sound(gate: dict[str, Any], job: dict[str, Any]) -> None:
    assert_valid(gate)
    assert_valid(job)
    names = [m["name"] for m in job["spec"]["measurements"]]
    assert len(names) == len(set(names))
    assert {t["metric"] for t in gate["spec"]["sloTargets"]} <= set(names)
    for measurement in job["spec"]["measurements"]:
        pp.parse(measurement["query"])


# --- the seed's examples ------------------------------------------------------------------


def test_seed_edge_example_gives_the_seed_gate() -> None:
    gate, job, findings = plan(SEED_EDGE_TARGETS)
    assert findings == []
    assert simple(gate) == [
        ("latency_p95_ms", "<=", 10, "ms"),
        ("success_rate", ">=", 0.995, "ratio"),
        ("throughput_mbps", ">=", 1000, "Mbps"),
    ]
    spec = gate["spec"]
    assert spec["measurementWindow"] == "5m" and spec["evaluationPeriod"] == "30s"
    assert spec["provisioningRequestRef"] == {"apiVersion": v.PR_API, "kind": v.PR_KIND, "name": PR_NAME}
    assert spec["measurementJobRef"] == {"name": job["metadata"]["name"]}
    assert spec["minSampleCount"] == 10
    assert spec["failurePolicy"] == {
        "onMissingData": "Fail",
        "onStaleData": "Fail",
        "maxDataAge": "1m",
        "failureLimit": 0,
    }
    assert spec["rollback"] == {"action": "Rollback"}
    assert spec["sloTargets"][0]["source"] == {
        "intent": "edge-ran-intent",
        "expectationId": "1",
        "targetName": "latency",
        "targetCondition": v.IS_EQUAL_TO_OR_LESS_THAN,
    }
    assert gate["metadata"] == {
        "name": PR_NAME,
        "labels": {v.LABEL_INTENT: "edge-ran-intent", v.LABEL_SITE: SITE},
    }
    assert_outputs_sound(gate, job)


def test_seed_edge_example_thresholds_match_the_seed_documents_gate() -> None:
    gate, _, _ = plan(SEED_EDGE_TARGETS)
    seed = seed_object(v.SLOGATE_KIND)["spec"]
    expected = [(t["threshold"], t["operator"]) for t in seed["sloTargets"]]
    assert [(t["threshold"], t["operator"]) for t in gate["spec"]["sloTargets"]] == expected
    assert (gate["spec"]["measurementWindow"], gate["spec"]["evaluationPeriod"]) == (
        seed["measurementWindow"],
        seed["evaluationPeriod"],
    )


def test_seed_edge_example_measurement_job() -> None:
    _, job, _ = plan(SEED_EDGE_TARGETS)
    spec = job["spec"]
    assert [(m["name"], m["query"], m["unit"]) for m in spec["measurements"]] == [
        (
            "latency_p95_ms",
            f"histogram_quantile(0.95, sum by (le) (rate(request_duration_seconds_bucket{{{SCOPE}}}[5m]))) * 1000",
            "ms",
        ),
        (
            "success_rate",
            f'sum(rate(requests_total{{{SCOPE}, status=~"2.."}}[5m])) / sum(rate(requests_total{{{SCOPE}}}[5m]))',
            "ratio",
        ),
        ("throughput_mbps", f"sum(rate(bytes_transferred_total{{{SCOPE}}}[5m])) * 8 / 1000000", "Mbps"),
    ]
    assert spec["consumerPerformanceJobId"] == PR_NAME
    assert spec["collectionInterval"] == 30
    assert spec["schedule"] == seed_object(v.MEASUREMENT_JOB_KIND)["spec"]["schedule"] == "*/30 * * * * *"
    assert spec["state"] == "ACTIVE"
    assert spec["resourceScopeCriteria"] == {"provisioningRequestId": PR_NAME, "oCloudSite": SITE}
    assert spec["measurementSelectionCriteria"] == [
        {"measurementName": "latency_p95_ms"},
        {"measurementName": "success_rate"},
        {"measurementName": "throughput_mbps"},
    ]
    assert spec["targetResources"] == [{"resourceType": v.PR_KIND, "resourceName": PR_NAME}]
    assert "provider" not in spec


def test_tmf_strict_conditions_stay_strict() -> None:
    """'latency<10ms' and 'throughput>1Gbps' as intent-translate writes them: < and >, not <= and >=."""
    gate, _, _ = plan([target("latency", v.IS_LESS_THAN, 10), target("throughput", v.IS_GREATER_THAN, 1000)])
    assert simple(gate) == [("latency_p95_ms", "<", 10, "ms"), ("throughput_mbps", ">", 1000, "Mbps")]


def test_seed_urllc_example() -> None:
    pr = provisioning_request(name="urllc-edge-1", site="edge-cluster-eu-1", intent="urllc-scaling")
    gate, job, findings = plan(
        SEED_URLLC_TARGETS,
        pr,
        intent_id="urllc-scaling",
        sites=("edge-cluster-*",),
        functions=("DU",),
        service_type="URLLC",
    )
    assert findings == []
    assert simple(gate) == [("latency_p95_ms", "<", 1, "ms"), ("reliability", ">=", 0.99999, "ratio")]
    scope = 'site="edge-cluster-eu-1", network_function=~"DU"'
    assert [m["query"] for m in job["spec"]["measurements"]] == [
        f"histogram_quantile(0.95, sum by (le) (rate(request_duration_seconds_bucket{{{scope}}}[5m]))) * 1000",
        f'sum(rate(requests_total{{{scope}, status=~"2.."}}[5m])) / sum(rate(requests_total{{{scope}}}[5m]))',
    ]
    assert gate["metadata"]["labels"] == {v.LABEL_INTENT: "urllc-scaling", v.LABEL_SITE: "edge-cluster-eu-1"}
    assert_outputs_sound(gate, job)


def test_fixture_request_is_a_valid_o2ims_provisioning_request() -> None:
    assert schema_errors(provisioning_request(), PR_CRD) == []


# --- conditions and targets ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "operator"),
    [
        (v.IS_LESS_THAN, "<"),
        (v.IS_EQUAL_TO_OR_LESS_THAN, "<="),
        (v.IS_GREATER_THAN, ">"),
        (v.IS_EQUAL_TO_OR_GREATER_THAN, ">="),
        (v.IS_EQUAL_TO, "=="),
    ],
)
def test_condition_operators(condition: str, operator: str) -> None:
    gate, _, _ = plan([target("latency", condition, 5)])
    assert simple(gate) == [("latency_p95_ms", operator, 5, "ms")]


def test_within_range_is_two_inclusive_thresholds_on_one_measurement() -> None:
    gate, job, _ = plan([target("throughput", v.IS_WITHIN_RANGE, [100, 2500.5])])
    assert simple(gate) == [("throughput_mbps", ">=", 100, "Mbps"), ("throughput_mbps", "<=", 2500.5, "Mbps")]
    assert [m["name"] for m in job["spec"]["measurements"]] == ["throughput_mbps"]


def test_standard_ran_target_names_are_measured_and_traced() -> None:
    gate, _, _ = plan([target("dLLatency", v.IS_LESS_THAN, 5), target("uLThptPerUE", v.IS_GREATER_THAN, 50)])
    assert simple(gate) == [("latency_p95_ms", "<", 5, "ms"), ("throughput_mbps", ">", 50, "Mbps")]
    assert [t["source"]["targetName"] for t in gate["spec"]["sloTargets"]] == ["dLLatency", "uLThptPerUE"]


def test_availability_target() -> None:
    gate, job, _ = plan([target("availability", v.IS_EQUAL_TO_OR_GREATER_THAN, 0.9999)])
    assert simple(gate) == [("availability", ">=", 0.9999, "ratio")]
    assert job["spec"]["measurements"][0]["query"] == f"avg(avg_over_time(up{{{SCOPE}}}[5m]))"


def test_unmeasurable_target_is_a_warning_naming_it() -> None:
    gate, _, findings = plan([*SEED_EDGE_TARGETS, target("energyEfficiency", v.IS_GREATER_THAN, 3)])
    assert len(simple(gate)) == 3
    (warning,) = findings
    assert warning.severity == "warning" and warning.rule == "o2krm.slo.unmeasurable-target"
    assert "'energyEfficiency'" in warning.message
    assert warning.field == f"{TARGET_PATH}[3].targetName"
    assert warning.tags == {"resource": v.INTENT_3GPP_KIND}


def test_metric_switched_off_in_config_makes_its_target_unmeasurable() -> None:
    gate, job, findings = plan(SEED_EDGE_TARGETS, config=SloConfig(latencyHistogram=""))
    assert [t["metric"] for t in gate["spec"]["sloTargets"]] == ["success_rate", "throughput_mbps"]
    assert [(f.severity, f.current) for f in findings] == [("warning", "latency")]
    assert "latency_p95_ms" not in {m["name"] for m in job["spec"]["measurements"]}


def test_reliability_proxy_can_be_switched_off() -> None:
    _, _, findings = plan([*SEED_URLLC_TARGETS], config=SloConfig(reliabilityFromSuccessRatio=False))
    assert [(f.severity, f.current) for f in findings] == [("warning", "reliability")]


# --- physical sense and bad values -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "condition", "value", "rule", "proposed"),
    [
        ("latency", v.IS_LESS_THAN, 0, "o2krm.slo.physical-range", None),
        ("latency", v.IS_EQUAL_TO_OR_LESS_THAN, -3, "o2krm.slo.physical-range", None),
        ("successRate", v.IS_EQUAL_TO_OR_GREATER_THAN, 99.5, "o2krm.slo.physical-range", 0.995),
        ("reliability", v.IS_EQUAL_TO_OR_GREATER_THAN, 99.999, "o2krm.slo.physical-range", 0.99999),
        ("availability", v.IS_EQUAL_TO_OR_GREATER_THAN, -0.1, "o2krm.slo.physical-range", None),
        ("successRate", v.IS_EQUAL_TO_OR_GREATER_THAN, 250, "o2krm.slo.physical-range", None),
        ("throughput", v.IS_EQUAL_TO_OR_GREATER_THAN, -1, "o2krm.slo.physical-range", None),
        ("successRate", v.IS_GREATER_THAN, 1, "o2krm.slo.unsatisfiable", None),
        ("throughput", v.IS_LESS_THAN, 0, "o2krm.slo.unsatisfiable", None),
        ("availability", v.IS_LESS_THAN, 0, "o2krm.slo.unsatisfiable", None),
    ],
)
def test_gates_outside_physical_sense_are_errors(
    name: str, condition: str, value: float, rule: str, proposed: float | None
) -> None:
    (error,) = errors_of([target(name, condition, value)])
    assert (error.rule, error.field, error.current) == (rule, f"{TARGET_PATH}[0].targetValueRange", value)
    assert error.proposed == pytest.approx(proposed) if proposed else error.proposed is None
    assert f"'{name}'" in error.message


def test_latency_range_starting_at_zero_is_an_error() -> None:
    (error,) = errors_of([target("latency", v.IS_WITHIN_RANGE, [0, 10])])
    assert error.rule == "o2krm.slo.physical-range" and error.current == 0


def test_edge_values_that_make_sense_pass() -> None:
    gate, _, _ = plan(
        [
            target("successRate", v.IS_EQUAL_TO, 1),
            target("availability", v.IS_EQUAL_TO_OR_GREATER_THAN, 0),
            target("throughput", v.IS_EQUAL_TO_OR_GREATER_THAN, 0),
            target("latency", v.IS_LESS_THAN, 0.001),
        ]
    )
    assert [t["threshold"] for t in gate["spec"]["sloTargets"]] == [1, 0, 0, 0.001]


@pytest.mark.parametrize(
    ("condition", "value", "proposed"),
    [
        (v.IS_LESS_THAN, "10", None),
        (v.IS_LESS_THAN, [5, 10], None),
        (v.IS_LESS_THAN, None, None),
        (v.IS_LESS_THAN, True, None),
        (v.IS_LESS_THAN, math.nan, None),
        (v.IS_LESS_THAN, math.inf, None),
        (v.IS_WITHIN_RANGE, [1, 2, 3], None),
        (v.IS_WITHIN_RANGE, 5, None),
        (v.IS_WITHIN_RANGE, [10, 1], [1, 10]),
    ],
)
def test_bad_values_are_errors(condition: str, value: Any, proposed: Any) -> None:
    (error,) = errors_of([target("latency", condition, value)])
    assert (error.rule, error.field) == ("o2krm.slo.bad-value", f"{TARGET_PATH}[0].targetValueRange")
    assert error.proposed == proposed


@pytest.mark.parametrize("condition", [v.IS_OUTSIDE_RANGE, v.IS_ONE_OF, v.IS_NOT_ONE_OF, v.IS_ALL_OF, "LESS_THAN", ""])
def test_conditions_a_threshold_gate_cannot_express_are_errors(condition: str) -> None:
    (error,) = errors_of([target("latency", condition, [1, 5])])
    assert (error.rule, error.field, error.current) == (
        "o2krm.slo.unsupported-condition",
        f"{TARGET_PATH}[0].targetCondition",
        condition,
    )
    assert "IS_WITHIN_RANGE" in error.message  # says what to use instead


def test_field_paths_index_expectations_whatever_their_ids() -> None:
    spec = intent_spec([target("latency", v.IS_LESS_THAN, -1)])
    spec["intentExpectations"][0]["expectationId"] = "performance"
    deliver = {"expectationId": "deploy-oran-functions", "expectationVerb": "DELIVER", "expectationTargets": []}
    spec["intentExpectations"].insert(0, deliver)
    with pytest.raises(DomainError) as caught:
        plan_gate(IntentView.from_spec(spec), provisioning_request())
    (error,) = caught.value.findings
    assert error.field == "spec.intentExpectations[1].expectationTargets[0].targetValueRange"
    assert paths.parse(error.field) == ("spec", "intentExpectations", 1, "expectationTargets", 0, "targetValueRange")


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(DomainError) as caught:
        plan(
            [
                target("latency", v.IS_LESS_THAN, -1),
                target("coverage", v.IS_GREATER_THAN, 1),
                target("successRate", v.IS_OUTSIDE_RANGE, [0.1, 0.2]),
            ]
        )
    assert [(f.severity, f.field) for f in caught.value.findings] == [
        ("error", f"{TARGET_PATH}[0].targetValueRange"),
        ("warning", f"{TARGET_PATH}[1].targetName"),
        ("error", f"{TARGET_PATH}[2].targetCondition"),
    ]


# --- no targets, the request, the scope -----------------------------------------------------------


def test_intent_without_measurable_targets_is_an_error_by_default() -> None:
    (error,) = errors_of([target("coverage", v.IS_GREATER_THAN, 1)])
    assert error.rule == "o2krm.slo.no-targets" and "'edge-ran-intent'" in error.message
    assert "requireTargets: false" in error.message


def test_intent_without_targets_can_be_let_through_without_a_gate() -> None:
    view = IntentView.from_spec(intent_spec([]))
    gate, job, findings = plan_gate(view, provisioning_request(), SloConfig(requireTargets=False))
    assert (gate, job) == (None, None)
    assert [(f.severity, f.rule) for f in findings] == [("warning", "o2krm.slo.no-targets")]


def test_site_falls_back_to_the_target_cluster() -> None:
    pr = provisioning_request()
    del pr["metadata"]["labels"][v.LABEL_SITE]
    gate, job, _ = plan(SEED_EDGE_TARGETS, pr)
    assert gate["metadata"]["labels"][v.LABEL_SITE] == SITE
    assert f'site="{SITE}"' in job["spec"]["measurements"][0]["query"]


def test_request_without_site_or_name_is_an_error_naming_the_field() -> None:
    pr = provisioning_request(site=None)
    pr["metadata"]["name"] = ""
    with pytest.raises(DomainError) as caught:
        plan(SEED_EDGE_TARGETS, pr)
    assert [(f.field, f.rule, f.tags) for f in caught.value.findings] == [
        ("metadata.name", "o2krm.slo.request", {"resource": v.PR_KIND}),
        (f'metadata.labels["{v.LABEL_SITE}"]', "o2krm.slo.request", {"resource": v.PR_KIND}),
    ]


def test_intent_name_falls_back_to_the_intent_id() -> None:
    gate, _, _ = plan(SEED_EDGE_TARGETS, provisioning_request(intent=None), intent_id="from-spec-id")
    assert gate["metadata"]["labels"][v.LABEL_INTENT] == "from-spec-id"
    assert gate["spec"]["sloTargets"][0]["source"]["intent"] == "from-spec-id"


def test_intent_without_functions_is_scoped_by_site_with_an_info() -> None:
    _, job, findings = plan(SEED_EDGE_TARGETS[:1], functions=())
    assert [(f.severity, f.rule) for f in findings] == [("info", "o2krm.slo.unscoped-workload")]
    selector = pp.parse(job["spec"]["measurements"][0]["query"]).lhs.args[1].expr.args[0].vector_selector
    assert [(m.name, m.value) for m in selector.matchers.matchers] == [("site", SITE)]


@pytest.mark.parametrize("site", ['edge"} or vector(1) #', "a\\b\nc", ".*|x", "站点-🚀"])
def test_hostile_site_names_cannot_change_a_query(site: str) -> None:
    gate, job, _ = plan(SEED_EDGE_TARGETS, provisioning_request(site=site))
    for measurement in job["spec"]["measurements"]:
        expr = pp.parse(measurement["query"])
        sites = [{m.name: m.value for m in s.matchers.matchers}["site"] for s in _selectors(expr)]
        assert sites and set(sites) == {site}
    assert_outputs_sound(gate, job)


def _selectors(expr: Any) -> list[Any]:
    if isinstance(expr, pp.VectorSelector):
        return [expr]
    children: list[Any] = []
    for attr in ("lhs", "rhs", "expr", "vector_selector"):
        if hasattr(expr, attr) and getattr(expr, attr) is not None:
            children.append(getattr(expr, attr))
    children.extend(getattr(expr, "args", []) or [])
    return [s for child in children for s in _selectors(child)]


# --- configuration --------------------------------------------------------------------------------


def test_config_reaches_every_output() -> None:
    config = SloConfig.model_validate(
        {
            "siteLabel": "cluster",
            "networkFunctionLabel": "",
            "provisioningRequestLabel": "o2ims_provisioning_request",
            "latencyHistogram": "ran_packet_delay_milliseconds",
            "latencyHistogramUnit": "milliseconds",
            "latencyQuantile": "0.99",
            "measurementWindow": "10m",
            "evaluationPeriod": "1m",
            "minSampleCount": "5",
            "failureLimit": "2",
            "onMissingData": "Inconclusive",
            "maxDataAge": "3m",
            "rollbackAction": "Pause",
            "namespace": "o2ims",
            "prometheusAddress": "http://prometheus.monitoring:9090",
        }
    )
    gate, job, findings = plan(SEED_EDGE_TARGETS[:1], config=config)
    assert findings == []
    assert simple(gate) == [("latency_p99_ms", "<=", 10, "ms")]
    spec = gate["spec"]
    assert (spec["measurementWindow"], spec["evaluationPeriod"], spec["minSampleCount"]) == ("10m", "1m", 5)
    assert spec["failurePolicy"] == {
        "onMissingData": "Inconclusive",
        "onStaleData": "Fail",
        "maxDataAge": "3m",
        "failureLimit": 2,
    }
    assert spec["rollback"] == {"action": "Pause"}
    assert gate["metadata"]["namespace"] == job["metadata"]["namespace"] == "o2ims"
    assert job["spec"]["measurements"][0]["query"] == (
        "histogram_quantile(0.99, sum by (le) (rate(ran_packet_delay_milliseconds_bucket"
        f'{{cluster="{SITE}", o2ims_provisioning_request="{PR_NAME}"}}[10m])))'
    )
    assert job["spec"]["collectionInterval"] == 60 and job["spec"]["schedule"] == "0 */1 * * * *"
    assert job["spec"]["provider"] == {"prometheus": {"address": "http://prometheus.monitoring:9090"}}
    assert_outputs_sound(gate, job)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"latencyHistogram": "request-duration"}, "latencyHistogram"),
        ({"latencyHistogram": "request_duration_seconds_bucket"}, "latencyHistogram"),
        ({"siteLabel": "site name"}, "siteLabel"),
        ({"siteLabel": ""}, "siteLabel"),
        ({"networkFunctionLabel": "__name__"}, "networkFunctionLabel"),
        ({"measurementWindow": "5 minutes"}, "measurementWindow"),
        ({"successStatusRegex": "2(.."}, "successStatusRegex"),
        ({"latencyQuantile": 1}, "latencyQuantile"),
        ({"minSampleCount": 0}, "minSampleCount"),
        ({"onMissingData": "Pass"}, "onMissingData"),
        ({"namespace": "O2IMS"}, "namespace"),
        ({"latencyHistogramUnits": "seconds"}, "latencyHistogramUnits"),
    ],
)
def test_bad_config_names_the_key(data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        SloConfig.model_validate(data)
    assert [e["loc"] for e in caught.value.errors()] == [(field,)]


@pytest.mark.parametrize("period", ["1500ms", "500ms"])
def test_evaluation_period_must_be_whole_seconds(period: str) -> None:
    with pytest.raises(ValidationError, match="whole seconds"):
        SloConfig(evaluationPeriod=period)


@pytest.mark.parametrize(
    ("seconds", "cron"),
    [
        (1, "*/1 * * * * *"),
        (30, "*/30 * * * * *"),
        (60, "0 */1 * * * *"),
        (300, "0 */5 * * * *"),
        (3600, "0 0 */1 * * *"),
        (21600, "0 0 */6 * * *"),
        (45, None),
        (90, None),
        (7 * 3600, None),
    ],
)
def test_cron_schedule_only_when_exact(seconds: int, cron: str | None) -> None:
    assert cron_schedule(seconds) == cron


# --- determinism and properties -------------------------------------------------------------------


def test_same_input_same_output_whatever_the_function_order() -> None:
    first = plan(SEED_EDGE_TARGETS, functions=("CU-CP", "CU-UP", "DU"))
    second = plan(copy.deepcopy(SEED_EDGE_TARGETS), functions=("DU", "CU-UP", "CU-CP"))
    assert first == second


NAMES = [*v.TARGET_UNITS, *v.TARGET_ALIASES, "coverage"]
CONDITIONS = [
    v.IS_LESS_THAN,
    v.IS_EQUAL_TO_OR_LESS_THAN,
    v.IS_GREATER_THAN,
    v.IS_EQUAL_TO_OR_GREATER_THAN,
    v.IS_EQUAL_TO,
    v.IS_WITHIN_RANGE,
    v.IS_OUTSIDE_RANGE,
]
numbers = st.one_of(st.integers(-10, 5000), st.floats(-1, 5000, allow_nan=False))
target_values = st.one_of(numbers, st.lists(numbers, min_size=1, max_size=3))
targets_strategy = st.lists(
    st.builds(target, st.sampled_from(NAMES), st.sampled_from(CONDITIONS), target_values), max_size=5
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(targets_strategy)
def test_any_intent_gives_valid_gates_or_findings_naming_a_target(targets: list[dict[str, Any]]) -> None:
    view = IntentView.from_spec(intent_spec(targets))
    try:
        gate, job, findings = plan_gate(view, provisioning_request())
    except DomainError as error:
        assert error.findings and any(f.severity == "error" for f in error.findings)
        for finding in error.findings:
            assert finding.rule and finding.rule.startswith("o2krm.slo.")
            assert finding.field and finding.field.startswith("spec.intentExpectations")
            paths.parse(finding.field)  # the SDK can point a result at it
        return
    assert gate is not None and job is not None
    assert_outputs_sound(gate, job)
    intent_values: list[Any] = []
    for t in targets:
        value = t["targetValueRange"]
        intent_values.extend(value if isinstance(value, list) else [value])
    assert all(slo["threshold"] in intent_values for slo in gate["spec"]["sloTargets"])
    unmeasured = [t for t in targets if t["targetName"] not in {*v.TARGET_UNITS, *v.TARGET_ALIASES}]
    assert len(findings) == len(unmeasured)
