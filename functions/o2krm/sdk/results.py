"""Results as the KRM Functions Specification defines them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from o2krm.sdk import paths

if TYPE_CHECKING:
    from o2krm.sdk.kubeobject import KubeObject

Severity = Literal["error", "warning", "info"]
_UNSET: Any = object()


@dataclass
class Result:
    message: str
    severity: Severity = "error"
    resource_ref: dict[str, str] | None = None
    field: dict[str, Any] | None = None
    file: dict[str, Any] | None = None
    tags: dict[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"message": self.message, "severity": self.severity}
        if self.resource_ref:
            out["resourceRef"] = self.resource_ref
        if self.field:
            out["field"] = self.field
        if self.file:
            out["file"] = self.file
        if self.tags:
            out["tags"] = dict(sorted(self.tags.items()))
        return out

    def one_line(self) -> str:
        where = ""
        if self.resource_ref:
            where = f"{self.resource_ref.get('kind')}/{self.resource_ref.get('name')}"
            if self.field:
                where += f" {self.field['path']}"
            where += ": "
        return f"{self.severity}: {where}{self.message}"


class Results(list[Result]):
    """The results of one function run; ``error``/``warning``/``info`` add one."""

    def add(
        self,
        message: str,
        severity: Severity = "error",
        *,
        obj: KubeObject | None = None,
        field: paths.PathLike | None = None,
        current: Any = _UNSET,
        proposed: Any = _UNSET,
        tags: dict[str, str] | None = None,
    ) -> Result:
        result = Result(message=message, severity=severity, tags=dict(tags) if tags else None)
        if obj is not None:
            result.resource_ref = obj.ref()
            result.file = obj.file()
        if field is not None and obj is not None:
            field_ref: dict[str, Any] = {"path": paths.format(field)}
            if current is _UNSET and obj.parsed:
                value = obj.get(field, _UNSET)
                if value is not _UNSET and (value is None or isinstance(value, str | int | float | bool)):
                    current = value
            if current is not _UNSET:
                field_ref["currentValue"] = current
            if proposed is not _UNSET:
                field_ref["proposedValue"] = proposed
            result.field = field_ref
        self.append(result)
        return result

    def error(self, message: str, **kwargs: Any) -> Result:
        return self.add(message, "error", **kwargs)

    def warning(self, message: str, **kwargs: Any) -> Result:
        return self.add(message, "warning", **kwargs)

    def info(self, message: str, **kwargs: Any) -> Result:
        return self.add(message, "info", **kwargs)

    @property
    def has_errors(self) -> bool:
        return any(r.severity == "error" for r in self)

    def errors(self) -> list[Result]:
        return [r for r in self if r.severity == "error"]
