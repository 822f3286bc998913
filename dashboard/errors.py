"""The shared kernel of errors every feature raises. Services raise these; callbacks and the REST API turn
them into a message naming the field, a 404, or a quiet "cancelled"."""

from __future__ import annotations

import logging
import secrets

log = logging.getLogger(__name__)


class FieldError(ValueError):
    """Input that cannot be used; ``field`` names the part to fix (a control, a form field, a column)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


class UnknownSource(FieldError):
    """The data named does not exist (the REST API answers 404)."""


class NotEnoughData(FieldError):
    """The data named exists but holds too little to work on yet: nothing logged, no label came back (409)."""


class NotApplicable(FieldError):
    """A well-formed request this model or data cannot answer: calibration of a regressor, a SHAP summary of
    more rows than its explainer takes, a column the data lacks (the REST API answers 409)."""


class Cancelled(Exception):
    """The user or the API cancelled long work; nothing of it was cached or saved."""


class NotFound(KeyError):
    """Something asked for by name or token does not exist (or no longer does)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "not found"


class ResultExpired(NotFound):
    """A cached result a view refers to (by its token) was evicted or expired: run it again."""


def is_named(exc: BaseException) -> bool:
    """True for an exception whose text was written for a user: the app's own (``dashboard`` and
    ``model_store`` types). Any other type is a library's, whose text names its internals, not the column
    or field to fix, and never reaches a user (``user_message``)."""
    return type(exc).__module__.split(".")[0] in ("dashboard", "model_store")


def user_message(exc: BaseException, field: str = "data", doing: str = "the computation") -> str:
    """What a user reads for ``exc``: a named error's own text; for anything else ``field``, what failed
    and a reference, the exception itself going to the log with its traceback under that reference (the
    request id when there is a request)."""
    if is_named(exc):
        return str(exc)
    reference = logged_reference(exc, doing, unexpected=True)
    return (
        f"{field}: {doing} failed on this data for a reason the app does not recognise ({reference}); "
        "try other columns or settings, and report the reference if it persists"
    )


def logged_reference(exc: BaseException, doing: str, *, unexpected: bool = False) -> str:
    """``reference <id>`` for a message, the library's exception logged under that id: an expected refusal
    (a damaged file) as a warning with its text, an ``unexpected`` one as an error with its traceback."""
    reference = log_reference()
    if unexpected:
        log.error("unexpected error in %s (reference %s)", doing, reference, exc_info=exc)
    else:
        log.warning("%s failed (reference %s): %s", doing, reference, " ".join(str(exc).split())[:500])
    return f"reference {reference}"


def log_reference() -> str:
    """The current request's id (what the access log and error bodies carry), else a fresh one."""
    try:
        from flask import g, has_request_context

        if has_request_context() and getattr(g, "request_id", None):
            return str(g.request_id)
    except ImportError:  # a worker without Flask's request machinery
        pass
    return secrets.token_hex(8)


def shown(value: object) -> str:
    """A value as a message shows it: numpy scalars as the plain numbers they are (``19``, not
    ``np.int64(19)``), text quoted, long values cut."""
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy":
        value = item()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return repr(value[:60]) if isinstance(value, str) else str(value)[:60]
