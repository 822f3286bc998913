"""Runs (/runs): every run kept (Train, search candidates, clusterings and sweeps, recommender evaluations). A
grid served a page at a time from the runs database (sort, filter, quick search, columns chosen), 2 to 10 ticked
runs compared side by side, the one ticked run tagged and annotated or saved to the model store, each run's link
reopening its result where it was computed.

URL: ``/runs?q=forest&status=finished&ids=12,7&dataset=titanic&target=Survived&hide=note,kind`` (``ids``: the
runs compared, the first the reference; ``dataset`` and ``target``: the leaderboard shown; ``hide``: the grid's
columns not shown).
"""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.errors import user_message
from dashboard.figures.runs import (
    fold_scores_figure,
    parallel_parameters_figure,
    residual_spread_figure,
    score_by_parameter_figure,
)
from dashboard.figures.train import compare_pr_figure, compare_roc_figure
from dashboard.runs.compare import MAX_RUNS, comparison, curves, dataset_states, parameter_points, parse_ids
from dashboard.runs.leaderboard import leaderboard
from dashboard.runs.query import STATUSES
from dashboard.runs.store import MAX_NOTE_CHARS
from layouts.common import editor_only, format_value, is_embed, services
from layouts.runs_ids import RunsIds

NUMBER = {"filter": "agNumberColumnFilter", "type": "numericColumn"}
UNSORTED = {"sortable": False, "filter": False}


def _number(digits: str) -> dict[str, Any]:
    """A number column shown with d3's ``digits`` format, and a dash where there is none (a failed run)."""
    return {
        **NUMBER,
        "valueFormatter": {"function": f"params.value == null ? '–' : d3.format('{digits}')(params.value)"},
    }


# What decides between runs first (model, data, score, cost), then who and when; the first ten fit 1280 px
COLUMNS = [
    {"field": "id", "headerName": "Run", "width": 90, **NUMBER},
    {"field": "open", "headerName": "Result", "cellRenderer": "markdown", "width": 90, **UNSORTED},
    {"field": "model", "headerName": "Model", "width": 170},
    {"field": "dataset", "headerName": "Dataset", "width": 120},
    {"field": "target", "headerName": "Target", "width": 110},
    {"field": "metric", "headerName": "Metric", "width": 100},
    {"field": "score", "headerName": "Score", "width": 100, **_number(".4f")},
    {"field": "fit_seconds", "headerName": "Fit s/fold", "width": 105, **_number(".3~r")},
    {"field": "predict_ms_per_row", "headerName": "Predict ms/row", "width": 140, **_number(".3~r")},
    {"field": "status", "headerName": "Status", "width": 105},
    {"field": "tags", "headerName": "Tags", "width": 140, "sortable": False},  # filtered as text
    {"field": "note", "headerName": "Note", "width": 160},
    {"field": "rows", "headerName": "Rows", "width": 90, **_number(",")},
    {"field": "kind", "headerName": "Kind", "width": 100},
    {"field": "actor", "headerName": "By", "width": 100},
    {"field": "created_at", "headerName": "When (UTC)", "width": 150, "filter": False},
]


ALWAYS_SHOWN = ("id", "open")  # a row is always a run one can tick and open
CHOOSABLE = [c for c in COLUMNS if c["field"] not in ALWAYS_SHOWN]


def hidden_columns(text: object) -> list[str]:
    """The permalink's ``hide=``: the choosable columns it names, in the grid's order (unknown names are
    ignored); nothing named: every column shown, and nothing written in the address."""
    named = set(text.split(",")) if isinstance(text, str) else set(text) if isinstance(text, list) else set()
    return [c["field"] for c in CHOOSABLE if c["field"] in named]


def shown_of(hidden: list[str]) -> list[str]:
    return [c["field"] for c in CHOOSABLE if c["field"] not in hidden]


def column_defs(hidden: list[str]) -> list[dict[str, Any]]:
    return [c | {"hide": c["field"] in hidden} for c in COLUMNS]


