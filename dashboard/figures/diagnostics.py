"""Diagnostic figures of a CV result beyond its curves: a metric per subgroup with its interval."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard.figures.base import base_figure, message_figure

FEW_ROWS_COLOUR = "#adb5bd"
GROUP_COLOUR = "#2c7fb8"


def subgroup_figure(groups: list[dict], metric: str, label: str, gap: dict | None) -> go.Figure:
    """One horizontal bar per group (largest group at the top) with its 95 % interval; groups with too few
    rows in grey. The title names the largest gap between groups that have enough rows."""
    shown = [g for g in groups if g["values"].get(metric) is not None]
    if not shown:
        return message_figure(f"no group has a {label}")
    names = [g["group"] for g in shown][::-1]
    values = [g["values"][metric] for g in shown][::-1]
    intervals = [g["intervals"].get(metric) for g in shown][::-1]
    title = f"{label} by group"
    if gap:
        title += f": largest gap {gap['gap']:.3f} ({gap['lowest']} vs {gap['highest']})"
        if gap.get("ratio") is not None:
            title += f", ratio {gap['ratio']:.2f}"
    figure = base_figure(
        title=title, height=max(260, 30 * len(names) + 110), margin=dict(l=170, r=30, t=40, b=40), showlegend=False
    )
    figure.add_bar(
        x=values,
        y=names,
        orientation="h",
        marker_color=[FEW_ROWS_COLOUR if g["few"] else GROUP_COLOUR for g in shown][::-1],
        error_x=dict(
            type="data",
            symmetric=False,
            array=[(i[1] - v) if i else 0 for v, i in zip(values, intervals, strict=True)],
            arrayminus=[(v - i[0]) if i else 0 for v, i in zip(values, intervals, strict=True)],
            visible=any(intervals),
        ),
        customdata=[g["rows"] for g in shown][::-1],
        hovertemplate="%{y}: %{x:.3f} (%{customdata} rows)<extra></extra>",
    )
    figure.update_yaxes(type="category", automargin=True)
    figure.update_xaxes(title=label, rangemode="tozero")
    return figure
