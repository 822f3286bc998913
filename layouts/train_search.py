"""The hyperparameter-search card of the Train page: which parameters to tune and their values (a grid
of lists, or random draws from lists and ``low..high`` ranges), then the streamed results."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.figures.base import message_figure
from dashboard.train.catalog import EstimatorSpec
from dashboard.train.search import DEFAULT_METRIC, MAX_CANDIDATES
from layouts.common import dom_id
from layouts.train_ids import SearchIds

METRICS = {
    "classification": ("roc_auc", "accuracy", "balanced_accuracy", "f1", "average_precision", "log_loss"),
    "regression": ("rmse", "mae", "r2", "mape"),
}


def metric_options(task: str) -> list[str]:
    return list(METRICS["regression" if task == "regression" else "classification"])


def search_params(spec: EstimatorSpec) -> list[Any]:
    """A tick box per tunable parameter and its values, prefilled with a small grid around the default."""
    if not spec.params:
        return [html.P("This model has no hyperparameters to tune.", className="small text-muted")]
    rows = [
        dbc.Row(
            [
                dbc.Col(
                    dbc.Label(html.Code(p.name), html_for=dom_id(SearchIds.values(p.name)), className="small mb-0"),
                    width=4,
                ),
                dbc.Col(
                    dbc.Input(
                        id=SearchIds.values(p.name),
                        value=", ".join(str(v) for v in p.suggested_values()),
                        size="sm",
                        debounce=True,
                    ),
                    width=8,
                ),
            ],
            className="mb-1 align-items-center",
        )
        for p in spec.params
    ]
    hint = "Random and TPE search also take a range low..high, drawn on the parameter's scale"
    ranges = "; ".join(f"{p.name} {p.low:g}..{p.high:g}" for p in spec.params if p.low is not None)
    return [
        dbc.Checklist(
            id=SearchIds.TUNE_CHECKLIST,
            options=[{"label": p.name, "value": p.name} for p in spec.params],
            value=[spec.params[0].name],
            inline=True,
            className="small mb-2",
        ),
        *rows,
        dbc.FormText(f"{hint} ({ranges})." if ranges else hint + "."),
    ]


def search_section(spec: EstimatorSpec, task: str) -> dbc.Card:
    controls = dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label("Search", className="small"),
                    dbc.RadioItems(
                        id=SearchIds.MODE_RADIO,
                        value="grid",
                        inline=True,
                        className="small",
                        options=[
                            {"label": "grid", "value": "grid"},
                            {"label": "random", "value": "random"},
                            {"label": "TPE (Bayesian)", "value": "tpe"},
                        ],
                    ),
                ],
                md=3,
            ),
            dbc.Col(
                [
                    dbc.Label("Rank by", className="small"),
                    dcc.Dropdown(
                        id=SearchIds.METRIC_DROPDOWN,
                        value=DEFAULT_METRIC.get(task, "accuracy"),
                        options=metric_options(task),
                        clearable=False,
                    ),
                ],
                md=3,
            ),
            dbc.Col(
                [
                    dbc.Label("Random candidates / TPE trials", className="small"),
                    dbc.Input(
                        id=SearchIds.CANDIDATES_INPUT, type="number", min=1, max=MAX_CANDIDATES, value=20, size="sm"
                    ),
                ],
                md=3,
            ),
            dbc.Col(
                [
                    dbc.Label("Random seed", className="small"),
                    dbc.Input(id=SearchIds.SEED_INPUT, type="number", min=0, value=0, size="sm"),
                ],
                md=3,
            ),
        ]
    )
    return dbc.Card(
        [
            dbc.CardHeader("Hyperparameter search (same folds as the cross-validation)"),
            dbc.CardBody(
                [
                    controls,
                    html.Div(search_params(spec), id=SearchIds.PARAMS, className="mt-2"),
                    html.Div(
                        [
                            dbc.Button("Run search", id=SearchIds.RUN_BUTTON, color="primary", className="me-2"),
                            dbc.Button("Cancel", id=SearchIds.CANCEL_BUTTON, color="outline-secondary", disabled=True),
                            dbc.Button(
                                "Use the best parameters",
                                id=SearchIds.USE_BEST_BUTTON,
                                color="outline-success",
                                className="ms-2",
                                disabled=True,
                            ),
                        ],
                        className="mt-2",
                    ),
                    dbc.Progress(id=SearchIds.PROGRESS, value=0, className="mt-2", style={"height": "16px"}),
                    html.Div(id=SearchIds.MESSAGES, className="mt-2"),
                    dcc.Store(id=SearchIds.RESULT_STORE),
                    html.Div(id=SearchIds.BEST, className="mt-2"),
                    html.Div(id=SearchIds.TABLE, className="table-responsive mt-2", style={"maxHeight": "420px"}),
                    html.Div(
                        dcc.Graph(id=SearchIds.GRAPH, figure=message_figure(""), config={"displaylogo": False}),
                        id=SearchIds.GRAPH_PANEL,
                        hidden=True,
                    ),
                    dbc.Row(
                        [
                            dbc.Col(dcc.Graph(id=SearchIds.HISTORY_GRAPH, config={"displaylogo": False}), md=6),
                            dbc.Col(dcc.Graph(id=SearchIds.IMPORTANCE_GRAPH, config={"displaylogo": False}), md=6),
                        ],
                        id=SearchIds.TPE_VIEWS,
                        style={"display": "none"},
                    ),
                ]
            ),
        ],
        className="mb-3",
    )
