"""Validation against the official 3GPP Rel-18 documents (TS28312_IntentNrm.yaml and the files
it refers to), and why ``oneOf`` has to be read as ``anyOf`` there."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from o2krm.oran.ts28312 import schema
from tests.oran.tmf921_support import specs_or_skip


def minimal_intent(**changes: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "id": "i1",
        "userLabel": "i1",
        "intentExpectations": [
            {
                "expectationId": "e1",
                "expectationVerb": "DELIVER",
                "expectationObject": {
                    "objectType": "RAN_SubNetwork",
                    "objectContexts": [
                        {"contextAttribute": "targetSite", "contextCondition": "IS_ONE_OF",
                         "contextValueRange": ["edge-cluster-*"]},
                    ],
                },
                "expectationTargets": [
                    {"targetName": "latency", "targetCondition": "IS_LESS_THAN", "targetValueRange": 10},
                ],
            }
        ],
        "intentAdminState": "ACTIVATED",
    }  # fmt: skip
    spec.update(changes)
    return spec


def test_minimal_intent_is_valid() -> None:
    specs_or_skip()
    assert schema.validate_intent_spec(minimal_intent()) == []


def test_strict_one_of_cannot_validate_an_integer_value() -> None:
    """ValueRangeType is oneOf [number, string, boolean, integer, ..., DateTime, ...]: 10 is
    both a number and an integer, "x" both a string and a DateTime (format is not asserted),
    so strict oneOf rejects every integer and every plain string. Read as anyOf, they pass."""
    directory = specs_or_skip()
    strict = schema.validator("ValueRangeType", directory, strict_one_of=True)
    lenient = schema.validator("ValueRangeType", directory)
    for value in (10, "edge-cluster-us-west-1"):
        assert not strict.is_valid(value), value
        assert lenient.is_valid(value), value
    assert "is valid under each of" in next(iter(strict.iter_errors(10))).message
    # 0.5 is a number but not an integer: exactly one branch, valid either way
    assert strict.is_valid(0.5) and lenient.is_valid(0.5)
    # so under strict oneOf even the smallest real intent fails
    strict_intent = schema.validator(schema.INTENT_SINGLE, directory, strict_one_of=True)
    assert not strict_intent.is_valid(minimal_intent())


@pytest.mark.parametrize(
    ("spec", "field", "words"),
    [
        (minimal_intent(intentAdminState="ON"), "spec.intentAdminState", "is not one of"),
        (minimal_intent(intentPriority=0), "spec.intentPriority", "less than the minimum"),
        (minimal_intent(id=None, userLabel=5), "spec.userLabel", "not of type 'string'"),
        (minimal_intent(intentExpectations=[{"expectationVerb": "DELIVER"}]),
         "spec.intentExpectations[0]", "'expectationId' is a required property"),
        (minimal_intent(intentExpectations=[{"expectationId": "e", "expectationVerb": "DEPLOY"}]),
         "spec.intentExpectations[0].expectationVerb", "is not one of"),
        (minimal_intent(intentContexts=[{"contextAttribute": "x", "contextCondition": "IS_BIGGER"}]),
         "spec.intentContexts[0].contextCondition", "is not one of"),
        (minimal_intent(intentExpectations=[{"expectationId": "e", "expectationTargets": [
            {"targetName": "latency", "targetCondition": "IS_LESS_THAN", "targetValueRange": None}]}]),
         "spec.intentExpectations[0].expectationTargets[0].targetValueRange", "None"),
    ],
)  # fmt: skip
def test_invalid_intents_name_the_field(spec: dict[str, Any], field: str, words: str) -> None:
    specs_or_skip()
    problems = schema.validate_intent_spec(spec)
    assert problems, spec
    assert any(p.field == field and words in p.message for p in problems), [p.message for p in problems]
    assert all(p.severity == "error" and p.rule == schema.RULE for p in problems)


def test_missing_top_id_is_invalid() -> None:
    specs_or_skip()
    spec = minimal_intent()
    del spec["id"]
    assert [p.message for p in schema.validate_intent_spec(spec)] == ["spec: 'id' is a required property"]


def test_report_schema() -> None:
    specs_or_skip()
    report = {"id": "r", "intentFulfilmentReport": {"intentFulfilmentInfo": {"fulfilmentStatus": "NOT_FULFILLED"}}}
    assert schema.validate_report_spec(report) == []
    report["intentFulfilmentReport"]["intentFulfilmentInfo"]["fulfilmentStatus"] = "DONE"
    (problem,) = schema.validate_report_spec(report)
    assert problem.field == "spec.intentFulfilmentReport.intentFulfilmentInfo.fulfilmentStatus"


def test_specs_dir_is_configurable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(schema.SPECS_ENV, str(tmp_path))
    assert schema.specs_dir() == tmp_path
    assert not schema.available()
    with pytest.raises(FileNotFoundError, match=schema.SPECS_ENV):
        schema.validator(schema.INTENT_SINGLE)
    monkeypatch.delenv(schema.SPECS_ENV)
    assert schema.specs_dir() == Path(__file__).resolve().parents[2].parent / "shared" / "specs"


def test_references_never_leave_the_file_system() -> None:
    from referencing.exceptions import NoSuchResource

    with pytest.raises(NoSuchResource):
        schema._retrieve("https://forge.3gpp.org/TS28623_ComDefs.yaml")


def test_a_spec_validated_again_gives_the_same_findings_and_a_changed_one_is_validated_afresh() -> None:
    specs_or_skip()
    spec = minimal_intent(intentAdminState="SOMETIMES")
    first = schema.validate_intent_spec(spec)
    assert [f.field for f in first] == ["spec.intentAdminState"]
    assert schema.validate_intent_spec(spec) == first  # remembered
    spec["intentAdminState"] = "ACTIVATED"  # changed in place: its content is what is remembered
    assert schema.validate_intent_spec(spec) == []
    assert "spec.id" in [f.field for f in schema.validate_intent_spec({"id": object()})]  # not JSON: as it is


# --- the compiled fast check (fastjsonschema) must agree with jsonschema --------------------
mutations = st.sampled_from(["drop", "wrong-type", "unknown-enum", "extra-key", "null", "negative"])
keys = st.sampled_from(
    ["id", "userLabel", "intentExpectations", "intentAdminState", "intentPriority", "intentContexts",
     "expectationId", "expectationVerb", "expectationObject", "objectType", "objectContexts",
     "contextAttribute", "contextCondition", "contextValueRange", "expectationTargets", "targetName",
     "targetCondition", "targetValueRange", "observationTime"]
)  # fmt: skip


def _mutated(spec: Any, how: str, key: str) -> Any:
    """``spec`` with every ``key`` changed ``how``."""
    if isinstance(spec, list):
        return [_mutated(item, how, key) for item in spec]
    if not isinstance(spec, dict):
        return spec
    out = {k: _mutated(v, how, key) for k, v in spec.items()}
    if how == "extra-key":
        out["notInTheSchema"] = 1
    elif key in out:
        out[key] = {
            "drop": None,
            "wrong-type": {"unexpected": True},
            "unknown-enum": "NOT_AN_ENUM_VALUE",
            "null": None,
            "negative": -1,
        }[how]
        if how == "drop":
            del out[key]
    return out


def _rendered_specs() -> list[dict[str, Any]]:
    from o2krm.sdk import yamlio

    root = Path(__file__).resolve().parents[2]
    specs = []
    paths = sorted(root.glob("packages/*/intent_*.yaml")) + sorted(
        root.glob("functions/o2krm/fns/*/examples/**/intent_*.yaml")
    )
    for path in paths:
        for doc in yamlio.load_all(path.read_text()):
            if isinstance(doc, dict) and doc.get("kind") == "Intent" and isinstance(doc.get("spec"), dict):
                specs.append(doc["spec"])
    return specs or [minimal_intent()]


def _fast() -> Any:
    directory = specs_or_skip()
    pytest.importorskip("fastjsonschema", reason="fastjsonschema (the server extra) is not installed")
    check = schema._compile_fast(schema.INTENT_SINGLE, directory)
    assert check is not None
    return check, schema.validator(schema.INTENT_SINGLE, directory)


@settings(max_examples=150, deadline=None)
@given(base=st.integers(0, 1000), how=mutations, key=keys)
def test_the_fast_check_says_valid_exactly_when_jsonschema_does(base: int, how: str, key: str) -> None:
    check, full = _fast_check_and_validator()
    specs = _rendered_specs_cached()
    spec = _mutated(specs[base % len(specs)], how, key)
    assert check(spec) is full.is_valid(spec), (how, key)


@functools.cache
def _fast_check_and_validator() -> Any:
    return _fast()


@functools.cache
def _rendered_specs_cached() -> list[dict[str, Any]]:
    return [minimal_intent(), *_rendered_specs()]


def test_every_rendered_spec_is_valid_for_both() -> None:
    check, full = _fast_check_and_validator()
    for spec in _rendered_specs_cached():
        assert check(spec) and full.is_valid(spec)


def test_a_process_compiles_the_fast_check_only_after_validating_a_few_specs(monkeypatch: pytest.MonkeyPatch) -> None:
    directory = specs_or_skip()
    compiled: list[str] = []
    monkeypatch.setattr(schema, "_VALIDATED", {})
    monkeypatch.setattr(schema, "_COMPILED", {})
    monkeypatch.setattr(schema, "_compile_fast", lambda name, d: compiled.append(name) or (lambda spec: True))
    for number in range(schema.FAST_AFTER + 2):
        schema.validate_intent_spec(minimal_intent(id=f"fast-{number}"), directory)
        assert len(compiled) == (1 if number + 1 >= schema.FAST_AFTER else 0)
