"""Home: what is here. Datasets as cards (models and jobs join as their pages arrive)."""

from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import html

from dashboard.data.catalog import DatasetInfo
from layouts.common import badge, primary_metric, services
from layouts.home_ids import HomeIds

TASK_COLOURS = {
    "binary": "primary",
    "multiclass": "info",
    "regression": "success",
    "clustering": "warning",
    "recommendation": "danger",
    "text": "secondary",
    "transactions": "dark",
}


# Which pages fit a dataset's task, besides exploring it: what a newcomer can do with it next.
TASK_ACTIONS = {
    "binary": ("Train", "/train"),
    "multiclass": ("Train", "/train"),
    "regression": ("Train", "/train"),
    "text": ("Train", "/train"),
    "clustering": ("Cluster", "/clusters"),
    "transactions": ("Cluster", "/clusters"),
    "recommendation": ("Recommend", "/recommend"),
}


def dataset_actions(info: DatasetInfo) -> list[dbc.Button]:
    """Explore, then what the dataset's task is for (Train, Cluster or Recommend), each opening on it."""
    query = "?" + urlencode({"dataset": info.id})
    buttons = [dbc.Button("Explore", href="/data" + query, size="sm", color="primary")]
    if info.task in TASK_ACTIONS:
        label, path = TASK_ACTIONS[info.task]
        buttons.append(dbc.Button(label, href=path + query, size="sm", color="outline-primary"))
    return buttons


def start_here() -> dbc.Card:
    """The first thing on Home: the loop in three steps, each a link."""
    steps = [
        (
            "Explore a dataset",
            "a built-in one below, or upload a CSV, Excel or Parquet file on ",
            "/data",
            "Explore data",
        ),
        ("Train a model", "pick the column to predict and run cross-validation on ", "/train", "Train"),
        ("Save and query it", "save the model from Train, then ask it from a form or CSV on ", "/predict", "Predict"),
    ]
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2("Start here", className="h5"),
                html.Ol(
                    [
                        html.Li([html.Strong(title), ": ", text, html.A(page, href=href), "."])
                        for title, text, href, page in steps
                    ],
                    className="mb-0",
                ),
            ]
        ),
        className="mb-3",
        id=HomeIds.START_HERE,
    )


def dataset_card(info: DatasetInfo) -> dbc.Col:
    badges = [badge(info.task, TASK_COLOURS.get(info.task, "light"), className="me-1")]
    if info.origin == "upload":
        badges.append(dbc.Badge("uploaded", color="light", text_color="dark", className="me-1"))
    if info.synthetic:
        badges.append(badge("synthetic", "warning", className="me-1"))
    body = dbc.CardBody(
        [
            html.H5(info.title, className="card-title"),
            html.Div(badges, className="mb-2"),
            html.P(info.description, className="card-text small"),
            html.P(f"{info.rows:,} rows × {info.columns} columns", className="small text-muted mb-1"),
            html.P(f"Source: {info.source} · Licence: {info.licence}", className="small text-muted"),
            html.Div(dataset_actions(info), className="d-flex flex-wrap gap-2"),
        ]
    )
    return dbc.Col(dbc.Card(body, className="h-100", id=f"home-dataset-{info.id}-card"), md=6, lg=4, className="mb-3")


def model_card(model: dict) -> dbc.Col:
    name = model["name"]
    body = dbc.CardBody(
        [
            html.H5(name, className="card-title"),
            html.Div(
                [
                    badge(model["task"], TASK_COLOURS.get(model["task"], "light"), className="me-1"),
                    *[badge(a, "info", className="me-1") for a in sorted(model["aliases"])],
                ],
                className="mb-2",
            ),
            html.P(model.get("description", ""), className="card-text small"),
            html.P(
                f"answers with v{model['default_version']} ({model['default_reason']}) · "
                f"{primary_metric(model.get('metrics', {}))} · {model.get('estimator')}",
                className="small text-muted",
            ),
            html.Div(
                [
                    dbc.Button(
                        "Predict",
                        href="/predict?" + urlencode({"model": name}),
                        size="sm",
                        color="primary",
                        className="me-2",
                    ),
                    dbc.Button("Card", href="/models?" + urlencode({"model": name}), size="sm", color="secondary"),
                ]
            ),
        ]
    )
    return dbc.Col(dbc.Card(body, className="h-100", id=f"home-model-{name}-card"), md=6, lg=4, className="mb-3")


def layout(**_query: str) -> html.Div:
    svc = services()
    datasets = svc.catalog.list() if svc else []
    models = svc.models.list() if svc else []
    model_section = [
        html.H2("Models"),
        html.P("Stored models, ready to query from a form, a CSV or the REST API.", className="text-muted"),
        dbc.Row([model_card(m) for m in models], id=HomeIds.MODEL_CARDS)
        if models
        else dbc.Alert("No models yet: the demo models are trained in the background at first start.", color="info"),
    ]
    return html.Div(  # what to do first, then the datasets above the fold, then the models
        [
            start_here(),
            html.H2("Datasets"),
            html.P(
                "Built-in real datasets and your uploads: explore one, or go straight to what its task is for.",
                className="text-muted",
            ),
            dbc.Row([dataset_card(info) for info in datasets], id=HomeIds.DATASET_CARDS),
            *model_section,
        ]
    )
