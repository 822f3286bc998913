"""Explorer callbacks: parse inputs, call the explorer service, shape outputs. Nothing heavier."""

from __future__ import annotations

from dash import Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from callbacks.widgets import QueryField, bind_export_link, bind_permalink
from dashboard.data.catalog import DatasetNotFoundError, UploadError
from dashboard.data.explorer import VIEW_KEYS
from dashboard.data.grid import GridRequestError
from dashboard.data.uploads import refusal
from dashboard.services import Services
from layouts.common import alert
from layouts.explorer import (
    DEFAULT_DATASET,
    dataset_options,
)
from layouts.explorer_ids import ExplorerIds
from layouts.explorer_views import correlation_panel, dataset_panels, distribution_panel, scatter_panel

_USER_ERRORS = (KeyError, DatasetNotFoundError, GridRequestError, UploadError, ValueError)
_VIEW_KEYS = ("column", "split", "x", "y", "color")  # their permalink keys, in the same order
_VIEW_DROPDOWNS = (
    ExplorerIds.COLUMN_DROPDOWN,
    ExplorerIds.SPLIT_DROPDOWN,
    ExplorerIds.X_DROPDOWN,
    ExplorerIds.Y_DROPDOWN,
    ExplorerIds.COLOR_DROPDOWN,
)


def register(app, services: Services) -> None:
    explorer = services.explorer

    # A direct load draws every panel in the layout (layouts/explorer_views.py): these run on later changes.
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
        prevent_initial_call=True,
    )
    def show_dataset(dataset_id, *requested):
        if not dataset_id or not services.catalog.exists(dataset_id):
            raise PreventUpdate
        panels = dataset_panels(services, dataset_id, dict(zip(VIEW_KEYS, requested, strict=True)))
        return (
            panels.caption,
            panels.overview,
            panels.profile,
            panels.grid,
            panels.locked,
            *([panels.options] * len(VIEW_KEYS)),
            *(panels.view[k] for k in VIEW_KEYS),
        )

    @app.callback(
        Output(ExplorerIds.CORRELATION_GRAPH, "figure"),
        Output(ExplorerIds.CORRELATION_PAIRS, "children"),
        Input(ExplorerIds.DATASET_DROPDOWN, "value"),
        Input(ExplorerIds.COLUMN_DROPDOWN, "value"),
        State(ExplorerIds.CORRELATION_GRAPH, "figure"),
        prevent_initial_call=True,
    )
    def show_correlations(dataset_id, column, shown):
        if not dataset_id or not services.catalog.exists(dataset_id):
            raise PreventUpdate
        # The full matrix does not depend on the column looked at (only a wide dataset's does): kept when drawn.
        drawn = isinstance(shown, dict) and bool(shown.get("data"))
        corr = explorer.correlations(dataset_id, column)
        if ctx.triggered_id == ExplorerIds.COLUMN_DROPDOWN and not corr["focus"] and drawn:
            raise PreventUpdate
        return correlation_panel(corr)

    @app.callback(
        Output(ExplorerIds.DISTRIBUTION_GRAPH, "figure"),
        Input(ExplorerIds.DATASET_DROPDOWN, "value"),
        Input(ExplorerIds.COLUMN_DROPDOWN, "value"),
        Input(ExplorerIds.SPLIT_DROPDOWN, "value"),
        prevent_initial_call=True,
    )
    def show_distribution(dataset_id, column, split):
        if not dataset_id or not column:
            raise PreventUpdate
        return distribution_panel(explorer, dataset_id, column, split)

    @app.callback(
        Output(ExplorerIds.SCATTER_GRAPH, "figure"),
        Output(ExplorerIds.SCATTER_NOTE, "children"),
        Input(ExplorerIds.DATASET_DROPDOWN, "value"),
        Input(ExplorerIds.X_DROPDOWN, "value"),
        Input(ExplorerIds.Y_DROPDOWN, "value"),
        Input(ExplorerIds.COLOR_DROPDOWN, "value"),
        prevent_initial_call=True,
    )
    def show_scatter(dataset_id, x, y, color):
        if not dataset_id or not x or not y:
            raise PreventUpdate
        return scatter_panel(explorer, dataset_id, x, y, color)

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
