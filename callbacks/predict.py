"""Predict callbacks: rebuild the form for a model, predict one record, score a CSV in the background."""

from __future__ import annotations

import json
import re
from pathlib import Path

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from flask import g

from callbacks.widgets import background_run
from dashboard.data.upload_base import UploadError
from dashboard.data.uploads import refusal
from dashboard.errors import FieldError, NotApplicable, user_message
from dashboard.figures.predict import probability_figure, waterfall_figure
from dashboard.services import Services
from dashboard.serving.batch import score_upload
from dashboard.serving.imputed import imputation_notices
from layouts.predict import DEFAULT_CHOICE, field_rows, form, parse_version, version_options
from layouts.predict_ids import PredictIds
from layouts.predict_views import field_messages, result_card, tree_path_view
from model_store import ModelNotFoundError, ModelStoreError, SchemaError

TOKEN = re.compile(r"^[0-9a-f]{64}$")


# The form as it stands: every input shown, the values held for fields not shown, the model and version.
FORM_STATE = (
    State(PredictIds.field(ALL), "value"),
    State(PredictIds.field(ALL), "id"),
    State(PredictIds.FORM_VALUES, "data"),
    State(PredictIds.MODEL_DROPDOWN, "value"),
    State(PredictIds.VERSION_DROPDOWN, "value"),
)


def _form_record(values: list, field_ids: list[dict], all_values: object) -> dict:
    """Every field's value: those held for fields not shown (a wide model's form), then the inputs shown."""
    shown = {field_id["name"]: value for field_id, value in zip(field_ids, values, strict=True)}
    return {**(all_values if isinstance(all_values, dict) else {}), **shown}


def what_if(before: dict | None, now: dict) -> str | None:
    """'Age 22 -> 40: probability of 1 0.12 -> 0.08 (-0.04)' when only the fields changed since the last answer."""
    if not isinstance(before, dict) or (before.get("model"), before.get("version")) != (now["model"], now["version"]):
        return None
    old, new = before.get("record") or {}, now["record"]
    changed = [f"{k} {str(old.get(k))[:40]} → {str(v)[:40]}" for k, v in new.items() if old.get(k) != v]
    if not changed:
        return None
    try:
        was = float(before["explanation"]["output"])
    except (KeyError, TypeError, ValueError):
        return None
    explanation = now["explanation"]
    about = f" of {explanation['class']!s}" if explanation.get("class") is not None else ""
    output = explanation["output"]
    moved = f"{was:.4g} → {output:.4g} ({output - was:+.4g})"
    return f"What if {', '.join(changed)}: {explanation['output_kind']}{about} {moved}"


