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

from dashboard.train.catalog import EstimatorSpec, estimator_spec, for_task
from dashboard.train.compare import comparison_specs
from dashboard.train.spec import CVSpec, TextSpec, TrainSpec
from layouts.common import (
    alert,
    feature_options,
    feature_picker,
    left_out_note,
    query_int,
    query_number,
    services,
    wire_labels,
)
from layouts.train_compare import compare_section
from layouts.train_ids import TrainIds
from layouts.train_results import classification_panel, graph, inspect_section, regression_panel, save_section, section
from layouts.train_search import search_section

DEFAULT_DATASET = "titanic"


def param_controls(spec: EstimatorSpec, values: dict[str, Any] | None = None) -> list[Any]:
    """One control per hyperparameter, built from the catalog's spec (type, range, default, help)."""
    values = values or {}
    rows = []
    for param in spec.params:
        value = values.get(param.name, param.default)
        if param.kind == "choice":
            control = dcc.Dropdown(
                id=TrainIds.param(param.name),
                value=value,
                clearable=False,
                options=[{"label": str(c), "value": c} for c in param.choices],
            )
        else:
            control = dbc.Input(
                id=TrainIds.param(param.name),
                type="number",
                value=value,
                min=param.low,
                max=param.high,
                step=1 if param.kind == "int" else "any",
                size="sm",
            )
        scale = " (log scale)" if param.log else ""
        hint = f"{param.help}; {param.low:g} to {param.high:g}{scale}" if param.low is not None else param.help
        rows.append(
            dbc.Row(
                [dbc.Label(param.name, width=5, className="small"), dbc.Col([control, dbc.FormText(hint)], width=7)],
                className="mb-1",
            )
        )
    # wired here: the model switch's callback builds these rows too, outside any page layout
    return [wire_labels(row) for row in rows] or [
        html.P("This model has no hyperparameters to tune.", className="small text-muted")
    ]


def model_options(task: str) -> list[dict[str, str]]:
    return [{"label": spec.label, "value": spec.key} for spec in for_task(task)]


def params_from_query(spec: EstimatorSpec, query: dict[str, str]) -> dict[str, Any]:
    """``p_<name>`` query values that pass the parameter's own check; the rest keep their defaults."""
    values = {}
    for param in spec.params:
        raw = query.get(f"p_{param.name}")
        if raw is None:
            continue
        try:
            values[param.name] = param.check(raw if param.kind == "choice" else float(raw))
        except (TypeError, ValueError):
            continue
    return values


