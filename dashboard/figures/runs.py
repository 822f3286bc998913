"""Figures of /runs: the selected runs' fold scores side by side."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from dashboard.figures.base import base_figure, message_figure


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
