"""REST API for monitoring a stored version: its drift report, its re-verification on fresh labelled data
(kept as the version's evaluation history) and retraining as a background job. The same service calls as
the Models page's monitoring card; ``data`` names a dataset of the catalog or ``@log``, the version's own
prediction log (for re-verify and retrain: the logged rows whose label came back through feedback)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from dashboard import api_common as common
from dashboard.auth import api_error as error
from dashboard.auth import require_api_role
from dashboard.errors import FieldError, NotEnoughData, UnknownSource
from dashboard.monitoring.service import LOG_SOURCE

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
    """404 for data that does not exist, 409 for data with too little in it yet, else 400."""
    if isinstance(exc, UnknownSource):
        return error(404, "not_found", exc.field, exc.message)
    if isinstance(exc, NotEnoughData):
        return error(409, "not_enough_data", exc.field, exc.message)
    return error(400, "invalid_input", exc.field, exc.message)


def create_monitoring_blueprint() -> Blueprint:
    api = Blueprint("api_monitoring", __name__, url_prefix="/api")

    @api.get("/models/<name>/drift")
    @require_api_role("read")
    def drift(name: str):
        """Per-column drift (PSI, KS / chi²) between the version's training sample and ``?data=``."""
        version, alias = common.selector()
        try:
            number = common.services().models.resolve(name, version, alias=alias)
            return jsonify(common.services().monitoring.drift(name, number, _source(request.args.get("data"))))
        except FieldError as exc:
            return _field_error(exc)
        except common.MODEL_ERRORS as exc:
            return common.model_error(exc)

    @api.get("/models/<name>/evaluations")
    @require_api_role("read")
    def evaluations(name: str):
        """The version's evaluation history, oldest first."""
        version, alias = common.selector()
        models = common.services().models
        try:
            number = models.resolve(name, version, alias=alias)
            return jsonify({"model": name, "version": number, "evaluations": models.evaluations(name, number)})
        except common.MODEL_ERRORS as exc:
            return common.model_error(exc)

    @api.post("/models/<name>/evaluations")
    @require_api_role("editor")
    def reverify(name: str):
        """Re-verify on ``{"data": ...}``: the metrics now beside the card's CV metrics, kept in the history."""
        body, failure = common.json_body()
        if failure:
            return failure
        version, alias = common.selector()
        services = common.services()
        try:
            source, _ = _body_source(body)
            number = services.models.resolve(name, version, alias=alias)
            return jsonify(services.monitoring.reverify(name, number, source)), 201
        except FieldError as exc:
            return _field_error(exc)
        except common.MODEL_ERRORS as exc:
            return common.model_error(exc)

    @api.post("/models/<name>/retrain")
    @require_api_role("editor")
    def retrain(name: str):
        """Retrain the version's spec on ``{"data": ..., "union": false}`` as a job; 202 + its id. The new
        version's card names its parent; no alias moves."""
        body, failure = common.json_body()
        if failure:
            return failure
        version, alias = common.selector()
        services = common.services()
        try:
            source, union = _body_source(body)
            number = services.models.resolve(name, version, alias=alias)
            services.monitoring.check_retrain(name, number, source)
        except FieldError as exc:
            return _field_error(exc)
        except common.MODEL_ERRORS as exc:
            return common.model_error(exc)
        params = {"model": name, "version": number, "data": source, "union": union}
        job = services.queue.submit("retrain", params, b"")
        response = jsonify({"job_id": job["id"], "status": job["status"], "status_url": f"/api/jobs/{job['id']}"})
        return response, 202, {"Location": f"/api/jobs/{job['id']}"}

    return api
