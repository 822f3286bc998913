"""The OpenAPI paths of exports and saved reports (``dashboard.reports.routes``)."""

from __future__ import annotations

from typing import Any

from dashboard.api.openapi_parts import errors, json_body, json_content, operation
from dashboard.data.reports import MAX_NOTE, MAX_TITLE, MAX_VIEWS

NOT_BLANK = r"\S"
EXPORT_URL = {
    "type": "string",
    "minLength": 1,
    "maxLength": 4000,
    "pattern": "^/[^/]",
    "description": "a view's permalink: its path and query, such as /train?dataset=titanic&target=Survived",
}
FORMAT = {"name": "format", "in": "query", "required": False, "schema": {"type": "string", "enum": ["html", "pdf"]}}
PAPER = {"name": "paper", "in": "query", "required": False, "schema": {"type": "string", "enum": ["a4", "letter"]}}
REPORT_ID = {
    "name": "report_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,32}$"},
}
PINNED = {
    "type": "object",
    "required": ["url"],
    "properties": {"url": EXPORT_URL, "note": {"type": "string", "maxLength": MAX_NOTE}},
}
TITLE = {"type": "string", "minLength": 1, "maxLength": MAX_TITLE, "pattern": NOT_BLANK}
REPORT = {
    "type": "object",
    "required": ["id", "title", "owner", "created", "updated", "version", "views"],
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "owner": {"type": "string"},
        "created": {"type": "number"},
        "updated": {"type": "number"},
        "version": {"type": "integer"},
        "views": {"type": "array", "items": PINNED},
    },
}
FILE = {
    "description": "ok",
    "content": {
        "text/html": {"schema": {"type": "string"}},
        "application/pdf": {"schema": {"type": "string", "format": "binary"}},
    },
}


def report_paths(need_key: dict[str, Any]) -> dict[str, Any]:
    return {
        "/api/export": {
            "parameters": [{"name": "url", "in": "query", "required": True, "schema": EXPORT_URL}, FORMAT, PAPER],
            "get": operation(
                "A view as one offline HTML file (plotly.js inlined, aggregates only, its source named) or its PDF: "
                "the view its permalink names, once computed (409 not_computed before; 503 pdf_unavailable without "
                "Chromium on the server)",
                need_key["read"],
                {"200": FILE, **errors(400, 404, 409, 503)},
            ),
        },
        "/api/reports": {
            "get": operation(
                "Saved reports, newest first (each with its number of views)",
                need_key["read"],
                {"200": json_content({"type": "object", "properties": {"reports": {"type": "array"}}})},
            ),
            "post": {
                **operation(
                    "Save a report: a title and pinned views (permalinks of exported pages, with notes)",
                    need_key["editor"],
                    {"201": json_content(REPORT, "created"), **errors(400, 404, 413, 415)},
                ),
                "requestBody": json_body(
                    {
                        "type": "object",
                        "required": ["title"],
                        "properties": {
                            "title": TITLE,
                            "views": {"type": "array", "maxItems": MAX_VIEWS, "items": PINNED},
                        },
                    }
                ),
            },
        },
        "/api/reports/{report_id}": {
            "parameters": [REPORT_ID],
            "get": operation("One saved report", need_key["read"], {"200": json_content(REPORT), **errors(404)}),
            "patch": {
                **operation(
                    "Edit a report on the version it was read at: a new title, and the views reordered, annotated "
                    "or removed (409 stale_version when it changed meanwhile)",
                    need_key["editor"],
                    {"200": json_content(REPORT), **errors(400, 404, 409, 413, 415)},
                ),
                "requestBody": json_body(
                    {
                        "type": "object",
                        "required": ["version"],
                        "properties": {
                            "version": {"type": "integer", "minimum": 1, "maximum": 10**9},
                            "title": TITLE,
                            "views": {"type": "array", "maxItems": MAX_VIEWS, "items": PINNED},
                        },
                    }
                ),
            },
            "delete": operation(
                "Delete a saved report",
                need_key["editor"],
                {"204": {"description": "deleted"}, **errors(404)},
            ),
        },
        "/api/reports/{report_id}/views": {
            "parameters": [REPORT_ID],
            "post": {
                **operation(
                    "Pin a view at the end of a report",
                    need_key["editor"],
                    {"201": json_content(REPORT, "pinned"), **errors(400, 404, 413, 415)},
                ),
                "requestBody": json_body(PINNED),
            },
        },
        "/api/reports/{report_id}/export": {
            "parameters": [REPORT_ID, FORMAT, PAPER],
            "get": operation(
                "A saved report as one offline HTML file (every view, plotly.js once) or its PDF (each view from a "
                "new page); a view that cannot be drawn now is a note (400 when the report has no views)",
                need_key["read"],
                {"200": FILE, **errors(400, 404, 503)},
            ),
        },
    }
