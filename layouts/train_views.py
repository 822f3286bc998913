"""Result views of the Train page: fold tables, the CV summary, learned terms, and the search's table and best."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from dashboard.train.cv import CVResult
from dashboard.train.search import SearchResult
from layouts.common import format_value, metric_badge
from layouts.train_ids import SearchIds, TrainIds

CLASSIFICATION_COLUMNS = ("accuracy", "balanced_accuracy", "f1", "roc_auc", "average_precision", "log_loss")
REGRESSION_COLUMNS = ("rmse", "mae", "r2", "mape")


def fold_table(folds: list[dict[str, Any]], task: str) -> dbc.Table:
    names = REGRESSION_COLUMNS if task == "regression" else CLASSIFICATION_COLUMNS
    present = [n for n in names if any(n in f["metrics"] for f in folds)]
    head = html.Thead(html.Tr([html.Th("fold"), *[html.Th(n) for n in present], html.Th("fit s")]))
    body = [
        html.Tr(
            [
                html.Td(f["fold"] + 1),
                *[html.Td(f"{f['metrics'][n]:.4f}" if n in f["metrics"] else "") for n in present],
                html.Td(f"{f['fit_time']:.2f}"),
            ],
            className="fold-row",
        )
        for f in sorted(folds, key=lambda f: f["fold"])
    ]
    return dbc.Table([head, html.Tbody(body)], size="sm", striped=True, className="small fold-table")


def summary_view(result: CVResult) -> html.Div:
    names = REGRESSION_COLUMNS if result.task == "regression" else CLASSIFICATION_COLUMNS
    badges = [
        metric_badge(f"{n} {result.summary[n]['mean']:.4f} ± {result.summary[n]['std']:.4f}", f"train-summary-{n}")
        for n in names
        if n in result.summary
    ]
    notes = [html.P(n, className="small text-muted") for n in result.notices]
    return html.Div(
        [*badges, html.P(f"{len(result.folds)} folds in {result.wall_time:.1f} s", className="small"), *notes]
    )


def terms_view(terms: dict[str, dict[str, float]] | None) -> Any:
    """Per class, the n-grams that point to it most (text models), as small escaped tables."""
    if not terms:
        return None
    cards = [
        dbc.Col(
            [
                html.H6(str(label), className="mb-1"),
                html.Ol(
                    [
                        html.Li(html.Code(term.partition(": ")[2] or term, style={"whiteSpace": "pre"}))
                        for term in list(weights)[:10]
                    ],
                    className="small mb-2",
                ),
            ],
            xs=6,
            md=3,
            lg=2,
        )
        for label, weights in terms.items()
    ]
    return html.Div(
        [html.P("Top n-grams per class (mean over folds)", className="small fw-bold mb-1"), dbc.Row(cards)],
        id=TrainIds.TERMS_TABLE,
    )


def levels_view(groups: dict[str, dict] | None) -> Any:
    """Each input column with more than one level (one-hot levels, n-grams): its levels on expand."""
    expandable = {column: group for column, group in (groups or {}).items() if len(group["levels"]) > 1}
    if not expandable:
        return None
    return html.Div(
        [html.P("Levels of each input column (expand)", className="small fw-bold mb-1")]
        + [
            html.Details(
                [
                    html.Summary(f"{column}: {group['total']:.4g}"),
                    html.Ul([html.Li(f"{level}: {value:.4g}") for level, value in group["levels"].items()]),
                ],
                className="small",
            )
            for column, group in expandable.items()
        ],
        className="mt-2",
    )


def results_table(rows: list[dict[str, Any]], names: list[str], metric: str, best: int | None = None) -> dbc.Table:
    head = html.Thead(
        html.Tr(
            [html.Th("rank"), html.Th("#"), *[html.Th(n) for n in names], html.Th(f"{metric} mean ± std")]
            + [html.Th("fit s"), html.Th("folds")]
        )
    )
    body = []
    for row in sorted(rows, key=lambda r: (r.get("rank", 10**9), r["candidate"])):
        if row["mean"] is None:
            score = "…"
        elif row.get("pruned"):  # a partial mean over its first folds: shown as such and never ranked
            score = f"stopped after {row['folds']} of {row['of']} folds (partial mean {row['mean']:.4f}), not ranked"
        else:
            score = f"{row['mean']:.4f} ± {row['std']:.4f}"
        label = "defaults" if row["defaults"] else str(row["candidate"])
        body.append(
            html.Tr(
                [
                    html.Td(row.get("rank", "")),
                    html.Td(label),
                    *[html.Td(format_value(row["values"][n], n)) for n in names],
                    html.Td(score),
                    html.Td(f"{row['fit_time']:.2f}" if row["fit_time"] is not None else ""),
                    html.Td(f"{row['folds']}/{row['of']}" + (" pruned" if row.get("pruned") else "")),
                ],
                className="search-row"
                + (" table-success" if row["candidate"] == best else "")
                + (" text-muted" if row.get("pruned") else ""),
            )
        )
    return dbc.Table([head, html.Tbody(body)], size="sm", striped=True, className="small search-table")


def best_view(result: SearchResult) -> html.Div:
    best, defaults = result.best_row(), result.defaults_row()
    change = best["mean"] - defaults["mean"]
    better = -change if result.lower_is_better else change
    chosen = ", ".join(f"{n}={format_value(best['values'][n], n)}" for n in result.names)
    pruned = sum(1 for r in result.rows if r.get("pruned"))
    stopped = f" {pruned} hopeless candidates were pruned after their first folds." if pruned else ""
    return html.Div(
        [
            html.Strong(f"Best: {chosen}: {result.metric} {best['mean']:.4f} ± {best['std']:.4f}. "),
            html.Span(
                f"Catalog defaults: {defaults['mean']:.4f} ± {defaults['std']:.4f} "
                f"({'better' if better > 0 else 'no better'} by {abs(change):.4f}). "
                f"{len(result.rows)} candidates x {best['of']} folds in {result.wall_time:.1f} s.{stopped}",
            ),
        ],
        className="small",
        id=SearchIds.BEST_SUMMARY,
    )


def calibration_table(rows: list[dict[str, Any]]) -> html.Div:
    """Brier, ECE, log loss and ROC AUC of each calibration on the same folds, the lowest Brier marked."""
    best = min(rows, key=lambda r: r["brier"])["method"]
    names = {"none": "uncalibrated", "sigmoid": "sigmoid (Platt)", "isotonic": "isotonic"}
    head = html.Thead(html.Tr([html.Th(h) for h in ("calibration", "Brier", "ECE", "log loss", "ROC AUC")]))
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td([names[r["method"]], " ", _lowest_badge() if r["method"] == best else None]),
                    html.Td(f"{r['brier']:.4f}"),
                    html.Td(f"{r['ece']:.4f}"),
                    html.Td(f"{r['log_loss']:.4f}" if "log_loss" in r else "–"),
                    html.Td(f"{r['roc_auc']:.4f}" if "roc_auc" in r else "–"),
                ],
                className="calibration-row",
            )
            for r in rows
        ]
    )
    note = html.P(
        "Each is a cross-validation run of its own on the same folds. To keep one, choose it under "
        "'Calibrate the scores' and run (it is cached: nothing is fitted again), then save.",
        className="small text-muted mb-0",
    )
    return html.Div([dbc.Table([head, body], size="sm", className="small mt-2"), note])


def _lowest_badge() -> dbc.Badge:
    return dbc.Badge("lowest Brier", color="success", className="ms-2")
