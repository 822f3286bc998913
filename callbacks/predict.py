"""Predict callbacks: rebuild the form for a model, predict one record, score a CSV in the background."""

from __future__ import annotations

import json
import re
from pathlib import Path

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import figures, ids
from dashboard.data.uploads import UploadError, decode_data_url
from dashboard.services import Services
from dashboard.serving.batch import score_upload
from layouts.predict import form, parse_version, version_options
from model_store import ModelNotFoundError, ModelStoreError, SchemaError

TOKEN = re.compile(r"^[0-9a-f]{64}$")


def _messages(errors: dict[str, str], warnings: list[str]) -> list:
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


def _recommendation_card(result: dict) -> dbc.Card:
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
    return _card(heading, [*notice, html.Ol(rows, className="mb-1")], result)


def _card(heading: str, body: list, result: dict) -> dbc.Card:
    """A prediction card: what it is, the answer, and which model version gave it."""
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(heading, className="small text-muted"),
                *body,
                html.Div(f"{result['model']} v{result['version']}", className="small text-muted"),
            ]
        ),
        className="mb-2",
    )


def _result_card(result: dict) -> dbc.Card:
    if result["task"] == "recommendation":
        return _recommendation_card(result)
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
    return _card(label, [html.Div(shown, className="fs-3 fw-bold predict-label"), *details], result)


def register(app, services: Services) -> None:
    store = services.models
    batch_dir = Path(services.settings.cache_dir) / "batch-results"

    @app.callback(
        Output(ids.PREDICT_FORM, "children"),
        Output(ids.PREDICT_VERSION_DROPDOWN, "options"),
        Output(ids.PREDICT_VERSION_DROPDOWN, "value"),
        Input(ids.PREDICT_MODEL_DROPDOWN, "value"),
        Input(ids.PREDICT_VERSION_DROPDOWN, "value"),
        prevent_initial_call=True,
    )
    def switch_model(name, version_value):
        if not name:
            raise PreventUpdate
        if ctx.triggered_id == ids.PREDICT_MODEL_DROPDOWN:
            version_value = "latest"
        version, alias = parse_version(version_value)
        try:
            card = store.card(name, version, alias=alias)
        except (ModelNotFoundError, ModelStoreError):
            raise PreventUpdate from None
        options = version_options([v.version for v in store.versions(name)], store.aliases(name))
        return form(card["schema"]), options, version_value

    @app.callback(
        Output(ids.PREDICT_MESSAGES, "children"),
        Output(ids.PREDICT_RESULT, "children"),
        Output(ids.PREDICT_PROBABILITY_GRAPH, "figure"),
        Output(ids.PREDICT_JSON, "children"),
        Input(ids.PREDICT_SUBMIT_BUTTON, "n_clicks"),
        State(ids.predict_field(ALL), "value"),
        State(ids.predict_field(ALL), "id"),
        State(ids.PREDICT_MODEL_DROPDOWN, "value"),
        State(ids.PREDICT_VERSION_DROPDOWN, "value"),
        prevent_initial_call=True,
    )
    def predict(_clicks, values, field_ids, name, version_value):
        record = {field_id["name"]: value for field_id, value in zip(field_ids, values, strict=True)}
        version, alias = parse_version(version_value)
        try:
            result = services.serving.predict(store.load(name, version, alias=alias), [record])
        except SchemaError as exc:
            return _messages(exc.errors, []), None, figures.message_figure("fix the fields marked above"), ""
        except (ModelNotFoundError, ModelStoreError) as exc:
            return _messages({"model": str(exc)}, []), None, figures.message_figure(""), ""
        probabilities = (result.get("probabilities") or [None])[0]
        if result["task"] == "clustering":
            figure = figures.message_figure(f"cluster {result['predictions'][0]}")
        elif result["task"] == "recommendation":
            figure = figures.message_figure(f"{len(result['predictions'][0])} items")
        elif probabilities is not None:
            figure = figures.probability_figure(probabilities)
        else:
            figure = figures.probability_figure((result.get("scores") or [None])[0], "Decision scores")
        return _messages({}, result["warnings"]), _result_card(result), figure, json.dumps(result, indent=2)

    @app.callback(
        Output(ids.PREDICT_BATCH_RESULT, "children"),
        Output(ids.PREDICT_BATCH_RESULT_STORE, "data"),
        Output(ids.PREDICT_BATCH_DOWNLOAD_BUTTON, "disabled"),
        Input(ids.PREDICT_BATCH_UPLOAD, "contents"),
        State(ids.PREDICT_MODEL_DROPDOWN, "value"),
        State(ids.PREDICT_VERSION_DROPDOWN, "value"),
        background=True,
        progress=[Output(ids.PREDICT_BATCH_PROGRESS, "value"), Output(ids.PREDICT_BATCH_PROGRESS, "label")],
        running=[
            (Output(ids.PREDICT_BATCH_CANCEL_BUTTON, "disabled"), False, True),
            (Output(ids.PREDICT_BATCH_UPLOAD, "disabled"), True, False),
        ],
        cancel=[Input(ids.PREDICT_BATCH_CANCEL_BUTTON, "n_clicks")],
        prevent_initial_call=True,
    )
    def score_batch(set_progress, contents, name, version_value):
        if not contents:
            raise PreventUpdate
        version, alias = parse_version(version_value)
        try:
            summary, token = score_upload(
                services.serving,
                store,
                name,
                version,
                alias,
                decode_data_url(contents),
                batch_dir,
                progress=lambda done, total: set_progress((100 * done // max(total, 1), f"{done:,} / {total:,}")),
                ttl_seconds=services.settings.job_ttl_seconds,
            )
        except (SchemaError, UploadError, ModelNotFoundError) as exc:
            errors = exc.errors if isinstance(exc, SchemaError) else {"file": str(exc)}
            return _messages(errors, []), None, True
        bad = [html.Li(f"row {row}: {message}") for row, message in list(summary["errors"].items())[:20]]
        body = [
            html.P(
                f"Scored {summary['scored']:,} of {summary['rows']:,} rows with {summary['model']} "
                f"v{summary['version']}.",
                className="mb-1 batch-summary",
            )
        ]
        if bad:
            body.append(
                dbc.Alert(
                    [html.Strong(f"{summary['bad_rows']:,} row(s) could not be scored:"), html.Ul(bad)],
                    color="warning",
                    className="py-2 small batch-bad-rows",
                )
            )
        body += [html.P(n, className="small text-muted") for n in summary["notices"]]
        return body, token, False

    @app.callback(
        Output(ids.PREDICT_BATCH_DOWNLOAD, "data"),
        Input(ids.PREDICT_BATCH_DOWNLOAD_BUTTON, "n_clicks"),
        State(ids.PREDICT_BATCH_RESULT_STORE, "data"),
        prevent_initial_call=True,
    )
    def download(_clicks, token):
        if not isinstance(token, str) or not TOKEN.match(token) or not (batch_dir / f"{token}.csv").exists():
            return no_update
        return dcc.send_file(str(batch_dir / f"{token}.csv"), filename="predictions.csv")