def layout(
    q: str | None = None,
    status: str | None = None,
    ids: str | None = None,
    dataset: str | None = None,
    target: str | None = None,
    hide: str | None = None,
    embed: str | None = None,
    **_other,
):
    svc = services()
    query_status = status if status in STATUSES else None
    chosen: list[int] = []
    try:
        chosen = parse_ids(ids) if ids else []
    except Exception:  # a malformed ids= shows the grid with nothing compared
        chosen = []
    hidden = hidden_columns(hide)
    controls = dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label("Search", html_for=RunsIds.SEARCH, className="small"),
                    dbc.Input(
                        id=RunsIds.SEARCH,
                        value=q or "",
                        type="search",
                        debounce=True,
                        maxLength=200,
                        placeholder="model, dataset, tag, note or parameter (C=1.0)",
                    ),
                ],
                md=6,
            ),
            dbc.Col(
                [
                    dbc.Label("Status", html_for=RunsIds.STATUS, className="small"),
                    dcc.Dropdown(
                        id=RunsIds.STATUS,
                        options=[{"label": s, "value": s} for s in STATUSES],
                        value=query_status,
                        placeholder="any",
                    ),
                ],
                md=3,
            ),
            dbc.Col(
                html.A("Permalink", id=RunsIds.PERMALINK_LINK, href="/runs", className="small"),
                md=3,
                className="d-flex align-items-end justify-content-end",
            ),
        ],
        className="mb-2 g-2",
        style={"display": "none"} if is_embed(embed) else None,
    )
    return html.Div(
        [
            html.H2("Runs"),
            html.P(
                "Every cross-validation on Train, search candidate, clustering, choose-k sweep and recommender "
                "evaluation, kept. Sort or filter any column, "
                f"tick 2 to {MAX_RUNS} runs to compare them (the first ticked is the reference), tick one to tag "
                "it, write a note or save it as a model. Open reopens a run's result where it was computed.",
                className="text-muted",
            ),
            controls,
            html.Details(  # a native disclosure: closed, it takes one line; open, a box per column
                [
                    html.Summary("Columns shown", className="small"),
                    dbc.Checklist(
                        id=RunsIds.COLUMNS,
                        options=[{"label": c["headerName"], "value": c["field"]} for c in CHOOSABLE],
                        value=shown_of(hidden),
                        inline=True,
                        className="small",
                    ),
                ],
                className="my-2",
                open=bool(hidden),
            ),
            html.Div(grid(hidden), id=RunsIds.GRID_HOLDER),
            dcc.Store(id=RunsIds.HIDDEN, data=hidden),
            dcc.Store(id=RunsIds.SELECTED, data=chosen),
            dcc.Store(id=RunsIds.SAVED, data=0),
            dcc.Store(id=RunsIds.REVISION),
            html.Div(id=RunsIds.ALERT, className="mt-2"),
            editor_only(edit_panel()),
            html.Div(compare_view(svc, chosen), id=RunsIds.COMPARE, className="mt-3"),
            board_section(svc, dataset, target),
        ]
    )


def board_section(svc, dataset: str | None, target: str | None) -> html.Div:
    """The leaderboard of one dataset and target (the address's ``dataset`` and ``target``), and the editor's
    "Try every model" job that fills it."""
    datasets = [{"label": i.title, "value": i.id} for i in svc.catalog.list()] if svc else []
    known = {o["value"] for o in datasets}
    dataset = dataset if dataset in known else None
    targets = target_options(svc, dataset)
    target = target if target in {o["value"] for o in targets} else None
    return html.Div(
        [
            html.H4("Leaderboard", className="mt-4"),
            html.P(
                "The best run of each model family on a dataset as it is now, with what it costs to fit and to "
                "answer. Try every model cross-validates each family with its defaults on the same folds.",
                className="small text-muted",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label("Dataset", html_for=RunsIds.BOARD_DATASET, className="small"),
                            dcc.Dropdown(id=RunsIds.BOARD_DATASET, options=datasets, value=dataset),
                        ],
                        md=4,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("Target", html_for=RunsIds.BOARD_TARGET, className="small"),
                            dcc.Dropdown(id=RunsIds.BOARD_TARGET, options=targets, value=target),
                        ],
                        md=4,
                    ),
                ],
                className="g-2 mb-2",
            ),
            editor_only(
                dbc.Row(
                    [
                        dbc.Col(
                            [
                                dbc.Label("Budget (seconds)", html_for=RunsIds.BOARD_BUDGET, className="small"),
                                dbc.Input(id=RunsIds.BOARD_BUDGET, type="number", min=1, max=3600, value=120),
                            ],
                            md=2,
                        ),
                        dbc.Col(
                            [
                                dbc.Button("Try every model", id=RunsIds.TRY_BUTTON, color="primary", className="me-2"),
                                dbc.Button("Cancel", id=RunsIds.TRY_CANCEL, color="secondary", disabled=True),
                            ],
                            md=4,
                            className="d-flex align-items-end",
                        ),
                        dbc.Col(
                            dbc.Progress(
                                id=RunsIds.TRY_PROGRESS, value=0, label="", className="w-100", style={"height": "20px"}
                            ),
                            md=6,
                            className="d-flex align-items-end",
                        ),
                    ],
                    className="g-2 mb-2",
                )
            ),
            html.Div(id=RunsIds.TRY_ALERT),
            html.Div(board_view(svc, dataset, target), id=RunsIds.BOARD),
        ]
    )


