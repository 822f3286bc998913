"""REST API for monitoring a stored version: its drift report, its re-verification on fresh labelled data
(kept as the version's evaluation history), retraining as a background job, and its diagnostics on data
(SHAP over many rows, calibration, metrics per subgroup). The same service calls as
the Models page's monitoring card; ``data`` names a dataset of the catalog or ``@log``, the version's own
prediction log (for re-verify and retrain: the logged rows whose label came back through feedback)."""

from __future__ import annotations

import math
from functools import wraps
from typing import Any

from flask import Blueprint, jsonify, request

from dashboard.api import http as common
from dashboard.errors import FieldError, NotApplicable, NotEnoughData, UnknownSource
from dashboard.monitoring.service import LOG_SOURCE
from dashboard.web.auth import api_error as error
from dashboard.web.auth import require_api_role

MAX_NAME = 200  # longer than any dataset id: rejected before it reaches the catalog


def _source(value: Any) -> str:
    if value is None:
        return LOG_SOURCE
    if not isinstance(value, str) or not value or len(value) > MAX_NAME:
        raise FieldError("data", f"name a dataset or {LOG_SOURCE!r} (the prediction log)")
    return value


def _body_source(body: Any) -> tuple[str, bool]:
    """``{"data": ..., "union": ...}`` of a JSON object body; both optional."""
    if not isinstance(body, dict):
        raise FieldError("body", 'send a JSON object such as {"data": "@log"}')
    union = body.get("union", False)
    if not isinstance(union, bool):
        raise FieldError("union", "must be true or false")
    return _source(body.get("data")), union


def _field_error(exc: FieldError):
    """404 for data that does not exist, 409 for data with too little in it yet or a question this model or
    data cannot answer, else 400."""
    if isinstance(exc, UnknownSource):
        return error(404, "not_found", exc.field, exc.message)
    if isinstance(exc, NotEnoughData):
        return error(409, "not_enough_data", exc.field, exc.message)
    if isinstance(exc, NotApplicable):
        return error(409, "not_applicable", exc.field, exc.message)
    return error(400, "invalid_input", exc.field, exc.message)


def _answering_errors(view):
    """Bad input and unknown models or versions become named JSON errors."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except FieldError as exc:
            return _field_error(exc)
        except common.MODEL_ERRORS as exc:
            return common.model_error(exc)

    return wrapper


def _int_arg(key: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(key)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise FieldError(key, f"must be a whole number from {low:,} to {high:,}") from None
    if not low <= value <= high:
        raise FieldError(key, f"must be a whole number from {low:,} to {high:,}")
    return value


def _float_arg(key: str) -> float | None:
    raw = request.args.get(key)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise FieldError(key, "must be a number") from None
    if not math.isfinite(value):
        raise FieldError(key, "must be a finite number")
    return value


def _version(name: str) -> int:
    """The version ``?version=`` or ``?alias=`` selects (neither: the default)."""
    version, alias = common.selector()
    return common.services().models.resolve(name, version, alias=alias)


def create_monitoring_blueprint() -> Blueprint:
    api = Blueprint("api_monitoring", __name__, url_prefix="/api")

    @api.get("/models/<name>/drift")
    @require_api_role("read")
    @_answering_errors
    def drift(name: str):
        """Per-column drift (PSI, KS / chi²) between the version's training sample and ``?data=``."""
        source = _source(request.args.get("data"))
        return jsonify(common.services().monitoring.drift(name, _version(name), source))

    @api.get("/models/<name>/shap")
    @require_api_role("read")
    @_answering_errors
    def shap(name: str):
        """Mean |SHAP| and per-row values by input column on a seeded sample of ``?data=``'s rows."""
        rows = _int_arg("rows", 200, 10, 2000)
        seed = _int_arg("seed", 0, 0, 2**31 - 1)
        source = _source(request.args.get("data"))
        return jsonify(common.services().monitoring.shap(name, _version(name), source, rows, seed))

    @api.get("/models/<name>/calibration")
    @require_api_role("read")
    @_answering_errors
    def calibration(name: str):
        """Reliability bins, Brier score and expected calibration error on ``?data=``'s labelled rows."""
        source = _source(request.args.get("data"))
        return jsonify(common.services().monitoring.calibration(name, _version(name), source))

    @api.get("/models/<name>/subgroups")
    @require_api_role("read")
    @_answering_errors
    def subgroups(name: str):
        """Every metric per group of ``?by=`` (one column, or two joined by a comma) on ``?data=``'s labelled rows."""
        by = [c for c in (request.args.get("by") or "").split(",") if c]
        if not 1 <= len(by) <= 2 or any(len(c) > MAX_NAME for c in by):
            raise FieldError("by", "name one column, or two joined by a comma")
        threshold = _float_arg("threshold")
        source = _source(request.args.get("data"))
        return jsonify(common.services().monitoring.subgroups(name, _version(name), source, by, threshold))

    @api.get("/models/<name>/evaluations")
    @require_api_role("read")
    @_answering_errors
    def evaluations(name: str):
        """The version's evaluation history, oldest first."""
        number = _version(name)
        history = common.services().models.evaluations(name, number)
        return jsonify({"model": name, "version": number, "evaluations": history})

    @api.post("/models/<name>/evaluations")
    @require_api_role("editor")
    @_answering_errors
    def reverify(name: str):
        """Re-verify on ``{"data": ...}``: the metrics now beside the card's CV metrics, kept in the history."""
        body, failure = common.json_body()
        if failure:
            return failure
        source, _ = _body_source(body)
        return jsonify(common.services().monitoring.reverify(name, _version(name), source)), 201

    @api.post("/models/<name>/retrain")
    @require_api_role("editor")
    @_answering_errors
    def retrain(name: str):
        """Retrain the version's spec on ``{"data": ..., "union": false}`` as a job; 202 + its id. The new
        version's card names its parent; no alias moves."""
        body, failure = common.json_body()
        if failure:
            return failure
        source, union = _body_source(body)
        number = _version(name)
        services = common.services()
        services.monitoring.check_retrain(name, number, source)
        params = {"model": name, "version": number, "data": source, "union": union}
        return common.job_accepted(services.queue.submit("retrain", params, b""))

    return api
