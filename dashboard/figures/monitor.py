"""Figures for monitoring on the Models page: one column's distribution in the training sample and in the
recent data, overlaid on the drift report's own bins."""

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
