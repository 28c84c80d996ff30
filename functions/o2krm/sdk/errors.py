"""Exceptions a function raises to report a problem as a KRM result instead of a traceback."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from o2krm.sdk import paths

if TYPE_CHECKING:
    from pydantic import ValidationError

    from o2krm.sdk.kubeobject import KubeObject


class KrmError(Exception):
    """A problem to report as one error result. ``obj`` and ``field`` locate it."""

    def __init__(self, message: str, *, obj: KubeObject | None = None, field: paths.PathLike | None = None):
        super().__init__(message)
        self.message = message
        self.obj = obj
        self.field = field


class InputError(KrmError):
    """The input ResourceList itself is unusable (bad YAML, not a mapping, ...)."""


class ConfigError(KrmError):
    """The functionConfig is invalid."""


class ObjectValidationError(KrmError):
    """An object failed validation into a model; ``problems`` holds one entry per field."""

    def __init__(self, obj: KubeObject, problems: list[tuple[str, str, Any]]):
        first = problems[0] if problems else ("", "invalid", None)
        summary = f"{obj.describe()}: {first[0] or '<root>'}: {first[1]}"
        if len(problems) > 1:
            summary += f" (and {len(problems) - 1} more)"
        super().__init__(summary, obj=obj, field=first[0] or None)
        self.problems = problems  # (field path, message, current value)

    @classmethod
    def from_pydantic(
        cls, obj: KubeObject, exc: ValidationError, base: tuple[str | int, ...] = ()
    ) -> ObjectValidationError:
        problems: list[tuple[str, str, Any]] = []
        for error in exc.errors(include_url=False):
            location = base + tuple(error["loc"])
            value = error.get("input")
            shown = value if isinstance(value, str | int | float | bool) or value is None else None
            problems.append((paths.format(location), str(error["msg"]), shown))
        return cls(obj, problems)
