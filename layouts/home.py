"""Home: what is here. Datasets as cards (models and jobs join as their pages arrive)."""

from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import html

from dashboard.data.catalog import DatasetInfo
from layouts.common import badge, services
from layouts.home_ids import HomeIds
from layouts.models import primary_metric

TASK_COLOURS = {
    "binary": "primary",
    "multiclass": "info",
    "regression": "success",
    "clustering": "warning",
    "recommendation": "danger",
    "text": "secondary",
    "transactions": "dark",
}


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
            dbc.Button("Explore", href="/data?" + urlencode({"dataset": info.id}), size="sm", color="primary"),
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
    return html.Div(
        [
            *model_section,
            html.H2("Datasets"),
            html.P(
                "Built-in real datasets and your uploads. Pick one to explore its columns, distributions and rows.",
                className="text-muted",
            ),
            dbc.Row([dataset_card(info) for info in datasets], id=HomeIds.DATASET_CARDS),
        ]
    )
