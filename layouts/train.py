"""Train (/train): dataset → target → features → model family → hyperparameters → validation, then live
cross-validation with per-fold rows and curves, threshold and cost views, and saving to the store.

URL: ``/train?dataset=titanic&target=Survived&features=Pclass,Sex,Age&model=random_forest&p_n_estimators=300
&folds=5&seed=0&threshold=0.3`` (``p_<name>`` sets a hyperparameter). When that exact run is in the cache the
page opens on its result, which is also what ``&embed=1`` shows: the result views without the controls.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.train.catalog import estimator_spec
from dashboard.train.compare import comparison_specs
from dashboard.train.diagnostics import SHAP_ROWS
from dashboard.train.spec import TrainSpec
from layouts.common import (
    alert,
    feature_options,
    feature_picker,
    left_out_note,
    mounted_when_shown,
    query_int,
    query_number,
    services,
)
from layouts.reports_ids import TRAIN_PIN
from layouts.train_compare import compare_section
from layouts.train_form import DEFAULT_DATASET, TrainForm, param_controls, read_form
from layouts.train_ids import TrainIds
from layouts.train_results import (
    classification_panel,
    graph,
    inspect_section,
    regression_panel,
    save_section,
    section,
    tree_section,
)
from layouts.train_search import search_section
from layouts.train_shap import shap_section
from layouts.train_subgroups import subgroup_section
from layouts.widgets import export_links, pin_panel


def cached_result(spec: TrainSpec) -> dict[str, Any] | None:
    """The result store's data when this exact run is cached, so a permalink opens on its result."""
    svc = services()
    try:
        token = svc.training.token(spec) if svc else None
    except ValueError:
        return None
    result = svc.training.memo.get(token) if token else None
    return {"token": token, "task": result.task, "spec": spec.key()} if result is not None else None


def cached_shap(spec: TrainSpec | None, rows: int) -> dict[str, Any] | None:
    """The SHAP store's data when this run's summary of ``rows`` rows is cached (a permalink opens on it)."""
    svc = services()
    if svc is None or spec is None or not svc.diagnostics.shap_cached(spec, rows):
        return None
    return {"spec": spec.key(), "rows": rows}


def cached_comparison(spec: TrainSpec, models: list[str]) -> dict[str, Any] | None:
    """The comparison store's data when every model of it is cached, so a permalink opens on it."""
    svc = services()
    if svc is None or len(models) < 2:
        return None
    try:
        specs = comparison_specs(spec, models)
        tokens = [svc.training.token(s) for s in specs]
    except ValueError:
        return None
    if any(svc.training.memo.get(token) is None for token in tokens):
        return None
    return {"labels": [estimator_spec(s.estimator).label for s in specs], "tokens": tokens}


def layout(
    dataset: str = DEFAULT_DATASET,
    target: str | None = None,
    features: str | None = None,
    model: str | None = None,
    opts: str = "stratified,shuffle",
    compare: str | None = None,
    by: str | None = None,
    **query: str,
) -> html.Div:
    form = read_form(dataset, target, features, model, {**query, "opts": opts})
    spec = form.spec()
    shap_rows = query_int(query.get("shap", str(SHAP_ROWS)), SHAP_ROWS, 10, 2000)
    initial = cached_result(spec) if spec is not None else None
    compare_models = [m for m in (compare or "").split(",") if m in {o["value"] for o in form.model_options}]
    compared = cached_comparison(spec, compare_models) if spec is not None else None
    shap_shown = cached_shap(spec, shap_rows) if initial else None
    results = [
        html.Div(
            alert("This view has not been computed yet: open it in the dashboard and run it.", "info")
            if form.embedded and initial is None
            else None,
            id=TrainIds.MESSAGES,
        ),
        dcc.Store(id=TrainIds.RESULT_STORE, data=initial),
        dcc.Store(id=TrainIds.SCROLLED),
        *_result_sections(form, initial, query_number(query.get("threshold", "0.5"), 0.5, -1e9, 1e9), by),
        mounted_when_shown(
            TrainIds.SHAP_SECTION,
            html.Div(
                shap_section(shap_rows, shap_shown, form.embedded),
                style={"display": "none"} if form.embedded and shap_shown is None else None,
            ),
            shown=initial is not None,
        ),
        # Searches and comparisons run on their own buttons, with or without a result above.
        html.Div(search_section(form.estimator, form.target_kind), hidden=form.embedded),
        html.Div(
            compare_section(form.model_options, compare_models, compared),
            hidden=form.embedded and compared is None,
        ),
    ]
    return html.Div(
        [
            html.H2("Train and evaluate"),
            dbc.Row(
                [
                    dbc.Col(_controls(form), lg=3, style={"display": "none"} if form.embedded else None),
                    dbc.Col(results, lg=12 if form.embedded else 9),
                ]
            ),
        ]
    )


