"""functionConfig into a typed pydantic model.

Two forms are accepted, as kpt passes them:

* a ConfigMap (``configMap:`` in a Kptfile, or ``key=value`` arguments, which kpt turns
  into the ConfigMap ``function-input``): its ``data`` is validated. ConfigMap values are
  strings; a value that starts with ``[`` or ``{`` is read as YAML so lists and maps fit.
* a typed kind (``configPath:``): its ``spec`` is validated, or the whole object less
  apiVersion, kind and metadata when it has no spec.
"""

from __future__ import annotations

from typing import Any, TypeVar

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


def load_config(model: type[T] | None, config: KubeObject | None, overrides: dict[str, str] | None = None) -> Any:
    """Validate the functionConfig (plus command-line overrides) into ``model``."""
    fields, prefix = config_fields(config)
    if overrides:
        fields.update({k: _read_value(v) for k, v in overrides.items()})
    if model is None:
        return fields
    from pydantic import ValidationError

    try:
        return model.model_validate(fields)  # type: ignore[attr-defined]
    except ValidationError as exc:
        holder = config or KubeObject({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "function-input"}})
        base: tuple[str | int, ...] = (prefix,) if prefix else ()
        raise ObjectValidationError.from_pydantic(holder, exc, base) from None


def _read_value(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("[", "{"):
        from o2krm.sdk import yamlio

        try:
            return yamlio.load(value)
        except yamlio.YAMLError:
            return value
    return value
