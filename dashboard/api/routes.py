"""REST API blueprint on ``app.server``: health and datasets (models and jobs come with the model store).

Errors are JSON ``{"error": {"code", "field", "message"}}`` with a fitting status code.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST
from werkzeug.exceptions import HTTPException

from dashboard.api import http as common
from dashboard.data.catalog import DatasetNotFoundError
from dashboard.data.incoming import spool_to_disk
from dashboard.data.upload_base import UploadError
from dashboard.data.uploads import too_large_message
from dashboard.jobs.layer import CODE_VERSION
from dashboard.metrics import exposition
from dashboard.web.auth import api_error as error
from dashboard.web.auth import require_api_role


def create_blueprint() -> Blueprint:
    api = Blueprint("api", __name__, url_prefix="/api")

    @api.get("/health")
    def health():
        services = common.services()
        return jsonify(
            {
                "status": "ok",
                "code_version": CODE_VERSION,
                "datasets": len(services.catalog.list()),
                "job_backend": services.settings.job_backend,
                "package": __name__.partition(".")[0],
            }
        )

    @api.get("/metrics")
    @require_api_role("read")
    def metrics():
        """Prometheus text format: request and callback latency, errors by code, predictions per model version,
        memo hits, job durations and the job queue's depth (see dashboard/metrics.py)."""
        body = exposition(common.services().queue.counts)
        return Response(body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    @api.get("/datasets")
    @require_api_role("read")
    def list_datasets():
        return jsonify({"datasets": [info.to_dict() for info in common.services().catalog.list()]})

    @api.get("/datasets/<dataset_id>")
    @require_api_role("read")
    def get_dataset(dataset_id: str):
        catalog = common.services().catalog
        if not catalog.exists(dataset_id):
            return error(404, "not_found", "dataset", f"no dataset named {dataset_id[:64]!r}")
        return jsonify(catalog.info(dataset_id).to_dict())

    @api.post("/datasets")
    @require_api_role("editor")
    def upload_dataset():
        """Multipart ``file`` (optional form field ``name``), or a raw body with ``?filename=``."""
        catalog = common.services().catalog
        limit = catalog.max_upload_bytes
        if request.content_length is not None and request.content_length > limit + 1_000_000:
            return error(413, "too_large", "file", too_large_message(request.content_length, limit))
        upload = request.files.get("file")  # werkzeug spools a large part to a temp file, not to memory
        if upload is not None:
            filename, body = upload.filename or "upload", upload.stream
        elif request.args.get("filename"):
            filename, body = request.args["filename"], request.stream
        else:
            return error(415, "unsupported_media_type", "file", "send multipart form data with a 'file' part")
        try:
            path = spool_to_disk(body, common.services().incoming.root, limit)
            try:
                info, notices = catalog.add_upload(filename, path, name=request.form.get("name") or None)
            finally:
                path.unlink(missing_ok=True)
        except UploadError as exc:
            return error(413 if exc.code == "too_large" else 400, exc.code, exc.field, exc.message)
        return jsonify({"dataset": info.to_dict(), "notices": notices}), 201

    @api.delete("/datasets/<dataset_id>")
    @require_api_role("editor")
    def delete_dataset(dataset_id: str):
        try:
            common.services().catalog.delete(dataset_id)
        except DatasetNotFoundError:
            return error(404, "not_found", "dataset", f"no dataset named {dataset_id[:64]!r}")
        except UploadError as exc:
            return error(400, exc.code, exc.field, exc.message)
        return "", 204

    @api.route("/<path:_unknown>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def unknown_endpoint(_unknown: str):
        # Without this, Dash's catch-all page route would answer unknown API paths with HTML. A path that
        # exists for other methods is a 405 naming them (this route matched only because it takes them all).
        allowed = _methods_of(request.path)
        if allowed:
            response, status = error(
                405, "method_not_allowed", "method", f"{request.method} is not one of {', '.join(allowed)}"
            )
            response.headers["Allow"] = ", ".join(allowed)
            return response, status
        return error(404, "not_found", "path", "no such API endpoint")

    return api


def _methods_of(path: str) -> list[str]:
    """The methods the API's other routes take on ``path``."""
    adapter = current_app.url_map.bind("localhost")
    allowed = []
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        try:
            endpoint, _ = adapter.match(path, method=method)
        except HTTPException:
            continue
        blueprint = current_app.blueprints.get(endpoint.partition(".")[0])
        api_route = blueprint is not None and (blueprint.url_prefix or "").startswith("/api")
        if api_route and not endpoint.endswith("unknown_endpoint"):  # not Dash's page route, not this one
            allowed.append(method)
    return allowed
