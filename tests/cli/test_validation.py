"""Client-side validation against the O2 IMS CRD: the structural check agrees with jsonschema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from o2krm.cli import validation
from o2krm.cli.errors import CliError
from o2krm.cli.validation import Problem, ValidationMode, jsonschema_problems, schema_problems, validate
from tests.cli.conftest import valid_pr
from tests.cli.kube_api_server import CRD_PATH, load_crd

SCHEMA = load_crd()["spec"]["versions"][0]["schema"]["openAPIV3Schema"]


def test_schema_is_read_from_the_specs_crd() -> None:
    assert validation.find_crd() == CRD_PATH
    assert validation.load_schema(CRD_PATH) == SCHEMA


def test_a_valid_request_has_no_problems() -> None:
    assert validate(valid_pr(), ValidationMode.STRICT) == validation.Report([], [])


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["spec"].pop("templateName"), [Problem("spec.templateName", "required field is missing")]),
        (
            lambda d: d["spec"].update(templateVersion=1),
            [Problem("spec.templateVersion", "must be of type string, got number")],
        ),
        (
            lambda d: d["spec"].update(templateParameters=[]),
            [Problem("spec.templateParameters", "must be of type object, got array")],
        ),
        (
            lambda d: d.update(status={"provisioningStatus": {"provisioningState": "done"}}),
            [
                Problem(
                    "status.provisioningStatus.provisioningState",
                    "must be one of progressing, fulfilled, failed, deleting; got 'done'",
                )
            ],
        ),
        (
            lambda d: d["metadata"].update(name="Edge_RAN"),
            [
                Problem(
                    "metadata.name",
                    "'Edge_RAN' is not a valid name: use lowercase letters, digits, '-' and '.', "
                    "starting and ending with a letter or digit",
                )
            ],
        ),
        (
            lambda d: d.update(kind="Deployment"),
            [
                Problem(
                    "",
                    "expected apiVersion o2ims.provisioning.oran.org/v1alpha1 and kind ProvisioningRequest, "
                    "got 'o2ims.provisioning.oran.org/v1alpha1' and 'Deployment'",
                )
            ],
        ),
    ],
)
def test_errors_name_the_field_and_the_fix(mutate: Any, expected: list[Problem]) -> None:
    doc = valid_pr()
    mutate(doc)
    assert validate(doc, ValidationMode.STRICT).errors == expected


def test_unknown_fields_are_errors_when_strict_and_warnings_when_warn() -> None:
    doc = valid_pr()
    doc["spec"]["targetCluster"] = "edge-1"
    doc["spec"]["templateParameters"]["anything"] = {"goes": True}  # preserve-unknown-fields
    doc["metadata"]["annotations"] = {"a": "b"}  # ObjectMeta is the API server's business
    unknown = Problem(
        "spec.targetCluster",
        "unknown field: not in the ProvisioningRequest CRD, the API server "
        "would drop it; move it to spec.templateParameters.targetCluster",
    )
    assert validate(doc, ValidationMode.STRICT) == validation.Report([unknown], [])
    assert validate(doc, ValidationMode.WARN) == validation.Report([], [unknown])
    assert validate(doc, ValidationMode.IGNORE) == validation.Report([], [])


def test_ignore_still_checks_identity_and_name() -> None:
    assert validate({"kind": "ProvisioningRequest"}, ValidationMode.IGNORE).errors[1] == Problem(
        "metadata.name", "a name is required"
    )
    assert validate(["not", "a", "mapping"], ValidationMode.IGNORE).errors == [
        Problem("", "expected a ProvisioningRequest object, got array")
    ]


@pytest.mark.parametrize(
    ("text", "mode"), [("strict", "STRICT"), ("true", "STRICT"), ("WARN", "WARN"), ("false", "IGNORE")]
)
def test_validation_modes_parse_like_kubectl(text: str, mode: str) -> None:
    assert ValidationMode.parse(text) is ValidationMode[mode]


def test_missing_crd_is_a_clear_error_only_for_validation(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(validation, "_REPOSITORY", tmp_path / "repo")
    monkeypatch.setenv("O2KRM_SPECS_DIR", str(tmp_path / "specs"))
    with pytest.raises(CliError) as caught:
        validate(valid_pr(), ValidationMode.STRICT)
    message = caught.value.message
    assert "CRD file o2ims.provisioning.oran.org_provisioningrequests.yaml not found" in message
    assert str(tmp_path / "specs" / "crds") in message
    assert "Set O2KRM_SPECS_DIR" in message and "--validate=false" in message
    assert validate(valid_pr(), ValidationMode.IGNORE).errors == []
    (tmp_path / "specs" / "crds").mkdir(parents=True)
    (tmp_path / "specs" / "crds" / validation.CRD_FILE).write_text(CRD_PATH.read_text())
    assert validate(valid_pr(), ValidationMode.STRICT).errors == []


def test_missing_crd_through_the_cli(cli, monkeypatch, tmp_path: Path) -> None:
    from tests.cli.conftest import write_yaml

    monkeypatch.setattr(validation, "_REPOSITORY", tmp_path / "repo")
    path = write_yaml(tmp_path / "pr.yaml", valid_pr())
    refused = cli("pr", "create", "-f", str(path), "--fake")
    assert refused.code == 1 and "cannot validate the ProvisioningRequest" in refused.err
    assert cli("pr", "list", "--fake").code == 0  # everything else works without the CRD
    assert cli("pr", "create", "-f", str(path), "--fake", "--validate=false").code == 0


def test_schemas_beyond_the_structural_subset_go_to_jsonschema() -> None:
    schema = {"type": "object", "properties": {"a": {"anyOf": [{"type": "string"}, {"type": "integer"}]}}}
    assert schema_problems(schema, {"a": 1}) == []
    assert [p.field for p in schema_problems(schema, {"a": []})] == ["a"]


# Documents shaped like ProvisioningRequests with random holes and wrong types anywhere.
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "progressing", "fulfilled", "failed", "x"]),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["a", "b", "name"]), inner, max_size=3)
    ),
    max_leaves=6,
)


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(strategy, _values)


_status = st.fixed_dictionaries(
    {},
    optional={
        "provisioningStatus": _maybe(
            st.fixed_dictionaries(
                {},
                optional={
                    "provisioningState": _values,
                    "provisioningMessage": _values,
                    "provisioningUpdateTime": _values,
                },
            )
        ),
        "provisionedResourceSet": _maybe(
            st.fixed_dictionaries(
                {},
                optional={
                    "oCloudNodeClusterId": _values,
                    "oCloudInfrastructureResourceIds": _maybe(st.lists(_values, max_size=3)),
                },
            )
        ),
        "extensions": _values,
    },
)
_spec = st.fixed_dictionaries(
    {},
    optional={
        "name": _values,
        "description": _values,
        "templateName": _maybe(st.text(max_size=3)),
        "templateVersion": _maybe(st.text(max_size=3)),
        "templateParameters": _maybe(st.dictionaries(st.text(max_size=2), _values)),
    },
)
_documents = st.fixed_dictionaries(
    {"apiVersion": st.just("o2ims.provisioning.oran.org/v1alpha1"), "kind": st.just("ProvisioningRequest")},
    optional={
        "metadata": _maybe(st.fixed_dictionaries({"name": _values})),
        "spec": _maybe(_spec),
        "status": _maybe(_status),
    },
)


@settings(max_examples=300, deadline=None)
@given(_documents)
def test_structural_check_agrees_with_jsonschema(doc: dict[str, Any]) -> None:
    assert schema_problems(SCHEMA, doc) == jsonschema_problems(SCHEMA, doc)
