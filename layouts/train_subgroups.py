"""Subgroups on the Train page: the run's out-of-fold predictions split by one or two dataset columns, every
metric per group with its interval, and the largest gap."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.train.subgroups import LABELS, MIN_GROUP_ROWS, SubgroupReport
from layouts.train_ids import TrainIds
from layouts.train_results import graph, section


def subgroup_section(columns: list[str], by: list[str]) -> dbc.Card:
    return section(
        "Subgroups (from out-of-fold predictions, at the threshold above)",
        dbc.Row(
            [
                dbc.Col(
                    [
                        dbc.Label("Split the rows by one or two columns", className="small"),
                        dcc.Dropdown(
                            id=TrainIds.SUBGROUP_BY,
                            options=columns,
                            value=[c for c in by if c in columns][:2],
                            multi=True,
                            placeholder="e.g. Sex, or Sex and Pclass",
                        ),
                    ],
                    md=7,
                ),
                dbc.Col(
                    [
                        dbc.Label("Chart", className="small"),
                        dcc.Dropdown(id=TrainIds.SUBGROUP_METRIC, clearable=False),
                    ],
                    md=5,
                ),
            ]
        ),
        html.Div(id=TrainIds.SUBGROUP_NOTES, className="mt-2"),
        html.Div(
            [graph(TrainIds.SUBGROUP_GRAPH, ""), html.Div(id=TrainIds.SUBGROUP_TABLE, className="table-responsive")],
            id=TrainIds.SUBGROUP_PANEL,
            hidden=True,
        ),
    )


def metric_options(report: SubgroupReport) -> list[dict[str, str]]:
    return [{"label": LABELS[m], "value": m} for m in report.metrics]


def subgroup_table(report: SubgroupReport) -> dbc.Table:
    """One row per group: its size and share, then each metric as value (95 % interval)."""
    head = html.Thead(
        html.Tr([html.Th("group"), html.Th("rows"), html.Th("share"), *[html.Th(LABELS[m]) for m in report.metrics]])
    )
    body = [
        html.Tr(
            [
                html.Td([group["group"], _few_badge() if group["few"] else None]),
                html.Td(f"{group['rows']:,}"),
                html.Td(f"{group['share']:.1%}"),
                *[html.Td(_cell(group["values"][m], group["intervals"].get(m))) for m in report.metrics],
            ],
            className="subgroup-row",
        )
        for group in report.groups
    ]
    gaps = html.Tr(
        [
            html.Th("largest gap", colSpan=3),
            *[html.Td(_gap(report.gaps.get(m)), className="fw-semibold") for m in report.metrics],
        ]
    )
    return dbc.Table([head, html.Tbody([*body, gaps])], size="sm", striped=True, className="small mt-2")


def _cell(value: float | None, interval: Any) -> Any:
    """The value, its 95 % interval on a second, quieter line."""
    if value is None:
        return "–"  # no rows to count this rate on (a group without positives has no TPR)
    if not interval:
        return f"{value:.3f}"
    return [f"{value:.3f}", html.Br(), html.Span(f"{interval[0]:.2f}–{interval[1]:.2f}", className="text-muted")]


def _gap(gap: dict | None) -> str:
    if not gap:
        return "–"
    text = f"{gap['gap']:.3f}"
    return f"{text} (ratio {gap['ratio']:.2f})" if gap.get("ratio") is not None else text


def _few_badge() -> dbc.Badge:
    return dbc.Badge(f"< {MIN_GROUP_ROWS} rows", color="warning", text_color="dark", className="ms-1")
