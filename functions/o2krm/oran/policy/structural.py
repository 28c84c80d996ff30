"""Compile Kubernetes schemas into plain Python checks, once, and run them fast.

Kubernetes built-in schemas (OpenAPI v3 converted to JSON Schema) and CRD ``openAPIV3Schema``s use a
small subset of JSON Schema: type, properties, additionalProperties, required, items, enum, $ref,
bounds, pattern and the boolean combinators, plus the ``x-kubernetes-*`` and ``nullable`` extensions.
Compiling that subset into closures validates a Deployment about ten times faster than a generic
JSON Schema validator, which matters for a 1000-resource package validated on every render.

Semantics follow the API server with kubectl's strict field validation: a field not declared by an
object's properties is an error unless the schema allows additional properties or sets
``x-kubernetes-preserve-unknown-fields``. ``format`` and ``x-kubernetes-validations`` (CEL) are not
evaluated. References are resolved lazily, so only the definitions a package uses are compiled.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

# A field path as a linked list (parent, key): building one costs a tuple; rendering happens on error.
PathNode = tuple["PathNode", str | int] | None


@dataclass(frozen=True)
class SchemaError:
    path: PathNode
    message: str


Errors = list[SchemaError]
Check = Callable[[Any, PathNode, Errors], None]


def render_path(node: PathNode) -> str:
    from o2krm.oran.policy.package import path

    keys: list[str | int] = []
    while node is not None:
        node, key = node
        keys.append(key)
    rendered = ""
    for key in reversed(keys):
        rendered = path(rendered, key)
    return rendered


_EXACT_TYPES: dict[type, str] = {str: "string", dict: "object", list: "array", bool: "boolean", int: "integer"}


def json_type(value: Any) -> str:
    """The JSON Schema type of a parsed YAML value (integral floats count as integers, as in JSON Schema)."""
    exact = _EXACT_TYPES.get(type(value))
    if exact is not None:
        return exact
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str | date):  # YAML timestamps parse to dates; they are strings in JSON
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list):
        return "array"
    return type(value).__name__


def _accept(value: Any, node: PathNode, errors: Errors) -> None:
    return None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class SchemaCompiler:
    """Turns schemas into checks. ``definitions`` resolves ``$ref``s by their last path segment."""

    def __init__(self, definitions: Mapping[str, Any] | None = None) -> None:
        self._definitions = definitions or {}
        self._refs: dict[str, Check] = {}

    def compile(self, schema: Any) -> Check:
        if schema is True or schema is None or schema == {}:
            return _accept
        if schema is False:
            return _reject_all
        if not isinstance(schema, Mapping):
            raise ValueError(f"a schema must be an object, not {json_type(schema)}")
        return self._compile(schema)

    def definition(self, name: str) -> Check:
        """The check for one named definition, compiled on first use (safe for recursive schemas)."""
        check = self._refs.get(name)
        if check is None:
            compiled: list[Check] = []

            def lazy(value: Any, node: PathNode, errors: Errors) -> None:
                if not compiled:
                    if name not in self._definitions:
                        raise ValueError(f"schema reference {name!r} is not defined")
                    compiled.append(self.compile(self._definitions[name]))
                compiled[0](value, node, errors)

            self._refs[name] = check = lazy
        return check

    # --- compilation -------------------------------------------------------------------------------

    def _compile(self, s: Mapping[str, Any]) -> Check:
        checks: list[Check] = []
        ref = s.get("$ref")
        if isinstance(ref, str):
            checks.append(self.definition(ref.rsplit("/", 1)[-1]))
        types = _types(s)
        if {
            "properties",
            "additionalProperties",
            "required",
            "x-kubernetes-preserve-unknown-fields",
        } & s.keys():
            checks.append(self._object(s))
        if "items" in s:
            checks.append(self._items(s["items"]))
        checks.extend(_scalar_checks(s))
        checks.extend(self._combinators(s))
        body = _sequence(checks)
        if types is None:
            return body
        return _typed(types, body)

    def _object(self, s: Mapping[str, Any]) -> Check:
        properties = {name: self.compile(sub) for name, sub in (s.get("properties") or {}).items()}
        required = tuple(r for r in s.get("required") or () if isinstance(r, str))
        additional = s.get("additionalProperties")
        preserve = s.get("x-kubernetes-preserve-unknown-fields") is True
        if additional is None:
            # Undeclared fields: kept by preserve-unknown-fields or an object without declared
            # properties in a non-structural (built-in) schema; rejected otherwise.
            extra: Check | None = _accept if preserve else None
        elif additional is False:
            extra = None
        else:
            extra = self.compile(additional)
        known = tuple(sorted(properties))
        if not properties and additional is None and not preserve and "properties" not in s:
            extra = _accept  # a bare "type: object" declares nothing to be strict about

        def check_object(value: Any, node: PathNode, errors: Errors) -> None:
            if type(value) is not dict and not isinstance(value, Mapping):
                return
            for name in required:
                if name not in value:
                    errors.append(SchemaError((node, name), f"required field {name!r} is missing"))
            for key, child in value.items():
                sub = properties.get(key)
                if sub is not None:
                    sub(child, (node, key), errors)
                elif extra is not None:
                    extra(child, (node, key), errors)
                else:
                    errors.append(SchemaError((node, str(key)), _unknown_field(str(key), known)))

        return check_object

    def _items(self, items: Any) -> Check:
        item_check = self.compile(items)
        if item_check is _accept:
            return _accept

        def check_items(value: Any, node: PathNode, errors: Errors) -> None:
            if isinstance(value, list):
                for i, item in enumerate(value):
                    item_check(item, (node, i), errors)

        return check_items

    def _combinators(self, s: Mapping[str, Any]) -> list[Check]:
        checks: list[Check] = []
        for sub in s.get("allOf") or ():
            checks.append(self.compile(sub))
        for keyword in ("anyOf", "oneOf"):
            alternatives = s.get(keyword)
            if not alternatives:
                continue
            only_types = [_types(a) for a in alternatives if isinstance(a, Mapping) and a.keys() <= {"type"}]
            if len(only_types) == len(alternatives) and all(only_types):
                # int-or-string and quantities: a union of types; overlap is only null, harmless here.
                checks.append(_typed(frozenset().union(*only_types), _accept))  # type: ignore[arg-type]
            else:
                checks.append(_alternatives([self.compile(a) for a in alternatives], exactly_one=keyword == "oneOf"))
        if "not" in s:
            checks.append(_negation(self.compile(s["not"])))
        return checks


def _reject_all(value: Any, node: PathNode, errors: Errors) -> None:
    errors.append(SchemaError(node, "no value is allowed here"))


def _types(s: Mapping[str, Any]) -> frozenset[str] | None:
    if s.get("x-kubernetes-int-or-string") is True:
        return frozenset({"integer", "string"})
    declared = s.get("type")
    if declared is None:
        return None
    types = frozenset([declared] if isinstance(declared, str) else declared)
    if s.get("nullable") is True:
        types |= {"null"}
    return types


def _typed(types: frozenset[str], body: Check) -> Check:
    allowed = types | {"integer"} if "number" in types else types
    expected = " or ".join(sorted(types - {"null"})) or "null"

    def check_type(value: Any, node: PathNode, errors: Errors) -> None:
        actual = json_type(value)
        if actual not in allowed:
            errors.append(SchemaError(node, f"must be of type {expected}, got {actual} {_short(value)}"))
            return
        body(value, node, errors)

    return check_type


def _sequence(checks: list[Check]) -> Check:
    checks = [c for c in checks if c is not _accept]
    if not checks:
        return _accept
    if len(checks) == 1:
        return checks[0]
    frozen = tuple(checks)

    def check_all(value: Any, node: PathNode, errors: Errors) -> None:
        for check in frozen:
            check(value, node, errors)

    return check_all


def _alternatives(options: list[Check], exactly_one: bool) -> Check:
    def check_alternatives(value: Any, node: PathNode, errors: Errors) -> None:
        matches = 0
        for option in options:
            trial: Errors = []
            option(value, node, trial)
            matches += not trial
        if matches == 0:
            errors.append(SchemaError(node, "does not match any of the allowed forms"))
        elif exactly_one and matches > 1:
            errors.append(SchemaError(node, "matches more than one of the exclusive forms (oneOf)"))

    return check_alternatives


def _negation(inner: Check) -> Check:
    def check_not(value: Any, node: PathNode, errors: Errors) -> None:
        trial: Errors = []
        inner(value, node, trial)
        if not trial:
            errors.append(SchemaError(node, "matches a form that is not allowed (not)"))

    return check_not


def _unknown_field(key: str, known: tuple[str, ...]) -> str:
    from difflib import get_close_matches

    message = f"unknown field {key!r}"
    close = get_close_matches(key, known, n=1, cutoff=0.75)
    if close:
        return f"{message}; did you mean {close[0]!r}?"
    if known:
        shown = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
        return f"{message}; allowed: {shown}"
    return message


def _scalar_checks(s: Mapping[str, Any]) -> list[Check]:
    """enum, const, bounds, lengths, pattern, sizes: each only applies to values of its own type."""
    checks: list[Check] = []
    if "enum" in s and isinstance(s["enum"], list):
        allowed = list(s["enum"])
        if None not in allowed and "null" in (_types(s) or ()):
            allowed.append(None)
        shown = ", ".join(_short(a) for a in allowed[:10]) + (", ..." if len(allowed) > 10 else "")

        def check_enum(value: Any, node: PathNode, errors: Errors) -> None:
            if not any(value == a and json_type(value) == json_type(a) for a in allowed):
                errors.append(SchemaError(node, f"must be one of {shown}; got {_short(value)}"))

        checks.append(check_enum)
    if "const" in s:
        const = s["const"]

        def check_const(value: Any, node: PathNode, errors: Errors) -> None:
            if value != const:
                errors.append(SchemaError(node, f"must be {_short(const)}; got {_short(value)}"))

        checks.append(check_const)
    checks.extend(_number_checks(s))
    checks.extend(_string_checks(s))
    checks.extend(_size_checks(s))
    return checks


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number_checks(s: Mapping[str, Any]) -> list[Check]:
    checks: list[Check] = []
    bounds: list[tuple[float, bool, bool]] = []  # (limit, is_lower, exclusive)
    for keyword, is_lower in (("minimum", True), ("maximum", False)):
        limit = s.get(keyword)
        if _is_number(limit):
            exclusive = s.get("exclusiveMinimum" if is_lower else "exclusiveMaximum") is True
            bounds.append((limit, is_lower, exclusive))
    for keyword, is_lower in (("exclusiveMinimum", True), ("exclusiveMaximum", False)):
        limit = s.get(keyword)
        if _is_number(limit):  # JSON Schema 2020-12 numeric form
            bounds.append((limit, is_lower, True))
    for limit, is_lower, exclusive in bounds:
        checks.append(_bound(limit, is_lower, exclusive))
    multiple = s.get("multipleOf")
    if _is_number(multiple) and multiple > 0:

        def check_multiple(value: Any, node: PathNode, errors: Errors) -> None:
            if _is_number(value) and not math.isclose(value / multiple, round(value / multiple)):
                errors.append(SchemaError(node, f"must be a multiple of {multiple}; got {value}"))

        checks.append(check_multiple)
    return checks


def _bound(limit: float, is_lower: bool, exclusive: bool) -> Check:
    word = ("greater than" if is_lower else "less than") + ("" if exclusive else " or equal to")

    def check_bound(value: Any, node: PathNode, errors: Errors) -> None:
        if not _is_number(value):
            return
        if is_lower:
            bad = value <= limit if exclusive else value < limit
        else:
            bad = value >= limit if exclusive else value > limit
        if bad:
            errors.append(SchemaError(node, f"must be {word} {limit}; got {value}"))

    return check_bound


def _string_checks(s: Mapping[str, Any]) -> list[Check]:
    checks: list[Check] = []
    low, high = s.get("minLength"), s.get("maxLength")
    if isinstance(low, int) or isinstance(high, int):

        def check_length(value: Any, node: PathNode, errors: Errors) -> None:
            if isinstance(value, str):
                if isinstance(low, int) and len(value) < low:
                    errors.append(SchemaError(node, f"must be at least {low} characters long"))
                if isinstance(high, int) and len(value) > high:
                    errors.append(SchemaError(node, f"must be at most {high} characters long"))

        checks.append(check_length)
    pattern = s.get("pattern")
    if isinstance(pattern, str):
        try:
            compiled = re.compile(pattern)
        except re.error:
            compiled = None  # an ECMA-only construct: skip rather than misjudge
        if compiled is not None:

            def check_pattern(value: Any, node: PathNode, errors: Errors) -> None:
                if isinstance(value, str) and not compiled.search(value):
                    errors.append(SchemaError(node, f"must match the pattern {pattern!r}; got {_short(value)}"))

            checks.append(check_pattern)
    return checks


def _size_checks(s: Mapping[str, Any]) -> list[Check]:
    checks: list[Check] = []
    min_items, max_items, unique = s.get("minItems"), s.get("maxItems"), s.get("uniqueItems") is True
    if isinstance(min_items, int) or isinstance(max_items, int) or unique:

        def check_array(value: Any, node: PathNode, errors: Errors) -> None:
            if not isinstance(value, list):
                return
            if isinstance(min_items, int) and len(value) < min_items:
                errors.append(SchemaError(node, f"must have at least {min_items} item(s); has {len(value)}"))
            if isinstance(max_items, int) and len(value) > max_items:
                errors.append(SchemaError(node, f"must have at most {max_items} item(s); has {len(value)}"))
            if unique:
                seen: list[Any] = []
                for item in value:
                    if item in seen:
                        errors.append(SchemaError(node, f"items must be unique; {_short(item)} repeats"))
                        break
                    seen.append(item)

        checks.append(check_array)
    min_props, max_props = s.get("minProperties"), s.get("maxProperties")
    if isinstance(min_props, int) or isinstance(max_props, int):

        def check_properties(value: Any, node: PathNode, errors: Errors) -> None:
            if not isinstance(value, Mapping):
                return
            if isinstance(min_props, int) and len(value) < min_props:
                errors.append(SchemaError(node, f"must have at least {min_props} field(s)"))
            if isinstance(max_props, int) and len(value) > max_props:
                errors.append(SchemaError(node, f"must have at most {max_props} field(s)"))

        checks.append(check_properties)
    return checks
