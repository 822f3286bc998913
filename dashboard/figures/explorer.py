"""Figures for the Explore page: a column's distribution (split by another), correlations, a scatter sample.
They take summaries from ``dashboard.data.profile``."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard.figures.base import add_points, base_figure, message_figure


def distribution_figure(dist: dict) -> go.Figure:
    if dist["type"] == "empty":
        return message_figure(f"'{dist['column']}' has no values to plot")
    stacked = len(dist["traces"]) > 1
    figure = base_figure(
        barmode="stack" if stacked else "relative", bargap=0.02 if dist["type"] == "histogram" else 0.2
    )
    for trace in dist["traces"]:
        figure.add_bar(
            x=dist["x"],
            y=trace["counts"],
            name=trace["name"],
            width=dist.get("width") if dist["type"] == "histogram" and "width" in dist else None,
        )
    figure.update_layout(xaxis_title=dist["column"], yaxis_title="count", showlegend=stacked, legend_title_text="")
    if dist["type"] == "bar":
        figure.update_xaxes(type="category")
    if dist.get("truncated"):
        figure.add_annotation(
            text=f"top {len(dist['x'])} values shown; {dist['truncated']} more not shown",
            showarrow=False,
            xref="paper",
            yref="paper",
            x=1,
            y=1.08,
            xanchor="right",
        )
    return figure


def correlation_figure(corr: dict) -> go.Figure:
    if len(corr["columns"]) < 2:
        return message_figure("fewer than two numeric columns: no correlations")
    figure = base_figure()
    figure.add_heatmap(
        z=corr["matrix"],
        x=corr["columns"],
        y=corr["columns"],
        zmin=-1,
        zmax=1,
        colorscale="RdBu",
        reversescale=True,
        hovertemplate="%{y} × %{x}: %{z:.3f}<extra></extra>",
    )
    figure.update_layout(yaxis_autorange="reversed", height=max(350, 18 * len(corr["columns"]) + 120))
    notes = []
    if corr.get("focus"):
        notes.append(
            f"the {len(corr['columns'])} of {corr['total_columns']:,} numeric columns most correlated with "
            f"{corr['focus']}"
        )
    if corr.get("sampled_rows"):
        notes.append(f"computed on a random sample of {corr['sampled_rows']:,} rows")
    if notes:
        figure.add_annotation(
            text="; ".join(notes),
            showarrow=False,
            xref="paper",
            yref="paper",
            x=1,
            y=1.06,
            xanchor="right",
        )
    return figure


def scatter_figure(sample: dict, x: str, y: str, color: str | None) -> go.Figure:
    figure = base_figure(xaxis_title=x, yaxis_title=y)
    if not sample["shown"]:
        return message_figure(f"no rows have both {x} and {y}")
    if color and not sample.get("color_numeric"):
        groups: dict[str, list[int]] = {}
        for i, value in enumerate(sample["color"]):
            groups.setdefault(value, []).append(i)
        for value, rows in list(groups.items())[:20]:
            add_points(
                figure,
                len(sample["x"]),
                x=[sample["x"][i] for i in rows],
                y=[sample["y"][i] for i in rows],
                mode="markers",
                name=value,
                marker=dict(size=5, opacity=0.7),
            )
        figure.update_layout(legend_title_text=color)
    else:
        marker = dict(size=5, opacity=0.7)
        if color:
            marker.update(color=sample["color"], colorscale="Viridis", showscale=True, colorbar=dict(title=color))
        points = dict(x=sample["x"], y=sample["y"], mode="markers", marker=marker, showlegend=False)
        add_points(figure, len(sample["x"]), **points)
    return figure


def density_figure(density: dict) -> go.Figure:
    """The scatter as a heatmap of rows per cell (reports)."""
    if density["type"] != "density":
        reason = "both columns must be numbers" if density["type"] == "not_numeric" else "no rows have both values"
        return message_figure(f"no density of {density['y']} against {density['x']}: {reason}")
    figure = base_figure(xaxis_title=density["x"], yaxis_title=density["y"])
    figure.add_heatmap(
        x=density["x_centres"],
        y=density["y_centres"],
        z=[[count or None for count in row] for row in density["counts"]],  # empty cells left blank
        colorscale="Blues",
        colorbar=dict(title="rows"),
        hovertemplate=f"{density['x']} %{{x:.4g}}<br>{density['y']} %{{y:.4g}}<br>%{{z:,}} rows<extra></extra>",
    )
    return figure
