"""What every model-facing REST blueprint shares: the services, the version selector, the JSON body and
the error answers of the model store."""

from __future__ import annotations

import math
from typing import Any

from flask import current_app, jsonify, request
from flask.json.provider import DefaultJSONProvider

from dashboard.api.jsonbody import BodyError, parse_json_body
from dashboard.errors import FieldError
from dashboard.web.auth import api_error as error
from model_store import CorruptModelError, InvalidModelNameError, ModelNotFoundError, UnsafeArtifactError

MAX_JSON_BYTES = 10 * 1024 * 1024
MODEL_ERRORS = (InvalidModelNameError, ModelNotFoundError, CorruptModelError, UnsafeArtifactError)


def services():
    return current_app.extensions["dashboard"]


def selector() -> tuple[str | None, str | None]:
    """``?version=`` and ``?alias=`` (neither: the model's default version)."""
    return request.args.get("version"), request.args.get("alias")


def model_error(exc: Exception):
    """404 for an unknown model, version or alias; 500 for an artifact that cannot be trusted."""
    if isinstance(exc, InvalidModelNameError | ModelNotFoundError):
        field = str(exc).split(":", 1)[0] if ":" in str(exc) else "model"
        return error(404, "not_found", field, str(exc))
    if isinstance(exc, CorruptModelError):
        return error(500, "corrupt_model", "model", str(exc))
    if isinstance(exc, UnsafeArtifactError):
        return error(500, "unsafe_artifact", "model", str(exc))
    raise exc


def job_accepted(job: dict[str, Any]):
    """202 with the job's id and where to follow it."""
    response = jsonify({"job_id": job["id"], "status": job["status"], "status_url": f"/api/jobs/{job['id']}"})
    return response, 202, {"Location": f"/api/jobs/{job['id']}"}


def whole_param(text: str | None, field: str, low: int, high: int | None) -> int | None:
    """An optional whole-number query parameter within [low, high]; FieldError naming it otherwise."""
    if text is None:
        return None
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= (high or 10**9):  # not "²"
        raise FieldError(field, f"{text[:20]!r} is not a whole number from {low} to {high or 10**9:,}")
    return int(text)


def json_body() -> tuple[Any, Any]:
    """The parsed JSON body, or an error response (415 wrong type, 413 too large, 400 not JSON)."""
    if not request.is_json:
        return None, error(415, "unsupported_media_type", "body", "send application/json")
    if (request.content_length or 0) > MAX_JSON_BYTES:
        return None, error(413, "too_large", "body", f"request body is over {MAX_JSON_BYTES // 2**20} MB")
    request.max_content_length = MAX_JSON_BYTES  # a chunked body too: read no further than this (413)
    try:
        return parse_json_body(request.get_data()), None
    except BodyError as exc:
        return None, error(400, exc.code, exc.field, exc.message)


class FiniteJSONProvider(DefaultJSONProvider):
    """Strict JSON answers: a NaN or infinity (a metric undefined on one class, a KS statistic of an empty
    column) becomes null instead of the bare ``NaN`` that JSON parsers reject. The strict first attempt costs
    nothing; only an answer holding such a number is walked."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        try:
            return super().dumps(obj, allow_nan=False, **kwargs)
        except ValueError:
            return super().dumps(_finite(obj), **kwargs)


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
