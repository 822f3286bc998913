"""``GET /api/export?url=<a view's permalink: path and query>&format=html``: the view as one offline HTML file.

The permalink is read as the page reads it (the same form reading, the same cached result); a view that is not
computed yet, a path that does not export, or a URL that is not this app's are refused by name.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from importlib.metadata import version as package_version
from urllib.parse import parse_qsl, urlsplit

from flask import Blueprint, Response, current_app, request

from dashboard.errors import FieldError, ResultExpired
from dashboard.reports.html import render
from dashboard.reports.train import train_sections
from dashboard.web.auth import api_error, require_api_role
from layouts.common import query_int, query_number
from layouts.train_form import DEFAULT_DATASET, read_form

EXPORTED_PATHS = ("/train",)
MAX_URL = 4000


def create_reports_blueprint() -> Blueprint:
    reports = Blueprint("reports", __name__, url_prefix="/api")

    @reports.get("/export")
    @require_api_role("read")
    def export():
        try:
            path, query = _permalink(request.args.get("url"))
            if request.args.get("format", "html") != "html":
                raise FieldError("format", "html is the export format available (PDF is not built yet)")
            title, source, sections = _train(query)
        except ResultExpired as exc:
            return api_error(409, "not_computed", "url", str(exc))
        except FieldError as exc:
            code = 404 if exc.field == "url.path" else 400
            return api_error(code, "not_found" if code == 404 else "invalid_input", exc.field, exc.message)
        # The permalink as asked (path and query): never a host read from the request, which a client sets.
        permalink = f"{path}?{request.args.get('url', '').partition('?')[2]}"
        source = {
            **source,
            "permalink": permalink,
            "exported": datetime.now(UTC).isoformat(timespec="seconds"),
            "app version": package_version("dashboard"),
        }
        body = render(title, source, sections)
        name = re.sub(r"[^a-z0-9-]+", "-", f"train-{query.get('dataset', '')}-{query.get('model', '')}".lower())
        headers = {"Content-Disposition": f'attachment; filename="{name.strip("-")[:80]}.html"'}
        return Response(body, mimetype="text/html", headers=headers)

    return reports


def _permalink(url: object) -> tuple[str, dict[str, str]]:
    """The path and query of one of this app's views: a path only, never another site."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL:
        raise FieldError("url", "give the view's permalink: its path and query, such as /train?dataset=titanic")
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        raise FieldError("url", "give the path and query of a view of this app, not a full address")
    if parts.path not in EXPORTED_PATHS:
        exported = ", ".join(EXPORTED_PATHS)
        raise FieldError("url.path", f"{parts.path[:64]!r} does not export yet (views that do: {exported})")
    return parts.path, dict(parse_qsl(parts.query, keep_blank_values=False))


def _train(query: dict[str, str]):
    services = current_app.extensions["dashboard"]
    form = read_form(
        query.get("dataset", DEFAULT_DATASET),
        query.get("target"),
        query.get("features"),
        query.get("model"),
        {**query, "opts": query.get("opts", "stratified,shuffle")},
    )
    spec = form.spec()
    if spec is None:
        raise ResultExpired("this view has not been computed yet: open it in the dashboard and run it")
    by = [c for c in query.get("by", "").split(",") if c][:2]
    return train_sections(
        services.training,
        services.diagnostics,
        spec,
        threshold=query_number(query.get("threshold", "0.5"), 0.5, -1e9, 1e9),
        by=by or None,
        shap_rows=query_int(query["shap"], 500, 10, 2000) if "shap" in query else None,
    )
