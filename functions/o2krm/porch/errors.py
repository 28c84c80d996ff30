"""The one error type of publishing: what went wrong and what to do about it."""

from __future__ import annotations


class PublishError(Exception):
    """A publication that cannot go ahead. ``hint`` says what the user can do."""

    def __init__(self, message: str, *, hint: str = "", details: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details

    def __str__(self) -> str:
        lines = [self.message, *(f"  {line}" for line in self.details)]
        if self.hint:
            lines.append(f"hint: {self.hint}")
        return "\n".join(lines)
