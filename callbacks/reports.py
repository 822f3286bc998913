"""/reports and the pages' "Pin to a report": create, pin, reorder and annotate (a draft in the page), save on
the version it was read at, delete. After a save the page is drawn again from its permalink (callback-nav), so
what is shown is what is stored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from dash import ALL, Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from dashboard.data.reports import PinnedView, ReportNotFound, StaleReport, check_note
from dashboard.errors import FieldError
from dashboard.reports.views import permalink
from dashboard.services import Services
from dashboard.web.auth import identity
from layouts.clusters_ids import ClusterIds
from layouts.common import alert, error_alert
from layouts.explorer_ids import ExplorerIds
from layouts.models_ids import ModelsIds
from layouts.recommend_ids import RecommendIds
from layouts.reports import view_rows
from layouts.reports_ids import (
    CLUSTERS_PIN,
    DATA_PIN,
    MODELS_PIN,
    NEW_REPORT,
    RECOMMEND_PIN,
    TRAIN_PIN,
    PinIds,
    ReportsIds,
)
from layouts.train_ids import TrainIds

LOCATION = ReportsIds.LOCATION


def register(app, services: Services) -> None:
    store = services.reports

    @app.callback(
        Output(LOCATION, "href", allow_duplicate=True),
        Output(ReportsIds.ALERT, "children", allow_duplicate=True),
        Input(ReportsIds.CREATE_BUTTON, "n_clicks"),
        State(ReportsIds.NEW_TITLE, "value"),
        prevent_initial_call=True,
    )
    def create(clicks, title):
        if not clicks:
            raise PreventUpdate
        try:
            report = store.create(title, _who())
        except FieldError as exc:
            return no_update, error_alert(exc, "warning")
        return f"/reports?report={report.id}", no_update

    @app.callback(
        Output(ReportsIds.DRAFT, "data", allow_duplicate=True),
        Output(ReportsIds.VIEWS, "children"),
        Input({"type": ReportsIds.MOVE, "index": ALL, "step": ALL}, "n_clicks"),
        State({"type": ReportsIds.NOTE, "index": ALL}, "value"),
        State(ReportsIds.DRAFT, "data"),
        prevent_initial_call=True,
    )
    def move(clicks, notes, draft):
        trigger = ctx.triggered_id
        if not isinstance(draft, dict) or not isinstance(trigger, dict) or not any(clicks):
            raise PreventUpdate
        try:
            views = _with_notes(draft.get("views"), notes)
        except FieldError as exc:
            return no_update, error_alert(exc, "warning")
        index, step = trigger.get("index"), trigger.get("step")
        if not isinstance(index, int) or step not in (-1, 0, 1) or not 0 <= index < len(views):
            raise PreventUpdate
        if step == 0:
            views.pop(index)
        elif 0 <= index + step < len(views):
            views[index], views[index + step] = views[index + step], views[index]
        return {**draft, "views": views}, view_rows(views)

    @app.callback(
        Output(LOCATION, "href", allow_duplicate=True),
        Output(ReportsIds.ALERT, "children", allow_duplicate=True),
        Input(ReportsIds.SAVE_BUTTON, "n_clicks"),
        State(ReportsIds.TITLE, "value"),
        State({"type": ReportsIds.NOTE, "index": ALL}, "value"),
        State(ReportsIds.DRAFT, "data"),
        prevent_initial_call=True,
    )
    def save(clicks, title, notes, draft):
        if not clicks or not isinstance(draft, dict):
            raise PreventUpdate
        try:
            views = []
            for i, view in enumerate(_with_notes(draft.get("views", []), notes)):
                permalink(view["url"], f"views[{i}].url")  # the draft comes from the browser: checked as REST does
                views.append(PinnedView(view["url"], check_note(view.get("note"), f"views[{i}].note")))
            version = draft.get("version")
            if not isinstance(version, int) or isinstance(version, bool):
                raise FieldError("version", "this page's report has no version: reload it")
            store.update(draft.get("id"), version=version, title=title, views=views)
        except StaleReport:
            message = "Not saved: the report changed since this page was opened. Reload it, then edit again."
            return no_update, alert(message, "warning")
        except (FieldError, ReportNotFound) as exc:
            return no_update, error_alert(exc, "warning")
        return f"/reports?report={draft['id']}&saved=1", no_update

    app.clientside_callback(
        "function (clicks) { return !!clicks; }",
        Output(ReportsIds.DELETE_CONFIRM, "displayed"),
        Input(ReportsIds.DELETE_BUTTON, "n_clicks"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(LOCATION, "href", allow_duplicate=True),
        Output(ReportsIds.ALERT, "children", allow_duplicate=True),
        Input(ReportsIds.DELETE_CONFIRM, "submit_n_clicks"),
        State(ReportsIds.DRAFT, "data"),
        prevent_initial_call=True,
    )
    def delete(confirmed, draft):
        if not confirmed or not draft:
            raise PreventUpdate
        try:
            store.delete(draft["id"])
        except ReportNotFound as exc:
            return no_update, error_alert(exc, "warning")
        return "/reports", no_update

    for ids, permalink_id in (
        (DATA_PIN, ExplorerIds.PERMALINK_LINK),
        (TRAIN_PIN, TrainIds.PERMALINK_LINK),
        (CLUSTERS_PIN, ClusterIds.PERMALINK_LINK),
        (RECOMMEND_PIN, RecommendIds.PERMALINK_LINK),
    ):
        _bind_pin(app, store, ids, State(permalink_id, "href"), _path_and_query)
    _bind_pin(app, store, MODELS_PIN, State(ModelsIds.SELECTED_STORE, "data"), _model_card)


def _path_and_query(href: Any) -> str:
    parts = urlsplit(href if isinstance(href, str) else "")
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _model_card(selected: Any) -> str:
    """/models keeps its chosen version in a store, not a permalink link: the card's permalink from it."""
    if not isinstance(selected, dict):
        return ""
    return "/models?" + urlencode(
        {"model": str(selected.get("model", "")), "version": str(selected.get("version", ""))}
    )


