"""The shared kernel of errors every feature raises. Services raise these; callbacks and the REST API turn
them into a message naming the field, a 404, or a quiet "cancelled"."""

from __future__ import annotations


class FieldError(ValueError):
    """Input that cannot be used; ``field`` names the part to fix (a control, a form field, a column)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


class UnknownSource(FieldError):
    """The data named does not exist (the REST API answers 404)."""


class NotEnoughData(FieldError):
    """The data named exists but holds too little to work on yet: nothing logged, no label came back (409)."""


class Cancelled(Exception):
    """The user or the API cancelled long work; nothing of it was cached or saved."""


class NotFound(KeyError):
    """Something asked for by name or token does not exist (or no longer does)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "not found"


class ResultExpired(NotFound):
    """A cached result a view refers to (by its token) was evicted or expired: run it again."""
