"""Shared helpers of the intent-translate tests: test data, the official schemas, builders."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from o2krm.oran.ts28312 import schema

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "tmf921"
EXPECTED = DATA / "expected"

SEED_EXAMPLES = ("seed-deploy-edge-ran", "seed-multi-site-edge", "seed-urllc-scaling")
TIO_INTENTS = ("tio-ran-edge-west", "tio-du-with-reports", "tio-urllc-campus", "tio-ranges-west",
               "tio-urllc-scaling")  # fmt: skip
TIO_FORMS = ("turtle", "jsonld")

TIO_PREFIXES = """\
@prefix icm: <http://tio.models.tmforum.org/tio/v3.6.0/IntentCommonModel/> .
@prefix log: <http://tio.models.tmforum.org/tio/v3.6.0/LogicalOperators/> .
@prefix set: <http://tio.models.tmforum.org/tio/v3.6.0/SetOperators/> .
@prefix quan: <http://tio.models.tmforum.org/tio/v3.6.0/QuantityOntology/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix o2krm: <https://o2krm.io/ontology/ran/> .
@prefix ex: <https://intents.example.com/test/> .
"""


def load(name: str) -> dict[str, Any]:
    return yaml.safe_load((DATA / f"{name}.yaml").read_text())


def all_inputs() -> list[str]:
    return [*SEED_EXAMPLES, *(f"{n}.{f}" for n in TIO_INTENTS for f in TIO_FORMS)]


def expected_name(input_name: str) -> str:
    """Both forms of a TIO intent share one expected output."""
    return input_name.split(".", 1)[0]


def seed_intent(*expectations: dict[str, Any], name: str = "test-intent") -> dict[str, Any]:
    return {
        "apiVersion": "tmf921.intent.tmforum.org/v1",
        "kind": "Intent",
        "metadata": {"name": name},
        "spec": {"intentExpectations": list(expectations)},
    }


def turtle_intent(body: str, name: str = "tio-test") -> dict[str, Any]:
    return v5_intent({"@type": "TurtleExpression", "iri": f"urn:test:{name}",
                      "expressionValue": TIO_PREFIXES + body}, name)  # fmt: skip


def v5_intent(expression: dict[str, Any], name: str = "tio-test") -> dict[str, Any]:
    return {
        "apiVersion": "tmf921.intent.tmforum.org/v5",
        "kind": "Intent",
        "metadata": {"name": name},
        "spec": {"@type": "Intent", "name": name, "expression": expression},
    }


def specs_or_skip() -> Path:
    directory = schema.specs_dir()
    if not schema.available(directory):  # pragma: no cover - the repository layout has them
        pytest.skip(f"official specs not found in {directory} (set {schema.SPECS_ENV})")
    return directory


@cache
def tmf921_validator(schema_name: str) -> Any:
    document = specs_or_skip() / "TMF921-IntentManagement-v5.0.0.oas.yaml"
    return schema.openapi_validator(document, schema_name)
