"""Recommend (/recommend): map an interactions dataset (user, item, value, time, title), look at its
shape, evaluate recommenders side by side on a per-user holdout, explore one user's top-N with reasons,
similar items and a second model, then save the recommender for Predict and the REST API.

URL: ``/recommend?dataset=movielens&model=item_knn&uid=15&view=explore`` (``embed=1`` drops the controls).
"""

from __future__ import annotations

import math
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.figures.base import message_figure
from dashboard.recommend import queries
from dashboard.recommend.evaluation import HoldoutSpec
from dashboard.recommend.interactions import Mapping, guess_mapping
from dashboard.recommend.models import KINDS, RecSpec
from layouts.common import editor_only, is_embed, query_int, query_number, services
from layouts.recommend_ids import RecommendIds
from layouts.recommend_views import eval_table, explore_view
from layouts.reports_ids import RECOMMEND_PIN
from layouts.widgets import export_links, pin_panel

DEFAULT_DATASET = "movielens"
VIEWS = ("data", "evaluate", "explore")
ROLES = (
    ("user", RecommendIds.USER_DROPDOWN, "user *"),
    ("item", RecommendIds.ITEM_DROPDOWN, "item *"),
    ("value", RecommendIds.VALUE_DROPDOWN, "value: rating or count (empty: 1 per row)"),
    ("timestamp", RecommendIds.TIME_DROPDOWN, "timestamp (for 'last n' holdout)"),
    ("title", RecommendIds.TITLE_DROPDOWN, "item title"),
    ("genres", RecommendIds.GENRES_DROPDOWN, "item genres"),
)
PARAMS = (
    # (query name, id, label, default, low, high, integer)
    ("neighbours", RecommendIds.NEIGHBOURS_INPUT, "neighbours (kNN)", 50, 1, 1000, True),
    ("factors", RecommendIds.FACTORS_INPUT, "factors (MF)", 64, 2, 512, True),
    ("regularization", RecommendIds.REGULARIZATION_INPUT, "regularisation (ALS)", 0.05, 0, 1000, False),
    ("iterations", RecommendIds.ITERATIONS_INPUT, "iterations (MF)", 15, 1, 200, True),
    ("alpha", RecommendIds.ALPHA_INPUT, "confidence alpha (ALS)", 1.0, 1e-6, 1000, False),
)


def _field(label: str, control: Any, width: int = 6) -> dbc.Col:
    return dbc.Col([dbc.Label(label, className="small mb-0"), control], width=width, className="mb-1")


def _graph(component_id: str, text: str) -> dcc.Graph:
    return dcc.Graph(id=component_id, figure=message_figure(text), config={"displaylogo": False})


def mapping_from_query(dataset: str, columns: list[str], query: dict[str, str]) -> dict[str, str | None]:
    """The URL's mapping where it names real columns ('-': deliberately none), else a guess from the names."""
    guess = guess_mapping(columns)
    chosen = {}
    for role, _, _ in ROLES:
        value = query.get(role)
        chosen[role] = value if value in columns else (None if value == "-" else guess[role])
    return chosen


def feedback_from_query(query: dict[str, str]) -> str:
    return query["feedback"] if query.get("feedback") in ("explicit", "implicit") else "auto"


def models_from_query(query: dict[str, str]) -> list[str]:
    """The models evaluated beside the popularity baseline (always evaluated)."""
    return [m for m in (query.get("models") or "item_knn,als").split(",") if m in KINDS and m != "popularity"]


def spec_from_query(query: dict[str, str]) -> RecSpec:
    values: dict[str, Any] = {"kind": query.get("model") if query.get("model") in KINDS else "item_knn"}
    for name, _, _, default, low, high, integer in PARAMS:
        values[name] = (query_int if integer else query_number)(query.get(name), default, low, high)
    return RecSpec(**values)


def holdout_from_query(query: dict[str, str]) -> HoldoutSpec:
    relevant = query_number(query.get("relevant"), math.nan, -1e12, 1e12)  # missing or malformed: NaN
    return HoldoutSpec(
        method="random" if query.get("holdout") == "random" else "last",
        n=query_int(query.get("n"), 5, 1, 100),
        k=query_int(query.get("k"), 10, 1, 100),
        relevant_from=None if math.isnan(relevant) else relevant,
        seed=query_int(query.get("seed"), 0, 0, 2**31 - 1),
    )


