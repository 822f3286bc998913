"""/reports: saved reports (pinned views with notes), one chosen by its permalink ``?report=<id>`` to reorder,
annotate, rename, export as HTML or PDF, or delete (the pages' "Pin" control is layouts/widgets.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.data.reports import MAX_NOTE, MAX_TITLE, Report, ReportNotFound
from layouts.common import dom_id, editor_only, is_embed, services
from layouts.reports_ids import ReportsIds


def layout(report: str | None = None, embed: str | None = None, saved: str | None = None, **_other: str) -> html.Div:
    svc = services()
    reports = svc.reports.list() if svc else []
    chosen, problem = None, None
    if report:
        try:
            chosen = svc.reports.get(report) if svc else None
        except ReportNotFound:
            problem = dbc.Alert(f"report: no saved report has the id {str(report)[:40]!r}", color="warning")
    if chosen is not None and saved:
        problem = dbc.Alert(f"Saved: version {chosen.version}.", color="success", dismissable=True, className="py-2")
    listing = dbc.Col(
        [
            html.H5("Reports"),
            report_list(reports, chosen.id if chosen else None),
            editor_only(
                html.Div(
                    [
                        dbc.Label("A new report", html_for=ReportsIds.NEW_TITLE, className="small mt-3"),
                        dbc.Input(id=ReportsIds.NEW_TITLE, placeholder="Title", maxLength=MAX_TITLE),
                        dbc.Button("Create", id=ReportsIds.CREATE_BUTTON, size="sm", className="mt-2"),
                    ]
                )
            ),
        ],
        lg=3,
        style={"display": "none"} if is_embed(embed) else None,
    )
    editor = dbc.Col(
        [html.Div(problem, id=ReportsIds.ALERT), html.Div(report_editor(chosen), id=ReportsIds.EDITOR)], lg=9
    )
    return html.Div(
        [
            dcc.Location(id=ReportsIds.LOCATION, refresh="callback-nav"),
            html.H2("Reports"),
            html.P(
                "Pin views from Explore data, Train, Clusters, Recommend (beside their permalink) and model "
                "cards, add notes between them, reorder, and export the whole report as one offline HTML file or a "
                "PDF.",
                className="text-muted",
            ),
            dbc.Row([listing, editor]),
        ]
    )


def report_list(reports: list[Report], chosen: str | None) -> Any:
    if not reports:
        return html.P("No reports yet.", className="text-muted small")
    return dbc.ListGroup(
        [
            dbc.ListGroupItem(
                [html.Div(r.title), html.Small(f"{len(r.views)} views · {_when(r.updated)}")],
                href=f"/reports?report={r.id}",
                active=r.id == chosen,
            )
            for r in reports
        ],
        id=ReportsIds.LIST,
        tag="nav",  # links, not list items: a <ul> of <a> is not a list to assistive technology
    )


def report_editor(report: Report | None) -> Any:
    """The chosen report's editor; with none chosen, a hint (the controls stay in the page, hidden, for the
    page's callbacks)."""
    draft = (
        {"id": report.id, "version": report.version, "views": [v.__dict__ for v in report.views]} if report else None
    )
    export = f"/api/reports/{report.id}/export" if report else "#"
    about = f"By {report.owner}, version {report.version}, saved {_when(report.updated)}." if report else ""
    controls = html.Div(
        [
            dcc.Store(id=ReportsIds.DRAFT, data=draft),
            dbc.Label("Title", html_for=ReportsIds.TITLE),
            dbc.Input(id=ReportsIds.TITLE, value=report.title if report else "", maxLength=MAX_TITLE, className="mb-2"),
            html.Small(about, className="text-muted"),
            html.Div(view_rows(draft["views"] if draft else []), id=ReportsIds.VIEWS, className="my-3"),
            html.Div(
                [
                    editor_only(dbc.Button("Save", id=ReportsIds.SAVE_BUTTON, color="primary", className="me-2")),
                    *(
                        dbc.Button(
                            text,
                            id=link_id,
                            href=f"{export}?format={fmt}",
                            external_link=True,
                            color="outline-secondary",
                            className="me-2",
                        )
                        for text, link_id, fmt in (
                            ("Export HTML", ReportsIds.EXPORT_HTML, "html"),
                            ("Export PDF (A4)", ReportsIds.EXPORT_PDF, "pdf"),
                        )
                    ),
                    editor_only(dbc.Button("Delete", id=ReportsIds.DELETE_BUTTON, color="outline-danger")),
                ],
                className="d-flex flex-wrap gap-1",
            ),
            dcc.ConfirmDialog(
                id=ReportsIds.DELETE_CONFIRM, message=f"Delete the report {report.title!r}?" if report else ""
            ),
        ],
        hidden=report is None,
    )
    hint = html.P("Choose a report, or create one.", className="text-muted", hidden=report is not None)
    return [hint, controls]


def view_rows(views: list[dict[str, str]]) -> Any:
    if not views:
        return html.P("No views yet: pin one from Explore data or Train.", className="text-muted")
    rows = []
    for index, view in enumerate(views):
        moves = [
            dbc.Button(
                text,
                id={"type": ReportsIds.MOVE, "index": index, "step": step},
                size="sm",
                color="outline-secondary",
                title=title,
                disabled=disabled,
                className="me-1",
            )
            for text, step, title, disabled in (
                ("↑", -1, "Move up", index == 0),
                ("↓", 1, "Move down", index == len(views) - 1),
                ("Remove", 0, "Remove from the report", False),
            )
        ]
        rows.append(
            dbc.Card(
                dbc.CardBody(
                    [
                        html.Div(
                            [
                                html.Strong(f"{index + 1}. "),
                                html.A(view_label(view["url"]), href=view["url"], title=view["url"]),
                            ],
                            className="mb-1 text-break",
                        ),
                        dbc.Label(
                            f"Note before view {index + 1}",
                            html_for=dom_id({"type": ReportsIds.NOTE, "index": index}),
                            className="small text-muted mb-0",
                        ),
                        dbc.Textarea(
                            id={"type": ReportsIds.NOTE, "index": index},
                            value=view.get("note", ""),
                            placeholder="Shown before this view in the report",
                            maxLength=MAX_NOTE,
                            rows=2,
                            className="mb-2",
                        ),
                        editor_only(html.Div(moves)),
                    ]
                ),
                className="mb-2",
            )
        )
    return rows


def view_label(url: str) -> str:
    """A pinned view named as a person reads it: the page, then what its permalink chose."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    if parts.path == "/train":
        model = query.get("model", "a model").replace("_", " ")
        return f"Train: {model} on {query.get('dataset', '?')}, predicting {query.get('target', '?')}"
    if parts.path == "/recommend":
        return f"Recommend: {query.get('dataset', '?')}"
    if parts.path == "/models":
        return f"Model card: {query.get('model', '?')} v{query.get('version', '?')}"
    if parts.path == "/clusters":
        return f"Clusters: {query.get('algorithm', 'kmeans')} on {query.get('dataset', '?')}"
    if parts.path == "/data":
        column = (
            f", {query['column']}" + (f" by {query['split']}" if query.get("split") else "")
            if "column" in query
            else ""
        )
        return f"Explore data: {query.get('dataset', '?')}{column}"
    return url


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")