def _bind_pin(app, store, ids: PinIds, source: State, permalink_of: Callable[[Any], str]) -> None:
    """``ids``'s Pin button adds the view ``permalink_of(source's value)`` names to the chosen report."""

    @app.callback(
        Output(ids.ALERT, "children"),
        Output(ids.REPORT, "options"),
        Output(ids.REPORT, "value"),
        Input(ids.BUTTON, "n_clicks"),
        State(ids.REPORT, "value"),
        State(ids.NOTE, "value"),
        source,
        prevent_initial_call=True,
    )
    def pin(clicks, report_id, note, value):
        if not clicks:
            raise PreventUpdate
        url = permalink_of(value)
        try:
            permalink(url)
            view = PinnedView(url, check_note(note, "note"))
            if report_id == NEW_REPORT:
                title = f"Report of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
                report = store.create(title, _who(), [view])
            else:
                report = store.pin(report_id, view)
        except (FieldError, ReportNotFound) as exc:
            return error_alert(exc, "warning"), no_update, no_update
        options = [{"label": "A new report", "value": NEW_REPORT}] + [
            {"label": r.title, "value": r.id} for r in store.list()
        ]
        message = html.Span(
            [
                f"Pinned as view {len(report.views)} of “{report.title}”. ",
                html.A("Open the report", href=f"/reports?report={report.id}"),
            ]
        )
        return alert(message, "success"), options, report.id


def _with_notes(views: list[dict[str, Any]], notes: list[Any]) -> list[dict[str, Any]]:
    """The draft's views with the notes as typed (the textareas hold the latest text)."""
    if not isinstance(views, list) or not all(isinstance(v, dict) and isinstance(v.get("url"), str) for v in views):
        raise FieldError("views", "this page's report is malformed: reload it")
    typed = list(notes or []) + [None] * len(views)
    return [
        {"url": v["url"], "note": typed[i] if typed[i] is not None else v.get("note", "")} for i, v in enumerate(views)
    ]


def _who() -> str:
    return identity().user.name