def register(app, services: Services) -> None:
    store = services.models
    batch_dir = Path(services.settings.cache_dir) / "batch-results"

    @app.callback(
        Output(PredictIds.FORM, "children"),
        Output(PredictIds.VERSION_DROPDOWN, "options"),
        Output(PredictIds.VERSION_DROPDOWN, "value"),
        Input(PredictIds.MODEL_DROPDOWN, "value"),
        Input(PredictIds.VERSION_DROPDOWN, "value"),
        prevent_initial_call=True,
    )
    def switch_model(name, version_value):
        if not name:
            raise PreventUpdate
        if ctx.triggered_id == PredictIds.MODEL_DROPDOWN:
            version_value = DEFAULT_CHOICE
        version, alias = parse_version(version_value)
        try:
            card = store.card(name, version, alias=alias)
        except (ModelNotFoundError, ModelStoreError):
            raise PreventUpdate from None
        options = version_options([v.version for v in store.versions(name)], store.aliases(name))
        return form(card["schema"]), options, version_value

    @app.callback(
        Output(PredictIds.FORM_FIELDS, "children"),
        Output(PredictIds.FORM_VALUES, "data"),
        Input(PredictIds.FIELD_PICKER, "value"),
        *FORM_STATE,
        prevent_initial_call=True,
    )
    def show_fields(picked, values, field_ids, all_values, name, version_value):
        """A wide model's picked fields, keeping what was typed in the ones shown before."""
        version, alias = parse_version(version_value)
        try:
            fields = store.card(name, version, alias=alias)["schema"]["fields"]
        except (ModelNotFoundError, ModelStoreError):
            raise PreventUpdate from None
        all_values = _form_record(values, field_ids, all_values)
        chosen = set(picked) if isinstance(picked, list) else set()
        return field_rows([f for f in fields if f["name"] in chosen], all_values), all_values

    @app.callback(
        Output(PredictIds.MESSAGES, "children"),
        Output(PredictIds.RESULT, "children"),
        Output(PredictIds.PROBABILITY_GRAPH, "figure"),
        Output(PredictIds.PROBABILITY_PANEL, "hidden"),
        Output(PredictIds.JSON, "children"),
        Input(PredictIds.SUBMIT_BUTTON, "n_clicks"),
        *FORM_STATE,
        prevent_initial_call=True,
    )
    def predict(_clicks, values, field_ids, all_values, name, version_value):
        record = _form_record(values, field_ids, all_values)
        version, alias = parse_version(version_value)
        try:
            loaded = store.load(name, version, alias=alias)
            result = services.serving.predict(loaded, [record])
            services.predictions.record(result, [record], door="form", request_id=g.request_id)
            fields = [f["name"] for f in loaded.card["schema"]["fields"]]
            filled = imputation_notices(loaded.model, {f: record.get(f) for f in fields})
        except SchemaError as exc:
            return field_messages(exc.errors, []), None, no_update, True, ""
        except (ModelNotFoundError, ModelStoreError) as exc:
            return field_messages({"model": user_message(exc)}, []), None, no_update, True, ""
        probabilities = (result.get("probabilities") or [None])[0]
        scores = (result.get("scores") or [None])[0]
        if result["task"] in ("clustering", "recommendation"):  # the answer card says it all: no chart
            figure = None
        elif probabilities is not None:
            figure = probability_figure(probabilities)
        else:
            figure = probability_figure(scores, "Decision scores") if scores is not None else None
        notices = [*filled, *result["warnings"]]
        drawn = (figure, False) if figure is not None else (no_update, True)
        return field_messages({}, notices), result_card(result), *drawn, json.dumps(result, indent=2)

    @app.callback(
        Output(PredictIds.EXPLAIN_GRAPH, "figure"),
        Output(PredictIds.EXPLAIN_PANEL, "hidden"),
        Output(PredictIds.WHAT_IF, "children"),
        Output(PredictIds.WHAT_IF_STORE, "data"),
        Input(PredictIds.SUBMIT_BUTTON, "n_clicks"),
        *FORM_STATE,
        State(PredictIds.WHAT_IF_STORE, "data"),
        prevent_initial_call=True,
    )
    def explain(_clicks, values, field_ids, all_values, name, version_value, before):
        """Why this answer (SHAP by input column), and what changed since the last one (what-if)."""
        record = _form_record(values, field_ids, all_values)
        version, alias = parse_version(version_value)
        try:
            loaded = store.load(name, version, alias=alias)
            background = lambda: store.background(loaded.name, loaded.version)  # noqa: E731
            (explanation,) = services.serving.explain(loaded, [record], background)
        except FieldError as exc:  # no explanation for this model: said in a line, not in an empty chart
            return no_update, True, html.P(exc.message, className="text-muted"), None
        except (SchemaError, ModelNotFoundError, ModelStoreError, ValueError):  # the answer's messages say why
            return no_update, True, None, None
        now = {"model": loaded.name, "version": loaded.version, "record": record, "explanation": explanation}
        return waterfall_figure(explanation), False, what_if(before, now), now

    @app.callback(
        Output(PredictIds.TREE_PATH, "children"),
        Input(PredictIds.SUBMIT_BUTTON, "n_clicks"),
        *FORM_STATE,
        prevent_initial_call=True,
    )
    def tree_path(_clicks, values, field_ids, all_values, name, version_value):
        """For a tree model, the questions its (first) tree asks of this row; nothing for other models."""
        record = _form_record(values, field_ids, all_values)
        version, alias = parse_version(version_value)
        try:
            loaded = store.load(name, version, alias=alias)
            return tree_path_view(services.serving.tree_path(loaded, record))
        except (NotApplicable, SchemaError, ModelNotFoundError, ModelStoreError, ValueError):
            return None  # not a tree model, or an input the answer's messages already name

    @app.callback(
        Output(PredictIds.BATCH_RESULT, "children"),
        Output(PredictIds.BATCH_RESULT_STORE, "data"),
        Output(PredictIds.BATCH_DOWNLOAD_BUTTON, "disabled"),
        Input(PredictIds.BATCH_UPLOAD_RECEIVED, "data"),
        State(PredictIds.MODEL_DROPDOWN, "value"),
        State(PredictIds.VERSION_DROPDOWN, "value"),
        **background_run(
            PredictIds.BATCH_UPLOAD,
            PredictIds.BATCH_CANCEL_BUTTON,
            progress=[Output(PredictIds.BATCH_PROGRESS, "value"), Output(PredictIds.BATCH_PROGRESS, "label")],
        ),
        prevent_initial_call=True,
    )
    def score_batch(set_progress, received, name, version_value):
        if not isinstance(received, dict):
            raise PreventUpdate
        version, alias = parse_version(version_value)
        try:
            with services.incoming.taken(received.get("token"), "score") as upload:
                content = upload.path.read_bytes()
            summary, token = score_upload(
                services.serving,
                store,
                name,
                version,
                alias,
                content,
                batch_dir,
                progress=lambda done, total: set_progress((100 * done // max(total, 1), f"{done:,} / {total:,}")),
                ttl_seconds=services.settings.job_ttl_seconds,
                log=services.predictions,
            )
        except (SchemaError, UploadError, ModelNotFoundError) as exc:
            errors = exc.errors if isinstance(exc, SchemaError) else {"file": refusal(exc, received.get("filename"))}
            return field_messages(errors, []), None, True
        bad = [html.Li(f"row {row}: {message}") for row, message in list(summary["errors"].items())[:20]]
        body = [
            html.P(
                f"Scored {summary['scored']:,} of {summary['rows']:,} rows with {summary['model']} "
                f"v{summary['version']} ({summary['chosen_by']}).",
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
        Output(PredictIds.BATCH_DOWNLOAD, "data"),
        Input(PredictIds.BATCH_DOWNLOAD_BUTTON, "n_clicks"),
        State(PredictIds.BATCH_RESULT_STORE, "data"),
        prevent_initial_call=True,
    )
    def download(_clicks, token):
        if not isinstance(token, str) or not TOKEN.match(token) or not (batch_dir / f"{token}.csv").exists():
            return no_update
        return dcc.send_file(str(batch_dir / f"{token}.csv"), filename="predictions.csv")
