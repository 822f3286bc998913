"""Global SHAP of the run shown: computed as a background job with progress and cancel, drawn from the cache."""

from __future__ import annotations

from dash import Input, Output, State, no_update
from dash.exceptions import PreventUpdate

from callbacks.widgets import background_run
from dashboard.errors import FieldError, ResultExpired
from dashboard.figures.base import message_figure
from dashboard.figures.diagnostics import interaction_figure, shap_dependence_figure, shap_summary_figure
from dashboard.figures.train import importance_figure
from dashboard.services import Services
from dashboard.serving.global_explain import strongest_interaction
from dashboard.train.spec import TrainSpec
from layouts.common import alert, error_alert
from layouts.train_ids import ShapIds, TrainIds

NOT_RUN = "Run cross-validation first: SHAP explains the model of the run shown."


def register(app, services: Services) -> None:
    diagnostics = services.diagnostics

    @app.callback(
        Output(ShapIds.STORE, "data"),
        Output(ShapIds.MESSAGES, "children"),
        Input(ShapIds.RUN_BUTTON, "n_clicks"),
        State(ShapIds.ROWS_INPUT, "value"),
        State(TrainIds.RESULT_STORE, "data"),
        **background_run(ShapIds.RUN_BUTTON, ShapIds.CANCEL_BUTTON, progress=[Output(ShapIds.PROGRESS, "value")]),
        prevent_initial_call=True,
    )
    def explain(set_progress, _clicks, rows, stored):
        if not stored:
            return None, alert(NOT_RUN, "info")
        try:
            spec = TrainSpec.model_validate(stored.get("spec") or {})
            if not isinstance(rows, int):  # the browser sends an empty or out-of-range number as none
                raise FieldError("rows", "enter a whole number of rows from 10 to 2,000")
            diagnostics.shap_summary(spec, rows, on_progress=lambda done, total: set_progress(100 * done // total))
        except ResultExpired:
            return None, alert(NOT_RUN, "info")
        except Exception as exc:  # named errors are shown as they are, any other only logged
            return None, error_alert(exc)
        return {"spec": stored["spec"], "rows": rows}, None

    @app.callback(
        Output(ShapIds.INTERACTIONS_GRAPH, "figure"),
        Output(ShapIds.MESSAGES, "children", allow_duplicate=True),
        Input(ShapIds.INTERACTIONS_BUTTON, "n_clicks"),
        State(TrainIds.RESULT_STORE, "data"),
        **background_run(
            ShapIds.INTERACTIONS_BUTTON,
            progress=[Output(ShapIds.INTERACTIONS_PROGRESS, "value")],
            shown=[ShapIds.INTERACTIONS_PANEL],
        ),
        prevent_initial_call=True,
    )
    def interactions(set_progress, _clicks, stored):
        if not stored:
            return no_update, alert(NOT_RUN, "info")
        try:
            spec = TrainSpec.model_validate(stored.get("spec") or {})
            report = lambda done, total: set_progress(100 * done // total)  # noqa: E731
            found = diagnostics.shap_interactions(spec, on_progress=report)
        except ResultExpired:
            return no_update, alert(NOT_RUN, "info")
        except Exception as exc:  # named errors are shown as they are, any other only logged
            return message_figure("no interaction values"), error_alert(exc, "warning")
        return interaction_figure(found), None

    @app.callback(
        Output(ShapIds.SUMMARY_GRAPH, "figure"),
        Output(ShapIds.BAR_GRAPH, "figure"),
        Output(ShapIds.NOTE, "children"),
        Output(ShapIds.COLUMN, "options"),
        Output(ShapIds.COLUMN, "value"),
        Output(ShapIds.DEPENDENCE_GRAPH, "figure"),
        Output(ShapIds.PANEL, "hidden"),
        Input(ShapIds.STORE, "data"),
        Input(ShapIds.COLUMN, "value"),
    )
    def show(shown, column):
        if not shown:
            raise PreventUpdate
        try:
            summary = diagnostics.shap_summary(TrainSpec.model_validate(shown["spec"]), int(shown["rows"]))
        except (ResultExpired, ValueError, KeyError, TypeError):
            raise PreventUpdate from None
        if column not in summary["columns"]:  # the strongest numeric column first: its dependence has a shape
            numeric = [c for c in summary["columns"] if summary["feature_values"].get(c) is not None]
            column = (numeric or summary["columns"])[0]
        partner = strongest_interaction(summary, column)
        note = (
            f"{summary['rows']:,} of {summary['of_rows']:,} rows (seed {summary['seed']}), {summary['explainer']} "
            f"explainer; values add up to the model's {summary['output_kind']}"
            + (f" for class {summary['explained_class']}" if summary["explained_class"] is not None else "")
            + f" from a base of {summary['base']:.3f}."
        )
        return (
            shap_summary_figure(summary),
            importance_figure(summary["mean_abs"], "Mean |SHAP| by input column"),
            note,
            summary["columns"],
            column,
            shap_dependence_figure(summary, column, partner),
            False,
        )
