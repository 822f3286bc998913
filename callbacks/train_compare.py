"""Model-comparison callbacks: the chosen families run in the background on the form's folds (progress per
fold, cancel), and the result (kept as the runs' cache tokens) is drawn from the cache."""

from __future__ import annotations

from dash import Input, Output, State, no_update
from dash.exceptions import PreventUpdate

from callbacks.train_form import SPEC_STATES, spec_from_controls
from callbacks.widgets import background_run
from dashboard.errors import ResultExpired
from dashboard.figures.train import compare_pr_figure, compare_roc_figure
from dashboard.services import Services
from dashboard.train import evaluation
from dashboard.train.catalog import estimator_spec
from layouts.common import error_alert
from layouts.train_compare import comparison_table
from layouts.train_ids import CompareIds, TrainIds


def register(app, services: Services) -> None:
    training = services.training

    @app.callback(
        Output(CompareIds.MODELS_DROPDOWN, "options"),
        Output(CompareIds.MODELS_DROPDOWN, "value"),
        Input(TrainIds.MODEL_DROPDOWN, "options"),
        State(CompareIds.MODELS_DROPDOWN, "value"),
        prevent_initial_call=True,
    )
    def follow_the_task(options, chosen):
        """The families offered are the Train form's (classifiers or regressors, as the target asks)."""
        keys = {o["value"] for o in options or []}
        return options, [m for m in chosen or [] if m in keys]

    @app.callback(
        Output(CompareIds.RESULT_STORE, "data"),
        Output(CompareIds.MESSAGES, "children"),
        Input(CompareIds.RUN_BUTTON, "n_clicks"),
        State(CompareIds.MODELS_DROPDOWN, "value"),
        *SPEC_STATES,
        **background_run(
            CompareIds.RUN_BUTTON,
            CompareIds.CANCEL_BUTTON,
            progress=[Output(CompareIds.PROGRESS, "value"), Output(CompareIds.PROGRESS, "label")],
        ),
        prevent_initial_call=True,
    )
    def run(set_progress, _clicks, models, *controls):
        try:
            spec = spec_from_controls(*controls)
            models = [m for m in (models or []) if isinstance(m, str)]
            total = max(len(models), 1) * spec.cv.folds

            def on_fold(model, _fold, done):
                set_progress((100 * done // total, f"{estimator_spec(models[model]).label}: {done}/{total} folds"))

            comparison = training.compare(spec, models, on_fold=on_fold)
        except Exception as exc:  # named errors are shown as they are, any other only logged
            return None, error_alert(exc)
        return {"labels": comparison.labels, "tokens": comparison.tokens}, None

    @app.callback(
        Output(CompareIds.TABLE, "children"),
        Output(CompareIds.ROC_GRAPH, "figure"),
        Output(CompareIds.PR_GRAPH, "figure"),
        Output(CompareIds.GRAPHS_PANEL, "style"),
        Input(CompareIds.RESULT_STORE, "data"),
    )
    def show(stored):
        """The comparison table, and for a binary target the overlaid mean ROC and PR curves (no chart else)."""
        if not stored:
            raise PreventUpdate
        hidden = {"display": "none"}
        try:
            comparison = training.comparison(stored.get("labels"), stored.get("tokens"))
        except (ResultExpired, ValueError) as exc:
            return error_alert(exc), no_update, no_update, hidden
        rows = comparison.table()
        folds = len(comparison.results[0].folds)
        table = comparison_table(rows, comparison.metric, comparison.higher_is_better, folds)
        if comparison.task != "binary":
            return table, no_update, no_update, hidden
        named = [
            (label, evaluation.roc_pr_curves(result.folds, result.classes[1]))
            for label, result in zip(comparison.labels, comparison.results, strict=True)
        ]
        return table, compare_roc_figure(named), compare_pr_figure(named), None
