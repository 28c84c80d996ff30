"""Validating against the official 3GPP Rel-18 OpenAPI documents (never retyped here).

The documents live in a specs directory (``$O2KRM_SPECS_DIR``, default: ``shared/specs``
beside the repository, i.e. ``<repo>/../shared/specs``) under ``3gpp-r18/``. They are not
shipped with the package: validation is a test-time check and an optional runtime check
that runs only where the directory exists (see :func:`available`).

How the OpenAPI 3.0 schema objects are read:

* As JSON Schema draft 4, the dialect OpenAPI 3.0 schema objects derive from
  (``$ref`` replaces its siblings; ``nullable``, ``readOnly``, ``discriminator`` are
  annotations without effect here).
* ``$ref`` across files (``TS28623_ComDefs.yaml#/components/schemas/Dn``) resolve with
  the ``referencing`` registry, which loads each file the first time it is needed.
* ``oneOf`` is read as ``anyOf``. The 3GPP files use ``oneOf`` over alternatives that
  overlap: ``ValueRangeType`` lists both ``type: number`` and ``type: integer``, and both
  ``type: string`` and ``DateTime`` (a string), so under strict JSON Schema an integer or
  a plain string matches two alternatives and *no* such value is valid. The same happens
  one level up (an expectation on a ``RAN_SubNetwork`` is both an ``IntentExpectation``
  and a ``RadioNetworkExpectation``). The intent of the authors is "one of these shapes",
  which ``anyOf`` expresses. ``strict_one_of=True`` gives the literal reading, for tests
  that show the difference.
"""

from __future__ import annotations

import functools
import json
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from o2krm.oran.findings import Finding

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

SPECS_ENV: Final = "O2KRM_SPECS_DIR"
GENERATION: Final = "3gpp-r18"
INTENT_NRM: Final = "TS28312_IntentNrm.yaml"
INTENT_SINGLE: Final = "Intent-Single"
INTENT_REPORT_SINGLE: Final = "IntentReport-Single"
RULE: Final = "o2krm.schema.ts28312"

_NEEDS_BRACKETS = re.compile(r'[.\[\]"]')  # as o2krm.sdk.paths writes field paths


def specs_dir() -> Path:
    configured = os.environ.get(SPECS_ENV)
    if configured:
        return Path(configured)
    return _REPOSITORY.parent / "shared" / "specs"


_REPOSITORY = Path(__file__).resolve().parents[4]


def available(directory: Path | None = None) -> bool:
    return ((directory or specs_dir()) / GENERATION / INTENT_NRM).is_file()


def validate_intent_spec(spec: Any, directory: Path | None = None) -> list[Finding]:
    """Findings for every way ``spec`` is not a TS 28.312 Intent-Single (empty: valid)."""
    try:
        key = (json.dumps(spec, sort_keys=True, separators=(",", ":")), directory)
    except (TypeError, ValueError):  # not JSON data: nothing to remember it by
        return findings(validator(INTENT_SINGLE, directory), spec, "spec")
    # intent-translate validates the spec it writes and policy-validate the spec it finds: in a
    # pipeline run in one process that is the same spec, validated once.
    with _RECENT_LOCK:
        known = _RECENT.get(key)
    if known is None:
        fast = _fast_check(INTENT_SINGLE, directory)
        if fast is not None and fast(spec):
            known = ()
        else:
            known = tuple(findings(validator(INTENT_SINGLE, directory), spec, "spec"))
        with _RECENT_LOCK:
            _RECENT[key] = known
            while len(_RECENT) > 32:
                _RECENT.popitem(last=False)
    return list(known)


_RECENT: OrderedDict[tuple[str, Path | None], tuple[Finding, ...]] = OrderedDict()
_RECENT_LOCK = threading.Lock()

# A process that validates many specs (the intent gateway's render process) checks them with
# fastjsonschema's compiled code first, about twenty times faster than jsonschema. Compiling
# costs as much as a hundred validations, so only a process that has already validated this
# many compiles; a KRM function process validates once and never does. Only a valid verdict is
# taken from it: an invalid spec goes through jsonschema for its findings.
FAST_AFTER = 3
_VALIDATED: dict[tuple[str, Path | None], int] = {}  # how many specs, until compiled
_COMPILED: dict[tuple[str, Path | None], Callable[[Any], bool] | None] = {}  # None: no fastjsonschema
_FAST_LOCK = threading.Lock()


def _fast_check(schema: str, directory: Path | None) -> Callable[[Any], bool] | None:
    """``spec -> True when valid`` once this process has validated FAST_AFTER specs against
    ``schema``; None before, or without fastjsonschema (an optional speed-up)."""
    key = (schema, directory)
    with _FAST_LOCK:
        if key in _COMPILED:
            return _COMPILED[key]
        _VALIDATED[key] = _VALIDATED.get(key, 0) + 1
        if _VALIDATED[key] < FAST_AFTER:
            return None
    check = _compile_fast(schema, directory)
    with _FAST_LOCK:
        _COMPILED[key] = check
    return check


