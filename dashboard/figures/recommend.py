"""Figures for the Recommend page: interaction histograms, the long tail, metrics side by side.
Binned and thinned on the server, so 50,000 users cost a few hundred points in the browser."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard.figures.base import base_figure
from model_store.lazy import lazy_module

np = lazy_module("numpy")

LONG_TAIL_POINTS = 400
RANKING = (("precision", "precision@k"), ("recall", "recall@k"), ("ndcg", "NDCG@k"), ("map", "MAP@k"))


def counts_histogram(counts: np.ndarray, what: str) -> go.Figure:
    """How many users (or items) have 1, 2-3, 4-7, ... interactions: log-spaced bins for long tails."""
    counts = np.asarray(counts)
    top = max(int(counts.max()), 1)
    edges = np.unique(np.round(np.logspace(0, np.log10(top + 1), 30)).astype(int))
    tally, _ = np.histogram(counts, bins=edges)
    labels = [f"{a}" if b - a == 1 else f"{a}-{b - 1}" for a, b in zip(edges[:-1], edges[1:], strict=True)]
    figure = base_figure(f"Interactions per {what}", xaxis_title=f"interactions per {what}", yaxis_title=f"{what}s")
    figure.add_bar(x=labels, y=tally, marker_color="#4c78a8", hovertemplate="%{x}: %{y:,}<extra></extra>")
    figure.update_yaxes(type="log")
    return figure


def long_tail_figure(share: np.ndarray, head_items: int) -> go.Figure:
    """Cumulative share of interactions against the share of items, most popular first."""
    share = np.asarray(share)
    positions = np.unique(np.linspace(0, len(share) - 1, min(LONG_TAIL_POINTS, len(share))).astype(int))
    figure = base_figure(
        "Long tail of item popularity",
        xaxis_title="share of items (most popular first)",
        yaxis_title="share of interactions",
    )
    figure.add_scatter(x=(positions + 1) / len(share), y=share[positions], mode="lines", name="items")
    figure.add_vline(x=head_items / len(share), line_dash="dot", annotation_text=f"{head_items:,} items take 80 %")
    figure.update_xaxes(tickformat=".0%")
    figure.update_yaxes(tickformat=".0%", range=[0, 1.02])
    return figure


def metrics_figure(rows: list[dict], k: int) -> go.Figure:
    """Ranking metrics per model, grouped; the popularity baseline is the first bar of each group."""
    figure = base_figure(f"Held-out ranking quality at k = {k}", barmode="group", legend=dict(orientation="h", y=-0.2))
    for row in rows:
        figure.add_bar(
            name=row["model"],
            x=[label.replace("@k", f"@{k}") for _, label in RANKING],
            y=[row[name] for name, _ in RANKING],
            hovertemplate="%{x}: %{y:.4f}<extra>" + row["model"] + "</extra>",
        )
    return figure
