"""Generated PromQL parses (promql-parser, the Rust parser's Python binding), has the shape
it claims, and carries any label value, however hostile, as exactly that value."""

from __future__ import annotations

import re
from datetime import timedelta

import promql_parser as pp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from o2krm.oran.slo import promql

SCOPE = (
    promql.Matcher.equal("site", "edge-cluster-us-west-1"),
    promql.Matcher.one_of("network_function", ["DU", "CU-CP", "CU-UP"]),
)
HOSTILE = [
    'edge"} or vector(1) #',
    'a\\"b',
    "back\\slash\\",
    "new\nline\r\ttab",
    ".*",
    "a|b",
    "(?i)edge",
    "{}[]()^$+?",
    "ünïcödé-站点-🚀",
    "\x00\x07\x1b\x7f\u2028\u200b",
    "'single'",
    "",
]
# Label values come from YAML, which cannot carry lone surrogates; everything else is fair game.
label_values = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)


def matchers_of(selector: pp.VectorSelector) -> dict[str, tuple[pp.MatchOp, str]]:
    return {m.name: (m.op, m.value) for m in selector.matchers.matchers}


def rate_selector(expr: pp.Expr, window: timedelta = timedelta(minutes=5)) -> pp.VectorSelector:
    """The vector selector inside sum(rate(<selector>[window]))."""
    assert isinstance(expr, pp.AggregateExpr) and str(expr.op) == "sum"
    call = expr.expr
    assert isinstance(call, pp.Call) and call.func.name == "rate"
    (matrix,) = call.args
    assert isinstance(matrix, pp.MatrixSelector) and matrix.range == window
    return matrix.vector_selector


def test_latency_query_is_p95_of_the_bucket_rate_in_ms() -> None:
    query = promql.latency_quantile_ms("request_duration_seconds", SCOPE, "5m", 0.95, "seconds")
    expr = pp.parse(query)
    assert isinstance(expr, pp.BinaryExpr) and str(expr.op) == "*"
    assert isinstance(expr.rhs, pp.NumberLiteral) and expr.rhs.val == 1000  # seconds -> ms
    call = expr.lhs
    assert isinstance(call, pp.Call) and call.func.name == "histogram_quantile"
    quantile, aggregate = call.args
    assert isinstance(quantile, pp.NumberLiteral) and quantile.val == 0.95
    assert aggregate.modifier.type == pp.AggModifierType.By and aggregate.modifier.labels == ["le"]
    selector = rate_selector(aggregate)
    assert selector.name == "request_duration_seconds_bucket"
    assert matchers_of(selector) == {
        "site": (pp.MatchOp.Equal, "edge-cluster-us-west-1"),
        "network_function": (pp.MatchOp.Re, "CU-CP|CU-UP|DU"),
    }


def test_latency_histogram_already_in_ms_is_not_scaled() -> None:
    query = promql.latency_quantile_ms("delay_milliseconds", SCOPE, "1m", 0.99, "milliseconds")
    expr = pp.parse(query)
    assert isinstance(expr, pp.Call) and expr.func.name == "histogram_quantile"
    assert expr.args[0].val == 0.99
    assert rate_selector(expr.args[1], timedelta(minutes=1)).name == "delay_milliseconds_bucket"


def test_success_ratio_is_good_over_all_in_the_same_scope() -> None:
    expr = pp.parse(promql.success_ratio("requests_total", SCOPE, "5m", "status", "2.."))
    assert isinstance(expr, pp.BinaryExpr) and str(expr.op) == "/"
    good, total = rate_selector(expr.lhs), rate_selector(expr.rhs)
    assert good.name == total.name == "requests_total"
    assert matchers_of(good) == {**matchers_of(total), "status": (pp.MatchOp.Re, "2..")}


@pytest.mark.parametrize(("unit", "factor"), [("bytes", 8 / 1e6), ("bits", 1 / 1e6)])
def test_throughput_query_converts_to_mbps(unit: str, factor: float) -> None:
    expr = pp.parse(promql.throughput_mbps("bytes_transferred_total", SCOPE, "5m", unit))  # type: ignore[arg-type]
    scale = 1.0
    while isinstance(expr, pp.BinaryExpr):  # ((sum(rate(...)) * 8) / 1000000)
        assert isinstance(expr.rhs, pp.NumberLiteral)
        scale = scale * expr.rhs.val if str(expr.op) == "*" else scale / expr.rhs.val
        expr = expr.lhs
    assert scale == pytest.approx(factor)
    assert rate_selector(expr).name == "bytes_transferred_total"


def test_availability_is_the_mean_up_ratio_over_the_window() -> None:
    expr = pp.parse(promql.availability_ratio("up", SCOPE, "5m"))
    assert isinstance(expr, pp.AggregateExpr) and str(expr.op) == "avg"
    assert isinstance(expr.expr, pp.Call) and expr.expr.func.name == "avg_over_time"
    (matrix,) = expr.expr.args
    assert matrix.vector_selector.name == "up" and matrix.range == timedelta(minutes=5)


@pytest.mark.parametrize("site", HOSTILE)
def test_hostile_site_names_stay_one_label_value(site: str) -> None:
    scope = (promql.Matcher.equal("site", site),)
    query = promql.success_ratio("requests_total", scope, "5m", "status", "2..")
    expr = pp.parse(query)
    for side in (expr.lhs, expr.rhs):
        assert matchers_of(rate_selector(side))["site"] == (pp.MatchOp.Equal, site)


@given(label_values)
def test_any_label_value_round_trips(value: str) -> None:
    expr = pp.parse(promql.selector("m", [promql.Matcher.equal("l", value)]))
    assert matchers_of(expr) == {"l": (pp.MatchOp.Equal, value)}


@given(st.lists(label_values, min_size=1, max_size=5), label_values)
def test_one_of_matches_exactly_its_literal_values(values: list[str], other: str) -> None:
    expr = pp.parse(promql.selector("m", [promql.Matcher.one_of("nf", values)]))
    ((op, regex),) = matchers_of(expr).values()
    assert op == pp.MatchOp.Re
    # Prometheus anchors regex matchers; quote_meta output means the same in RE2 and Python re.
    assert all(re.fullmatch(regex, value, flags=re.DOTALL) for value in values)
    assert bool(re.fullmatch(regex, other, flags=re.DOTALL)) == (other in values)


def test_one_of_is_independent_of_input_order() -> None:
    a = promql.Matcher.one_of("nf", ["DU", "CU-CP", "DU"]).render()
    b = promql.Matcher.one_of("nf", ["CU-CP", "DU"]).render()
    assert a == b == 'nf=~"CU-CP|DU"'


@pytest.mark.parametrize("text", ["5m", "30s", "1h30m", "2d", "1y2w3d4h5m6s7ms", "500ms"])
def test_durations_agree_with_the_parser(text: str) -> None:
    assert promql.is_duration(text)
    assert promql.duration_seconds(text) == pytest.approx(pp.parse_duration(text).total_seconds())


@pytest.mark.parametrize("text", ["", "5", "m", "5 m", "1m1h", "0s", "-5m", "5min", "1.5m"])
def test_non_durations_are_refused(text: str) -> None:
    assert not promql.is_duration(text)


@pytest.mark.parametrize(
    ("name", "metric", "label"),
    [
        ("request_duration_seconds", True, True),
        ("ns:requests:rate5m", True, False),
        ("__name__", True, False),
        ("9lives", False, False),
        ("a-b", False, False),
        ("", False, False),
    ],
)
def test_name_grammar(name: str, metric: bool, label: bool) -> None:
    assert promql.is_metric_name(name) is metric
    assert promql.is_label_name(name) is label
