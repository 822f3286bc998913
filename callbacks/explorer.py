"""Explorer callbacks: parse inputs, call the explorer service, shape outputs. Nothing heavier."""

from __future__ import annotations

from dash import Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from callbacks.widgets import QueryField, bind_export_link, bind_permalink
from dashboard.data.catalog import DatasetNotFoundError, UploadError
from dashboard.data.explorer import VIEW_KEYS, resolve_view
from dashboard.data.grid import GridRequestError
from dashboard.data.uploads import refusal
from dashboard.errors import user_message
from dashboard.figures.base import message_figure
from dashboard.figures.explorer import correlation_figure, distribution_figure, scatter_figure
from dashboard.services import Services
from layouts.common import alert
from layouts.explorer import (
    DEFAULT_DATASET,
    correlation_pairs,
    dataset_options,
    grid,
    overview_cards,
    profile_table,
)
from layouts.explorer_ids import ExplorerIds

_USER_ERRORS = (KeyError, DatasetNotFoundError, GridRequestError, UploadError, ValueError)
_VIEW_KEYS = ("column", "split", "x", "y", "color")  # their permalink keys, in the same order
_VIEW_DROPDOWNS = (
    ExplorerIds.COLUMN_DROPDOWN,
    ExplorerIds.SPLIT_DROPDOWN,
    ExplorerIds.X_DROPDOWN,
    ExplorerIds.Y_DROPDOWN,
    ExplorerIds.COLOR_DROPDOWN,
)


def _options(values: list[str]) -> list[dict[str, str]]:
    return [{"label": v, "value": v} for v in values]


