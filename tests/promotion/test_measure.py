"""Freshness queries derived from measurement queries, and the Prometheus client's answers to them."""

from __future__ import annotations

import time

import promql_parser
import pytest

from o2krm.promotion.measure import Window, freshness_queries, measure_query
from o2krm.promotion.prometheus import PrometheusClient, PrometheusUnavailable, QueryError

from .conftest import Prometheus, edge_ran_job


def test_one_freshness_query_per_selector_of_the_generated_queries() -> None:
    latency, throughput = (m["query"] for m in edge_ran_job()["spec"]["measurements"])
    selector = '{site="edge-us-west-1", network_function=~"CU-CP|CU-UP|DU"}'
    assert freshness_queries(latency) == [f"max(timestamp(request_duration_seconds_bucket{selector}))"]
    assert freshness_queries(throughput) == [f"max(timestamp(bytes_transferred_total{selector}))"]
    ratio = 'sum(rate(requests_total{site="a", status=~"2.."}[5m])) / sum(rate(requests_total{site="a"}[5m]))'
    assert freshness_queries(ratio) == [
        'max(timestamp(requests_total{site="a", status=~"2.."}))',
        'max(timestamp(requests_total{site="a"}))',
    ]
    for query in freshness_queries(latency) + freshness_queries(throughput) + freshness_queries(ratio):
        promql_parser.parse(query)


def test_offsets_are_dropped_and_values_stay_quoted() -> None:
    query = 'rate(x{a="q\\"uo\\\\te"}[5m] offset 1m) + {__name__="y", b!="c"}'
    assert freshness_queries(query) == [
        'max(timestamp(x{a="q\\"uo\\\\te"}))',
        'max(timestamp({__name__="y", b!="c"}))',
    ]
    for text in freshness_queries(query):
        promql_parser.parse(text)
    assert freshness_queries("sum(rate(x[5m]") == []


def test_client_answers(prometheus: Prometheus, down_url: str) -> None:
    now = time.time()
    with PrometheusClient(prometheus.url + "/") as client:
        (sample,) = client.query('max(timestamp(bytes_transferred_total{site="site-stale"}))', now)
        assert sample.value == prometheus.now - 180
        assert client.query("scalar(vector(2))", now)[0].value == 2
        with pytest.raises(QueryError) as refused:
            client.query("rate(x)", now)
        assert refused.value.error_type == "bad_data"
        series = measure_query(
            'sum(rate(bytes_transferred_total{site="site-fail"}[5m])) * 8 / 1000000', client, Window(now, 300, 30)
        )
        assert len(series.points) == 11 and all(v == pytest.approx(800) for _, v in series.points)
        assert series.newest_sample_at is not None and now - series.newest_sample_at < 16
    with pytest.raises(PrometheusUnavailable, match="connection refused"), PrometheusClient(down_url) as client:
        client.query("up", now)
    with pytest.raises(PrometheusUnavailable, match="is not an http:// or https:// URL"):
        PrometheusClient("localhost:9090")
    with (
        pytest.raises(PrometheusUnavailable, match="without the Prometheus API's JSON"),
        PrometheusClient(prometheus.url + "/graph") as client,
    ):
        client.query("up", now)
