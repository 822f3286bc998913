"""Predict (/predict): a form generated from the model's input schema, batch CSV scoring.

URL: ``/predict?model=titanic-survival&version=latest&Sex=male&Age=22`` reopens the model and the form
values; ``embed=1`` drops the chrome.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.figures.base import message_figure
from layouts.common import file_drop, services, wire_labels
from layouts.predict_ids import PredictIds
from layouts.predict_shap import shap_card
from model_store import DEFAULT_ALIAS

DEFAULT_CHOICE = "default"  # what answers when no version is named (ModelStore.choose)


def version_options(versions: list[int], aliases: dict[str, int]) -> list[dict[str, str]]:
    """The default first, saying which version it is and why, then the latest, the aliases, each version."""
    # Short enough for the box; the answer says why this version answered.
    if DEFAULT_ALIAS in aliases and aliases[DEFAULT_ALIAS] in versions:
        default = f"default: v{aliases[DEFAULT_ALIAS]} ({DEFAULT_ALIAS})"
    else:
        default = f"default: v{versions[-1]} (latest)"
    options = [{"label": default, "value": DEFAULT_CHOICE}, {"label": f"latest (v{versions[-1]})", "value": "latest"}]
    options += [{"label": f"alias {a} (v{v})", "value": f"alias:{a}"} for a, v in sorted(aliases.items())]
    options += [{"label": f"v{v}", "value": str(v)} for v in reversed(versions)]
    return options


def parse_version(value: str | None) -> tuple[str | None, str | None]:
    """Dropdown value -> (version, alias) for the model store: the default is neither."""
    if value and value.startswith("alias:"):
        return None, value.removeprefix("alias:")
    return (None if value in (None, "", DEFAULT_CHOICE) else value), None


def _field_input(field: dict[str, Any], value: Any) -> Any:
    kind, name = field["kind"], field["name"]
    if kind == "categorical":
        return dcc.Dropdown(
            id=PredictIds.field(name),
            options=[{"label": c, "value": c} for c in field["categories"]],
            value=value if value in field["categories"] else None,
            placeholder="choose",
        )
    if kind == "boolean":
        checked = str(value).lower() in ("true", "1", "yes")
        return dbc.Checkbox(id=PredictIds.field(name), value=checked, label="yes")
    if kind == "identifier":  # a recommender's user or item id
        return dbc.Input(id=PredictIds.field(name), type="text", value=value or "", placeholder="an id")
    if kind == "text":
        return dbc.Textarea(id=PredictIds.field(name), value=value or "", rows=3, placeholder="text")
    hint = f"{field['min']:g} to {field['max']:g} in training" if field.get("min") is not None else "a number"
    return dbc.Input(
        id=PredictIds.field(name),
        type="number",
        value=value,
        placeholder=hint,
        step=1 if field.get("integer") else "any",
    )


WIDE_FORM = 40  # above this many inputs the form shows the fields picked, not all of them
SHOWN_FIRST = 20


def form(schema: dict[str, Any], values: dict[str, Any] | None = None) -> list[Any]:
    """One labelled input per schema field; values default to the schema's example row.

    A model with more than ``WIDE_FORM`` inputs (a sensor or survey model of hundreds) shows the first
    ``SHOWN_FIRST`` and a searchable picker of the others: a page of 2,000 inputs helps nobody and costs
    the browser seconds. Every field still has a value: those not shown keep the example row's (or the
    link's), held in ``FORM_VALUES``; the REST API is unchanged."""
    values = schema.get("example", {}) if values is None else values
    fields = schema["fields"]
    if len(fields) <= WIDE_FORM:
        return [html.Div(field_rows(fields, values), id=PredictIds.FORM_FIELDS), dcc.Store(id=PredictIds.FORM_VALUES)]
    shown = [f["name"] for f in fields[:SHOWN_FIRST]]
    return [
        dbc.Alert(
            f"This model takes {len(fields):,} inputs. The first {SHOWN_FIRST} are shown; pick any others to "
            "edit them. The rest keep the example row's values.",
            color="light",
            className="small py-2",
        ),
        dcc.Dropdown(
            id=PredictIds.FIELD_PICKER,
            options=[{"label": f"{f['name']} ({f['kind']})", "value": f["name"]} for f in fields],
            value=shown,
            multi=True,
            placeholder="search the model's inputs",
            maxHeight=300,
            className="mb-2",
        ),
        html.Div(field_rows(fields[:SHOWN_FIRST], values), id=PredictIds.FORM_FIELDS),
        dcc.Store(id=PredictIds.FORM_VALUES, data={f["name"]: values.get(f["name"]) for f in fields}),
    ]


def field_rows(fields: list[dict[str, Any]], values: dict[str, Any]) -> list[Any]:
    rows = []
    for field in fields:
        label = field["name"] + ("" if field.get("nullable") else " *")
        hint = "optional" if field.get("nullable") else field["kind"]
        rows.append(
            dbc.Row(
                [
                    dbc.Label(html.Span(label, title=field["name"]), width=4, className="text-truncate"),
                    dbc.Col([_field_input(field, values.get(field["name"])), dbc.FormText(hint)], width=8),
                ],
                className="mb-2",
            )
        )
    return [wire_labels(row) for row in rows]  # built here and by the form's callbacks


def _shap_datasets(card: dict[str, Any]) -> tuple[list[dict[str, str]], str | None]:
    """The catalog's datasets, the one the version was trained on chosen."""
    svc = services()
    options = [{"label": i.title, "value": i.id} for i in svc.catalog.list()] if svc else []
    trained_on = (card.get("dataset") or {}).get("id")
    return options, trained_on if any(o["value"] == trained_on for o in options) else None


