"""Global SHAP on the Train page: the model Save would store, explained on a seeded sample of the run's rows."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.common import group_label
from layouts.train_ids import ShapIds
from layouts.train_results import graph, section


def shap_section(rows: int, initial: dict[str, Any] | None, embedded: bool = False) -> dbc.Card:
    """The controls (hidden in an embed: it shows results and starts no work) and the drawn summary."""
    return section(
        "SHAP over many rows: what each column contributes",
        html.P(
            "The model Save would store (refitted on every cross-validation row), explained on a seeded sample of "
            "those rows; values are summed per input column, as in a single prediction's explanation.",
            className="small text-muted",
        ),
        _controls(rows, embedded),
        html.Div(id=ShapIds.MESSAGES, className="mt-2"),
        dcc.Store(id=ShapIds.STORE, data=initial),
        _summary_panel(hidden=initial is None),
        html.Div(
            [
                dbc.Button(
                    "Interactions between columns (tree models, 50 rows)",
                    id=ShapIds.INTERACTIONS_BUTTON,
                    color="secondary",
                    size="sm",
                ),
                dbc.Progress(id=ShapIds.INTERACTIONS_PROGRESS, value=0, className="mt-2", style={"height": "12px"}),
            ],
            className="mt-2",
            hidden=embedded,
        ),
        html.Div(graph(ShapIds.INTERACTIONS_GRAPH, ""), id=ShapIds.INTERACTIONS_PANEL, hidden=True),
    )


def _controls(rows: int, embedded: bool) -> dbc.Row:
    return dbc.Row(
        [
            dbc.Col(
                dbc.InputGroup(
                    [
                        group_label("rows", ShapIds.ROWS_INPUT),
                        dbc.Input(id=ShapIds.ROWS_INPUT, type="number", min=10, max=2000, step=10, value=rows),
                    ],
                    size="sm",
                ),
                md=3,
            ),
            dbc.Col(
                [
                    dbc.Button("Explain", id=ShapIds.RUN_BUTTON, color="secondary", size="sm", className="me-2"),
                    dbc.Button("Cancel", id=ShapIds.CANCEL_BUTTON, color="outline-secondary", size="sm", disabled=True),
                ],
                md=3,
            ),
            dbc.Col(dbc.Progress(id=ShapIds.PROGRESS, value=0, style={"height": "16px"}), md=6),
        ],
        className="align-items-center",
        style={"display": "none"} if embedded else None,
    )


def _summary_panel(hidden: bool) -> html.Div:
    """The beeswarm and mean |SHAP| side by side, then the dependence plot of a chosen column."""
    return html.Div(
        [
            html.P(id=ShapIds.NOTE, className="small text-muted mt-2"),
            dbc.Row([dbc.Col(graph(ShapIds.SUMMARY_GRAPH, ""), lg=7), dbc.Col(graph(ShapIds.BAR_GRAPH, ""), lg=5)]),
            dbc.Row(
                dbc.Col(
                    [dbc.Label("Dependence of", className="small"), dcc.Dropdown(id=ShapIds.COLUMN, clearable=False)],
                    md=4,
                )
            ),
            graph(ShapIds.DEPENDENCE_GRAPH, ""),
        ],
        id=ShapIds.PANEL,
        hidden=hidden,
    )
