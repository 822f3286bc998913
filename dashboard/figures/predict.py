"""Figures for the Predict page: why (a SHAP waterfall by input column) and class probabilities."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard.figures.base import base_figure, message_figure, short_number


def waterfall_figure(explanation: dict, shown: int = 12) -> go.Figure:
    """From the base value, each input column's contribution (largest first; the rest together) to the
    model's output for this row."""
    contributions = list(explanation["contributions"].items())
    head, rest = contributions[:shown], contributions[shown:]
    if rest:
        head.append((f"{len(rest)} other columns", sum(v for _, v in rest)))
    kind = explanation["output_kind"]
    about = f" of {explanation['class']!s}" if explanation.get("class") is not None else ""
    figure = base_figure(
        title=f"Why: contributions to the {kind}{about} ({explanation['explainer']} SHAP)",
        height=max(300, 26 * (len(head) + 2) + 90),
        margin=dict(l=160, r=80, t=40, b=40),  # room on the right for the labels outside the bars
    )
    figure.add_trace(
        go.Waterfall(
            orientation="h",
            measure=["absolute", *["relative"] * len(head), "total"],
            y=["base (average)", *[name for name, _ in head], kind],
            x=[explanation["base"], *[value for _, value in head], explanation["output"]],
            text=[
                short_number(explanation["base"]),
                *[short_number(value, signed=True) for _, value in head],
                short_number(explanation["output"]),
            ],
            textposition="outside",
            cliponaxis=False,
            increasing=dict(marker_color="#d95f0e"),
            decreasing=dict(marker_color="#2c7fb8"),
        )
    )
    figure.update_yaxes(autorange="reversed", type="category", ticksuffix="  ")  # labels clear of the axis
    # SI prefixes shorten prices (200k) but read wrong on probabilities and log-odds ("200m" for 0.2).
    big = max(abs(explanation["base"]), abs(explanation["output"])) >= 1000
    figure.update_xaxes(tickformat="~s" if big else "~g")
    return figure


def probability_figure(probabilities: dict[str, float] | None, title: str = "Class probabilities") -> go.Figure:
    if not probabilities:
        return message_figure("this model gives no class probabilities")
    labels = list(probabilities)
    figure = base_figure(title=title, xaxis=dict(range=[0, 1], title="probability"), height=260)
    figure.add_bar(
        x=[probabilities[k] for k in labels],
        y=labels,
        orientation="h",
        text=[f"{probabilities[k]:.1%}" for k in labels],
        textposition="auto",
    )
    figure.update_yaxes(type="category")
    return figure
