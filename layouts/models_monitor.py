"""The Models page's monitoring card for the selected version: its prediction log and feedback, a
re-verification on fresh labelled data (with the version's evaluation history), a drift report against its
training sample, and a retrain that becomes the next version, side by side with the current alias."""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.monitoring.service import LOG_SOURCE
from layouts.common import editor_only, editor_tab_style, file_drop, mounted_when_shown
from layouts.models_ids import MonitorIds

LOG_COLUMNS = ("time", "request_id", "door", "row", "prediction", "output", "inputs")


def source_options(datasets: list[Any]) -> list[dict[str, str]]:
    """The version's own log first, then every dataset of the catalog."""
    return [{"label": "Prediction log of this version", "value": LOG_SOURCE}] + [
        {"label": f"{d.title} ({d.id})", "value": d.id} for d in datasets
    ]


def _log_tab() -> html.Div:
    return html.Div(
        [
            html.Div(
                [
                    editor_only(
                        dbc.Button("Stop logging", id=MonitorIds.LOG_TOGGLE, color="outline-danger", size="sm")
                    ),
                    dbc.Button("Refresh", id=MonitorIds.LOG_REFRESH, color="outline-secondary", size="sm"),
                    dbc.Button("Download CSV", id=MonitorIds.LOG_DOWNLOAD_BUTTON, color="outline-primary", size="sm"),
                ],
                className="d-flex flex-wrap gap-3 align-items-center my-2",
            ),
            dcc.Download(id=MonitorIds.LOG_DOWNLOAD),
            dag.AgGrid(
                id=MonitorIds.LOG_GRID,
                rowData=[],
                columnDefs=[{"field": c, "headerName": c.replace("_", " ").capitalize()} for c in LOG_COLUMNS],
                defaultColDef={"sortable": True, "filter": True, "resizable": True},
                dashGridOptions={"suppressFieldDotNotation": True},
                style={"height": "300px"},
            ),
            editor_only(
                html.P(
                    "Ground truth: a CSV with request_id, label and (for several rows in one request) row.",
                    className="small text-muted mt-2 mb-1",
                ),
                file_drop(
                    MonitorIds.FEEDBACK_UPLOAD,
                    MonitorIds.FEEDBACK_RECEIVED,
                    MonitorIds.FEEDBACK_ALERT,
                    accept=".csv",
                    label="Drop a labels CSV here, or click to choose one",
                    purpose="labels",
                ),
                html.Div(id=MonitorIds.FEEDBACK_ALERT, className="mt-2"),
            ),
        ]
    )


def _verify_tab() -> html.Div:
    return html.Div(
        [
            html.P(
                "Scores the recent data's labelled rows with this version, using the training metric code.",
                className="small text-muted my-2",
            ),
            editor_only(dbc.Button("Re-verify", id=MonitorIds.VERIFY_BUTTON, color="primary", size="sm")),
            dcc.Loading(html.Div(id=MonitorIds.VERIFY_RESULT, className="mt-2")),
            html.Div(id=MonitorIds.HISTORY, className="mt-2"),
        ]
    )


def _drift_tab() -> html.Div:
    return html.Div(
        [
            html.P(
                "Each input column (and the model's answers) in the training sample against the recent data.",
                className="small text-muted my-2",
            ),
            dbc.Button("Drift report", id=MonitorIds.DRIFT_BUTTON, color="primary", size="sm"),
            dcc.Store(id=MonitorIds.DRIFT_STORE),
            dcc.Loading(html.Div(id=MonitorIds.DRIFT_TABLE, className="mt-2")),
            dcc.Dropdown(id=MonitorIds.DRIFT_COLUMN, placeholder="column to plot", className="mt-2"),
            # built when the Drift tab is first opened: a hidden tab's graph is still drawn, invisibly
            mounted_when_shown(
                MonitorIds.DRIFT_GRAPH_BLOCK,
                dcc.Graph(id=MonitorIds.DRIFT_GRAPH, config={"displaylogo": False}),
                shown=False,
            ),
        ]
    )


def _retrain_tab() -> html.Div:
    return html.Div(
        [
            html.P(
                "Runs this version's training spec again on the recent data as the next version; no alias moves.",
                className="small text-muted my-2",
            ),
            editor_only(
                dbc.Checkbox(
                    id=MonitorIds.RETRAIN_UNION, label="together with the original training data", value=False
                ),
                html.Div(
                    [
                        dbc.Button("Retrain", id=MonitorIds.RETRAIN_BUTTON, color="primary", size="sm"),
                        dbc.Button(
                            "Cancel", id=MonitorIds.RETRAIN_CANCEL, color="outline-secondary", size="sm", disabled=True
                        ),
                    ],
                    className="d-flex gap-2 my-2",
                ),
            ),
            dbc.Progress(id=MonitorIds.RETRAIN_PROGRESS, value=0, className="mb-2"),
            html.Div(id=MonitorIds.RETRAIN_RESULT),
        ]
    )


