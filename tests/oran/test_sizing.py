"""Sizing from the intent's service type and targets through the profile table."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from o2krm.oran import vocabulary as v
from o2krm.oran.findings import DomainError
from o2krm.oran.intent_view import IntentView
from o2krm.oran.quantity import parse_quantity
from o2krm.oran.sizing import DEFAULT_SIZING, Sizing, SizingPolicy, load_policy, size
from tests.oran.pr_support import SEED_TARGETS, intent, target

ALL = list(v.NETWORK_FUNCTIONS)


def sized(
    service_type: str | None = "eMBB",
    targets: list[dict[str, Any]] | None = None,
    functions: list[str] | None = None,
    policy: SizingPolicy | None = None,
) -> Sizing:
    fns = functions or ALL
    resource = intent(sites=["edge-us-west-1"], service_type=service_type, targets=targets, functions=fns)
    view = IntentView.from_spec(resource["spec"])
    return size(view, fns, policy or load_policy())


def requirements(s: Sizing) -> tuple[str, str, str]:
    return (str(s.cpu), str(s.memory), str(s.storage))


# Expected values are worked out by hand from the documented table, so a changed default shows.
@pytest.mark.parametrize(
    ("service_type", "targets", "functions", "expected"),
    [
        # eMBB at the seed's 1 Gbit/s: cpu (1 + 1+1 + 2+2) * 1.2 = 8.4; memory 2 + 3 + 6 = 11Gi
        ("eMBB", SEED_TARGETS, ALL, ("8400m", "11Gi", "20Gi")),
        # no throughput target: the eMBB default (1 Gbit/s) gives the same
        ("eMBB", [], ALL, ("8400m", "11Gi", "20Gi")),
        # URLLC default 100 Mbit/s: cpu (1 + 1.1 + 2.2) * 1.5 = 6.45 -> 7 whole cores; memory 8.3Gi -> 8500Mi
        ("URLLC", [], ALL, ("7", "8500Mi", "20Gi")),
        # URLLC at 500 Mbit/s: cpu (1 + 1.5 + 3) * 1.5 = 8.25 -> 9; memory 2 + 2.5 + 5 = 9.5Gi
        ("URLLC", [target("throughput", v.IS_GREATER_THAN, 500)], ALL, ("9", "9728Mi", "20Gi")),
        # mMTC default 10 Mbit/s: cpu (2 + 1.01 + 2.02) * 1.2 = 6.036; memory 10.03Gi -> 10271Mi
        ("mMTC", [], ALL, ("6036m", "10271Mi", "20Gi")),
        # DU only at 2 Gbit/s: cpu (2 + 4) * 1.2 = 7.2; memory 4 + 4 = 8Gi; storage 10Gi
        ("eMBB", [target("throughput", v.IS_GREATER_THAN, 2000)], ["DU"], ("7200m", "8Gi", "10Gi")),
        # the upper end of a range is what must be carried
        ("eMBB", [target("throughput", v.IS_WITHIN_RANGE, [500, 2000])], ["DU"], ("7200m", "8Gi", "10Gi")),
        # several throughput targets (DL, UL): the largest
        ("eMBB", [target("dLThptPerUE", v.IS_GREATER_THAN, 2000),
                  target("uLThptPerUE", v.IS_GREATER_THAN, 500)], ["DU"], ("7200m", "8Gi", "10Gi")),
        # a latency of at most 5 ms makes eMBB latency-critical: (7 * 1.5) = 10.5 -> 11 whole cores
        ("eMBB", [target("latency", v.IS_LESS_THAN, 1)], ALL, ("11", "11Gi", "20Gi")),
        ("eMBB", [target("latency", v.IS_LESS_THAN, 5)], ALL, ("11", "11Gi", "20Gi")),
        ("eMBB", [target("latency", v.IS_LESS_THAN, "5.5")], ALL, ("8400m", "11Gi", "20Gi")),
        # a lower bound on latency says nothing about how fast it must be
        ("eMBB", [target("latency", v.IS_GREATER_THAN, 1)], ALL, ("8400m", "11Gi", "20Gi")),
    ],
)  # fmt: skip
def test_default_profiles(
    service_type: str, targets: list[dict[str, Any]], functions: list[str], expected: tuple[str, str, str]
) -> None:
    assert requirements(sized(service_type, targets, functions)) == expected


def test_the_explanation_says_which_profile_and_throughput() -> None:
    s = sized("URLLC", [target("throughput", v.IS_GREATER_THAN, 500)])
    assert (s.service_type, s.throughput_mbps, s.throughput_from_intent, s.whole_cores) == (
        "URLLC",
        Decimal(500),
        True,
        True,
    )
    assert s.explain() == (
        "sized by the URLLC profile for 500 Mbit/s (the intent's throughput target), CPU headroom x1.5, whole cores"
    )
    critical = sized("eMBB", [target("latency", v.IS_LESS_THAN, 1)])
    assert critical.latency_critical
    assert "eMBB profile (latency-critical) for 1000 Mbit/s (the profile default)" in critical.explain()


def test_no_service_type_uses_the_default_profile() -> None:
    assert sized(None).service_type == "eMBB"
    policy = load_policy({"defaultServiceType": "mMTC"})
    assert requirements(sized(None, policy=policy)) == ("6036m", "10271Mi", "20Gi")


def test_every_output_is_a_canonical_kubernetes_quantity() -> None:
    for service_type in ("eMBB", "URLLC", "mMTC"):
        for value in requirements(sized(service_type)):
            assert str(parse_quantity(value)) == value


# --- overrides from the function config ---------------------------------------------------


def test_an_override_changes_one_value_and_keeps_the_rest() -> None:
    policy = load_policy({"profiles": {"URLLC": {"functions": {"DU": {"base": {"cpu": "6"}}}}}})
    du = policy.profiles["URLLC"].functions["DU"]
    assert (str(du.base.cpu), str(du.base.memory), str(du.per_gbps.cpu)) == ("6", "4Gi", "2")
    # cpu (1 + 1.1 + 6.2) * 1.5 = 12.45 -> 13
    assert requirements(sized("URLLC", policy=policy)) == ("13", "8500Mi", "20Gi")
    assert requirements(sized("eMBB", policy=policy)) == ("8400m", "11Gi", "20Gi")


def test_a_new_profile_can_be_added() -> None:
    v2x = {
        "defaultThroughputMbps": 50,
        "cpuHeadroom": 2,
        "wholeCores": True,
        "functions": {"DU": {"base": {"cpu": "3", "memory": "6Gi", "storage": "10Gi"}}},
    }
    policy = load_policy({"profiles": {"V2X": v2x}})
    assert requirements(sized("V2X", functions=["DU"], policy=policy)) == ("6", "6Gi", "10Gi")


def test_null_removes_a_default_entry() -> None:
    policy = load_policy({"profiles": {"mMTC": {"functions": {"CU-CP": None}}}})
    assert "CU-CP" not in policy.profiles["mMTC"].functions
    with pytest.raises(DomainError, match="no entry for CU-CP"):
        sized("mMTC", policy=policy)


def test_the_latency_rule_can_be_tuned() -> None:
    policy = load_policy({"latencyCritical": {"maxLatencyMs": 10}})
    assert requirements(sized("eMBB", SEED_TARGETS, policy=policy)) == ("11", "11Gi", "20Gi")


def test_no_overrides_give_the_documented_defaults() -> None:
    assert load_policy() is load_policy(None)  # parsed once per process
    assert load_policy({}) == SizingPolicy.model_validate(DEFAULT_SIZING)


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"profiles": {"eMBB": {"functions": {"DU": {"base": {"cpu": "two"}}}}}},
         "sizing.profiles.eMBB.functions.DU.base.cpu", "not a Kubernetes quantity"),
        ({"profiles": {"eMBB": {"functions": {"DU": {"perGbps": {"memory": "-1Gi"}}}}}},
         "sizing.profiles.eMBB.functions.DU.perGbps.memory", "must not be negative"),
        ({"profiles": {"eMBB": {"cpuHeadroom": "0.5"}}}, "sizing.profiles.eMBB.cpuHeadroom",
         "greater than or equal"),
        ({"profiles": {"eMBB": {"defaultThroughputMbps": 0}}}, "sizing.profiles.eMBB.defaultThroughputMbps",
         "greater than 0"),
        ({"profiles": {"eMBB": {"functions": {"DU": {"bse": {}}}}}}, "sizing.profiles.eMBB.functions.DU.bse",
         "unknown field"),
        ({"profiles": {"V2X": {"cpuHeadroom": 1}}}, "sizing.profiles.V2X.defaultThroughputMbps",
         "required field is missing"),
        ({"defaultServiceType": "V2X"}, "sizing", "defaultServiceType 'V2X' has no profile"),
        ({"latencyCritical": {"wholeCores": "maybe"}}, "sizing.latencyCritical.wholeCores", "boolean"),
    ],
)  # fmt: skip
def test_bad_overrides_name_the_config_field(overrides: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(DomainError) as raised:
        load_policy(overrides)
    fields = [f.field for f in raised.value.findings]
    assert field in fields
    finding = raised.value.findings[fields.index(field)]
    assert words in finding.message
    assert finding.message.startswith("sizing config: ")


# --- bad intents ---------------------------------------------------------------------------


def test_an_unknown_service_type_lists_the_profiles() -> None:
    with pytest.raises(DomainError) as raised:
        sized("V2X")
    (finding,) = raised.value.findings
    assert finding.current == "V2X"
    assert "profiles: URLLC, eMBB, mMTC" in finding.message
    assert "sizing.profiles.V2X" in finding.message


def test_a_function_without_a_profile_entry_is_an_error() -> None:
    with pytest.raises(DomainError) as raised:
        sized("eMBB", functions=["DU", "RU"])
    (finding,) = raised.value.findings
    assert finding.current == "RU"
    assert "sizes CU-CP, CU-UP, DU" in finding.message


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("fast", "not a positive number of Mbps"),
        (-5, "not a positive number of Mbps"),
        (0, "not a positive number of Mbps"),
        (True, "not a positive number of Mbps"),
        ({"value": 1}, "not a positive number of Mbps"),
        ("NaN", "not a positive number of Mbps"),
        (None, "has no value"),
        ([], "has no value"),
    ],
)
def test_a_throughput_that_is_not_a_positive_number_is_an_error(value: Any, words: str) -> None:
    with pytest.raises(DomainError) as raised:
        sized("eMBB", [target("latency", v.IS_LESS_THAN, 10), target("throughput", v.IS_GREATER_THAN, value)])
    (finding,) = raised.value.findings
    assert finding.field == "spec.intentExpectations[0].expectationTargets[1].targetValueRange"
    assert words in finding.message


def test_a_latency_bound_that_is_not_a_number_is_an_error() -> None:
    with pytest.raises(DomainError, match="latency target value 'low' is not a positive number of ms"):
        sized("eMBB", [target("latency", v.IS_LESS_THAN, "low")])


# --- properties ------------------------------------------------------------------------------

throughputs = st.integers(min_value=1, max_value=400_000)


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(["eMBB", "URLLC", "mMTC"]), throughputs, throughputs)
def test_more_throughput_never_needs_less(service_type: str, a: int, b: int) -> None:
    low, high = sorted((a, b))
    small = sized(service_type, [target("throughput", v.IS_GREATER_THAN, low)])
    large = sized(service_type, [target("throughput", v.IS_GREATER_THAN, high)])
    assert small.cpu <= large.cpu and small.memory <= large.memory and small.storage <= large.storage


@settings(max_examples=80, deadline=None)
@given(
    st.sampled_from(["eMBB", "URLLC", "mMTC"]),
    throughputs,
    st.lists(st.sampled_from(ALL), min_size=1, max_size=3, unique=True),
    st.one_of(st.none(), st.decimals(min_value=Decimal("0.1"), max_value=Decimal(100), places=1)),
)
def test_outputs_are_canonical_rounded_and_deterministic(
    service_type: str, mbps: int, functions: list[str], latency: Decimal | None
) -> None:
    targets = [target("throughput", v.IS_GREATER_THAN, mbps)]
    if latency is not None:
        targets.append(target("latency", v.IS_LESS_THAN, float(latency)))
    s = sized(service_type, targets, functions)
    assert s == sized(service_type, targets, functions)
    for value in requirements(s):
        assert str(parse_quantity(value)) == value
    assert s.memory.amount % (1024**2) == 0 and s.storage.amount % (1024**3) == 0
    if s.whole_cores:
        assert s.cpu.amount == s.cpu.amount.to_integral_value()
    assert (s.cpu.amount * 1000) == (s.cpu.amount * 1000).to_integral_value()