def target_options(svc, dataset: str | None) -> list[dict[str, str]]:
    if svc is None or not dataset or not svc.catalog.exists(dataset):
        return []
    return [{"label": column, "value": column} for column in svc.explorer.kinds(dataset)]


def board_view(svc, dataset: str | None, target: str | None) -> Any:
    if svc is None or not dataset or not target:
        return html.P("Choose a dataset and a target to see its leaderboard.", className="small text-muted")
    try:
        board = leaderboard(svc.runs, svc.catalog, dataset, target)
    except Exception as exc:  # named errors as they are, any other only logged
        return dbc.Alert(user_message(exc, "dataset", "reading the leaderboard"), color="warning")
    if not board["models"]:
        return html.P(
            f"No finished run of {target} on {dataset} as it is now: train one, or try every model.",
            className="small text-muted",
        )
    better = "higher" if board["higher_is_better"] else "lower"
    rows = [
        html.Tr(
            [
                html.Td(rank),
                html.Td(html.A(run["model"], href=run["link"]) if run.get("link") else run["model"]),
                html.Td(f"{run['score']:.4f} ± {(run['metrics'] or {}).get(run['metric'], {}).get('std') or 0:.4f}"),
                html.Td(_short(run.get("fit_seconds"))),
                html.Td(_short(run.get("predict_ms_per_row"))),
                html.Td(run["tried"]),
                html.Td(f"#{run['id']}"),
            ]
        )
        for rank, run in enumerate(board["models"], start=1)
    ]
    head = ("", "model", f"{board['metric']} ({better} is better)", "fit s/fold", "predict ms/row", "runs", "best run")
    older = board["older_runs"]
    return html.Div(
        [
            dbc.Table([html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(rows)], size="sm", bordered=True),
            html.P(f"{older} runs on an earlier version of this dataset are not ranked.", className="small text-muted")
            if older
            else None,
        ]
    )


def _short(value: float | None) -> str:
    return "–" if value is None else f"{value:.3g}"


def grid(hidden: list[str]) -> dag.AgGrid:
    """Rows come from the server a block at a time. A new search, status or save draws a new grid: the
    infinite row model cannot be told that its rows changed. ``hidden``: the columns not shown."""
    return dag.AgGrid(
        id=RunsIds.GRID,
        columnDefs=column_defs(hidden),
        rowModelType="infinite",
        getRowId="params.data.key",  # a ticked run stays ticked by its id (as text) when blocks are fetched again
        defaultColDef={"sortable": True, "filter": True, "resizable": True, "minWidth": 90},
        dashGridOptions={
            # ticks in their own column; clicking a cell (to read or copy it) ticks nothing
            "rowSelection": {
                "mode": "multiRow",
                "checkboxes": True,
                "headerCheckbox": False,
                "enableClickSelection": False,
            },
            "cacheBlockSize": 100,
            "maxBlocksInCache": 10,
            "suppressColumnVirtualisation": True,  # every column drawn: 16 of them, and a screen reader reads all
        },
        style={"height": "380px"},
    )


def edit_panel() -> html.Div:
    return html.Div(
        [
            html.H5("Tag, annotate or save a run", className="mt-3"),
            html.P(
                "Tick one run to tag it, write a note or save it as a model.",
                className="small text-muted",
                id=RunsIds.EDITOR,
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label("Tags (comma-separated)", html_for=RunsIds.TAGS, className="small"),
                            dbc.Input(id=RunsIds.TAGS, disabled=True, maxLength=900),
                        ],
                        md=5,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("Note", html_for=RunsIds.NOTE, className="small"),
                            dbc.Textarea(id=RunsIds.NOTE, disabled=True, maxLength=MAX_NOTE_CHARS, rows=2),
                        ],
                        md=5,
                    ),
                    dbc.Col(
                        dbc.Button("Save", id=RunsIds.SAVE_BUTTON, disabled=True, color="primary"),
                        md=2,
                        className="d-flex align-items-end",
                    ),
                ],
                className="g-2",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label(
                                "Save as a model (refit on every row)", html_for=RunsIds.MODEL_NAME, className="small"
                            ),
                            dbc.Input(
                                id=RunsIds.MODEL_NAME, disabled=True, maxLength=64, placeholder="e.g. titanic-best"
                            ),
                        ],
                        md=5,
                    ),
                    dbc.Col(
                        dbc.Button("Save model", id=RunsIds.PROMOTE_BUTTON, disabled=True, color="secondary"),
                        md=2,
                        className="d-flex align-items-end",
                    ),
                    dbc.Col(html.Div(id=RunsIds.PROMOTE_ALERT), md=5, className="d-flex align-items-end"),
                ],
                className="g-2 mt-1",
            ),
        ]
    )


