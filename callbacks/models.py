"""Models page callbacks: select a version, show its card, compare, set aliases, delete, download."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from dash import Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from dashboard.errors import user_message
from dashboard.services import Services
from layouts.common import alert, error_alert
from layouts.models import card_view, compare_view, grid_rows
from layouts.models_ids import ModelsIds
from layouts.widgets import export_pdf_id
from model_store import InvalidModelNameError, ModelNotFoundError, ModelStoreError
from model_store.compare import compare_cards

_STORE_ERRORS = (ModelNotFoundError, InvalidModelNameError, ModelStoreError)


def register(app, services: Services) -> None:
    store = services.models

    @app.callback(
        Output(ModelsIds.SELECTED_STORE, "data"),
        Input(ModelsIds.GRID, "selectedRows"),
        State(ModelsIds.SELECTED_STORE, "data"),
        prevent_initial_call=True,
    )
    def select(rows, current):
        """A new selection opens its card; the grid re-announcing the same row (its rows refreshed after a
        save, or the selection the page opened with) changes nothing, so results shown below stay."""
        if not rows:
            raise PreventUpdate
        chosen = {"model": rows[0]["model"], "version": rows[0]["version"]}
        if isinstance(current, dict) and {k: current.get(k) for k in chosen} == chosen:
            raise PreventUpdate
        return {**chosen, "compare": None}

    @app.callback(
        Output(ModelsIds.CARD, "children"),
        Output(ModelsIds.COMPARE_DROPDOWN, "options"),
        Output(ModelsIds.COMPARE_DROPDOWN, "value"),
        Output(ModelsIds.OPEN_PREDICT_LINK, "href"),
        Output(ModelsIds.EXPORT_LINK, "href"),
        Output(export_pdf_id(ModelsIds.EXPORT_LINK), "href"),
        Input(ModelsIds.SELECTED_STORE, "data"),
    )
    def show_card(selected):
        if not selected:
            return (
                alert("No models yet: train one, or wait for the demo models.", "info"),
                [],
                None,
                "/predict",
                "#",
                "#",
            )
        try:
            card = store.card(selected["model"], selected["version"])
        except _STORE_ERRORS as exc:
            return error_alert(exc, "warning"), [], None, "/predict", "#", "#"
        others = [v.version for v in store.versions(card["name"]) if v.version != card["version"]]
        compare = selected.get("compare")
        link = "/predict?" + urlencode({"model": card["name"], "version": card["version"]})
        permalink = "/models?" + urlencode({"model": card["name"], "version": card["version"]})
        return (
            card_view(card, store.choose(card["name"]), store.history(card["name"])),
            [{"label": f"v{v}", "value": v} for v in others],
            int(compare) if str(compare).isdigit() and int(compare) in others else None,
            link,
            "/api/export?" + urlencode({"format": "html", "url": permalink}),
            "/api/export?" + urlencode({"format": "pdf", "url": permalink}),
        )

    @app.callback(
        Output(ModelsIds.COMPARE_TABLE, "children"),
        Input(ModelsIds.COMPARE_DROPDOWN, "value"),
        State(ModelsIds.SELECTED_STORE, "data"),
    )
    def compare(other, selected):
        if not other or not selected:
            return None
        try:
            a, b = store.card(selected["model"], other), store.card(selected["model"], selected["version"])
        except _STORE_ERRORS as exc:
            return error_alert(exc, "warning")
        return compare_view(compare_cards(a, b), a["version"], b["version"])

    @app.callback(
        Output(ModelsIds.ACTION_ALERT, "children"),
        Output(ModelsIds.GRID, "rowData"),
        Output(ModelsIds.SELECTED_STORE, "data", allow_duplicate=True),
        Input(ModelsIds.ALIAS_BUTTON, "n_clicks"),
        Input(ModelsIds.DELETE_CONFIRM, "submit_n_clicks"),
        State(ModelsIds.ALIAS_INPUT, "value"),
        State(ModelsIds.SELECTED_STORE, "data"),
        prevent_initial_call=True,
    )
    def change(_alias_clicks, _delete_clicks, alias, selected):
        if not selected:
            raise PreventUpdate
        name, version = selected["model"], selected["version"]
        try:
            if ctx.triggered_id == ModelsIds.DELETE_CONFIRM:
                store.delete(name, version)
                message, selected = f"Deleted {name} v{version}.", None
            else:
                store.set_alias(name, (alias or "").strip(), version)
                message = f"Alias '{alias.strip()}' now points at {name} v{version}."
        except _STORE_ERRORS as exc:
            return error_alert(exc, "danger"), no_update, no_update
        rows = grid_rows(store)
        if selected is None and rows:
            selected = {"model": rows[0]["model"], "version": rows[0]["version"], "compare": None}
        return alert(message, "success"), rows, selected

    @app.callback(
        Output(ModelsIds.DOWNLOAD, "data"),
        Output(ModelsIds.ACTION_ALERT, "children", allow_duplicate=True),
        Input(ModelsIds.DOWNLOAD_BUTTON, "n_clicks"),
        State(ModelsIds.SELECTED_STORE, "data"),
        prevent_initial_call=True,
    )
    def download(_clicks, selected):
        if not selected:
            raise PreventUpdate
        try:
            card = store.card(selected["model"], selected["version"])
        except _STORE_ERRORS as exc:  # deleted (or damaged) since the page was opened
            return no_update, alert(f"{user_message(exc)}; reload the page to see the current versions", "warning")
        return {
            "content": json.dumps(card, indent=2),
            "filename": f"{card['name']}-v{card['version']}-card.json",
            "type": "application/json",
        }, None
