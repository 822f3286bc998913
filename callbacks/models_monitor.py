"""Monitoring callbacks on the Models page: the selected version's prediction log and feedback,
re-verification, drift and retraining. Long work (re-verify, drift, retrain) runs in the background."""

from __future__ import annotations

from urllib.parse import urlencode

from dash import Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from callbacks.widgets import background_run
from dashboard.data.catalog import DatasetNotFoundError, UploadError
from dashboard.data.uploads import refusal
from dashboard.errors import Cancelled, FieldError
from dashboard.figures.base import message_figure
from dashboard.figures.monitor import drift_figure
from dashboard.services import Services
from layouts.common import SHOWN, alert, error_alert
from layouts.models import compare_view, grid_rows
from layouts.models_ids import ModelsIds, MonitorIds
from layouts.models_monitor import drift_table, history_view, source_options, verify_view
from model_store import ModelStoreError
from model_store.compare import compare_cards

_ERRORS = (FieldError, ModelStoreError, DatasetNotFoundError)
LOG_ROWS_SHOWN = 200
LOG_ROWS_DOWNLOADED = 100_000


def register(app, services: Services) -> None:
    store, log, monitoring = services.models, services.predictions, services.monitoring

    @app.callback(
        Output(MonitorIds.LOG_GRID, "rowData"),
        Output(MonitorIds.LOG_TOGGLE, "children"),
        Output(MonitorIds.HISTORY, "children"),
        Output(MonitorIds.VERIFY_RESULT, "children"),
        Output(MonitorIds.DRIFT_STORE, "data"),
        Output(MonitorIds.RETRAIN_RESULT, "children"),
        Input(ModelsIds.SELECTED_STORE, "data"),
        Input(MonitorIds.LOG_REFRESH, "n_clicks"),
        Input(MonitorIds.FEEDBACK_ALERT, "children"),
    )
    def show_version(selected, _refresh, _feedback):
        """A new version selected: its log and history; results of the previous one are cleared."""
        if not selected:
            return [], "Stop logging", None, None, None, None
        try:
            rows = log.rows(selected["model"], selected["version"], limit=LOG_ROWS_SHOWN)
            history = store.evaluations(selected["model"], selected["version"])
            switch = "Stop logging" if log.enabled(selected["model"]) else "Resume logging"
        except _ERRORS:
            return [], "Stop logging", None, None, None, None
        keep = ctx.triggered_id != ModelsIds.SELECTED_STORE
        results = (no_update,) * 3 if keep else (None,) * 3
        return rows.astype(str).to_dict("records"), switch, history_view(history), *results

    @app.callback(
        Output(MonitorIds.SOURCE, "options"),
        Output(MonitorIds.SOURCE, "value"),
        Output(MonitorIds.UPLOAD_ALERT, "children"),
        Input(MonitorIds.UPLOAD_RECEIVED, "data"),
        prevent_initial_call=True,
    )
    def upload_recent_data(received):
        """A file of recent data becomes a dataset (validated like any upload) and the chosen source."""
        if not isinstance(received, dict):
            raise PreventUpdate
        try:
            with services.incoming.taken(received.get("token"), "dataset") as upload:
                info, notices = services.catalog.add_upload(upload.filename, upload.path)
        except (UploadError, DatasetNotFoundError) as exc:
            return no_update, no_update, alert(refusal(exc, received.get("filename")))
        added = f"Added '{info.id}': {info.rows:,} rows × {info.columns} columns." + "".join(f" {n}." for n in notices)
        return source_options(services.catalog.list()), info.id, alert(added, "success")

    @app.callback(
        Output(MonitorIds.LOG_TOGGLE, "children", allow_duplicate=True),
        Output(MonitorIds.MESSAGES, "children"),
        Input(MonitorIds.LOG_TOGGLE, "n_clicks"),
        State(ModelsIds.SELECTED_STORE, "data"),
        prevent_initial_call=True,
    )
    def toggle_logging(_clicks, selected):
        if not selected:
            raise PreventUpdate
        enabled = not log.enabled(selected["model"])
        log.set_enabled(selected["model"], enabled)
        state = "now logged" if enabled else "no longer logged"
        return ("Stop logging" if enabled else "Resume logging"), alert(
            f"Predictions of {selected['model']} are {state}.", "info"
        )

    @app.callback(
        Output(MonitorIds.LOG_DOWNLOAD, "data"),
        Input(MonitorIds.LOG_DOWNLOAD_BUTTON, "n_clicks"),
        State(ModelsIds.SELECTED_STORE, "data"),
        prevent_initial_call=True,
    )
    def download_log(_clicks, selected):
        if not selected:
            raise PreventUpdate
        rows = log.rows(selected["model"], selected["version"], limit=LOG_ROWS_DOWNLOADED)
        filename = f"{selected['model']}-v{selected['version']}-predictions.csv"
        return dcc.send_data_frame(rows.to_csv, filename, index=False)

    @app.callback(
        Output(MonitorIds.FEEDBACK_ALERT, "children"),
        Input(MonitorIds.FEEDBACK_RECEIVED, "data"),
        State(ModelsIds.SELECTED_STORE, "data"),
        prevent_initial_call=True,
    )
    def feedback(received, selected):
        if not isinstance(received, dict) or not selected:
            raise PreventUpdate
        try:
            with services.incoming.taken(received.get("token"), "labels") as upload:
                counts = monitoring.feedback_file(selected["model"], upload.path)
        except Exception as exc:  # named errors are shown as they are, any other only logged
            return error_alert(exc)
        return alert(
            f"{counts['received']:,} labels received, {counts['matched']:,} match a logged prediction.", "success"
        )

    @app.callback(
        Output(MonitorIds.VERIFY_RESULT, "children", allow_duplicate=True),
        Output(MonitorIds.HISTORY, "children", allow_duplicate=True),
        Input(MonitorIds.VERIFY_BUTTON, "n_clicks"),
        State(ModelsIds.SELECTED_STORE, "data"),
        State(MonitorIds.SOURCE, "value"),
        **background_run(MonitorIds.VERIFY_BUTTON),
        prevent_initial_call=True,
    )
    def reverify(_clicks, selected, source):
        if not selected:
            raise PreventUpdate
        try:
            evaluation = monitoring.reverify(selected["model"], selected["version"], source)
        except Exception as exc:  # named errors are shown as they are, any other only logged
            return error_alert(exc), no_update
        return verify_view(evaluation), history_view(store.evaluations(selected["model"], selected["version"]))

    @app.callback(
        Output(MonitorIds.DRIFT_STORE, "data", allow_duplicate=True),
        Output(MonitorIds.MESSAGES, "children", allow_duplicate=True),
        Input(MonitorIds.DRIFT_BUTTON, "n_clicks"),
        State(ModelsIds.SELECTED_STORE, "data"),
        State(MonitorIds.SOURCE, "value"),
        **background_run(MonitorIds.DRIFT_BUTTON),
        prevent_initial_call=True,
    )
    def drift(_clicks, selected, source):
        if not selected:
            raise PreventUpdate
        try:
            return monitoring.drift(selected["model"], selected["version"], source), None
        except Exception as exc:  # named errors are shown as they are, any other only logged
            return None, error_alert(exc)

    @app.callback(
        Output(MonitorIds.DRIFT_TABLE, "children"),
        Output(MonitorIds.DRIFT_COLUMN, "options"),
        Output(MonitorIds.DRIFT_COLUMN, "value"),
        Input(MonitorIds.DRIFT_STORE, "data"),
    )
    def show_drift(report):
        if not report:
            return None, [], None
        columns = ([report["prediction"]] if report["prediction"] else []) + report["columns"]
        options = [{"label": f"{c['column']} (PSI {c['psi']:.3f})", "value": c["column"]} for c in columns]
        return drift_table(report), options, report["columns"][0]["column"]

    @app.callback(
        Output(MonitorIds.DRIFT_GRAPH, "figure"),
        Input(MonitorIds.DRIFT_COLUMN, "value"),
        State(MonitorIds.DRIFT_STORE, "data"),
    )
    def drift_graph(column, report):
        if not report or not column:
            return message_figure("run a drift report to compare distributions")
        columns = ([report["prediction"]] if report["prediction"] else []) + report["columns"]
        chosen = next((c for c in columns if c["column"] == column), None)
        return drift_figure(chosen) if chosen else message_figure(f"no column {column!r} in this report")

    app.clientside_callback(  # the drift graph is built the first time its tab is opened, then kept
        f"""function (tab) {{
            return tab === "drift" ? "{SHOWN}" : window.dash_clientside.no_update;
        }}""",
        Output(MonitorIds.DRIFT_GRAPH_BLOCK, "value"),
        Input(MonitorIds.TABS, "active_tab"),
    )

    @app.callback(
        Output(MonitorIds.RETRAIN_RESULT, "children", allow_duplicate=True),
        Output(ModelsIds.GRID, "rowData", allow_duplicate=True),
        Input(MonitorIds.RETRAIN_BUTTON, "n_clicks"),
        State(ModelsIds.SELECTED_STORE, "data"),
        State(MonitorIds.SOURCE, "value"),
        State(MonitorIds.RETRAIN_UNION, "value"),
        **background_run(
            MonitorIds.RETRAIN_BUTTON,
            MonitorIds.RETRAIN_CANCEL,
            progress=[Output(MonitorIds.RETRAIN_PROGRESS, "value"), Output(MonitorIds.RETRAIN_PROGRESS, "label")],
        ),
        prevent_initial_call=True,
    )
    def retrain(set_progress, _clicks, selected, source, union):
        if not selected:
            raise PreventUpdate
        name = selected["model"]
        try:
            total = int(store.card(name, selected["version"]).get("cv", {}).get("spec", {}).get("folds", 1))

            def on_fold(_fold, done):
                set_progress((100 * done // max(total, 1), f"{done}/{total} folds"))

            version = monitoring.retrain(name, selected["version"], source, union=bool(union), on_fold=on_fold)
        except Cancelled:
            return alert("Retraining cancelled; nothing was saved.", "info"), no_update
        except Exception as exc:  # named errors are shown as they are, any other only logged
            return error_alert(exc), no_update
        in_use = monitoring.in_use(name, selected["version"])
        return retrain_view(store, name, version.version, selected["version"], in_use), grid_rows(store)


def retrain_view(store, name: str, new: int, parent: int, in_use: tuple[str | None, int]) -> html.Div:
    """The new version beside the one its users get now (``MonitoringService.in_use``)."""
    alias, current = in_use
    diff = compare_cards(store.card(name, current), store.card(name, new))
    label = f"{alias} (v{current})" if alias else f"v{current}"
    return html.Div(
        [
            alert(f"Saved {name} v{new}, retrained from v{parent}. Compared with {label}:", "success"),
            *compare_view(diff, current, new),
            html.A(
                f"Open v{new} (set an alias there to put it in use)",
                href="/models?" + urlencode({"model": name, "version": new}),
                id="monitor-retrained-link",
            ),
        ]
    )
