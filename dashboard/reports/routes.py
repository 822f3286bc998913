"""``GET /api/export?url=<a view's permalink: path and query>&format=html``: the view as one offline HTML file.

The permalink is read as the page reads it (the same form reading, the same cached result); a view that is not
computed yet, a path that does not export, a dataset that is gone, or a URL that is not this app's are refused
by name. Each exported path has one builder in ``VIEWS``: (services, query) -> (title, source, sections, name).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from importlib.metadata import version as package_version
from urllib.parse import parse_qsl, urlsplit

from flask import Blueprint, Response, current_app, request

from dashboard.data.catalog import DatasetNotFoundError
from dashboard.errors import FieldError, ResultExpired
from dashboard.reports.explorer import explorer_sections
from dashboard.reports.html import render
from dashboard.reports.train import train_sections
from dashboard.web.auth import api_error, require_api_role
from layouts.common import query_int, query_number
from layouts.explorer import DEFAULT_DATASET as DEFAULT_EXPLORED
from layouts.train_form import DEFAULT_DATASET, read_form

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
            title, source, sections, name = VIEWS[path](current_app.extensions["dashboard"], query)
        except ResultExpired as exc:
            return api_error(409, "not_computed", "url", str(exc))
        except DatasetNotFoundError:
            return api_error(404, "not_found", "url.dataset", "the view's dataset is not in the catalog (deleted?)")
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
        name = re.sub(r"[^a-z0-9-]+", "-", name.lower())
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
    if parts.path not in VIEWS:
        exported = ", ".join(VIEWS)
        raise FieldError("url.path", f"{parts.path[:64]!r} does not export yet (views that do: {exported})")
    return parts.path, dict(parse_qsl(parts.query, keep_blank_values=False))


def _train(services, query: dict[str, str]):
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
    title, source, sections = train_sections(
        services.training,
        services.diagnostics,
        spec,
        threshold=query_number(query.get("threshold", "0.5"), 0.5, -1e9, 1e9),
        by=by or None,
        shap_rows=query_int(query["shap"], 500, 10, 2000) if "shap" in query else None,
    )
    return title, source, sections, f"train-{spec.dataset}-{spec.estimator}"


def _explorer(services, query: dict[str, str]):
    dataset = query.get("dataset", DEFAULT_EXPLORED)
    if not services.catalog.exists(dataset):
        raise DatasetNotFoundError(dataset)
    title, source, sections = explorer_sections(services.explorer, dataset, query)
    return title, source, sections, f"data-{dataset}"


VIEWS = {"/train": _train, "/data": _explorer}