def _controls(form: TrainForm) -> list[Any]:
    """The left column: dataset → target → features → model and its parameters → validation → Run."""
    return [
        dbc.Label("Dataset"),
        dcc.Dropdown(id=TrainIds.DATASET_DROPDOWN, value=form.dataset, clearable=False, options=form.datasets),
        dbc.Label("Target", className="mt-2"),
        dcc.Dropdown(
            id=TrainIds.TARGET_DROPDOWN,
            value=form.target,
            options=list(form.kinds),
            clearable=False,
            placeholder="Choose the column to predict",
        ),
        dbc.RadioItems(
            id=TrainIds.TASK_RADIO,
            value=form.task,
            inline=True,
            className="small mt-1",
            options=[{"label": t, "value": t} for t in ("auto", "binary", "multiclass", "regression")],
        ),
        dbc.Label("Features", className="mt-2"),
        feature_picker(TrainIds.FEATURES_DROPDOWN, form.features, feature_options(form.kinds, target=form.target)),
        html.Div(
            left_out_note(form.left_out, form.features) if form.left_out is not None else "",
            id=TrainIds.FEATURES_NOTE,
            className="small text-muted mt-1",
        ),
        dbc.Label("Model", className="mt-2"),
        dcc.Dropdown(id=TrainIds.MODEL_DROPDOWN, value=form.estimator.key, options=form.model_options, clearable=False),
        html.Div(param_controls(form.estimator, form.params), id=TrainIds.PARAMS, className="mt-2"),
        dbc.Label("Calibrate the scores", className="small mt-2"),
        dcc.Dropdown(
            id=TrainIds.CALIBRATION_DROPDOWN,
            value=form.calibration,
            clearable=False,
            options=[
                {"label": "no (the model's own scores)", "value": "none"},
                {"label": "sigmoid (Platt scaling)", "value": "sigmoid"},
                {"label": "isotonic", "value": "isotonic"},
            ],
        ),
        html.Div(
            _text_controls(form.analyzer, form.ngram),
            id=TrainIds.TEXT_CONTROLS,
            hidden=not any(form.kinds.get(c) == "text" for c in form.features),
        ),
        *_cv_controls(form.folds, form.seed, form.test, form.options),
        html.Div(
            [
                dbc.Button("Run cross-validation", id=TrainIds.RUN_BUTTON, color="primary", className="me-2"),
                dbc.Button("Cancel", id=TrainIds.CANCEL_BUTTON, color="outline-secondary", disabled=True),
            ],
            className="mt-3",
        ),
        dbc.Progress(id=TrainIds.PROGRESS, value=0, className="mt-2", style={"height": "16px"}),
        html.A("Permalink", id=TrainIds.PERMALINK_LINK, href="#", className="small d-block mt-2"),
        export_links(TrainIds.EXPORT_LINK),
        pin_panel(TRAIN_PIN),
    ]


