"""Models (/models): every model and version, its card, version comparison, aliases, deletion.

URL: ``/models?model=titanic-survival&version=2&compare=1``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.common import badge, editor_only, format_value, primary_metric, services
from layouts.models_ids import ModelsIds
from layouts.models_monitor import monitor_card
from layouts.reports_ids import MODELS_PIN
from layouts.widgets import export_pdf_id, pin_panel
from model_store import Choice


def corrupt_alert(corrupt: list[dict[str, Any]]):
    """Damaged models named, so one bad file never hides the others (or itself)."""
    if not corrupt:
        return None
    return dbc.Alert(
        [html.Strong("Damaged models (not listed below): "), html.Ul([html.Li(m["error"]) for m in corrupt])],
        color="warning",
        id=ModelsIds.CORRUPT_ALERT,
        className="small",
    )


def grid_rows(store, models: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    rows = []
    for model in store.list() if models is None else models:
        aliases = model["aliases"]
        for version in reversed(store.versions(model["name"])):
            card = version.card
            rows.append(
                {
                    "model": model["name"],
                    "version": version.version,
                    "task": card["task"],
                    "estimator": card.get("estimator", ""),
                    "metric": primary_metric(card.get("metrics", {})),
                    "aliases": ", ".join(a for a, v in sorted(aliases.items()) if v == version.version),
                    "answers": "by default" if version.version == model["default_version"] else "",
                    "dataset": card.get("dataset", {}).get("id", ""),
                    "created": card["created_at"],
                }
            )
    return rows


def _table(rows: list[tuple[Any, ...]], header: tuple[str, ...]) -> dbc.Table:
    return dbc.Table(
        [
            html.Thead(html.Tr([html.Th(h) for h in header])),
            html.Tbody([html.Tr([html.Td(_fmt(c)) for c in row]) for row in rows]),
        ],
        size="sm",
        striped=True,
        className="small",
    )


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, list | dict):
        return json.dumps(value)[:120]
    return "" if value is None else str(value)


def _metric_tables(card: dict[str, Any]) -> list[Any]:
    """Held-out metrics only when a test share was kept out; cross-validated ones named as such, so a
    card without a held-out set never passes the CV means off as a test."""
    cv_scores = card.get("cv", {}).get("scores", {})
    held_out = card.get("holdout_metrics") or {}
    tables: list[Any] = []
    if held_out:
        tables += [html.H6("Held-out test set"), _table(list(held_out.items()), ("metric", "value"))]
    if cv_scores:
        heading = "Cross-validated" + ("" if held_out else " (no held-out set)")
        rows = [(k, v.get("mean"), v.get("std")) for k, v in cv_scores.items()]
        tables += [html.H6(heading), _table(rows, ("metric", "mean over folds", "std"))]
    elif card.get("metrics"):
        tables += [html.H6("Metrics"), _table(list(card["metrics"].items()), ("metric", "value"))]
    return tables


def answers_line(card: dict[str, Any], default: Choice) -> html.P:
    """Whether this version answers a request that names no version, and if not, which one does."""
    if default.version == card["version"]:
        text = f"Answers requests that name no version: {default.reason}."
    else:
        text = f"Requests that name no version get v{default.version}: {default.reason}."
    return html.P(text, className="small fw-semibold answers-line")


def card_view(
    card: dict[str, Any], default: Choice | None = None, history: list[dict[str, Any]] | None = None
) -> list[Any]:
    """A model card for people: what it predicts, how well, from what, with which settings, whether it is
    the version that answers by default, and the model's registry history (who saved, moved, deleted)."""
    dataset = card.get("dataset", {})
    fields = card["schema"]["fields"]
    lineage = [
        html.Span("Trained on "),
        html.A(dataset.get("id", "?"), href="/data?" + urlencode({"dataset": dataset.get("id", "")})),
        html.Span(f" ({dataset.get('rows', '?')} rows, fingerprint {str(dataset.get('fingerprint', ''))[:12]}…)"),
    ]
    return [
        html.H4(
            [
                f"{card['name']} ",
                html.Small(f"v{card['version']}", className="text-muted"),
                *[badge(a, "info", className="ms-2") for a in card.get("aliases", [])],
            ]
        ),
        html.P(card.get("description", ""), className="text-muted"),
        html.P(
            [
                f"Task: {card['task']} · target: {card.get('target') or '—'} · estimator: {card.get('estimator')}"
                f" · created {card['created_at']}"
            ],
            className="small",
        ),
        answers_line(card, default) if default is not None else None,
        html.P(lineage, className="small"),
        _parent_line(card),
        *_metric_tables(card),
        html.H6("Input schema"),
        _table(
            [
                (
                    f["name"],
                    f["kind"],
                    "yes" if f.get("nullable") else "no",
                    ", ".join(f.get("categories", [])[:8])
                    or (f"{f['min']:g} to {f['max']:g}" if f.get("min") is not None else ""),
                )
                for f in fields
            ],
            ("field", "kind", "may be missing", "categories / range"),
        ),
        html.H6("Parameters"),
        _table([(n, format_value(v, n)) for n, v in sorted(card.get("params", {}).items())], ("parameter", "value")),
        html.P(
            f"Artifact sha256 {card['artifact']['sha256']} · {card['artifact']['bytes']:,} bytes · "
            + ", ".join(f"{k} {v}" for k, v in card.get("library_versions", {}).items()),
            className="small text-muted text-break",
        ),
        *history_view(history),
    ]