def register(app, services: Services) -> None:
    explorer = services.explorer

    @app.callback(
        Output(ExplorerIds.DATASET_INFO, "children"),
        Output(ExplorerIds.OVERVIEW, "children"),
        Output(ExplorerIds.PROFILE_TABLE, "children"),
        Output(ExplorerIds.GRID_CONTAINER, "children"),
        Output(ExplorerIds.DELETE_BUTTON, "disabled"),
        *(Output(i, "options") for i in _VIEW_DROPDOWNS),
        *(Output(i, "value") for i in _VIEW_DROPDOWNS),
        Input(ExplorerIds.DATASET_DROPDOWN, "value"),
        *(State(i, "value") for i in _VIEW_DROPDOWNS),
    )
    def show_dataset(dataset_id, *requested):
        if not dataset_id or not services.catalog.exists(dataset_id):
            raise PreventUpdate
        info = services.catalog.info(dataset_id)
        summary = explorer.summary(dataset_id)
        columns = [p["column"] for p in summary["profiles"]]
        view = resolve_view(summary["profiles"], info.target, dict(zip(VIEW_KEYS, requested, strict=True)))
        caption = f"{info.description} Target: {info.target or '—'}. Source: {info.source}."
        return (
            caption,
            overview_cards(summary["overview"]),
            profile_table(summary["profiles"]),
            grid(columns),
            info.origin != "upload",
            *([_options(columns)] * len(VIEW_KEYS)),
            *(view[k] for k in VIEW_KEYS),
        )

    @app.callback(
        Output(ExplorerIds.CORRELATION_GRAPH, "figure"),
        Output(ExplorerIds.CORRELATION_PAIRS, "children"),
        Input(ExplorerIds.DATASET_DROPDOWN, "value"),
        Input(ExplorerIds.COLUMN_DROPDOWN, "value"),
        State(ExplorerIds.CORRELATION_GRAPH, "figure"),
    )
    def show_correlations(dataset_id, column, shown):
        if not dataset_id or not services.catalog.exists(dataset_id):
            raise PreventUpdate
        corr = explorer.correlations(dataset_id, column)
        drawn = isinstance(shown, dict) and bool(shown.get("data"))
        # The full matrix does not depend on the column looked at: kept when drawn. On a direct load this
        # callback first runs when the summary fills the column, so it must still draw then.
        if ctx.triggered_id == ExplorerIds.COLUMN_DROPDOWN and not corr["focus"] and drawn:
            raise PreventUpdate
        return correlation_figure(corr), correlation_pairs(corr)

    @app.callback(
        Output(ExplorerIds.DISTRIBUTION_GRAPH, "figure"),
        Input(ExplorerIds.DATASET_DROPDOWN, "value"),
        Input(ExplorerIds.COLUMN_DROPDOWN, "value"),
        Input(ExplorerIds.SPLIT_DROPDOWN, "value"),
    )
    def show_distribution(dataset_id, column, split):
        if not dataset_id or not column:
            raise PreventUpdate
        try:
            return distribution_figure(explorer.distribution(dataset_id, column, split))
        except Exception as exc:  # named errors are shown as they are, any other only logged
            return message_figure(user_message(exc))

    @app.callback(
        Output(ExplorerIds.SCATTER_GRAPH, "figure"),
        Output(ExplorerIds.SCATTER_NOTE, "children"),
        Input(ExplorerIds.DATASET_DROPDOWN, "value"),
        Input(ExplorerIds.X_DROPDOWN, "value"),
        Input(ExplorerIds.Y_DROPDOWN, "value"),
        Input(ExplorerIds.COLOR_DROPDOWN, "value"),
    )
    def show_scatter(dataset_id, x, y, color):
        if not dataset_id or not x or not y:
            raise PreventUpdate
        try:
            sample = explorer.scatter(dataset_id, x, y, color)
        except Exception as exc:  # named errors are shown as they are, any other only logged
            return message_figure(user_message(exc)), ""
        note = (
            f"Showing a random sample of {sample['shown']:,} of {sample['total']:,} points (server-side)."
            if sample["shown"] < sample["total"]
            else f"All {sample['total']:,} points shown."
        )
        return scatter_figure(sample, x, y, color), note

    _serve_grid_pages(app, ExplorerIds.GRID, explorer.rows)
    _serve_grid_pages(app, ExplorerIds.PROFILE_GRID, explorer.profile_page)

    @app.callback(
        Output(ExplorerIds.DATASET_DROPDOWN, "options"),
        Output(ExplorerIds.DATASET_DROPDOWN, "value"),
        Output(ExplorerIds.UPLOAD_ALERT, "children"),
        Input(ExplorerIds.UPLOAD_RECEIVED, "data"),
        Input(ExplorerIds.DELETE_CONFIRM, "submit_n_clicks"),
        State(ExplorerIds.UPLOAD_NAME_INPUT, "value"),
        State(ExplorerIds.DATASET_DROPDOWN, "value"),
        prevent_initial_call=True,
    )
    def manage_datasets(received, _delete_clicks, name, current):
        try:
            if ctx.triggered_id == ExplorerIds.DELETE_CONFIRM:
                services.catalog.delete(current)
                return (
                    dataset_options(services.catalog.list()),
                    DEFAULT_DATASET,
                    alert(f"Deleted '{current}'.", "secondary"),
                )
            if not isinstance(received, dict):
                raise PreventUpdate
            with services.incoming.taken(received.get("token"), "dataset") as upload:
                info, notices = services.catalog.add_upload(upload.filename, upload.path, name=name or None)
        except (UploadError, DatasetNotFoundError) as exc:
            return no_update, no_update, alert(refusal(exc, received.get("filename") if received else None))
        message = [f"Added '{info.id}': {info.rows:,} rows × {info.columns} columns."] + [
            f" Note: {n}." for n in notices
        ]
        return dataset_options(services.catalog.list()), info.id, alert("".join(message), "success")

    bind_permalink(
        app,
        ExplorerIds.PERMALINK_LINK,
        [
            QueryField("dataset", ExplorerIds.DATASET_DROPDOWN),
            *(QueryField(key, component) for key, component in zip(_VIEW_KEYS, _VIEW_DROPDOWNS, strict=True)),
        ],
        embed_code_id=ExplorerIds.EMBED_CODE,
    )
    bind_export_link(app, ExplorerIds.EXPORT_LINK, ExplorerIds.PERMALINK_LINK)


def _serve_grid_pages(app, grid_id: str, page) -> None:
    """An infinite-model grid's pages for the chosen dataset; a request it cannot answer gets an empty page."""

    @app.callback(
        Output(grid_id, "getRowsResponse"),
        Input(grid_id, "getRowsRequest"),
        State(ExplorerIds.DATASET_DROPDOWN, "value"),
        prevent_initial_call=True,
    )
    def grid_page(request, dataset_id):
        if not request or not dataset_id:
            raise PreventUpdate
        try:
            return page(dataset_id, request)
        except _USER_ERRORS:
            return {"rowData": [], "rowCount": 0}
