"""Plotly figure builders. They take summaries (from ``dashboard.data.profile``) and return figures;
no data loading and no Dash here."""

from __future__ import annotations

import plotly.graph_objects as go

TEMPLATE = "plotly_white"


def _base(title: str | None = None, **layout) -> go.Figure:
    figure = go.Figure()
    figure.update_layout(template=TEMPLATE, margin=dict(l=50, r=20, t=40 if title else 20, b=40), title=title, **layout)
    return figure


def message_figure(text: str) -> go.Figure:
    figure = _base(xaxis=dict(visible=False), yaxis=dict(visible=False))
    figure.add_annotation(text=text, showarrow=False, font=dict(size=14), x=0.5, y=0.5, xref="paper", yref="paper")
    return figure


def distribution_figure(dist: dict) -> go.Figure:
    if dist["type"] == "empty":
        return message_figure(f"'{dist['column']}' has no values to plot")
    stacked = len(dist["traces"]) > 1
    figure = _base(barmode="stack" if stacked else "relative", bargap=0.02 if dist["type"] == "histogram" else 0.2)
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
    figure = _base()
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
    if corr.get("sampled_rows"):
        figure.add_annotation(
            text=f"computed on a random sample of {corr['sampled_rows']:,} rows",
            showarrow=False,
            xref="paper",
            yref="paper",
            x=1,
            y=1.06,
            xanchor="right",
        )
    return figure


def scatter_figure(sample: dict, x: str, y: str, color: str | None) -> go.Figure:
    figure = _base(xaxis_title=x, yaxis_title=y)
    if not sample["shown"]:
        return message_figure(f"no rows have both {x} and {y}")
    if color and not sample.get("color_numeric"):
        groups: dict[str, list[int]] = {}
        for i, value in enumerate(sample["color"]):
            groups.setdefault(value, []).append(i)
        for value, rows in list(groups.items())[:20]:
            figure.add_scattergl(
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
        figure.add_scattergl(x=sample["x"], y=sample["y"], mode="markers", marker=marker, showlegend=False)
    return figure


def probability_figure(probabilities: dict[str, float] | None, title: str = "Class probabilities") -> go.Figure:
    if not probabilities:
        return message_figure("this model gives no class probabilities")
    labels = list(probabilities)
    figure = _base(title=title, xaxis=dict(range=[0, 1], title="probability"), height=260)
    figure.add_bar(
        x=[probabilities[k] for k in labels],
        y=labels,
        orientation="h",
        text=[f"{probabilities[k]:.1%}" for k in labels],
        textposition="auto",
    )
    figure.update_yaxes(type="category")
    return figure
