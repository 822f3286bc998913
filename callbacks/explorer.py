"""Explorer callbacks: parse inputs, call the explorer service, shape outputs. Nothing heavier."""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from dashboard import figures, ids
from dashboard.data.catalog import DatasetNotFoundError, UploadError
from dashboard.data.grid import GridRequestError
from dashboard.data.uploads import decode_data_url
from dashboard.explore import VIEW_KEYS, resolve_view
from dashboard.services import Services
from layouts.common import alert
from layouts.explorer import DEFAULT_DATASET, dataset_options, grid, overview_cards, profile_table

_USER_ERRORS = (KeyError, DatasetNotFoundError, GridRequestError, UploadError, ValueError)
_VIEW_DROPDOWNS = (
    ids.EXPLORER_COLUMN_DROPDOWN,
    ids.EXPLORER_SPLIT_DROPDOWN,
    ids.EXPLORER_X_DROPDOWN,
    ids.EXPLORER_Y_DROPDOWN,
    ids.EXPLORER_COLOR_DROPDOWN,
)


def _options(values: list[str]) -> list[dict[str, str]]:
    return [{"label": v, "value": v} for v in values]


def register(app, services: Services) -> None:
    explorer = services.explorer

    @app.callback(
        Output(ids.EXPLORER_DATASET_INFO, "children"),
        Output(ids.EXPLORER_OVERVIEW, "children"),
        Output(ids.EXPLORER_PROFILE_TABLE, "children"),
        Output(ids.EXPLORER_GRID_CONTAINER, "children"),
        Output(ids.EXPLORER_DELETE_BUTTON, "disabled"),
        *(Output(i, "options") for i in _VIEW_DROPDOWNS),
        *(Output(i, "value") for i in _VIEW_DROPDOWNS),
        Input(ids.EXPLORER_DATASET_DROPDOWN, "value"),
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
        Output(ids.EXPLORER_CORRELATION_GRAPH, "figure"),
        Input(ids.EXPLORER_DATASET_DROPDOWN, "value"),
    )
    def show_correlations(dataset_id):
        if not dataset_id or not services.catalog.exists(dataset_id):
            raise PreventUpdate
        return figures.correlation_figure(explorer.correlations(dataset_id))

    @app.callback(
        Output(ids.EXPLORER_DISTRIBUTION_GRAPH, "figure"),
        Input(ids.EXPLORER_DATASET_DROPDOWN, "value"),
        Input(ids.EXPLORER_COLUMN_DROPDOWN, "value"),
        Input(ids.EXPLORER_SPLIT_DROPDOWN, "value"),
    )
    def show_distribution(dataset_id, column, split):
        if not dataset_id or not column:
            raise PreventUpdate
        try:
            return figures.distribution_figure(explorer.distribution(dataset_id, column, split))
        except _USER_ERRORS as exc:
            return figures.message_figure(str(exc).strip("'\""))

    @app.callback(
        Output(ids.EXPLORER_SCATTER_GRAPH, "figure"),
        Output(ids.EXPLORER_SCATTER_NOTE, "children"),
        Input(ids.EXPLORER_DATASET_DROPDOWN, "value"),
        Input(ids.EXPLORER_X_DROPDOWN, "value"),
        Input(ids.EXPLORER_Y_DROPDOWN, "value"),
        Input(ids.EXPLORER_COLOR_DROPDOWN, "value"),
    )
    def show_scatter(dataset_id, x, y, color):
        if not dataset_id or not x or not y:
            raise PreventUpdate
        try:
            sample = explorer.scatter(dataset_id, x, y, color)
        except _USER_ERRORS as exc:
            return figures.message_figure(str(exc).strip("'\"")), ""
        note = (
            f"Showing a random sample of {sample['shown']:,} of {sample['total']:,} points (server-side)."
            if sample["shown"] < sample["total"]
            else f"All {sample['total']:,} points shown."
        )
        return figures.scatter_figure(sample, x, y, color), note

    @app.callback(
        Output(ids.EXPLORER_GRID, "getRowsResponse"),
        Input(ids.EXPLORER_GRID, "getRowsRequest"),
        State(ids.EXPLORER_DATASET_DROPDOWN, "value"),
        prevent_initial_call=True,
    )
    def grid_rows(request, dataset_id):
        if not request or not dataset_id:
            raise PreventUpdate
        try:
            return explorer.rows(dataset_id, request)
        except _USER_ERRORS:
            return {"rowData": [], "rowCount": 0}

    @app.callback(
        Output(ids.EXPLORER_DATASET_DROPDOWN, "options"),
        Output(ids.EXPLORER_DATASET_DROPDOWN, "value"),
        Output(ids.EXPLORER_UPLOAD_ALERT, "children"),
        Input(ids.EXPLORER_UPLOAD, "contents"),
        Input(ids.EXPLORER_DELETE_CONFIRM, "submit_n_clicks"),
        State(ids.EXPLORER_UPLOAD, "filename"),
        State(ids.EXPLORER_UPLOAD_NAME_INPUT, "value"),
        State(ids.EXPLORER_DATASET_DROPDOWN, "value"),
        prevent_initial_call=True,
    )
    def manage_datasets(contents, _delete_clicks, filename, name, current):
        try:
            if ctx.triggered_id == ids.EXPLORER_DELETE_CONFIRM:
                services.catalog.delete(current)
                return (
                    dataset_options(services.catalog.list()),
                    DEFAULT_DATASET,
                    alert(f"Deleted '{current}'.", "secondary"),
                )
            if not contents:
                raise PreventUpdate
            info, notices = services.catalog.add_upload(
                filename or "upload", decode_data_url(contents), name=name or None
            )
        except (UploadError, DatasetNotFoundError) as exc:
            return no_update, no_update, alert(str(exc).strip("'\""))
        message = [f"Added '{info.id}': {info.rows:,} rows × {info.columns} columns."] + [
            f" Note: {n}." for n in notices
        ]
        return dataset_options(services.catalog.list()), info.id, alert("".join(message), "success")

    app.clientside_callback(
        ClientsideFunction("dashboard", "syncPermalink"),
        Output(ids.EXPLORER_PERMALINK_LINK, "href"),
        Output(ids.EXPLORER_EMBED_CODE, "value"),
        Input(ids.EXPLORER_DATASET_DROPDOWN, "value"),
        *(Input(i, "value") for i in _VIEW_DROPDOWNS),
    )