def _compile_fast(schema: str, directory: Path | None) -> Callable[[Any], bool] | None:
    try:
        import fastjsonschema
    except ImportError:
        return None
    document = ((directory or specs_dir()) / GENERATION / INTENT_NRM).resolve()
    root = {"$ref": f"{document.as_uri()}#/components/schemas/{schema}"}

    def retrieve(uri: str) -> Any:
        from urllib.parse import urlparse
        from urllib.request import url2pathname

        parsed = urlparse(uri)
        if parsed.scheme != "file":  # never the network
            raise ValueError(f"not a local document: {uri}")
        return _one_of_as_any_of(_load(Path(url2pathname(parsed.path))))

    compiled = fastjsonschema.compile(root, handlers={"file": retrieve}, use_formats=False, use_default=False)

    def check(spec: Any) -> bool:
        try:
            compiled(spec)
        except Exception:  # invalid, or data it cannot handle: jsonschema decides
            return False
        return True

    return check


def _one_of_as_any_of(value: Any) -> Any:
    """The document as ``openapi_validator`` reads it by default: ``oneOf`` as ``anyOf``."""
    if isinstance(value, dict):
        return {("anyOf" if key == "oneOf" else key): _one_of_as_any_of(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_one_of_as_any_of(item) for item in value]
    return value


def validate_report_spec(spec: Any, directory: Path | None = None) -> list[Finding]:
    """Findings for every way ``spec`` is not a TS 28.312 IntentReport-Single."""
    return findings(validator(INTENT_REPORT_SINGLE, directory), spec, "spec")


def validator(schema: str, directory: Path | None = None, *, strict_one_of: bool = False) -> Validator:
    """A validator for ``components/schemas/<schema>`` of the 28.312 Intent NRM."""
    document = (directory or specs_dir()) / GENERATION / INTENT_NRM
    return openapi_validator(document, schema, strict_one_of=strict_one_of)


@functools.cache
def openapi_validator(document: Path, schema: str, *, strict_one_of: bool = False) -> Validator:
    """A validator for ``<document>#/components/schemas/<schema>``; other files that
    document refers to are loaded from beside it, on first use."""
    from jsonschema import Draft4Validator, validators
    from referencing import Registry

    if not document.is_file():
        raise FileNotFoundError(f"{document} not found: set {SPECS_ENV} to the directory holding {GENERATION}/")
    cls = Draft4Validator
    if not strict_one_of:
        cls = validators.extend(Draft4Validator, {"oneOf": Draft4Validator.VALIDATORS["anyOf"]})
    root = {"$ref": f"{document.resolve().as_uri()}#/components/schemas/{schema}"}
    return cls(root, registry=Registry(retrieve=_retrieve))  # type: ignore[call-arg]


def findings(validator: Validator, instance: Any, prefix: str) -> list[Finding]:
    errors = sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path])
    return [_finding(_most_specific(error), prefix) for error in errors]


def _most_specific(error: ValidationError) -> ValidationError:
    """For anyOf/oneOf failures, the alternative's error that got furthest into the data."""
    from jsonschema.exceptions import best_match

    while error.context:
        error = best_match(error.context)
    return error


def _finding(error: ValidationError, prefix: str) -> Finding:
    path = _field_path(prefix, error.absolute_path)
    return Finding(
        message=f"{path}: {error.message}",
        field=path,
        current=error.instance if not isinstance(error.instance, dict | list) else None,
        rule=RULE,
    )


def _field_path(prefix: str, parts: Iterable[str | int]) -> str:
    path = prefix
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _NEEDS_BRACKETS.search(part) or not part:
            path += f'["{part}"]'
        else:
            path += f".{part}"
    return path


@functools.cache
def _load(path: Path) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open("rb") as handle:
        return yaml.load(handle, Loader=loader)


def _retrieve(uri: str) -> Any:
    from urllib.parse import urlparse
    from urllib.request import url2pathname

    from referencing.exceptions import NoSuchResource
    from referencing.jsonschema import DRAFT4

    parsed = urlparse(uri)
    if parsed.scheme != "file":  # never the network
        raise NoSuchResource(ref=uri)
    return DRAFT4.create_resource(_load(Path(url2pathname(parsed.path))))


def schema_names(document: Path) -> Sequence[str]:
    """The component schema names of an OpenAPI document (for diagnostics and tests)."""
    return sorted(_load(document).get("components", {}).get("schemas", {}))
