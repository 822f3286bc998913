"""The model-comparison card of the Train page: 2 to 6 model families cross-validated on the form's folds,
their ROC and precision-recall curves overlaid, every metric's mean ± std and a corrected paired t-test
of each model against the best."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.figures.base import message_figure
from dashboard.train.compare import MAX_MODELS
from layouts.train_ids import CompareIds


def compare_section(options: list[dict[str, str]], chosen: list[str], initial: dict | None) -> dbc.Card:
    return dbc.Card(
        [
            dbc.CardHeader("Compare models on the same folds"),
            dbc.CardBody(
                [
                    dbc.Label(f"Models (2 to {MAX_MODELS}; each with its defaults, the form's model with its own)"),
                    dcc.Dropdown(id=CompareIds.MODELS_DROPDOWN, options=options, value=chosen, multi=True),
                    html.Div(
                        [
                            dbc.Button("Compare", id=CompareIds.RUN_BUTTON, color="primary", className="me-2"),
                            dbc.Button("Cancel", id=CompareIds.CANCEL_BUTTON, color="outline-secondary", disabled=True),
                        ],
                        className="mt-2",
                    ),
                    dbc.Progress(id=CompareIds.PROGRESS, value=0, className="mt-2", style={"height": "16px"}),
                    html.Div(id=CompareIds.MESSAGES, className="mt-2"),
                    dcc.Store(id=CompareIds.RESULT_STORE, data=initial),
                    html.Div(id=CompareIds.TABLE, className="table-responsive mt-2"),
                    dbc.Row(
                        [
                            dbc.Col(_graph(CompareIds.ROC_GRAPH), md=6),
                            dbc.Col(_graph(CompareIds.PR_GRAPH), md=6),
                        ],
                        id=CompareIds.GRAPHS_PANEL,
                        style=None if initial else {"display": "none"},
                    ),
                ]
            ),
        ],
        className="mb-3",
    )


def _graph(component_id: str) -> dcc.Graph:
    return dcc.Graph(id=component_id, figure=message_figure(""), config={"displaylogo": False})


def _mean_std(summary: dict[str, dict[str, float]], metric: str) -> str:
    value = summary.get(metric)
    return f"{value['mean']:.4f} ± {value['std']:.4f}" if value else "—"


def comparison_table(rows: list[dict[str, Any]], metric: str, higher_is_better: bool, folds: int) -> Any:
    """One row per model: every metric's mean ± std, then the primary metric's difference from the best
    model with the corrected resampled t-test's t and p (stated under the table)."""
    metrics = [metric] + sorted({m for r in rows for m in r["summary"]} - {metric})
    header = html.Tr(
        [html.Th("model")]
        + [html.Th(m) for m in metrics]
        + [html.Th(f"Δ {metric} vs best"), html.Th("t"), html.Th("p")]
    )
    body = []
    for row in rows:
        test = row["versus_best"]
        cells = [html.Td(row["model"] + (" (best)" if row["best"] else ""))]
        cells += [html.Td(_mean_std(row["summary"], m), className="text-nowrap") for m in metrics]
        if test is None:
            cells += [html.Td("—"), html.Td("—"), html.Td("—")]
        else:
            cells += [html.Td(f"{test['diff']:+.4f}"), html.Td(f"{test['t']:.2f}"), html.Td(f"{test['p']:.3g}")]
        body.append(html.Tr(cells, className="compare-row table-success" if row["best"] else "compare-row"))
    direction = "higher" if higher_is_better else "lower"
    note = (
        f"Mean ± std over the same {folds} folds; the best has the {direction} mean {metric}. Each other model's "
        f"per-fold difference from it is tested with Nadeau and Bengio's corrected resampled t-test ({folds - 1} "
        "degrees of freedom; the variance is inflated by the test/train size ratio because the folds share "
        "training rows). A p above 0.05 means these folds cannot tell the two apart."
    )
    return html.Div(
        [
            dbc.Table([html.Thead(header), html.Tbody(body)], size="sm", bordered=True, className="small mb-1"),
            html.P(note, className="small text-muted"),
        ]
    )
