"""Home: what is here. Datasets as cards (models and jobs join as their pages arrive)."""

from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import html

from dashboard import ids
from dashboard.data.catalog import DatasetInfo
from layouts.common import services

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
    badges = [dbc.Badge(info.task, color=TASK_COLOURS.get(info.task, "light"), className="me-1")]
    if info.origin == "upload":
        badges.append(dbc.Badge("uploaded", color="light", text_color="dark", className="me-1"))
    if info.synthetic:
        badges.append(dbc.Badge("synthetic", color="warning", className="me-1"))
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


def layout(**_query: str) -> html.Div:
    svc = services()
    datasets = svc.catalog.list() if svc else []
    return html.Div(
        [
            html.H2("Datasets"),
            html.P(
                "Built-in real datasets and your uploads. Pick one to explore its columns, distributions and rows.",
                className="text-muted",
            ),
            dbc.Row([dataset_card(info) for info in datasets], id=ids.HOME_DATASET_CARDS),
        ]
    )
