"""Figures of /runs: the selected runs' fold scores side by side, their residuals, and their scores against the
parameters that differ between them."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from dashboard.figures.base import base_figure, message_figure
from dashboard.figures.train import search_figure


def fold_scores_figure(runs: list[dict[str, Any]], metric: str) -> go.Figure:
    """Each run's ``metric`` on each of its folds (a line per run), so a difference within the folds'
    spread reads as one."""
    traces = [
        (run, [fold.get(metric) for fold in run.get("folds") or []])
        for run in runs
        if any(fold.get(metric) is not None for fold in run.get("folds") or [])
    ]
    if not traces:
        return message_figure(f"No fold scores of {metric} to compare: the selected runs did not finish.")
    figure = base_figure(f"{metric} on each fold", xaxis_title="fold", yaxis_title=metric, height=320)
    for run, scores in traces:
        figure.add_trace(
            go.Scatter(
                x=list(range(1, len(scores) + 1)),
                y=scores,
                mode="lines+markers",
                name=f"#{run['id']} {run.get('model') or ''}",
                hovertemplate=f"run {run['id']}<br>fold %{{x}}: %{{y:.4f}}<extra></extra>",
            )
        )
    figure.update_xaxes(dtick=1)
    return figure


def residual_spread_figure(named: list[tuple[str, Any]]) -> go.Figure:
    """Each regression run's out-of-fold residuals (actual - predicted) as a box: centre, spread and tails
    side by side."""
    figure = base_figure("Residuals (actual - predicted), out of fold", yaxis_title="residual", height=380)
    for label, residuals in named:
        figure.add_box(y=residuals, name=label, boxmean=True)
    figure.add_hline(y=0, line_dash="dot", line_color="grey")
    return figure


MAX_PANELS = 4  # parameters drawn one panel each, beside each other


def score_by_parameter_figure(points: list[dict[str, Any]], names: list[str], metric: str) -> go.Figure:
    """The score against each differing parameter, one panel each (at most ``MAX_PANELS``), a point per run
    labelled with its id; a categorical parameter is an axis of its values."""
    from plotly.subplots import make_subplots

    shown = names[:MAX_PANELS]
    if not points or not shown:
        return message_figure("The selected runs share every parameter: nothing to plot against.")
    figure = make_subplots(rows=1, cols=len(shown), shared_yaxes=True, horizontal_spacing=0.04)
    for col, name in enumerate(shown, start=1):
        xs = [p["values"][name] for p in points]
        numeric = all(isinstance(x, int | float) and not isinstance(x, bool) for x in xs)
        figure.add_scatter(
            x=xs if numeric else [str(x) for x in xs],
            y=[p["mean"] for p in points],
            error_y=dict(type="data", array=[p["std"] for p in points]),
            mode="markers+text",
            text=[f"#{p['id']}" for p in points],
            textposition="middle right",  # beside the point, clear of its error bar
            showlegend=False,
            row=1,
            col=col,
        )
        figure.update_xaxes(title_text=name, type=None if numeric else "category", row=1, col=col)
    figure.update_yaxes(title_text=metric, row=1, col=1)
    title = f"{metric} against the parameters that differ"
    if len(names) > MAX_PANELS:
        title += f", the first {MAX_PANELS} of {len(names)}"
    figure.update_layout(base_figure(title, height=360).layout)
    return figure


def parallel_parameters_figure(points: list[dict[str, Any]], names: list[str], metric: str) -> go.Figure:
    """Parallel coordinates over every differing parameter and the score, a line per run (the same drawing
    as a search's candidates)."""
    return search_figure(points, names, metric, set(), grid=False, title=f"{metric} of each run across its parameters")
