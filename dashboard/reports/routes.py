"""Reports out of the app, over REST:

- ``GET /api/export?url=<a view's permalink: path and query>&format=html|pdf[&paper=a4|letter]``: one view;
- ``GET /api/reports/<id>/export?format=html|pdf``: a saved report, every pinned view in one file (plotly.js
  once);
- ``/api/reports``: saved reports (list, create, read, edit with the version it was made on, pin, delete).

Reading and exporting need the read role, editing the editor role. A view that cannot be drawn is refused by
name when exported alone; inside a report it becomes a note and the rest is exported.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from dashboard.api.http import json_body
from dashboard.data.catalog import DatasetNotFoundError
from dashboard.data.reports import (
    PinnedView,
    ReportNotFound,
    StaleReport,
    check_note,
)
from dashboard.errors import FieldError, ResultExpired, user_message
from dashboard.reports import pdf
from dashboard.reports.html import Part, Section, render, render_report
from dashboard.reports.views import build, permalink
from dashboard.web.auth import access, api_error, identity, require_api_role
from model_store import InvalidModelNameError, ModelNotFoundError

MODEL_ERRORS = (ModelNotFoundError, InvalidModelNameError)

FORMATS = {"html": "text/html", "pdf": "application/pdf"}


def create_reports_blueprint() -> Blueprint:
    reports = Blueprint("reports", __name__, url_prefix="/api")

    @reports.errorhandler(ReportNotFound)
    def _no_report(_exc):
        return api_error(404, "not_found", "report", "no saved report has this id")

    @reports.errorhandler(StaleReport)
    def _stale(exc):
        return api_error(409, "stale_version", "version", str(exc))

    @reports.errorhandler(FieldError)
    def _refused(exc):
        return _field_error(exc)

    @reports.errorhandler(BodyRefused)
    def _bad_body(exc):
        return exc.response

    @reports.get("/export")
    @require_api_role("read")
    def export():
        return _export(lambda: _view_file(request.args.get("url")))

    @reports.get("/reports/<report_id>/export")
    @require_api_role("read")
    def export_report(report_id: str):
        return _export(lambda: _report_file(report_id))

    @reports.get("/reports")
    @require_api_role("read")
    def list_reports():
        return jsonify({"reports": [_summary(r) for r in _store().list()]})

    @reports.post("/reports")
    @require_api_role("editor")
    def create_report():
        body = _object_body()
        report = _store().create(body.get("title"), _who(), _views(body.get("views", [])))
        return jsonify(report.to_dict()), 201

    @reports.get("/reports/<report_id>")
    @require_api_role("read")
    def get_report(report_id: str):
        return jsonify(_store().get(report_id).to_dict())

    @reports.patch("/reports/<report_id>")
    @require_api_role("editor")
    def edit_report(report_id: str):
        body = _object_body()
        version = body.get("version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise FieldError("version", "send the version the edit was made on (a whole number)")
        views = _views(body["views"]) if "views" in body else None
        report = _store().update(report_id, version=version, title=body.get("title"), views=views)
        return jsonify(report.to_dict())

    @reports.post("/reports/<report_id>/views")
    @require_api_role("editor")
    def pin_view(report_id: str):
        (view,) = _views([_object_body()], field="body")
        return jsonify(_store().pin(report_id, view).to_dict()), 201

    @reports.delete("/reports/<report_id>")
    @require_api_role("editor")
    def delete_report(report_id: str):
        _store().delete(report_id)
        return "", 204

    return reports


def _export(document):
    """``document()``'s (HTML, file name) answered as HTML or printed to PDF, or the named refusal."""
    try:
        fmt = request.args.get("format", "html")
        if fmt not in FORMATS:
            raise FieldError("format", f"choose html or pdf, not {fmt[:20]!r}")
        paper = pdf.paper_of(request.args.get("paper"))
        body, name = document()
        content = pdf.to_pdf(body, paper, _work_dir()) if fmt == "pdf" else body
    except ResultExpired as exc:
        return api_error(409, "not_computed", "url", str(exc))
    except DatasetNotFoundError:
        return api_error(404, "not_found", "url.dataset", "the view's dataset is not in the catalog (deleted?)")
    except MODEL_ERRORS:
        return api_error(404, "not_found", "url.model", "no stored model has this name and version")
    except pdf.PdfUnavailable as exc:
        return api_error(503, "pdf_unavailable", "format", str(exc))
    except FieldError as exc:
        return _field_error(exc)
    name = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")[:80] or "report"
    headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    return Response(content, mimetype=FORMATS[fmt], headers=headers)