def _batch_panel() -> dbc.Card:
    return dbc.Card(
        [
            dbc.CardHeader("Batch scoring (CSV)"),
            dbc.CardBody(
                [
                    file_drop(
                        PredictIds.BATCH_UPLOAD,
                        PredictIds.BATCH_UPLOAD_RECEIVED,
                        PredictIds.BATCH_RESULT,
                        accept=".csv",
                        label="Drop a CSV or choose one",
                        purpose="score",
                    ),
                    dbc.Progress(
                        id=PredictIds.BATCH_PROGRESS, value=0, label="", className="mb-2", style={"height": "18px"}
                    ),
                    dbc.Button(
                        "Cancel",
                        id=PredictIds.BATCH_CANCEL_BUTTON,
                        color="outline-secondary",
                        size="sm",
                        disabled=True,
                        className="mb-2",
                    ),
                    html.Div(id=PredictIds.BATCH_RESULT),
                    dbc.Button(
                        "Download predictions (CSV)",
                        id=PredictIds.BATCH_DOWNLOAD_BUTTON,
                        color="success",
                        size="sm",
                        disabled=True,
                    ),
                    dcc.Download(id=PredictIds.BATCH_DOWNLOAD),
                    dcc.Store(id=PredictIds.BATCH_RESULT_STORE),
                ]
            ),
        ]
    )


def layout(model: str | None = None, version: str = DEFAULT_CHOICE, embed: str | None = None, **query: str) -> html.Div:
    svc = services()
    models = svc.models.list() if svc else []
    names = [m["name"] for m in models]
    if not names:
        return html.Div(
            [
                html.H2("Predict"),
                dbc.Alert(
                    "No models yet. The demo models are being trained in the background; reload in a moment, "
                    "or train one on the Train page.",
                    color="info",
                    id=PredictIds.MESSAGES,
                ),
            ]
        )
    chosen = next((m for m in models if m["name"] == model), models[0])
    notice = (
        None
        if model in (None, chosen["name"])
        else dbc.Alert(f"model: no model named '{str(model)[:64]}'; showing {chosen['name']}", color="warning")
    )
    selected_version, alias = parse_version(version)
    try:
        card = svc.models.card(chosen["name"], selected_version, alias=alias)
    except Exception:  # noqa: BLE001 - a stale link: fall back to the default version
        card, version = svc.models.card(chosen["name"]), DEFAULT_CHOICE
    values = {**card["schema"].get("example", {}), **{k: v for k, v in query.items() if v != ""}}
    return html.Div(
        [
            html.H2("Predict"),
            notice,
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Row(
                                [
                                    dbc.Col(
                                        [
                                            dbc.Label("Model"),
                                            dcc.Dropdown(
                                                id=PredictIds.MODEL_DROPDOWN,
                                                value=chosen["name"],
                                                options=[{"label": n, "value": n} for n in names],
                                                clearable=False,
                                            ),
                                        ],
                                        md=6,
                                    ),
                                    dbc.Col(
                                        [
                                            dbc.Label("Version"),
                                            dcc.Dropdown(
                                                id=PredictIds.VERSION_DROPDOWN,
                                                value=version,
                                                clearable=False,
                                                options=version_options(chosen["versions"], chosen["aliases"]),
                                            ),
                                        ],
                                        md=6,
                                    ),
                                ],
                                className="mb-3",
                            ),
                            html.Div(form(card["schema"], values), id=PredictIds.FORM),
                            dbc.Button("Predict", id=PredictIds.SUBMIT_BUTTON, color="primary", className="mt-2"),
                        ],
                        lg=5,
                    ),
                    dbc.Col(
                        [
                            html.Div(id=PredictIds.MESSAGES),
                            dcc.Loading(
                                html.Div(
                                    html.P(
                                        "Fill in the form and press Predict: the answer appears here.",
                                        className="text-muted",
                                    ),
                                    id=PredictIds.RESULT,
                                )
                            ),
                            html.Div(  # graphs appear with something to draw: no empty slots
                                dcc.Graph(
                                    id=PredictIds.PROBABILITY_GRAPH,
                                    config={"displaylogo": False},
                                    style={"height": "260px"},
                                    figure=message_figure(""),
                                ),
                                id=PredictIds.PROBABILITY_PANEL,
                                hidden=True,
                            ),
                            html.Div(id=PredictIds.WHAT_IF, className="small mt-2"),
                            html.Div(
                                dcc.Graph(
                                    id=PredictIds.EXPLAIN_GRAPH,
                                    config={"displaylogo": False},
                                    figure=message_figure(""),
                                ),
                                id=PredictIds.EXPLAIN_PANEL,
                                hidden=True,
                            ),
                            html.Div(id=PredictIds.TREE_PATH, className="small mt-2"),
                            dcc.Store(id=PredictIds.WHAT_IF_STORE),
                            html.Details(
                                [
                                    html.Summary("The JSON the API returns"),
                                    html.Pre(id=PredictIds.JSON, className="small"),
                                ]
                            ),
                            html.Div(_batch_panel(), className="mt-3", hidden=str(embed) == "1"),
                            html.Div(shap_card(*_shap_datasets(card)), className="mt-3", hidden=str(embed) == "1"),
                        ],
                        lg=7,
                    ),
                ]
            ),
        ]
    )