def compare_view(svc, ids: list[int]) -> Any:
    """The ticked runs side by side (nothing ticked: what to do)."""
    if len(ids) < 2 or svc is None:
        return html.P(f"Tick 2 to {MAX_RUNS} runs to compare them.", className="text-muted small")
    try:
        rows = dataset_states(svc.runs.many(ids), svc.catalog)
        table = comparison(rows)
    except Exception as exc:  # named errors as they are, any other only logged
        return dbc.Alert(user_message(exc, "ids", "comparing runs"), color="warning")
    metric = rows[0].get("metric") or (table["metrics"][0]["metric"] if table["metrics"] else "")
    heads = [html.Th("")] + [html.Th(_run_head(run)) for run in rows]
    body = [_metric_row(m) for m in table["metrics"]]
    body += [_plain_row(c["name"], c["values"]) for c in table["costs"]]
    params = [_plain_row(p["name"], p["values"]) for p in table["parameters"]]
    notes = []
    if not table["same_data"]:
        notes.append("These runs are not on the same data and target: their scores do not compare directly.")
    notes += [
        f"Run {run['id']}: its dataset was {run['dataset_state']} since; its link no longer reopens it."
        for run in rows
        if run["dataset_state"] != "present"
    ]
    return html.Div(
        [
            html.H4(f"Comparing {len(rows)} runs"),
            *(dbc.Alert(n, color="warning", className="py-2 small") for n in notes),
            dbc.Table([html.Thead(html.Tr(heads)), html.Tbody(body)], size="sm", bordered=True, responsive=True),
            html.H5("Parameters that differ"),
            dbc.Table([html.Thead(html.Tr(heads)), html.Tbody(params)], size="sm", bordered=True, responsive=True)
            if params
            else html.P("None: the runs share every setting.", className="small text-muted"),
            dcc.Graph(figure=fold_scores_figure(rows, metric), config={"displaylogo": False}) if metric else None,
            *_curves_view(svc, rows),
            *_parameters_view(rows, table["parameters"], metric),
        ]
    )


def _graph(figure: Any) -> dcc.Graph:
    return dcc.Graph(figure=figure, config={"displaylogo": False})


def _curves_view(svc, rows: list[dict[str, Any]]) -> list[Any]:
    """The runs' ROC and precision-recall curves overlaid (binary) or their residuals side by side
    (regression), drawn from their cached results; a run whose result is gone is named."""
    drawn = curves(rows, svc.training)
    shown: list[Any] = []
    if drawn["curves"]:
        shown.append(
            dbc.Row(
                [
                    dbc.Col(_graph(compare_roc_figure(drawn["curves"])), md=6),
                    dbc.Col(_graph(compare_pr_figure(drawn["curves"])), md=6),
                ]
            )
        )
    if drawn["residuals"]:
        shown.append(_graph(residual_spread_figure(drawn["residuals"])))
    if drawn["missing"]:
        gone = ", ".join(f"#{i}" for i in drawn["missing"])
        shown.append(
            html.P(
                f"Not drawn: {gone}, whose result is no longer cached (reopen the run to compute it again).",
                className="small text-muted",
            )
        )
    return shown


def _parameters_view(rows: list[dict[str, Any]], differing: list[dict[str, Any]], metric: str) -> list[Any]:
    """The score against each parameter that differs, and parallel coordinates across them all."""
    # a parameter only one run has (another model's) says nothing drawn against the score
    differing = [p for p in differing if sum(v is not None for v in p["values"]) >= 2]
    points = parameter_points(rows, differing, metric) if metric else []
    names = [p["name"] for p in differing]
    if len(points) < 2 or not names:
        return []
    shown = [_graph(score_by_parameter_figure(points, names, metric))]
    if len(names) >= 2:
        shown.append(_graph(parallel_parameters_figure(points, names, metric)))
    return shown


def _run_head(run: dict[str, Any]) -> Any:
    label = f"#{run['id']} {run.get('model') or ''}"
    return html.A(label, href=run["link"]) if run.get("reopenable") else label


def _metric_row(metric: dict[str, Any]) -> html.Tr:
    cells = []
    for i, (mean, std, diff) in enumerate(zip(metric["mean"], metric["std"], metric["diff"], strict=True)):
        text = "–" if mean is None else f"{mean:.4f} ± {std or 0:.4f}"
        if i and diff is not None:
            text += f" ({diff:+.4f})"
        cells.append(html.Td(text))
    return html.Tr([html.Th(metric["metric"]), *cells])


def _plain_row(name: str, values: list[Any]) -> html.Tr:
    return html.Tr([html.Th(name), *(html.Td(format_value(v, name.rsplit(".", 1)[-1])) for v in values)])
