"""SHAP over many rows for the stored version chosen on Predict: a dataset's rows explained by input column."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.figures.base import message_figure
from layouts.common import group_label
from layouts.predict_ids import PredictIds


def shap_card(datasets: list[dict[str, str]], dataset: str | None) -> dbc.Card:
    return dbc.Card(
        [
            dbc.CardHeader("SHAP over many rows of a dataset"),
            dbc.CardBody(
                [
                    _form(datasets, dataset),
                    dbc.Progress(id=PredictIds.SHAP_PROGRESS, value=0, className="mt-2", style={"height": "12px"}),
                    html.Div(id=PredictIds.SHAP_MESSAGES, className="mt-2"),
                    html.Div(
                        [
                            html.P(id=PredictIds.SHAP_NOTE, className="small text-muted"),
                            _graph(PredictIds.SHAP_SUMMARY_GRAPH),
                            _graph(PredictIds.SHAP_BAR_GRAPH),
                        ],
                        id=PredictIds.SHAP_PANEL,
                        hidden=True,
                    ),
                ]
            ),
        ]
    )


def _form(datasets: list[dict[str, str]], dataset: str | None) -> dbc.Row:
    """Which dataset, how many of its rows, Explain and Cancel."""
    rows = dbc.Input(id=PredictIds.SHAP_ROWS, type="number", min=10, max=2000, step=10, value=200)
    picker = dcc.Dropdown(
        id=PredictIds.SHAP_DATA,
        options=datasets,
        value=dataset,
        clearable=False,
        placeholder="a dataset with the model's input columns",
    )
    buttons = [
        dbc.Button("Explain", id=PredictIds.SHAP_BUTTON, size="sm", className="me-2"),
        dbc.Button("Cancel", id=PredictIds.SHAP_CANCEL, size="sm", color="outline-secondary", disabled=True),
    ]
    return dbc.Row(
        [
            dbc.Col(picker, md=6),
            dbc.Col(dbc.InputGroup([group_label("rows", PredictIds.SHAP_ROWS), rows], size="sm"), md=3),
            dbc.Col(buttons, md=3),
        ],
        className="align-items-center",
    )


def _graph(component_id: str) -> dcc.Graph:
    return dcc.Graph(id=component_id, figure=message_figure(""), config={"displaylogo": False})
