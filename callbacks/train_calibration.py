"""Calibration of the run shown compared on its own folds: uncalibrated, sigmoid and isotonic."""

from __future__ import annotations

from dash import Input, Output, State, no_update

from callbacks.widgets import background_run
from dashboard.figures.diagnostics import calibration_comparison_figure
from dashboard.services import Services
from dashboard.train.spec import TrainSpec
from layouts.common import alert, error_alert
from layouts.train_ids import TrainIds
from layouts.train_views import calibration_table


def register(app, services: Services) -> None:
    diagnostics = services.diagnostics

    @app.callback(
        Output(TrainIds.CALIBRATE_GRAPH, "figure"),
        Output(TrainIds.CALIBRATE_TABLE, "children"),
        Input(TrainIds.CALIBRATE_BUTTON, "n_clicks"),
        State(TrainIds.RESULT_STORE, "data"),
        **background_run(
            TrainIds.CALIBRATE_BUTTON,
            TrainIds.CALIBRATE_CANCEL,
            progress=[Output(TrainIds.CALIBRATE_PROGRESS, "value")],
            shown=[TrainIds.CALIBRATE_PANEL],
        ),
        prevent_initial_call=True,
    )
    def compare_calibrations(set_progress, _clicks, stored):
        if not stored:
            return no_update, alert("Run cross-validation first.", "info")
        try:
            spec = TrainSpec.model_validate(stored.get("spec") or {})
            total = 3 * spec.cv.folds
            rows = diagnostics.calibrations(spec, on_fold=lambda _fold, done: set_progress(100 * done // total))
        except Exception as exc:  # named errors are shown as they are, any other only logged
            return no_update, error_alert(exc)
        return calibration_comparison_figure(rows), calibration_table(rows)
