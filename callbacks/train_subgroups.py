"""Subgroups of the run shown: metrics per group of one or two columns, recounted when the threshold moves."""

from __future__ import annotations

from dash import Input, Output, State, no_update
from dash.exceptions import PreventUpdate

from dashboard.errors import ResultExpired
from dashboard.figures.diagnostics import subgroup_figure
from dashboard.services import Services
from dashboard.train.spec import TrainSpec
from dashboard.train.subgroups import LABELS
from layouts.common import alert, error_alert
from layouts.train_ids import TrainIds
from layouts.train_subgroups import metric_options, subgroup_table

FIRST_METRIC = {"binary": "selection_rate", "multiclass": "accuracy", "regression": "mae"}


def register(app, services: Services) -> None:
    diagnostics, catalog = services.diagnostics, services.catalog

    @app.callback(Output(TrainIds.SUBGROUP_BY, "options"), Input(TrainIds.RESULT_STORE, "data"))
    def columns_of_the_run(stored):
        """Any column of the run's dataset but its target (a column need not be a feature to split by)."""
        if not stored:
            raise PreventUpdate
        spec = stored.get("spec") or {}
        if not catalog.exists(spec.get("dataset")):
            raise PreventUpdate
        return [c for c in services.explorer.kinds(spec["dataset"]) if c != spec.get("target")]

    @app.callback(
        Output(TrainIds.SUBGROUP_GRAPH, "figure"),
        Output(TrainIds.SUBGROUP_TABLE, "children"),
        Output(TrainIds.SUBGROUP_NOTES, "children"),
        Output(TrainIds.SUBGROUP_PANEL, "hidden"),
        Output(TrainIds.SUBGROUP_METRIC, "options"),
        Output(TrainIds.SUBGROUP_METRIC, "value"),
        Input(TrainIds.SUBGROUP_BY, "value"),
        Input(TrainIds.SUBGROUP_METRIC, "value"),
        Input(TrainIds.THRESHOLD_SLIDER, "value"),
        Input(TrainIds.RESULT_STORE, "data"),
        State(TrainIds.SUBGROUP_METRIC, "options"),
    )
    def show_subgroups(by, metric, threshold, stored, shown_options):
        if not stored:
            raise PreventUpdate
        if not by:
            return no_update, None, None, True, no_update, no_update
        try:
            spec = TrainSpec.model_validate(stored.get("spec") or {})
            report = diagnostics.subgroups(spec, list(by), threshold)
        except ResultExpired:
            raise PreventUpdate from None
        except Exception as exc:  # named errors as they are, any other logged with a reference
            return no_update, None, error_alert(exc, "warning"), True, no_update, no_update
        options = metric_options(report)
        if metric not in report.metrics:
            metric = FIRST_METRIC.get(stored.get("task"), report.metrics[0])
        figure = subgroup_figure(report.groups, metric, LABELS[metric], report.gaps.get(metric))
        notes = [alert(note, "info") for note in report.notices]
        same_options = shown_options == options
        return figure, subgroup_table(report), notes, False, no_update if same_options else options, metric
