"""REST API for models and jobs: list, cards, synchronous predict, asynchronous batch jobs."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, g, jsonify, request, send_file

from dashboard.api import http as common
from dashboard.api.jsonbody import BodyError, check_record_numbers
from dashboard.api.openapi import openapi_document
from dashboard.data.incoming import spool_to_disk
from dashboard.data.upload_base import UploadError
from dashboard.data.uploads import too_large_message
from dashboard.errors import FieldError, logged_reference
from dashboard.jobs.queue import JobNotFoundError
from dashboard.web.auth import api_error as error
from dashboard.web.auth import require_api_role
from model_store import CorruptModelError, InvalidModelNameError, ModelNotFoundError, SchemaError, UnsafeArtifactError


def _instances(body: Any) -> list[Any]:
    if isinstance(body, dict) and "instances" in body:
        instances = body["instances"]
        if not isinstance(instances, list):
            raise SchemaError({"instances": "must be a list of records"})
        return instances
    if isinstance(body, dict):
        return [body]  # a single record
    raise SchemaError({"body": 'expected {"instances": [...]} or one record object'})


def _field_names(card: dict[str, Any]) -> list[str]:
    return [field["name"] for field in card.get("schema", {}).get("fields", [])]


def create_models_blueprint() -> Blueprint:
    api = Blueprint("api_models", __name__, url_prefix="/api")

    @api.get("/models")
    @require_api_role("read")
    def list_models():
        healthy, corrupt = common.services().models.scan()
        return jsonify({"models": healthy + corrupt})

    @api.get("/models/<name>")
    @require_api_role("read")
    def model_card(name: str):
        version, alias = common.selector()
        try:
            return jsonify(common.services().models.card(name, version, alias=alias))
        except (InvalidModelNameError, ModelNotFoundError, CorruptModelError) as exc:
            return common.model_error(exc)

    @api.get("/models/<name>/history")
    @require_api_role("read")
    def model_history(name: str):
        """Every save, alias move and delete, newest first: who, when, from → to."""
        try:
            return jsonify({"model": name, "events": common.services().models.history(name)})
        except (InvalidModelNameError, ModelNotFoundError) as exc:
            return common.model_error(exc)

    @api.post("/models/<name>/predict")
    @require_api_role("viewer")
    def predict(name: str):
        body, failure = common.json_body()
        if failure:
            return failure
        services = common.services()
        try:
            records = _instances(body)
            if len(records) > services.settings.max_predict_rows:
                return error(
                    413,
                    "too_many_instances",
                    "instances",
                    f"{len(records):,} records is over {services.settings.max_predict_rows:,}; use /jobs",
                )
            version, alias = common.selector()
            loaded = services.models.load(name, version, alias=alias)
            check_record_numbers(records, _field_names(loaded.card))
            explain_with = None
            if request.args.get("explain", "false").lower() in ("true", "1", "yes"):
                explain_with = lambda: services.models.background(loaded.name, loaded.version)  # noqa: E731
            answer = services.serving.predict(loaded, records, explain_with=explain_with)
            services.predictions.record(answer, records, door="rest", request_id=g.request_id)
            return jsonify(answer)
        except FieldError as exc:
            return error(400, "cannot_explain" if exc.field == "explain" else "invalid_input", exc.field, exc.message)
        except BodyError as exc:
            return error(400, exc.code, exc.field, exc.message)
        except SchemaError as exc:
            field = next(iter(exc.errors), "body")
            return jsonify(
                {"error": {"code": "invalid_input", "field": field, "message": str(exc), "fields": exc.errors}}
            ), 400
        except (InvalidModelNameError, ModelNotFoundError, UnsafeArtifactError, CorruptModelError) as exc:
            return common.model_error(exc)
        except ValueError as exc:  # the library refused the checked input: its text goes to the log only
            message = "the model could not score these instances"
            return error(400, "unscorable_input", "instances", f"{message} ({logged_reference(exc, 'predict')})")

    @api.get("/models/<name>/predictions")
    @require_api_role("read")
    def logged_predictions(name: str):
        """The newest logged predictions (``?version=&limit=``, at most 10,000); ``?format=csv`` downloads."""
        try:
            common.services().models.resolve(name)  # an unknown model is a 404, not an empty log
            version = common.whole_param(request.args.get("version"), "version", 1, None)
            limit = common.whole_param(request.args.get("limit"), "limit", 1, 10_000) or 1000
            rows = common.services().predictions.rows(name, version, limit)
        except FieldError as exc:
            return error(400, "invalid_input", exc.field, exc.message)
        except (InvalidModelNameError, ModelNotFoundError) as exc:
            return common.model_error(exc)
        if request.args.get("format") == "csv":
            body = rows.to_csv(index=False)
            disposition = f'attachment; filename="{name}-predictions.csv"'
            return Response(body, mimetype="text/csv", headers={"Content-Disposition": disposition})
        return jsonify({"model": name, "predictions": rows.to_dict("records")})

    @api.post("/models/<name>/feedback")
    @require_api_role("editor")  # labels change what re-verification and retraining learn from, as in the UI
    def feedback(name: str):
        """Ground-truth labels by request id: ``{"labels": [{"request_id", "label", "row"?}, ...]}``."""
        body, failure = common.json_body()
        if failure:
            return failure
        try:
            common.services().models.resolve(name)
            labels = body.get("labels") if isinstance(body, dict) else None
            return jsonify(common.services().predictions.add_feedback(name, labels)), 201
        except FieldError as exc:
            return error(400, "invalid_input", exc.field, exc.message)
        except (InvalidModelNameError, ModelNotFoundError) as exc:
            return common.model_error(exc)

    @api.put("/models/<name>/prediction-log")
    @require_api_role("editor")
    def switch_prediction_log(name: str):
        """``{"enabled": false}`` stops logging this model's predictions; ``true`` starts it again."""
        body, failure = common.json_body()
        if failure:
            return failure
        enabled = body.get("enabled") if isinstance(body, dict) else None
        if not isinstance(enabled, bool):
            return error(400, "invalid_input", "enabled", 'send {"enabled": true} or {"enabled": false}')
        try:
            common.services().models.resolve(name)
        except (InvalidModelNameError, ModelNotFoundError) as exc:
            return common.model_error(exc)
        common.services().predictions.set_enabled(name, enabled)
        return jsonify({"model": name, "enabled": enabled})

    @api.post("/models/<name>/jobs")
    @require_api_role("viewer")
    def submit_job(name: str):
        """Async batch: JSON ``{"instances": [...]}`` or a CSV body (text/csv). 202 + job id."""
        services = common.services()
        version, alias = common.selector()
        try:
            choice = services.models.choose(name, version, alias=alias)
        except (InvalidModelNameError, ModelNotFoundError, CorruptModelError) as exc:
            return common.model_error(exc)
        number, chosen = choice.version, {"alias": choice.alias, "chosen_by": choice.reason}
        limit = services.settings.max_upload_bytes
        if (request.content_length or 0) > limit:
            return error(413, "too_large", "body", too_large_message(request.content_length, limit))
        if request.mimetype == "text/csv":
            request.max_content_length = limit  # a chunked CSV over it is refused, never cut and scored
            try:  # spooled to disk in blocks, never whole in memory; over the limit (chunked too): 413
                spooled = spool_to_disk(request.stream, services.queue.root, limit)
            except UploadError as exc:
                return error(413, "too_large", "body", exc.message)
            if spooled.stat().st_size == 0:
                spooled.unlink()
                return error(400, "empty_body", "body", "the request has no data")
            params = {"model": name, "version": number, "format": "csv", **chosen}
            return common.job_accepted(services.queue.submit("batch_predict", params, spooled))
        elif request.is_json:
            body, failure = common.json_body()
            if failure:
                return failure
            try:
                records = _instances(body)
                check_record_numbers(records, _field_names(services.models.card(name, number)))
                payload, fmt = json.dumps(records).encode(), "json"
            except SchemaError as exc:
                return error(400, "invalid_input", next(iter(exc.errors)), str(exc))
            except BodyError as exc:
                return error(400, exc.code, exc.field, exc.message)
            except CorruptModelError as exc:
                return common.model_error(exc)
        else:
            return error(415, "unsupported_media_type", "body", "send text/csv or application/json")
        if not payload:
            return error(400, "empty_body", "body", "the request has no data")
        params = {"model": name, "version": number, "format": fmt, **chosen}
        job = services.queue.submit("batch_predict", params, payload)
        return common.job_accepted(job)

    @api.get("/jobs/<job_id>")
    @require_api_role("read")
    def job_status(job_id: str):
        try:
            record = common.services().queue.get(job_id)
        except JobNotFoundError as exc:
            return error(404, "not_found", "job", str(exc))
        return jsonify({k: v for k, v in record.items() if k not in ("owner_pid",)})

    @api.post("/jobs/<job_id>/cancel")
    @require_api_role("viewer")
    def cancel_job(job_id: str):
        try:
            return jsonify(common.services().queue.cancel(job_id))
        except JobNotFoundError as exc:
            return error(404, "not_found", "job", str(exc))

    @api.get("/jobs/<job_id>/result.csv")
    @require_api_role("read")
    def job_result(job_id: str):
        try:
            path = common.services().queue.result_file(job_id, "result.csv")
        except JobNotFoundError:
            return error(404, "not_found", "job", "no result for this job (yet)")
        return send_file(path, mimetype="text/csv", as_attachment=True, download_name=f"predictions-{job_id}.csv")

    @api.get("/openapi.json")
    def openapi():
        services = common.services()
        return jsonify(openapi_document(services.models.list(), services.models, services.settings))

    return api
