"""The Train page's result panels: classification and regression views, what the model learned,
inspection and saving; shown once there is a result."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.figures.base import message_figure
from layouts.common import (
    editor_only,
    group_label,
    query_number,
)
from layouts.train_ids import InspectIds, TrainIds


def section(title: str, *children: Any, **kwargs: Any) -> dbc.Card:
    return dbc.Card([dbc.CardHeader(title), dbc.CardBody(list(children))], className="mb-3", **kwargs)


def graph(component_id: str, text: str = "Run cross-validation to see this") -> dcc.Graph:
    return dcc.Graph(id=component_id, figure=message_figure(text), config={"displaylogo": False})


def inspect_section(features: list[str]) -> dbc.Card:
    """Partial dependence / ICE of one column and the learning curve of the run shown, on request."""
    return section(
        "Partial dependence and learning curve",
        dbc.Row(
            [
                dbc.Col(
                    dcc.Dropdown(id=InspectIds.PDP_COLUMN, options=features, value=features[0] if features else None),
                    md=4,
                ),
                dbc.Col(
                    [
                        dbc.Button("Partial dependence", id=InspectIds.PDP_BUTTON, color="secondary", className="me-2"),
                        dbc.Button("Learning curve", id=InspectIds.CURVE_BUTTON, color="secondary"),
                    ],
                    md=8,
                ),
            ],
            className="align-items-center",
        ),
        html.Div(id=InspectIds.MESSAGES, className="mt-2"),
        dbc.Row(
            [
                dbc.Col(html.Div(graph(InspectIds.PDP_GRAPH, ""), id=InspectIds.PDP_PANEL, hidden=True), md=6),
                dbc.Col(html.Div(graph(InspectIds.CURVE_GRAPH, ""), id=InspectIds.CURVE_PANEL, hidden=True), md=6),
            ]
        ),
    )


def classification_panel(threshold: float, embedded: bool = False) -> html.Div:
    """ROC and PR curves, the threshold and cost views (from out-of-fold scores: nothing is refitted), calibration."""
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(graph(TrainIds.ROC_GRAPH), md=6),
                    dbc.Col(html.Div(graph(TrainIds.PR_GRAPH), id=TrainIds.PR_PANEL), md=6),
                ]
            ),
            html.Div(_binary_views(threshold, embedded), id=TrainIds.BINARY_PANEL),
        ],
        id=TrainIds.CLASSIFICATION_PANEL,
    )


def _binary_views(threshold: float, embedded: bool) -> list:
    """Threshold and cost views and calibration: a binary target's scores only."""
    costs = [
        _number_input("Cost of a false positive", TrainIds.COST_FP_INPUT, 1),
        _number_input("Cost of a false negative", TrainIds.COST_FN_INPUT, 1),
        _number_input("Benefit of a true positive", TrainIds.BENEFIT_TP_INPUT, 0),
    ]
    return [
        section(
            "Threshold and cost (from out-of-fold scores; nothing is refitted)",
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label("Threshold", className="small"),
                            dcc.Slider(
                                id=TrainIds.THRESHOLD_SLIDER,
                                min=0,
                                max=1,
                                step=0.01,
                                value=query_number(threshold, 0.5, -1e9, 1e9),
                                marks={0: "0", 0.5: "0.5", 1: "1"},
                                tooltip={"placement": "bottom"},
                            ),
                        ],
                        md=6,
                    ),
                    *costs,
                ]
            ),
            dbc.Row(
                [
                    dbc.Col(graph(TrainIds.CONFUSION_GRAPH), md=6),
                    dbc.Col(graph(TrainIds.COST_GRAPH), md=6),
                ]
            ),
        ),
        *_calibration_views(embedded),
    ]


def _number_input(label: str, component_id: str, value: float) -> dbc.Col:
    return dbc.Col(
        [dbc.Label(label, className="small"), dbc.Input(id=component_id, type="number", value=value, size="sm")], md=2
    )


def _calibration_views(embedded: bool) -> list:
    """The calibration curve, and its comparison with sigmoid and isotonic on the run's folds, on request."""
    return [
        graph(TrainIds.CALIBRATION_GRAPH),
        html.Div(
            [
                dbc.Button(
                    "Compare calibrations on these folds",
                    id=TrainIds.CALIBRATE_BUTTON,
                    color="secondary",
                    size="sm",
                    className="me-2",
                ),
                dbc.Button("Cancel", id=TrainIds.CALIBRATE_CANCEL, color="outline-secondary", size="sm", disabled=True),
                dbc.Progress(id=TrainIds.CALIBRATE_PROGRESS, value=0, className="mt-2", style={"height": "12px"}),
            ],
            className="mb-2",
            hidden=embedded,  # an embed shows results, it starts no work
        ),
        html.Div(
            [graph(TrainIds.CALIBRATE_GRAPH, ""), html.Div(id=TrainIds.CALIBRATE_TABLE)],
            id=TrainIds.CALIBRATE_PANEL,
            hidden=True,
        ),
    ]


def regression_panel() -> html.Div:
    """Predicted against actual, residuals, and their histogram (hidden until a regression runs)."""
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(graph(TrainIds.PREDICTED_GRAPH), md=6),
                    dbc.Col(graph(TrainIds.RESIDUALS_GRAPH), md=6),
                ]
            ),
            graph(TrainIds.RESIDUAL_HIST_GRAPH),
        ],
        id=TrainIds.REGRESSION_PANEL,
        hidden=True,
    )


def save_section(embedded: bool) -> Any:
    """Save the refitted pipeline to the model store (editors only)."""
    return editor_only(
        section(
            "Save to the model store",
            dbc.InputGroup(
                [
                    dbc.Input(id=TrainIds.SAVE_NAME_INPUT, placeholder="model name, e.g. titanic-rf", maxLength=64),
                    dbc.Button("Save", id=TrainIds.SAVE_BUTTON, color="success", disabled=True),
                ]
            ),
            html.Div(id=TrainIds.SAVE_ALERT, className="mt-2"),
            style={"display": "none"} if embedded else None,
        )
    )


def tree_section() -> html.Div:
    """One tree of a tree model, its first levels (hidden for other models)."""
    return html.Div(
        section(
            "One tree of the model",
            dbc.Row(
                [
                    dbc.Col(
                        dbc.InputGroup(
                            [
                                group_label("tree", TrainIds.TREE_INDEX),
                                dbc.Input(id=TrainIds.TREE_INDEX, type="number", min=1, step=1, value=1),
                            ],
                            size="sm",
                        ),
                        md=3,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("levels drawn", className="small"),
                            dcc.Slider(id=TrainIds.TREE_DEPTH, min=1, max=5, step=1, value=3),
                        ],
                        md=5,
                    ),
                ],
                className="align-items-center",
            ),
            graph(TrainIds.TREE_GRAPH, ""),
        ),
        id=TrainIds.TREE_PANEL,
        hidden=True,
    )
