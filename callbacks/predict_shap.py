"""SHAP over many rows for the stored version chosen on Predict, as a background job with progress and cancel."""

from __future__ import annotations

from dash import Input, Output, State, no_update

from callbacks.widgets import background_run
from dashboard.errors import FieldError
from dashboard.figures.diagnostics import shap_summary_figure
from dashboard.figures.train import importance_figure
from dashboard.services import Services
from layouts.common import error_alert
from layouts.predict import parse_version
from layouts.predict_ids import PredictIds


def register(app, services: Services) -> None:
    @app.callback(
        Output(PredictIds.SHAP_SUMMARY_GRAPH, "figure"),
        Output(PredictIds.SHAP_BAR_GRAPH, "figure"),
        Output(PredictIds.SHAP_NOTE, "children"),
        Output(PredictIds.SHAP_MESSAGES, "children"),
        Input(PredictIds.SHAP_BUTTON, "n_clicks"),
        State(PredictIds.SHAP_DATA, "value"),
        State(PredictIds.SHAP_ROWS, "value"),
        State(PredictIds.MODEL_DROPDOWN, "value"),
        State(PredictIds.VERSION_DROPDOWN, "value"),
        **background_run(
            PredictIds.SHAP_BUTTON,
            PredictIds.SHAP_CANCEL,
            progress=[Output(PredictIds.SHAP_PROGRESS, "value")],
            shown=[PredictIds.SHAP_PANEL],
        ),
        prevent_initial_call=True,
    )
    def explain_rows(set_progress, _clicks, dataset, rows, name, version_value):
        try:
            if not isinstance(rows, int) or not 10 <= rows <= 2000:
                raise FieldError("rows", "enter a whole number of rows from 10 to 2,000")
            if not isinstance(dataset, str) or not services.catalog.exists(dataset):
                raise FieldError("data", "choose a dataset with the model's input columns")
            version, alias = parse_version(version_value)
            loaded = services.models.load(name, version, alias=alias)
            report = lambda done, total: set_progress(100 * done // total)  # noqa: E731
            summary = services.monitoring.shap_summary(loaded, dataset, rows, on_progress=report)
        except Exception as exc:  # named errors are shown as they are, any other only logged
            return no_update, no_update, None, error_alert(exc)
        note = (
            f"{summary['model']} v{summary['version']} on {summary['rows']:,} of {summary['of_rows']:,} rows of "
            f"{summary['data']} (seed {summary['seed']}), {summary['explainer']} explainer; values add up to the "
            f"model's {summary['output_kind']} from a base of {summary['base']:.4g}."
        )
        bars = importance_figure(summary["mean_abs"], "Mean |SHAP| by input column")
        return shap_summary_figure(summary), bars, note, None
