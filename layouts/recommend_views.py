"""Views of recommendation results, shared by the Recommend layout (permalinks open on cached results)
and its callbacks. Everything user-supplied (ids, titles) is rendered as text, so Dash escapes it."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from dashboard.recommend.evaluation import EvalResult
from layouts.common import metric_badge
from layouts.recommend_ids import RecommendIds

METRIC_COLUMNS = (
    ("precision", "P@k"),
    ("recall", "R@k"),
    ("ndcg", "NDCG@k"),
    ("map", "MAP@k"),
    ("coverage", "coverage"),
    ("popularity", "mean popularity"),
    ("rmse", "RMSE"),
)


def stats_view(stats: dict[str, Any]) -> html.Div:
    badges = [
        ("users", f"{stats['users']:,}"),
        ("items", f"{stats['items']:,}"),
        ("interactions", f"{stats['interactions']:,}"),
        ("density", f"{stats['density']:.3%}"),
        ("feedback", "explicit ratings" if stats["explicit"] else "implicit counts"),
        ("values", f"{stats['value_min']:g} to {stats['value_max']:g}, mean {stats['value_mean']:.3g}"),
        ("median per user", f"{stats['median_per_user']:g}"),
        ("median per item", f"{stats['median_per_item']:g}"),
    ]
    return html.Div([metric_badge(f"{name}: {value}", f"rec-stat-{name.replace(' ', '-')}") for name, value in badges])


def _number(value: Any, digits: int = 4) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def eval_table(result: EvalResult, k: int) -> html.Div:
    head = html.Thead(
        html.Tr(
            [
                html.Th("model"),
                *[html.Th(label.replace("@k", f"@{k}")) for _, label in METRIC_COLUMNS],
                html.Th("fit s"),
            ]
        )
    )
    baseline = result.rows[0] if result.rows else {}
    body = []
    for row in result.rows:
        cells = []
        for name, _ in METRIC_COLUMNS:
            digits = 1 if name == "popularity" else 4
            better = (
                name in ("precision", "recall", "ndcg", "map") and row is not baseline and row[name] > baseline[name]
            )
            cells.append(html.Td(_number(row[name], digits), className="fw-bold" if better else None))
        body.append(
            html.Tr([html.Td(row["model"]), *cells, html.Td(f"{row['fit_seconds']:.2f}")], className="rec-eval-row")
        )
    notes = [f"{result.users:,} users evaluated; bold beats the popularity baseline.", *result.notes]
    return html.Div(
        [
            dbc.Table([head, html.Tbody(body)], size="sm", striped=True, className="small mb-1"),
            *[html.P(n, className="small text-muted mb-0") for n in notes],
        ]
    )


def _items_table(
    entries: list[dict[str, Any]], caption: str, table_id: str, *, reasons: bool = False, value: str = "score"
) -> html.Div:
    head = [html.Th("#"), html.Th("item"), html.Th("title"), html.Th(value)]
    if reasons:
        head.append(html.Th("why"))
    rows = []
    for rank, entry in enumerate(entries, start=1):
        title = [entry.get("title", "")]
        if entry.get("genres"):
            title += [html.Br(), html.Span(entry["genres"].replace("|", ", "), className="text-muted")]
        cells = [
            html.Td(rank),
            html.Td(entry["item"]),
            html.Td(title),
            html.Td(_number(entry.get(value), 3)),
        ]
        if reasons:
            cells.append(html.Td(entry.get("reason", ""), className="rec-reason"))
        rows.append(html.Tr(cells))
    return html.Div(
        [
            html.H6(caption, className="mt-2"),
            dbc.Table([html.Thead(html.Tr(head)), html.Tbody(rows)], size="sm", className="small", id=table_id),
        ]
    )


def explore_view(
    answer: dict[str, Any] | None,
    similar: dict[str, Any] | None,
    compared: dict[str, Any] | None,
    labels: tuple[str, str],
) -> html.Div:
    parts: list[Any] = []
    if answer is not None:
        if answer["fallback"]:
            parts.append(
                dbc.Alert(answer["notice"], color="warning", className="py-2 small", id=RecommendIds.FALLBACK_ALERT)
            )
        if answer["history"]:
            parts.append(
                _items_table(
                    answer["history"], f"User {answer['user']}'s top-rated items", "rec-history-table", value="value"
                )
            )
        parts.append(
            _items_table(
                answer["items"],
                f"Top {len(answer['items'])} for user {answer['user']} ({labels[0]})",
                "rec-top-table",
                reasons=True,
            )
        )
    if compared is not None:
        shared = len(compared["shared"])
        parts.append(
            html.P(
                f"{labels[1]} shares {shared} of {len(compared['second']['items'])} items with "
                f"{labels[0]} (Jaccard {compared['jaccard']:.2f}).",
                className="small",
                id=RecommendIds.OVERLAP_TEXT,
            )
        )
        parts.append(
            _items_table(
                compared["second"]["items"],
                f"Top {len(compared['second']['items'])} by {labels[1]}",
                "rec-compare-table",
                reasons=True,
            )
        )
    if similar is not None:
        title = f" ({similar['title']})" if similar["title"] else ""
        parts.append(_items_table(similar["items"], f"Items like {similar['item']}{title}", "rec-similar-table"))
    return html.Div(parts or [html.P("Pick a user or an item and press Show.", className="text-muted small")])
