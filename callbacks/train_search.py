"""Hyperparameter-search callbacks: the tunable parameters follow the model, the search runs in the
background and streams every candidate x fold into the table, and the best parameters can be put back
into the form (its cross-validation is already cached, so running it fits nothing)."""

from __future__ import annotations

from typing import Any

from dash import ALL, Input, Output, State, no_update
from dash.exceptions import PreventUpdate
from pydantic import ValidationError

from callbacks.train_form import SPEC_STATES, spec_from_controls
from callbacks.widgets import background_run
from dashboard.errors import FieldError, ResultExpired
from dashboard.figures.train import history_figure, importance_figure, search_figure
from dashboard.services import Services
from dashboard.train.catalog import estimator_spec
from dashboard.train.search import DEFAULT_METRIC, SearchSpec, parse_values
from layouts.common import alert, error_alert
from layouts.train_ids import SearchIds, TrainIds
from layouts.train_search import metric_options, search_params
from layouts.train_views import best_view, results_table

SEARCH_STATES = (
    State(SearchIds.MODE_RADIO, "value"),
    State(SearchIds.METRIC_DROPDOWN, "value"),
    State(SearchIds.CANDIDATES_INPUT, "value"),
    State(SearchIds.SEED_INPUT, "value"),
    State(SearchIds.TUNE_CHECKLIST, "value"),
    State(SearchIds.values(ALL), "value"),
    State(SearchIds.values(ALL), "id"),
)


def search_from_controls(model, mode, metric, n_candidates, seed, tuned, texts, text_ids) -> SearchSpec:
    """The search controls as a SearchSpec; errors name the control (e.g. ``search.C``)."""
    estimator = estimator_spec(model)
    by_name = {p.name: p for p in estimator.params}
    grid: dict[str, list[Any]] = {}
    ranges: dict[str, tuple[float, float]] = {}
    for text_id, text in zip(text_ids, texts, strict=True):
        name = text_id["name"]
        if name not in (tuned or []) or name not in by_name:
            continue
        values = parse_values(by_name[name], text, mode or "grid")
        (ranges if isinstance(values, tuple) else grid)[name] = values
    if mode in ("random", "tpe") and n_candidates is None:
        raise FieldError("search.candidates", "enter a whole number of candidates from 1 to 200")
    try:
        return SearchSpec(
            mode=mode or "grid",
            grid=grid,
            ranges=ranges,
            candidates=n_candidates or 20,
            seed=seed or 0,
            metric=metric,
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        raise FieldError("search." + ".".join(str(p) for p in error["loc"]), error["msg"]) from None


def _figure(rows, names, metric, model, mode):
    log_names = {p.name for p in estimator_spec(model).params if p.log}
    shown = [r for r in rows if not r["defaults"] and not r.get("pruned")]
    return search_figure(shown, names, metric, log_names, mode == "grid")


def register(app, services: Services) -> None:
    training = services.training

    @app.callback(
        Output(SearchIds.PARAMS, "children"),
        Output(SearchIds.METRIC_DROPDOWN, "options"),
        Output(SearchIds.METRIC_DROPDOWN, "value"),
        Input(TrainIds.MODEL_DROPDOWN, "value"),
        State(SearchIds.METRIC_DROPDOWN, "value"),
        prevent_initial_call=True,
    )
    def choose_model(model, metric):
        try:
            estimator = estimator_spec(model)
        except ValueError:
            raise PreventUpdate from None
        task = "regression" if estimator.task == "regression" else "binary"
        options = metric_options(task)
        return search_params(estimator), options, metric if metric in options else DEFAULT_METRIC[task]

    @app.callback(
        Output(SearchIds.RESULT_STORE, "data"),
        Output(SearchIds.MESSAGES, "children"),
        Input(SearchIds.RUN_BUTTON, "n_clicks"),
        *SPEC_STATES,
        *SEARCH_STATES,
        **background_run(
            SearchIds.RUN_BUTTON,
            SearchIds.CANCEL_BUTTON,
            progress=[
                Output(SearchIds.TABLE, "children"),
                Output(SearchIds.GRAPH, "figure"),
                Output(SearchIds.PROGRESS, "value"),
            ],
            shown=[SearchIds.GRAPH_PANEL],
        ),
        prevent_initial_call=True,
    )
    def run(set_progress, _clicks, *controls):
        spec_controls, search_controls = controls[: len(SPEC_STATES)], controls[len(SPEC_STATES) :]
        try:
            spec = spec_from_controls(*spec_controls)
            search = search_from_controls(spec.estimator, *search_controls)
            names = list(dict.fromkeys([*search.grid, *search.ranges]))
            metric = search.metric or ""

            def on_result(rows, done, total):
                figure = _figure(rows, names, metric, spec.estimator, search.mode) if done % 5 == 0 else no_update
                set_progress((results_table(rows, names, metric), figure, 100 * done // total))

            token, result, cached = training.search(spec, search, on_result=on_result)
        except Exception as exc:  # named errors are shown as they are, any other only logged
            return None, error_alert(exc)
        note = alert("Identical search found in the cache: no model was fitted.", "info") if cached else None
        return {"token": token, "model": spec.estimator, "mode": search.mode}, note

    @app.callback(
        Output(SearchIds.TABLE, "children", allow_duplicate=True),
        Output(SearchIds.GRAPH, "figure", allow_duplicate=True),
        Output(SearchIds.BEST, "children"),
        Output(SearchIds.USE_BEST_BUTTON, "disabled"),
        Output(SearchIds.PROGRESS, "value", allow_duplicate=True),
        Output(SearchIds.TPE_VIEWS, "style"),
        Output(SearchIds.HISTORY_GRAPH, "figure"),
        Output(SearchIds.IMPORTANCE_GRAPH, "figure"),
        Input(SearchIds.RESULT_STORE, "data"),
        prevent_initial_call=True,
    )
    def show(stored):
        if not stored:
            raise PreventUpdate
        try:
            result = training.search_result(stored.get("token"))
        except ResultExpired:
            raise PreventUpdate from None
        tpe = stored.get("mode") == "tpe"
        return (
            results_table(result.rows, result.names, result.metric, result.best),
            _figure(result.rows, result.names, result.metric, stored["model"], stored["mode"]),
            best_view(result),
            False,
            100,
            None if tpe else {"display": "none"},
            history_figure(result.history, result.metric) if tpe else no_update,
            importance_figure(result.importances, "Parameter importance (Optuna, fANOVA)") if tpe else no_update,
        )

    @app.callback(
        Output(TrainIds.param(ALL), "value"),
        Input(SearchIds.USE_BEST_BUTTON, "n_clicks"),
        State(SearchIds.RESULT_STORE, "data"),
        State(TrainIds.param(ALL), "value"),
        State(TrainIds.param(ALL), "id"),
        prevent_initial_call=True,
    )
    def use_best(_clicks, stored, current, param_ids):
        try:
            result = training.search_result((stored or {}).get("token"))
        except ResultExpired:
            raise PreventUpdate from None
        best = result.best_row()
        if best["defaults"]:  # the catalog's defaults won: every parameter goes back to its default
            values = {p.name: p.default for p in estimator_spec(stored["model"]).params}
        else:
            values = best["values"]
        return [values.get(pid["name"], value) for pid, value in zip(param_ids, current, strict=True)]