def monitor_card(datasets: list[Any]) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H5("Monitor this version"),
                dbc.Label("Recent data", html_for=MonitorIds.SOURCE),
                dcc.Dropdown(id=MonitorIds.SOURCE, options=source_options(datasets), value=LOG_SOURCE, clearable=False),
                editor_only(
                    file_drop(
                        MonitorIds.UPLOAD,
                        MonitorIds.UPLOAD_RECEIVED,
                        MonitorIds.UPLOAD_ALERT,
                        accept=".csv,.parquet,.xlsx,.json",
                        label="…or drop a file of recent data here (added to the datasets)",
                    ),
                    html.Div(id=MonitorIds.UPLOAD_ALERT, className="mt-2"),
                ),
                html.Div(id=MonitorIds.MESSAGES, className="mt-2"),
                dbc.Tabs(
                    [
                        dbc.Tab(_log_tab(), label="Prediction log", tab_id="log"),
                        dbc.Tab(_verify_tab(), label="Re-verify", tab_id="verify", tab_style=editor_tab_style()),
                        dbc.Tab(_drift_tab(), label="Drift", tab_id="drift"),
                        dbc.Tab(_retrain_tab(), label="Retrain", tab_id="retrain", tab_style=editor_tab_style()),
                    ],
                    id=MonitorIds.TABS,
                    active_tab="log",
                    className="mt-3",
                ),
            ]
        ),
        className="mb-3",
    )


def _table(rows: list[tuple[Any, ...]], header: tuple[str, ...], **props: Any) -> dbc.Table:
    return dbc.Table(
        [
            html.Thead(html.Tr([html.Th(h) for h in header])),
            html.Tbody([html.Tr([html.Td(c) for c in r]) for r in rows]),
        ],
        size="sm",
        striped=True,
        className="small",
        **props,
    )


def _number(value: Any, digits: int = 4) -> str:
    return f"{value:.{digits}f}" if isinstance(value, int | float) else "—"


def verify_view(evaluation: dict[str, Any]) -> html.Div:
    rows = [
        (
            r["metric"],
            _number(r["cv_mean"]),
            _number(r["now"]),
            _number(r["delta"], 4) if r["delta"] is not None else "—",
        )
        for r in evaluation["comparison"]
    ]
    return html.Div(
        [
            html.P(f"{evaluation['rows']:,} labelled rows of {evaluation['source']['label']}.", className="small"),
            _table(rows, ("metric", "cross-validated", "now", "Δ"), id="monitor-verify-table"),
            *[html.P(n, className="small text-muted") for n in evaluation.get("notices", [])],
        ]
    )


def history_view(history: list[dict[str, Any]]) -> html.Div | None:
    if not history:
        return None
    metric = next((m for m in ("roc_auc", "accuracy", "r2") if m in history[-1]["metrics"]), None)
    rows = [
        (h["evaluated_at"], h["source"]["label"], f"{h['rows']:,}", _number(h["metrics"].get(metric)))
        for h in reversed(history)
    ]
    return html.Div([html.H6("Evaluation history"), _table(rows, ("evaluated at", "data", "rows", metric or "metric"))])


def drift_table(report: dict[str, Any]) -> html.Div:
    rows = [
        (
            c["column"],
            c["kind"],
            _number(c["psi"]),
            dbc.Badge(c["level"], color={"stable": "success", "moderate": "warning", "major": "danger"}[c["level"]]),
            "KS" if c["test"] == "ks" else "chi²",
            _number(c["statistic"]),
            f"{c['p_value']:.3g}" if isinstance(c["p_value"], int | float) else "—",
        )
        for c in ([report["prediction"]] if report["prediction"] else []) + report["columns"]
    ]
    return html.Div(
        [
            html.P(f"{report['reference']} against {report['current']}; most drifted first.", className="small"),
            html.Div(
                [dbc.Alert(text, color="warning", className="small py-1") for text in report.get("warnings", [])],
                id="monitor-drift-warnings",
            ),
            _table(rows, ("column", "kind", "PSI", "level", "test", "statistic", "p"), id="monitor-drift-ranking"),
        ]
    )