def _controls(dataset: str, columns: list[str], mapping: dict, spec: RecSpec, feedback: str, svc) -> dbc.Col:
    datasets = [{"label": i.title, "value": i.id} for i in svc.catalog.list()] if svc else []
    return dbc.Col(
        [
            dbc.Label("Interactions dataset"),
            dcc.Dropdown(id=RecommendIds.DATASET_DROPDOWN, value=dataset, clearable=False, options=datasets),
            dbc.Row(
                [
                    _field(label, dcc.Dropdown(id=component, value=mapping[role], options=columns), 6)
                    for role, component, label in ROLES
                ],
                className="mt-2",
            ),
            dbc.RadioItems(
                id=RecommendIds.FEEDBACK_RADIO,
                value=feedback,
                inline=True,
                className="small",
                options=[
                    {"label": "detect", "value": "auto"},
                    {"label": "ratings", "value": "explicit"},
                    {"label": "counts", "value": "implicit"},
                ],
            ),
            dbc.Label("Model (explore and save)", className="mt-2"),
            dbc.RadioItems(
                id=RecommendIds.MODEL_RADIO,
                value=spec.kind,
                className="small",
                options=[{"label": label, "value": kind} for kind, label in KINDS.items()],
            ),
            dbc.Row(
                [
                    _field(
                        label,
                        dbc.Input(
                            id=component,
                            type="number",
                            min=low,
                            max=high,
                            step=1 if integer else "any",
                            value=getattr(spec, name),
                            size="sm",
                        ),
                    )
                    for name, component, label, _, low, high, integer in PARAMS
                ],
                className="mt-1",
            ),
            html.A("Permalink", id=RecommendIds.PERMALINK_LINK, href="#", className="small d-block mt-2"),
            export_links(RecommendIds.EXPORT_LINK),
            pin_panel(RECOMMEND_PIN),
        ],
        lg=3,
    )


def _evaluate_tab(holdout: HoldoutSpec, models: list[str], cached, embedded: bool) -> html.Div:
    hidden = {"display": "none"} if embedded else None
    controls = html.Div(
        [
            dbc.Checklist(
                id=RecommendIds.EVAL_MODELS_CHECKLIST,
                value=models,
                inline=True,
                className="small",
                options=[{"label": label, "value": kind} for kind, label in KINDS.items() if kind != "popularity"],
            ),
            html.P("The popularity baseline is always evaluated.", className="small text-muted mb-1"),
            dbc.Row(
                [
                    _field(
                        "hold out",
                        dbc.RadioItems(
                            id=RecommendIds.HOLDOUT_RADIO,
                            value=holdout.method,
                            inline=True,
                            className="small",
                            options=[{"label": "last n", "value": "last"}, {"label": "random n", "value": "random"}],
                        ),
                        3,
                    ),
                    _field(
                        "n per user",
                        dbc.Input(
                            id=RecommendIds.HOLDOUT_N_INPUT, type="number", min=1, max=100, value=holdout.n, size="sm"
                        ),
                        2,
                    ),
                    _field(
                        "k",
                        dbc.Input(id=RecommendIds.K_INPUT, type="number", min=1, max=100, value=holdout.k, size="sm"),
                        2,
                    ),
                    _field(
                        "relevant from rating",
                        dbc.Input(
                            id=RecommendIds.RELEVANT_INPUT,
                            type="number",
                            step="any",
                            value=holdout.relevant_from,
                            size="sm",
                            placeholder="all",
                        ),
                        3,
                    ),
                    _field(
                        "seed",
                        dbc.Input(id=RecommendIds.SEED_INPUT, type="number", min=0, value=holdout.seed, size="sm"),
                        2,
                    ),
                ]
            ),
            dbc.Button("Evaluate", id=RecommendIds.EVAL_BUTTON, color="primary", className="me-2"),
            dbc.Button("Cancel", id=RecommendIds.EVAL_CANCEL_BUTTON, color="outline-secondary", disabled=True),
            dbc.Progress(id=RecommendIds.EVAL_PROGRESS, value=0, className="mt-2", style={"height": "14px"}),
        ],
        style=hidden,
        className="mb-2",
    )
    table = eval_table(cached, holdout.k) if cached else None
    graph_text = "Evaluate to compare the models against the popularity baseline"
    return html.Div(
        [
            controls,
            html.Div(table, id=RecommendIds.EVAL_TABLE),
            _graph(RecommendIds.EVAL_GRAPH, graph_text),
        ]
    )


