"""Controls several pages share: "Pin this view to a report" (/data, /train, /clusters, /recommend, a model card)."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.data.reports import MAX_NOTE
from layouts.common import editor_only, services
from layouts.reports_ids import NEW_REPORT, PinIds


def export_pdf_id(html_link_id: str) -> str:
    """The id of the PDF link beside a page's "Export this view" (HTML) link."""
    return f"{html_link_id}-pdf"


def export_links(html_link_id: str, class_name: str = "small d-block") -> html.Div:
    """ "Export this view: HTML · PDF", the hrefs set from the page's permalink (callbacks.widgets)."""
    return html.Div(
        [
            "Export this view: ",
            html.A("HTML", id=html_link_id, href="#", title="one offline HTML file"),
            " · ",
            html.A("PDF", id=export_pdf_id(html_link_id), href="#", title="A4, printed by the server"),
        ],
        className=class_name,
    )


def pin_panel(ids: PinIds) -> Any:
    """The share panel's "Pin to a report": the report (or a new one), a note, the button."""
    svc = services()
    reports = svc.reports.list() if svc else []  # newest first: pins in a row go to the report last edited
    options = [{"label": "A new report", "value": NEW_REPORT}] + [{"label": r.title, "value": r.id} for r in reports]
    return editor_only(
        html.Div(
            [
                dbc.Label("Pin this view to a report", html_for=ids.REPORT, className="small mt-2"),
                dcc.Dropdown(
                    id=ids.REPORT, options=options, value=reports[0].id if reports else NEW_REPORT, clearable=False
                ),
                dbc.Label("Note (optional)", html_for=ids.NOTE, className="small mt-1 mb-0"),
                dbc.Textarea(id=ids.NOTE, rows=2, maxLength=MAX_NOTE, className="small"),
                dbc.Button("Pin", id=ids.BUTTON, size="sm", color="outline-primary", className="mt-1"),
                html.Div(id=ids.ALERT, className="small mt-1"),
            ]
        )
    )
