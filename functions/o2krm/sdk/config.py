"""functionConfig into a typed model: a pydantic model, or a plain class with ``from_fields``.

Two forms are accepted, as kpt passes them:

* a ConfigMap (``configMap:`` in a Kptfile, or ``key=value`` arguments, which kpt turns
  into the ConfigMap ``function-input``): its ``data`` is validated. ConfigMap values are
  strings; a value that starts with ``[`` or ``{`` is read as YAML so lists and maps fit.
* a typed kind (``configPath:``): its ``spec`` is validated, or the whole object less
  apiVersion, kind and metadata when it has no spec.

A plain config class (``from_fields(fields) -> instance``, raising FieldProblem) is for
functions whose config is a flat handful of strings: importing pydantic and building a model
costs a function process about 80 ms, every call, which a flat ConfigMap does not need.
"""

from __future__ import annotations

from typing import Any, TypeVar

from o2krm.sdk import paths
from o2krm.sdk.errors import ConfigError, ObjectValidationError
from o2krm.sdk.kubeobject import KubeObject

T = TypeVar("T")


def config_fields(config: KubeObject | None) -> tuple[dict[str, Any], str]:
    """The fields to validate and the path prefix they sit at in the config object."""
    if config is None:
        return {}, ""
    if config.kind == "ConfigMap" and config.api_version == "v1":
        data = config.get("data") or {}
        if not isinstance(data, dict):
            raise ConfigError("ConfigMap data must be a mapping", obj=config, field="data")
        return {str(k): _read_value(v) for k, v in data.items()}, "data"
    if "spec" in config.data:
        spec = config.get("spec")
        if not isinstance(spec, dict):
            raise ConfigError(f"{config.describe()}: spec must be a mapping", obj=config, field="spec")
        return {str(k): _read_value(v) for k, v in spec.items()}, "spec"
    rest = {k: v for k, v in config.data.items() if k not in ("apiVersion", "kind", "metadata")}
    return rest, ""


class FieldProblem(ValueError):
    """What a plain config class's ``from_fields`` raises for a bad field."""

    def __init__(self, field: str, message: str, current: Any = None) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.current = current


def load_config(model: type[T] | None, config: KubeObject | None, overrides: dict[str, str] | None = None) -> Any:
    """Validate the functionConfig (plus command-line overrides) into ``model``."""
    fields, prefix = config_fields(config)
    if overrides:
        fields.update({k: _read_value(v) for k, v in overrides.items()})
    if model is None:
        return fields
    base: tuple[str | int, ...] = (prefix,) if prefix else ()
    if not hasattr(model, "model_validate"):
        try:
            return model.from_fields(fields)  # type: ignore[attr-defined]
        except FieldProblem as problem:
            shown = problem.current if isinstance(problem.current, str | int | float | bool) else None
            path = paths.format((*base, problem.field))
            raise ObjectValidationError(_holder(config), [(path, problem.message, shown)]) from None
    from pydantic import ValidationError

    try:
        return model.model_validate(fields)  # type: ignore[attr-defined]
    except ValidationError as exc:
        raise ObjectValidationError.from_pydantic(_holder(config), exc, base) from None


def _holder(config: KubeObject | None) -> KubeObject:
    return config or KubeObject({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "function-input"}})


def _read_value(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("[", "{"):
        from o2krm.sdk import yamlio

        try:
            return yamlio.load(value)
        except yamlio.YAMLError:
            return value
    return value
