"""What the commands print: per-target tables, and the same data as plain dicts for -o json|yaml.

Field names of a gate's result follow the SLOGate status (phase, sampleCount, failedCount,
lastEvaluationTime, message, targetResults with metric/value/held/observedAt) so that what the
command line prints reads like what a controller would write.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from o2krm.promotion.o2ims_api import MeasurementJobInfo, MeasurementJobResults
from o2krm.promotion.report import rfc3339
from o2krm.promotion.verdict import GateResult, Outcome, TargetResult, format_value


def worst_outcome(results: Sequence[GateResult]) -> Outcome:
    """The exit code for several gates: Error, then Failed, then no data, then still evaluating."""
    order = (Outcome.ERROR, Outcome.FAILED, Outcome.NO_DATA, Outcome.EVALUATING, Outcome.PASSED)
    outcomes = {r.outcome for r in results}
    return next((o for o in order if o in outcomes), Outcome.PASSED)


def evaluation_dict(results: Sequence[GateResult], prometheus: dict[str, str]) -> dict[str, Any]:
    """The whole evaluation; ``prometheus`` maps gate keys to the server each was queried on."""
    outcome = worst_outcome(results)
    return {
        "result": outcome.name.title().replace("_", ""),
        "exitCode": int(outcome),
        "gates": [gate_dict(r, prometheus.get(r.gate.name, "")) for r in results],
    }


def gate_dict(result: GateResult, prometheus: str = "") -> dict[str, Any]:
    gate = result.gate
    out: dict[str, Any] = {"name": gate.name}
    if gate.meta.namespace:
        out["namespace"] = gate.meta.namespace
    if gate.request_name:
        out["provisioningRequest"] = gate.request_name
    if gate.site:
        out["site"] = gate.site
    out["measurementJob"] = gate.job_name
    if prometheus:
        out["prometheus"] = prometheus
    out.update(
        {
            "phase": str(result.phase),
            "reason": str(result.reason),
            "message": result.message,
            "sampleCount": result.sample_count,
            "minSampleCount": gate.spec.min_sample_count,
            "failedCount": result.failed_evaluations,
            "failureLimit": gate.spec.failure_policy.failure_limit,
            "measurementWindow": gate.spec.measurement_window,
            "evaluationPeriod": gate.spec.evaluation_period,
            "lastEvaluationTime": rfc3339(result.evaluated_at),
            "rollbackAction": gate.spec.rollback.action,
            "targetResults": [_target_dict(t) for t in result.targets],
        }
    )
    return out


def _target_dict(result: TargetResult) -> dict[str, Any]:
    target = result.target
    out: dict[str, Any] = {
        "metric": target.metric,
        "operator": target.operator,
        "threshold": target.threshold,
    }
    if target.unit:
        out["unit"] = target.unit
    out["status"] = str(result.status)
    if result.value is not None:
        if math.isfinite(result.value):
            out["value"] = result.value
        out["valueText"] = format_value(result.value)
        out["held"] = result.held
        out["observedAt"] = rfc3339(result.observed_at) if result.observed_at is not None else None
    if result.newest_sample_at is not None:
        out["newestSampleAt"] = rfc3339(result.newest_sample_at)
    out["samples"] = result.samples
    out["violations"] = result.violations
    if result.message:
        out["message"] = result.message
    return out


def evaluation_table(results: Sequence[GateResult]) -> str:
    rows = []
    for result in results:
        for t in result.targets:
            unit = f" {t.target.unit}" if t.target.unit else ""
            rows.append(
                [
                    result.gate.name,
                    result.gate.site or "<none>",
                    t.target.metric,
                    t.target.describe_requirement(),
                    format_value(t.value) + (unit if t.value is not None else ""),
                    f"{t.samples}",
                    str(t.status),
                ]
            )
    lines = [table(["GATE", "SITE", "METRIC", "REQUIRED", "MEASURED", "SAMPLES", "VERDICT"], rows), ""]
    for result in results:
        lines.append(f"{result.gate.name}: {result.phase} ({result.reason}): {result.message}")
    return "\n".join(lines)


def jobs_table(jobs: Sequence[MeasurementJobInfo]) -> str:
    return table(
        ["ID", "CONSUMER-ID", "STATE", "STATUS", "INTERVAL", "MEASUREMENTS"],
        [
            [
                j.performanceMeasurementJobId,
                j.consumerPerformanceJobId,
                j.state,
                j.status,
                f"{j.collectionInterval}s" if j.collectionInterval else "<none>",
                ",".join(m.measurementId for m in j.collectedMeasurements) or "<none>",
            ]
            for j in jobs
        ],
    )


def results_table(results: MeasurementJobResults) -> str:
    return table(
        ["MEASUREMENT", "VALUE", "UNIT", "COLLECTED", "SAMPLES", "STATUS"],
        [
            [
                r.name,
                r.valueText if r.valueText is not None else "<no data>",
                r.unit,
                r.collectedAt or "<none>",
                str(r.sampleCount),
                r.status if not r.message or r.status == "OK" else f"{r.status}: {r.message}",
            ]
            for r in results.results
        ],
    )


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]
    return "\n".join(
        "   ".join(str(value).ljust(width) for value, width in zip(row, widths, strict=True)).rstrip()
        for row in [headers, *rows]
    )


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)


def to_yaml(data: Any) -> str:
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, default_flow_style=False, sort_keys=False, allow_unicode=True).rstrip("\n")


def formatted(data: Any, fmt: str) -> str:
    return to_json(data) if fmt == "json" else to_yaml(data)