def _result_sections(form: TrainForm, initial: dict[str, Any] | None, threshold: float, by: str | None) -> list[Any]:
    """The cross-validation table, then the result views, shown only once there is a result (an empty page
    of placeholders read as broken)."""
    learned = dbc.Row(
        [
            dbc.Col([graph(TrainIds.NATIVE_GRAPH), html.Div(id=TrainIds.NATIVE_LEVELS)], md=6),
            dbc.Col(html.Div(graph(TrainIds.PERMUTATION_GRAPH, ""), id=TrainIds.PERMUTATION_PANEL, hidden=True), md=6),
        ]
    )
    pipeline = html.Iframe(
        id=TrainIds.PIPELINE,
        title="The model's pipeline, as scikit-learn draws it",
        sandbox="",
        style={"width": "100%", "height": "260px", "border": "0"},
    )
    return [
        section(
            "Cross-validation",
            html.P(
                "Choose the target and features on the left, then run: each fold appears here as it "
                "finishes, and the curves, threshold, importances and pipeline below it.",
                id=TrainIds.FIRST_RUN_NOTE,
                className="text-muted small mb-0",
                hidden=initial is not None,
            ),
            html.Div(id=TrainIds.SUMMARY),
            html.Div(id=TrainIds.FOLD_TABLE, className="table-responsive"),
        ),
        mounted_when_shown(
            TrainIds.RESULT_PANELS,
            [
                classification_panel(threshold, form.embedded),
                regression_panel(),
                subgroup_section([c for c in form.kinds if c != form.target], (by or "").split(",")),
                section("What the model learned", learned, html.Div(id=TrainIds.TERMS)),
                tree_section(),
                html.Div(inspect_section(form.features), hidden=form.embedded),
                section("Pipeline", pipeline),
                save_section(form.embedded),
            ],
            shown=initial is not None,
        ),
    ]


def _text_controls(analyzer: str, ngram_value: list[int]) -> dbc.Row:
    """How text features become n-grams: words or characters, and the n-gram range."""
    return dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label("Text n-grams", className="small"),
                    dcc.Dropdown(
                        id=TrainIds.TEXT_ANALYZER,
                        value=analyzer,
                        clearable=False,
                        options=[
                            {"label": "words", "value": "word"},
                            {"label": "characters", "value": "char_wb"},
                        ],
                    ),
                ],
                width=6,
            ),
            dbc.Col(
                [
                    dbc.Label("n-gram range", className="small"),
                    dcc.RangeSlider(id=TrainIds.TEXT_NGRAM, min=1, max=5, step=1, value=ngram_value),
                ],
                width=6,
            ),
        ],
        className="mt-2",
    )


def _cv_controls(folds_value: int, seed_value: int, test_value: float, options_value: list[str]) -> list:
    """The cross-validation spec: folds, seed, a held-out test share, and the options."""
    return [
        dbc.Row(
            [
                _number_field("Folds", TrainIds.FOLDS_INPUT, folds_value, min=2, max=20),
                _number_field("Seed", TrainIds.SEED_INPUT, seed_value, min=0),
                _number_field("Test share", TrainIds.TEST_FRACTION_INPUT, test_value, min=0, max=0.5, step=0.05),
            ],
            className="mt-2",
        ),
        dbc.Checklist(
            id=TrainIds.OPTIONS_CHECKLIST,
            value=options_value,
            inline=True,
            className="small mt-1",
            options=[
                {"label": "stratified", "value": "stratified"},
                {"label": "shuffle", "value": "shuffle"},
                {"label": "permutation importance (slower)", "value": "importance"},
                {"label": "English stop words out (word n-grams)", "value": "stopwords"},
            ],
        ),
    ]


def _number_field(label: str, component_id: str, value: float, **bounds: float) -> dbc.Col:
    """A small labelled number input, a third of the controls' width."""
    return dbc.Col(
        [
            dbc.Label(label, className="small"),
            dbc.Input(id=component_id, type="number", **bounds, value=value, size="sm"),
        ],
        width=4,
    )
