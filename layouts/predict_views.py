"""Result views of the Predict page: field messages, the prediction card for each task, a tree's path."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html


def field_messages(errors: dict[str, str], warnings: list[str]) -> list:
    out = []
    if errors:
        out.append(
            dbc.Alert(
                [html.Strong("Please fix: "), html.Ul([html.Li(f"{k}: {v}") for k, v in errors.items()])],
                color="danger",
                className="py-2 small",
            )
        )
    if warnings:
        out.append(dbc.Alert(html.Ul([html.Li(w) for w in warnings]), color="warning", className="py-2 small"))
    return out


def recommendation_card(result: dict) -> dbc.Card:
    """The ranked items with their reasons (top-N for a user) or scores (items like an item)."""
    answer = result["results"][0]
    heading = (
        f"Top {len(answer['items'])} for user {answer['user']}"
        if answer["kind"] == "recommend"
        else f"Items like {answer['item']}"
    )
    rows = [
        html.Li(
            [
                html.Span(e["title"] or e["item"], className="fw-bold"),
                f" ({e['item']}) ",
                html.Span(e.get("reason", ""), className="small text-muted"),
            ],
            className="predict-recommendation",
        )
        for e in answer["items"]
    ]
    notice = [dbc.Alert(answer["notice"], color="warning", className="py-1 small")] if answer.get("notice") else []
    return prediction_card(heading, [*notice, html.Ol(rows, className="mb-1")], result)


def prediction_card(heading: str, body: list, result: dict) -> dbc.Card:
    """A prediction card: what it is, the answer, and which model version gave it."""
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(heading, className="small text-muted"),
                *body,
                html.Div(
                    f"{result['model']} v{result['version']}: {result.get('chosen_by') or 'as asked'}",
                    className="small text-muted answered-by",
                ),
            ]
        ),
        className="mb-2",
    )


def result_card(result: dict) -> dbc.Card:
    if result["task"] == "recommendation":
        return recommendation_card(result)
    value = result["predictions"][0]
    shown = f"{value:,.2f}" if isinstance(value, float) else str(value)
    label = {"regression": "Predicted value", "clustering": "Assigned cluster"}.get(result["task"], "Predicted class")
    details = []
    if result["task"] == "clustering":  # the segment's name and how far the row sits from its centre
        segment = (result.get("segments") or [""])[0]
        distance = (result.get("distances") or [None])[0]
        details.append(html.Div(segment, className="predict-segment"))
        if distance is not None:
            details.append(html.Div(f"distance to the centroid {distance:.3f} (in scaled units)", className="small"))
    return prediction_card(label, [html.Div(shown, className="fs-3 fw-bold predict-label"), *details], result)


def tree_path_view(path: dict[str, Any]) -> html.Div:
    """The questions a tree asks of the row, its answers, and the leaf it ends in."""
    steps = [s for s in path["steps"] if not s.get("leaf")]
    leaf = path["steps"][-1]
    value = leaf["value"]
    answer = (
        ", ".join(f"{label}: {share:.0%}" for label, share in value["shares"].items())
        if "shares" in value
        else f"mean {value['mean']:.4g}"
    )
    heading = (
        f"The path through tree {path['tree'] + 1} of {path['trees']} (the answer averages all {path['trees']})"
        if path["trees"] > 1
        else "The path through the tree"
    )
    return html.Div(
        [
            html.H6(heading, className="mb-1"),
            html.Ol(
                [html.Li([step["question"], " ", html.B(step["answer"])]) for step in steps]
                + [html.Li(f"leaf: {leaf['rows']:,} training rows, {answer}", className="fw-semibold")],
                className="mb-0",
            ),
        ]
    )
