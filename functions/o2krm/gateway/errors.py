"""The gateway's errors: one exception type that knows its HTTP status, answered as a TMF Error.

TMF630 / TMF921 errors are ``{"@type": "Error", "code", "reason", "message", "status"}``;
``details`` (an extension the Error schema allows) lists field-level problems, each naming the
field of the request body and what to do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request: the field (a path into the body) and what to do."""

    message: str
    field: str = ""
    severity: str = "error"

    def as_dict(self) -> dict[str, str]:
        out = {"message": self.message, "severity": self.severity}
        if self.field:
            out["field"] = self.field
        return out


@dataclass
class ApiError(Exception):
    status: int
    message: str
    problems: tuple[Problem, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    @property
    def reason(self) -> str:
        return HTTPStatus(self.status).phrase

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "@type": "Error",
            "code": f"ERR{self.status}",
            "reason": self.reason,
            "message": self.message,
            "status": str(self.status),
        }
        if self.problems:
            body["details"] = [problem.as_dict() for problem in self.problems]
        return body


def bad_request(message: str, *problems: Problem) -> ApiError:
    return ApiError(400, message, problems)


def unauthorized(message: str) -> ApiError:
    return ApiError(401, message, headers={"WWW-Authenticate": 'Bearer realm="o2krm-gateway"'})


def not_found(message: str) -> ApiError:
    return ApiError(404, message)


def conflict(message: str) -> ApiError:
    return ApiError(409, message)


def too_large(limit: int) -> ApiError:
    return ApiError(413, f"the request body is larger than {limit} bytes; send a smaller intent")


def unsupported_media_type(message: str) -> ApiError:
    return ApiError(415, message)


def unprocessable(message: str, *problems: Problem) -> ApiError:
    return ApiError(422, message, problems)


def unavailable(message: str) -> ApiError:
    return ApiError(503, message)
