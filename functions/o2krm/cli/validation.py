"""Client-side validation of a ProvisioningRequest against the O2 IMS CRD, before it is sent.

The schema is read at run time from the CRD file the project validates against everywhere
(``o2ims.provisioning.oran.org_provisioningrequests.yaml``), looked up in:

1. ``$O2KRM_SPECS_DIR/crds/`` (or ``$O2KRM_SPECS_DIR/`` itself);
2. ``<repository>/../shared/specs/crds/`` (the development layout).

No copy of the CRD is shipped. When it cannot be found, only validation fails, with a message
saying where it looked and how to point at it (or to skip it with ``--validate=false``).

CRD schemas are "structural" (Kubernetes requires it): types, properties, required, enum,
items. That subset is checked here directly, because importing jsonschema alone costs more
than the whole fake-mode command budget. A schema that uses any other keyword is handed to
jsonschema instead, so nothing is ever silently left unchecked. Both paths report the same
``Problem`` values (tests hold them to it).

Beyond the schema, as ``kubectl --validate=strict`` does, fields the schema does not know
(outside ``x-kubernetes-preserve-unknown-fields``) are reported: the API server would drop them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from o2krm.cli import resource
from o2krm.cli.errors import CliError

CRD_FILE = "o2ims.provisioning.oran.org_provisioningrequests.yaml"
SPECS_ENV = "O2KRM_SPECS_DIR"
_REPOSITORY = Path(__file__).resolve().parents[3]

# Keywords the structural check understands; "description"/"format"/"default"/"example" only document
# (jsonschema does not check "format" by default either).
_CHECKED = frozenset({"type", "properties", "required", "enum", "items", "x-kubernetes-preserve-unknown-fields"})
_DOCUMENTING = frozenset({"description", "format", "default", "example", "title"})
# Fields the seed document puts directly under spec; the CRD wants them inside templateParameters.
_SEED_SPEC_FIELDS = frozenset({"targetCluster", "resourceRequirements", "networkConfig"})


class ValidationMode(Enum):
    STRICT = "strict"  # schema errors and unknown fields are errors
    WARN = "warn"  # schema errors are errors, unknown fields are warnings
    IGNORE = "ignore"  # no client-side validation

    @classmethod
    def parse(cls, text: str) -> ValidationMode:
        aliases = {"true": cls.STRICT, "false": cls.IGNORE}
        lowered = text.strip().lower()
        if lowered in aliases:
            return aliases[lowered]
        try:
            return cls(lowered)
        except ValueError:
            raise ValueError(f"{text!r} is not a validation mode; use strict, warn, ignore, true or false") from None


class Problem(NamedTuple):
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class Report(NamedTuple):
    errors: list[Problem]
    warnings: list[Problem]


class SchemaNotStructural(Exception):
    """The schema uses a keyword the structural check does not implement."""


# --- locating and loading the CRD ---------------------------------------------------------


def crd_candidates() -> list[Path]:
    candidates = []
    specs_dir = os.environ.get(SPECS_ENV)
    if specs_dir:
        base = Path(specs_dir).expanduser()
        candidates += [base / "crds" / CRD_FILE, base / CRD_FILE]
    candidates.append(_REPOSITORY.parent / "shared" / "specs" / "crds" / CRD_FILE)
    return candidates


def find_crd() -> Path:
    candidates = crd_candidates()
    for path in candidates:
        if path.is_file():
            return path
    looked = ", ".join(str(p) for p in candidates)
    hint = "" if os.environ.get(SPECS_ENV) else f" (${SPECS_ENV} is not set)"
    raise CliError(
        f"cannot validate the ProvisioningRequest: CRD file {CRD_FILE} not found{hint}; looked in: {looked}. "
        f"Set {SPECS_ENV} to the specs directory that holds crds/{CRD_FILE}, "
        "or pass --validate=false to skip client-side validation"
    )


@cache
def load_schema(path: Path) -> dict[str, Any]:
    """openAPIV3Schema of the served v1alpha1 version in the CRD file at ``path``."""
    import yaml

    try:
        with path.open("rb") as stream:
            crd = yaml.load(stream, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError) as err:
        raise CliError(f"cannot read the ProvisioningRequest CRD {path}: {err}") from None
    versions = crd.get("spec", {}).get("versions", []) if isinstance(crd, dict) else []
    for version in versions:
        if isinstance(version, dict) and version.get("name") == resource.VERSION:
            schema = version.get("schema", {}).get("openAPIV3Schema")
            if isinstance(schema, dict):
                return schema
    raise CliError(f"{path} has no openAPIV3Schema for version {resource.VERSION}; is it the O2 IMS CRD?")


# --- the checks ---------------------------------------------------------------------------


def validate(doc: object, mode: ValidationMode, schema_path: Path | None = None) -> Report:
    """Problems with ``doc`` as a ProvisioningRequest under ``mode`` (IGNORE: identity and name only)."""
    if not isinstance(doc, Mapping):
        return Report([Problem("", f"expected a ProvisioningRequest object, got {json_type(doc)}")], [])
    errors = identity_problems(doc)
    if errors or mode is ValidationMode.IGNORE:
        return Report(errors, [])
    schema = load_schema(schema_path or find_crd())
    errors = schema_problems(schema, doc)
    unknown = sorted(_unknown_fields(schema, doc, ""))
    if mode is ValidationMode.STRICT:
        return Report(sorted(errors + unknown), [])
    return Report(errors, unknown)


def identity_problems(doc: Mapping[str, Any]) -> list[Problem]:
    """What the API server checks whatever the schema: the type, and a valid name."""
    problems = []
    if doc.get("apiVersion") != resource.API_VERSION or doc.get("kind") != resource.KIND:
        problems.append(
            Problem(
                "",
                f"expected apiVersion {resource.API_VERSION} and kind {resource.KIND}, "
                f"got {doc.get('apiVersion')!r} and {doc.get('kind')!r}",
            )
        )
    metadata = doc.get("metadata")
    name_problem = resource.name_problem(metadata.get("name") if isinstance(metadata, Mapping) else None)
    if name_problem:
        problems.append(Problem("metadata.name", name_problem))
    return problems


def schema_problems(schema: Mapping[str, Any], doc: Any) -> list[Problem]:
    try:
        problems = list(_structural(schema, doc, ""))
    except SchemaNotStructural:
        problems = jsonschema_problems(schema, doc)
    return sorted(problems)


def _structural(schema: Mapping[str, Any], value: Any, path: str) -> Iterator[Problem]:
    unsupported = set(schema) - _CHECKED - _DOCUMENTING
    if unsupported:
        raise SchemaNotStructural(sorted(unsupported))
    expected = schema.get("type")
    if expected is not None and not is_json_type(value, expected):
        yield Problem(path, type_message(expected, value))
    if "enum" in schema and value not in schema["enum"]:
        yield Problem(path, enum_message(schema["enum"], value))
    if isinstance(value, dict):
        for required in schema.get("required", ()):
            if required not in value:
                yield Problem(join(path, required), REQUIRED_MESSAGE)
        for key, subschema in schema.get("properties", {}).items():
            if key in value:
                yield from _structural(subschema, value[key], join(path, key))
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for index, item in enumerate(value):
            yield from _structural(schema["items"], item, f"{path}[{index}]")


def jsonschema_problems(schema: Mapping[str, Any], doc: Any) -> list[Problem]:
    """The same checks by jsonschema (slow to import): for schemas beyond the structural subset."""
    import jsonschema

    problems = []
    for error in jsonschema.Draft7Validator(schema).iter_errors(doc):
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path).lstrip(".")
        if error.validator == "required":
            missing = [r for r in error.validator_value if r not in error.instance]
            problems += [Problem(join(path, r), REQUIRED_MESSAGE) for r in missing]
        elif error.validator == "type":
            problems.append(Problem(path, type_message(error.validator_value, error.instance)))
        elif error.validator == "enum":
            problems.append(Problem(path, enum_message(error.validator_value, error.instance)))
        else:
            problems.append(Problem(path, error.message))
    return sorted(set(problems))  # jsonschema reports "required" once per missing field, each naming them all


def _unknown_fields(schema: Mapping[str, Any], value: Any, path: str) -> Iterator[Problem]:
    if schema.get("x-kubernetes-preserve-unknown-fields") or path == "metadata":
        return  # metadata is ObjectMeta, checked by the API server itself
    if isinstance(value, dict) and "properties" in schema:
        known = schema["properties"]
        for key in value:
            if key in known:
                yield from _unknown_fields(known[key], value[key], join(path, key))
            else:
                yield Problem(join(path, key), _unknown_message(path, key))
    elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for index, item in enumerate(value):
            yield from _unknown_fields(schema["items"], item, f"{path}[{index}]")


def _unknown_message(parent: str, key: str) -> str:
    message = "unknown field: not in the ProvisioningRequest CRD, the API server would drop it"
    if parent == "spec" and key in _SEED_SPEC_FIELDS:
        message += f"; move it to spec.templateParameters.{key}"
    return message


# --- messages shared by both engines -------------------------------------------------------

REQUIRED_MESSAGE = "required field is missing"
_JSON_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool}


def is_json_type(value: Any, expected: str) -> bool:
    if expected == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if expected == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    python_type = _JSON_TYPES.get(expected)
    if python_type is None:
        raise SchemaNotStructural([f"type {expected}"])
    return isinstance(value, python_type)


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    for name, python_type in _JSON_TYPES.items():
        if isinstance(value, python_type):
            return name
    return type(value).__name__


def type_message(expected: str, value: Any) -> str:
    return f"must be of type {expected}, got {json_type(value)}"


def enum_message(allowed: list[Any], value: Any) -> str:
    return f"must be one of {', '.join(map(str, allowed))}; got {value!r}"


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