def _explore_tab(uid: str, iid: str, compare: str | None, embedded: bool, initial) -> html.Div:
    hidden = {"display": "none"} if embedded else None
    return html.Div(
        [
            dbc.Row(
                [
                    _field(
                        "user id",
                        dbc.Input(id=RecommendIds.EXPLORE_USER_INPUT, value=uid, size="sm", placeholder="e.g. 15"),
                        3,
                    ),
                    _field(
                        "item id (similar items)",
                        dbc.Input(id=RecommendIds.EXPLORE_ITEM_INPUT, value=iid, size="sm", placeholder="e.g. 1"),
                        3,
                    ),
                    _field(
                        "compare with",
                        dcc.Dropdown(
                            id=RecommendIds.COMPARE_DROPDOWN,
                            value=compare,
                            options=[{"label": v, "value": k} for k, v in KINDS.items()],
                        ),
                        4,
                    ),
                    dbc.Col(
                        dbc.Button(
                            "Show", id=RecommendIds.EXPLORE_BUTTON, color="primary", size="sm", className="mt-3"
                        ),
                        width=2,
                    ),
                ],
                style=hidden,
            ),
            dcc.Loading(html.Div(initial, id=RecommendIds.EXPLORE_RESULT)),
            dcc.Store(id=RecommendIds.FIT_REQUEST_STORE),
            editor_only(
                dbc.InputGroup(
                    [
                        dbc.Input(
                            id=RecommendIds.SAVE_NAME_INPUT, placeholder="model name, e.g. movie-recs", maxLength=64
                        ),
                        dbc.Button("Save recommender", id=RecommendIds.SAVE_BUTTON, color="success"),
                    ],
                    size="sm",
                    className="mt-3",
                    style=hidden,
                )
            ),
            html.Div(id=RecommendIds.SAVE_ALERT, className="mt-2"),
        ]
    )


def layout(dataset: str = DEFAULT_DATASET, embed: str | None = None, view: str = "data", **query: str) -> html.Div:
    svc = services()
    if svc is not None and not svc.catalog.exists(dataset):
        dataset = DEFAULT_DATASET
    columns = list(svc.explorer.kinds(dataset)) if svc else []
    mapping = mapping_from_query(dataset, columns, query)
    feedback = feedback_from_query(query)
    spec, holdout, models = spec_from_query(query), holdout_from_query(query), models_from_query(query)
    embedded = is_embed(embed)
    cached_eval, initial = None, None
    if svc is not None and mapping["user"] and mapping["item"]:
        try:
            full = Mapping(dataset=dataset, feedback=feedback, **mapping)
            specs = [spec.model_copy(update={"kind": m}) for m in models]
            cached_eval = svc.recommend.cached_evaluation(full, specs, holdout)
            initial = _cached_explore(svc, full, spec, query)
        except ValueError:
            cached_eval, initial = None, None
    data_tab = html.Div(
        [
            html.Div(id=RecommendIds.STATS, className="mb-2"),
            dbc.Row(
                [
                    dbc.Col(_graph(RecommendIds.USER_HISTOGRAM, "Map a user and an item column"), md=6),
                    dbc.Col(_graph(RecommendIds.ITEM_HISTOGRAM, ""), md=6),
                ]
            ),
            _graph(RecommendIds.LONG_TAIL_GRAPH, ""),
        ]
    )
    tabs = dbc.Tabs(
        [
            dbc.Tab(data_tab, label="Data", tab_id="data"),
            dbc.Tab(_evaluate_tab(holdout, models, cached_eval, embedded), label="Evaluate", tab_id="evaluate"),
            dbc.Tab(
                _explore_tab(query.get("uid", ""), query.get("iid", ""), query.get("compare"), embedded, initial),
                label="Explore",
                tab_id="explore",
            ),
        ],
        id=RecommendIds.TABS,
        active_tab=view if view in VIEWS else "data",
    )
    controls = _controls(dataset, columns, mapping, spec, feedback, svc)
    if embedded:
        controls.style = {"display": "none"}
    results = dbc.Col(tabs, lg=12 if embedded else 9)
    return html.Div([html.H2("Recommend"), dbc.Row([controls, results])])


def _cached_explore(svc, mapping: Mapping, spec: RecSpec, query: dict[str, str]):
    """The explore view straight from a cached model (a permalink or embed opens on it), else None."""
    model = svc.recommend.cached_model(mapping, spec)
    if model is None or not (query.get("uid") or query.get("iid")):
        return None
    k = query_int(query.get("k"), 10, 1, 100)
    try:
        answer = queries.recommend(model, query["uid"], k, history=10) if query.get("uid") else None
        similar = queries.similar(model, query["iid"], k) if query.get("iid") else None
    except ValueError:
        return None
    return explore_view(answer, similar, None, (spec.label, ""))