def cached_result(spec: TrainSpec) -> dict[str, Any] | None:
    """The result store's data when this exact run is cached, so a permalink opens on its result."""
    svc = services()
    try:
        token = svc.training.token(spec) if svc else None
    except ValueError:
        return None
    result = svc.training.memo.get(token) if token else None
    return {"token": token, "task": result.task, "spec": spec.key()} if result is not None else None


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
    folds: str = "5",
    seed: str = "0",
    task: str = "auto",
    threshold: str = "0.5",
    text: str = "word",
    ngram: str = "1-2",
    test: str = "0",
    opts: str = "stratified,shuffle",
    embed: str | None = None,
    compare: str | None = None,
    **query: str,
) -> html.Div:
    svc = services()
    if svc is not None and not svc.catalog.exists(dataset):
        dataset = DEFAULT_DATASET
    info = svc.catalog.info(dataset) if svc else None
    kinds = svc.explorer.kinds(dataset) if svc else {}
    columns = list(kinds)
    target = target if target in kinds else (info.target if info and info.target in kinds else None)
    defaults = svc.explorer.feature_defaults(dataset, target) if svc else None
    chosen = [f for f in (features or "").split(",") if f in kinds and f != target] or (
        defaults.features if defaults else []
    )
    target_kind = "regression" if kinds.get(target) == "numeric" and info and info.task == "regression" else "binary"
    options = model_options(target_kind)
    model = model if model in {o["value"] for o in options} else options[0]["value"]
    estimator = estimator_spec(model)
    params = {p.name: p.default for p in estimator.params} | params_from_query(estimator, query)
    folds_value = query_int(folds, 5, 2, 20)
    seed_value = query_int(seed, 0, 0, 2**31 - 1)
    test_value = query_number(test, 0, 0, 0.5)
    options_value = [o for o in (opts or "").split(",") if o in ("stratified", "shuffle", "importance", "stopwords")]
    ngram_low, _, ngram_high = (ngram or "1-2").partition("-")
    ngram_value = [query_int(ngram_low, 1, 1, 5), query_int(ngram_high, 2, 1, 5)]
    analyzer = text if text in ("word", "char_wb") else "word"
    embedded = str(embed) == "1"
    try:
        spec = TrainSpec(
            dataset=dataset,
            target=target or "",
            features=tuple(chosen),
            estimator=model,
            params=params,
            task=task if task in ("auto", "binary", "multiclass", "regression") else "auto",
            text=TextSpec(
                analyzer=analyzer,
                ngram_min=ngram_value[0],
                ngram_max=ngram_value[1],
                stop_words="stopwords" in options_value,
            ),
            cv=CVSpec(
                folds=folds_value,
                seed=seed_value,
                test_fraction=test_value,
                stratified="stratified" in options_value,
                shuffle="shuffle" in options_value,
            ),
            importance="importance" in options_value,
        )
    except ValueError:
        spec = None
    initial = cached_result(spec) if spec is not None else None
    compare_models = [m for m in (compare or "").split(",") if m in {o["value"] for o in options}]
    compared = cached_comparison(spec, compare_models) if spec is not None else None
    controls = dbc.Col(
        [
            dbc.Label("Dataset"),
            dcc.Dropdown(
                id=TrainIds.DATASET_DROPDOWN,
                value=dataset,
                clearable=False,
                options=[{"label": i.title, "value": i.id} for i in svc.catalog.list()] if svc else [],
            ),
            dbc.Label("Target", className="mt-2"),
            dcc.Dropdown(
                id=TrainIds.TARGET_DROPDOWN,
                value=target,
                options=columns,
                clearable=False,
                placeholder="Choose the column to predict",
            ),
            dbc.RadioItems(
                id=TrainIds.TASK_RADIO,
                value=task,
                inline=True,
                className="small mt-1",
                options=[{"label": t, "value": t} for t in ("auto", "binary", "multiclass", "regression")],
            ),
            dbc.Label("Features", className="mt-2"),
            feature_picker(TrainIds.FEATURES_DROPDOWN, chosen, feature_options(kinds, target=target)),
            html.Div(
                left_out_note(defaults.left_out, chosen) if defaults else "",
                id=TrainIds.FEATURES_NOTE,
                className="small text-muted mt-1",
            ),
            dbc.Label("Model", className="mt-2"),
            dcc.Dropdown(id=TrainIds.MODEL_DROPDOWN, value=model, options=options, clearable=False),
            html.Div(param_controls(estimator, params), id=TrainIds.PARAMS, className="mt-2"),
            html.Div(
                _text_controls(analyzer, ngram_value),
                id=TrainIds.TEXT_CONTROLS,
                hidden=not any(kinds.get(c) == "text" for c in chosen),
            ),
            *_cv_controls(folds_value, seed_value, test_value, options_value),
            html.Div(
                [
                    dbc.Button("Run cross-validation", id=TrainIds.RUN_BUTTON, color="primary", className="me-2"),
                    dbc.Button("Cancel", id=TrainIds.CANCEL_BUTTON, color="outline-secondary", disabled=True),
                ],
                className="mt-3",
            ),
            dbc.Progress(id=TrainIds.PROGRESS, value=0, className="mt-2", style={"height": "16px"}),
            html.A("Permalink", id=TrainIds.PERMALINK_LINK, href="#", className="small d-block mt-2"),
        ],
        lg=3,
        style={"display": "none"} if embedded else None,
    )
    results = dbc.Col(
        [
            html.Div(
                alert("This view has not been computed yet: open it in the dashboard and run it.", "info")
                if embedded and initial is None
                else None,
                id=TrainIds.MESSAGES,
            ),
            dcc.Store(id=TrainIds.RESULT_STORE, data=initial),
            dcc.Store(id=TrainIds.SCROLLED),
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
            html.Div(  # result views only once there is a result: an empty page of placeholders read as broken
                [
                    classification_panel(query_number(threshold, 0.5, -1e9, 1e9)),
                    regression_panel(),
                    section(
                        "What the model learned",
                        dbc.Row(
                            [
                                dbc.Col([graph(TrainIds.NATIVE_GRAPH), html.Div(id=TrainIds.NATIVE_LEVELS)], md=6),
                                dbc.Col(
                                    html.Div(
                                        graph(TrainIds.PERMUTATION_GRAPH, ""),
                                        id=TrainIds.PERMUTATION_PANEL,
                                        hidden=True,
                                    ),
                                    md=6,
                                ),
                            ]
                        ),
                        html.Div(id=TrainIds.TERMS),
                    ),
                    html.Div(inspect_section(chosen), hidden=embedded),
                    section(
                        "Pipeline",
                        html.Iframe(
                            id=TrainIds.PIPELINE,
                            title="The model's pipeline, as scikit-learn draws it",
                            sandbox="",
                            style={"width": "100%", "height": "260px", "border": "0"},
                        ),
                    ),
                    save_section(embedded),
                ],
                id=TrainIds.RESULT_PANELS,
                hidden=initial is None,
            ),
            # Searches and comparisons run on their own buttons, with or without a result above.
            html.Div(search_section(estimator, target_kind), hidden=embedded),
            html.Div(
                compare_section(options, compare_models, compared),
                hidden=embedded and compared is None,
            ),
        ],
        lg=12 if embedded else 9,
    )
    return html.Div([html.H2("Train and evaluate"), dbc.Row([controls, results])])


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
