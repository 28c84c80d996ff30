"""Pydantic plumbing shared by the input models of pr-generate (catalogs, sizing profiles).

Input models read camelCase YAML, refuse unknown fields (a typo must not be silently ignored)
and report validation problems as ``Finding``s whose ``field`` is a path into the resource,
such as ``spec.sites[2].capacity.cpu``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, PlainSerializer, PlainValidator, ValidationError, WithJsonSchema
from pydantic.alias_generators import to_camel

from o2krm.oran.findings import Finding
from o2krm.oran.quantity import Quantity, parse_quantity


class InputModel(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True, strict=False
    )


QuantityField = Annotated[
    Quantity,
    PlainValidator(parse_quantity),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"anyOf": [{"type": "integer"}, {"type": "string"}]}),
]


def field_path(prefix: str, loc: Sequence[str | int]) -> str:
    """("sites", 2, "labels", "a.b/c") under "spec" -> 'spec.sites[2].labels["a.b/c"]'."""
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not part or any(ch in part for ch in '.[]"'):
            path += f"[{json.dumps(part, ensure_ascii=False)}]"
        else:
            path = f"{path}.{part}" if path else str(part)
    return path


def findings_from_validation_error(error: ValidationError, prefix: str, what: str) -> list[Finding]:
    """One error finding per problem; ``what`` names the input ("OCloudSiteCatalog", "sizing config")."""
    findings: list[Finding] = []
    for problem in error.errors(include_url=False):
        path = field_path(prefix, problem["loc"])
        findings.append(
            Finding(
                message=f"{what}: {path}: {_explain(problem)}",
                field=path,
                current=_printable(problem.get("input")),
            )
        )
    return findings


def describe_resource(kind: str, resource: Mapping[str, Any]) -> str:
    """ "Kind/name" of an input resource, for messages."""
    metadata = resource.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    return f"{kind}/{name or '<unnamed>'}"


def _explain(problem: Any) -> str:
    kind = problem["type"]
    if kind == "missing":
        return "required field is missing; add it"
    if kind == "extra_forbidden":
        return "unknown field; remove it or fix its spelling"
    message = str(problem["msg"])
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _printable(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return None


CatalogSpec = TypeVar("CatalogSpec", bound=BaseModel)


def read_catalog_specs(
    kind: str,
    resources: Sequence[Mapping[str, Any]],
    model: type[CatalogSpec],
    missing: str,
    findings: list[Finding],
) -> list[tuple[str, dict[str, str], CatalogSpec]]:
    """Each catalog resource's ``spec`` validated into ``model``, with where it is and its tags.

    Problems go to ``findings``, tagged ``resourceIndex`` (the catalog's index in ``resources``)
    so the adapter can attach them to the right resource; ``missing`` says what to write when
    there is no spec at all.
    """
    read: list[tuple[str, dict[str, str], CatalogSpec]] = []
    for index, resource in enumerate(resources):
        tags = {"resourceIndex": str(index)}
        where = describe_resource(kind, resource)
        spec = resource.get("spec")
        if not isinstance(spec, Mapping):
            findings.append(Finding(f"{where}: {missing}", field="spec", tags=tags))
            continue
        try:
            parsed = model.model_validate(spec)
        except ValidationError as error:
            findings.extend(
                replace(f, tags={**f.tags, **tags}) for f in findings_from_validation_error(error, "spec", where)
            )
            continue
        read.append((where, tags, parsed))
    return read
