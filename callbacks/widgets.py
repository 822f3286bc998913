"""What every page's callbacks share: the run/cancel/progress grammar of a background job, and the
permalink binding (the address bar follows the form)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, NamedTuple

from dash import Input, Output, State

from layouts.widgets import export_pdf_id


def background_run(
    run_button: str,
    cancel_button: str | None = None,
    *,
    progress: Sequence[Output] = (),
    disabled: Sequence[str] = (),
    shown: Sequence[str] = (),
) -> dict[str, Any]:
    """Keyword arguments of a background callback, the same on every page: ``run_button`` (and any
    ``disabled`` control) is disabled while the job runs; ``cancel_button`` is enabled only then and cancels
    it; ``progress`` outputs take the job's ``set_progress`` values; ``shown`` panels (hidden until there is
    something to draw) are shown from the first run on."""
    running = [(Output(run_button, "disabled"), True, False)]
    running += [(Output(control, "disabled"), True, False) for control in disabled]
    if cancel_button is not None:
        running.append((Output(cancel_button, "disabled"), False, True))
    running += [(Output(panel, "hidden"), False, False) for panel in shown]
    kwargs: dict[str, Any] = {"background": True, "running": running}
    if cancel_button is not None:
        kwargs["cancel"] = [Input(cancel_button, "n_clicks")]
    if progress:
        kwargs["progress"] = list(progress)
    return kwargs


class QueryField(NamedTuple):
    """One query parameter of a page's permalink: its key, the control it reads (``value`` unless said),
    how a list is joined, and what an empty value is written as (``"-"``: deliberately none; None: left
    out, so the page's default applies)."""

    key: str
    component_id: str
    prop: str = "value"
    join: str = ","
    empty: str | None = None


def bind_permalink(
    app,
    link_id: str,
    fields: Sequence[QueryField],
    *,
    params_id: Any = None,
    embed_code_id: str | None = None,
) -> None:
    """The address bar and the page's permalink follow ``fields`` (and, with ``params_id``, a pattern of
    parameter controls written as ``p_<name>``), without re-rendering the page; with ``embed_code_id`` the
    view's iframe snippet too. One generic clientside function (assets/permalink.js) for every page."""
    spec = {
        "fields": [[f.key, f.join, f.empty] for f in fields],
        "params": params_id is not None,
        "embed": embed_code_id is not None,
    }
    outputs = [Output(link_id, "href")] + ([Output(embed_code_id, "value")] if embed_code_id else [])
    inputs = [Input(f.component_id, f.prop) for f in fields]
    if params_id is not None:
        inputs += [Input(params_id, "value"), State(params_id, "id")]
    app.clientside_callback(
        f"function () {{ return window.dash_clientside.dashboard.syncFields({json.dumps(spec)}, arguments); }}",
        *outputs,
        *inputs,
    )


def bind_export_link(app, link_id: str, permalink_id: str) -> None:
    """``link_id`` downloads what the page's permalink names as one offline HTML file, and its PDF twin
    (``export_pdf_id(link_id)``) the same view as a PDF (GET /api/export)."""
    app.clientside_callback(
        """function (href) {
            if (!href || href === "#") { return ["#", "#"]; }
            var link = new URL(href, window.location.href);
            var url = "/api/export?url=" + encodeURIComponent(link.pathname + link.search);
            return [url + "&format=html", url + "&format=pdf"];
        }""",
        Output(link_id, "href"),
        Output(export_pdf_id(link_id), "href"),
        Input(permalink_id, "href"),
    )