HISTORY_SHOWN = 12


def history_view(history: list[dict[str, Any]] | None) -> list[Any]:
    """The model's saves, alias moves and deletes, newest first (all of them from GET /api/models/<name>/history)."""
    if not history:
        return []
    rows = [(e.get("at", "").replace("T", " ")[:16], e.get("actor", "?"), _event_text(e)) for e in history]
    more = len(rows) - HISTORY_SHOWN
    return [
        html.H6("Registry history"),
        _table(rows[:HISTORY_SHOWN], ("when (UTC)", "who", "what")),
        html.P(f"{more} earlier events: GET /api/models/<name>/history", className="small text-muted")
        if more > 0
        else None,
    ]


def _event_text(event: dict[str, Any]) -> str:
    kind, alias = event.get("event"), event.get("alias")
    if kind == "saved":
        return f"saved v{event.get('version')}"
    if kind == "deleted":
        return f"deleted v{event.get('version')}"
    if kind == "alias_removed":
        return f"removed {alias} (was v{event.get('from')})"
    moved_from = f"v{event['from']}" if event.get("from") is not None else "nothing"
    return f"moved {alias}: {moved_from} → v{event.get('to')}"


def _parent_line(card: dict[str, Any]) -> html.P | None:
    """Lineage of a retrained version: the version it was retrained from, and on what."""
    parent = card.get("parent")
    if not isinstance(parent, dict):
        return None
    href = "/models?" + urlencode({"model": parent.get("model", ""), "version": parent.get("version", "")})
    data = "its training data plus " if parent.get("union") else ""
    source = "logged predictions with feedback" if parent.get("source") == "@log" else parent.get("source")
    return html.P(
        ["Retrained from ", html.A(f"v{parent.get('version')}", href=href), f" on {data}{source}"],
        className="small",
        id="models-card-parent",
    )


def compare_view(diff: dict[str, Any], a: int, b: int) -> list[Any]:
    schema = diff["schema"]
    changes = [html.Li(f"added: {', '.join(schema['added'])}")] if schema["added"] else []
    changes += [html.Li(f"removed: {', '.join(schema['removed'])}")] if schema["removed"] else []
    changes += [
        html.Li(f"{c['field']}: " + "; ".join(f"{k} {x!r} → {y!r}" for k, (x, y) in c["changes"].items()))
        for c in schema["changed"]
    ]
    return [
        html.H6(f"v{a} → v{b}"),
        _table([(m["metric"], m["a"], m["b"], m["delta"]) for m in diff["metrics"]], ("metric", f"v{a}", f"v{b}", "Δ")),
        html.H6("Schema changes"),
        html.Ul(changes) if changes else html.P("none", className="small"),
        html.H6("Parameter changes"),
        _table(
            [(p["param"], format_value(p["a"], p["param"]), format_value(p["b"], p["param"])) for p in diff["params"]],
            ("parameter", f"v{a}", f"v{b}"),
        )
        if diff["params"]
        else html.P("none", className="small"),
    ]


