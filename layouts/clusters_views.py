"""Result views of the Clusters page: quality scores and the top categories per cluster."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from layouts.common import metric_badge


def scores_view(result) -> html.Div:
    labels = {
        "silhouette": "silhouette",
        "davies_bouldin": "Davies-Bouldin",
        "calinski_harabasz": "Calinski-Harabasz",
        "inertia": "inertia",
        "ari": "adjusted Rand vs labels",
    }
    badges = [
        metric_badge(f"{label} {result.scores[name]:.4g}", f"cluster-score-{name}")
        for name, label in labels.items()
        if result.scores.get(name) is not None
    ]
    notes = [html.P(n, className="small text-muted mb-0") for n in result.notices]
    summary = (
        f"{result.algorithm}: {len([c for c in result.sizes if c >= 0])} clusters, fitted in {result.fit_seconds:.2f} s"
    )
    return html.Div([*badges, html.P(summary, className="small mb-0"), *notes])


def categories_view(profile: dict, names: dict[int, str]) -> html.Div | None:
    top = profile.get("top_categories") or {}
    if not top:
        return None
    head = html.Thead(html.Tr([html.Th("cluster"), *[html.Th(c) for c in top]]))
    rows = [
        html.Tr(
            [
                html.Td(f"{c}: {names.get(c, '')}"),
                *[html.Td(", ".join(f"{v} {share:.0%}" for v, share in top[col].get(c, []))) for col in top],
            ]
        )
        for c in profile["clusters"]
    ]
    return dbc.Table([head, html.Tbody(rows)], size="sm", className="small", striped=True)
