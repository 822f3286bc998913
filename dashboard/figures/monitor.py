"""Figures for monitoring on the Models page: one column's distribution in the training sample and in the
recent data, overlaid on the drift report's own bins, and a version's metric across its evaluations."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from dashboard.figures.base import base_figure

LEVEL_COLORS = {"stable": "#54a24b", "moderate": "#f58518", "major": "#e45756"}


def drift_figure(column: dict[str, Any]) -> go.Figure:
    """Shares per bin, side by side: what the model was trained on and what it sees now."""
    title = f"{column['column']}: PSI {column['psi']:.3f} ({column['level']})"
    figure = base_figure(title, barmode="group", xaxis_title="bin", yaxis_title="share of rows", yaxis_tickformat=".0%")
    figure.add_bar(
        x=column["bins"],
        y=column["reference"],
        name=f"training sample ({column['reference_rows']:,})",
        marker_color="#4c78a8",
        hovertemplate="%{x}: %{y:.1%}<extra>training</extra>",
    )
    figure.add_bar(
        x=column["bins"],
        y=column["current"],
        name=f"recent ({column['current_rows']:,})",
        marker_color=LEVEL_COLORS[column["level"]],
        hovertemplate="%{x}: %{y:.1%}<extra>recent</extra>",
    )
    figure.update_xaxes(type="category")
    return figure


def evaluation_history_figure(history: list[dict[str, Any]], metric: str, cv_mean: float | None) -> go.Figure:
    """A metric at each re-verification, with the card's cross-validated value as the line to hold."""
    figure = base_figure(f"{metric} over re-verifications", xaxis_title="evaluated at", yaxis_title=metric)
    points = [(h["evaluated_at"], h["metrics"][metric], h.get("source", {}).get("label", "")) for h in history]
    points = [p for p in points if isinstance(p[1], int | float)]
    figure.add_scatter(
        x=[p[0] for p in points],
        y=[p[1] for p in points],
        text=[p[2] for p in points],
        mode="lines+markers",
        name="re-verified",
        hovertemplate="%{x}<br>%{y:.4f}<br>%{text}<extra></extra>",
    )
    if cv_mean is not None:
        figure.add_hline(y=cv_mean, line_dash="dot", annotation_text=f"cross-validated {cv_mean:.4f}")
    return figure