def _actions() -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                editor_only(
                    dbc.InputGroup(
                        [
                            dbc.Input(id=ModelsIds.ALIAS_INPUT, placeholder="alias, e.g. production", maxLength=64),
                            dbc.Button("Set alias", id=ModelsIds.ALIAS_BUTTON, color="secondary"),
                        ],
                        size="sm",
                        className="mb-2",
                    )
                ),
                html.Div(
                    [
                        dbc.Button(
                            "Open in Predict",
                            id=ModelsIds.OPEN_PREDICT_LINK,
                            href="/predict",
                            color="primary",
                            size="sm",
                        ),
                        dbc.Button(
                            "Download card (JSON)", id=ModelsIds.DOWNLOAD_BUTTON, color="outline-primary", size="sm"
                        ),
                        *(
                            dbc.Button(
                                f"Export card ({kind})",
                                id=link_id,
                                href="#",
                                external_link=True,
                                color="outline-primary",
                                size="sm",
                            )
                            for kind, link_id in (
                                ("HTML", ModelsIds.EXPORT_LINK),
                                ("PDF", export_pdf_id(ModelsIds.EXPORT_LINK)),
                            )
                        ),
                        editor_only(
                            dcc.ConfirmDialogProvider(
                                dbc.Button(
                                    "Delete version", id=ModelsIds.DELETE_BUTTON, color="outline-danger", size="sm"
                                ),
                                id=ModelsIds.DELETE_CONFIRM,
                                message="Delete this model version for good?",
                            )
                        ),
                    ],
                    className="d-flex flex-wrap gap-2",
                ),
                pin_panel(MODELS_PIN),
                dcc.Download(id=ModelsIds.DOWNLOAD),
                html.Div(id=ModelsIds.ACTION_ALERT, className="mt-2"),
                html.Hr(),
                dbc.Label("Compare with version"),
                dcc.Dropdown(id=ModelsIds.COMPARE_DROPDOWN, placeholder="another version"),
                html.Div(id=ModelsIds.COMPARE_TABLE, className="mt-2"),
            ]
        ),
        className="mb-3",
    )


def layout(model: str | None = None, version: str | None = None, compare: str | None = None, **_query: str) -> html.Div:
    svc = services()
    healthy, corrupt = svc.models.scan() if svc else ([], [])
    rows = grid_rows(svc.models, healthy) if svc else []
    selected = next(
        (r for r in rows if r["model"] == model and str(r["version"]) == str(version or r["version"])),
        rows[0] if rows else None,
    )
    return html.Div(
        [
            html.H2("Models"),
            html.P("Every stored model version. Select a row to see its card.", className="text-muted"),
            corrupt_alert(corrupt),
            dcc.Store(
                id=ModelsIds.SELECTED_STORE,
                data={"model": selected["model"], "version": selected["version"], "compare": compare}
                if selected
                else None,
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dag.AgGrid(
                                id=ModelsIds.GRID,
                                rowData=rows,
                                columnDefs=[
                                    {"field": f, "headerName": f.capitalize(), "width": width}
                                    # what tells the versions apart first, within the panel's ~590 px
                                    for f, width in (
                                        ("model", 140),
                                        ("version", 100),
                                        ("aliases", 100),
                                        ("answers", 115),
                                        ("metric", 165),
                                        ("task", 100),
                                        ("estimator", 160),
                                        ("dataset", 120),
                                        ("created", 190),
                                    )
                                ],
                                selectedRows=[r for r in rows if r is selected],
                                defaultColDef={"sortable": True, "filter": True, "resizable": True},
                                dashGridOptions={
                                    "rowSelection": {
                                        "mode": "singleRow",
                                        "checkboxes": False,
                                        "enableClickSelection": True,
                                    },
                                    "suppressFieldDotNotation": True,
                                },
                                getRowId="params.data.model + '/' + params.data.version",
                                style={"height": "360px"},
                            ),
                            monitor_card(svc.catalog.list() if svc else []),
                        ],
                        lg=6,
                    ),
                    dbc.Col([_actions(), html.Div(id=ModelsIds.CARD)], lg=6),
                ]
            ),
        ]
    )