def _services():
    return current_app.extensions["dashboard"]


def _store():
    return _services().reports


def _work_dir() -> Path:
    return Path(_services().settings.cache_dir) / "pdf"


def _who() -> str:
    """Who made the report: the API key's user, else the logged-in (or local) user."""
    key = request.headers.get("X-API-Key", "")
    user = access().api_user(key) if key else None
    return (user or identity().user).name


class BodyRefused(Exception):
    """A request body that is not JSON, too large or not an object: its answer is ready."""

    def __init__(self, response) -> None:
        super().__init__("request body refused")
        self.response = response


def _object_body() -> dict[str, Any]:
    body, problem = json_body()
    if problem is not None:
        raise BodyRefused(problem)
    if not isinstance(body, dict):
        raise BodyRefused(api_error(400, "invalid_input", "body", "send a JSON object"))
    return body


def _views(entries: Any, field: str = "views") -> list[PinnedView]:
    """Pinned views as sent: each a permalink of an exported page and an optional note."""
    if not isinstance(entries, list):
        raise FieldError(field, "a list of {url, note} objects")
    views = []
    for index, entry in enumerate(entries):
        where = f"{field}[{index}]" if field == "views" else field
        if not isinstance(entry, dict):
            raise FieldError(where, "each view is an object with a url and an optional note")
        permalink(entry.get("url"), f"{where}.url")
        views.append(PinnedView(entry["url"], check_note(entry.get("note"), f"{where}.note")))
    return views


def _summary(report) -> dict[str, Any]:
    """A report in the list: everything but its views' notes, with their count."""
    return {
        "id": report.id,
        "title": report.title,
        "owner": report.owner,
        "created": report.created,
        "updated": report.updated,
        "version": report.version,
        "views": len(report.views),
    }


def _field_error(exc: FieldError):
    code = 404 if exc.field.endswith(".path") else 400
    return api_error(code, "not_found" if code == 404 else "invalid_input", exc.field, exc.message)


def _stamp() -> dict[str, str]:
    return {"exported": datetime.now(UTC).isoformat(timespec="seconds"), "app version": package_version("dashboard")}


def _view_file(url: Any) -> tuple[str, str]:
    title, source, sections, name = build(_services(), url)
    # The permalink as asked (path and query): never a host read from the request, which a client sets.
    return render(title, {**source, "permalink": url, **_stamp()}, sections), name


def _report_file(report_id: str) -> tuple[str, str]:
    report = _store().get(report_id)
    if not report.views:
        raise FieldError("report.views", "this report has no views yet: pin a view to it first")
    parts = []
    for view in report.views:
        try:
            title, source, sections, _ = build(_services(), view.url)
            parts.append(Part(title, {**source, "permalink": view.url}, sections, view.note))
        except (ResultExpired, DatasetNotFoundError, FieldError, *MODEL_ERRORS) as exc:
            if isinstance(exc, DatasetNotFoundError):
                reason = "its dataset is no longer in the catalog"
            elif isinstance(exc, MODEL_ERRORS):
                reason = "its model version is no longer stored"
            else:
                reason = f"it cannot be drawn now ({user_message(exc)})"
            note = Section("Not exported", note=f"This view was not exported: {reason}.")
            parts.append(Part(view.url[:80], {"permalink": view.url}, [note], view.note))
    facts = {"report": report.id, "by": report.owner, "views": str(len(report.views)), **_stamp()}
    return render_report(report.title, facts, parts), f"report-{report.title}"
