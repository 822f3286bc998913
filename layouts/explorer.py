"""Explorer (/data): overview, column profiles, distributions, correlations, scatter, rows.

View state lives in the URL query (dataset, column, split, x, y, color); ``embed=1`` drops the chrome
and the editing controls so the view can sit in a report's iframe.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.data.catalog import DatasetInfo
from layouts.common import editor_only, file_drop, is_embed, mounted_when_near, services
from layouts.explorer_ids import ExplorerIds
from layouts.explorer_views import FirstView
from layouts.reports_ids import DATA_PIN
from layouts.widgets import export_links, pin_panel

DEFAULT_DATASET = "titanic"
DEFAULT_FIGURE_HEIGHT = 450  # plotly.js's, for a figure that sets none
UPLOAD_TYPES = ".csv,.tsv,.txt,.parquet,.pq,.xlsx,.xlsm,.jsonl,.ndjson,.json"


def _dropdown(
    component_id: str, value: str | None, placeholder: str, options: list[dict[str, str]], clearable: bool = True
) -> dcc.Dropdown:
    return dcc.Dropdown(id=component_id, options=options, value=value, placeholder=placeholder, clearable=clearable)


def _graph(component_id: str, figure: Any) -> html.Div:
    """A graph in a box that holds its figure's height before plotly.js has loaded and drawn it (dcc.Graph
    renders nothing until then): the page does not jump as charts arrive, and the blocks below the first
    screen stay below it until the user scrolls."""
    layout = figure.get("layout", {}) if isinstance(figure, dict) else getattr(figure, "layout", None) or {}
    height = layout["height"] if "height" in layout and layout["height"] else DEFAULT_FIGURE_HEIGHT
    return html.Div(
        dcc.Graph(id=component_id, figure=figure, config={"displaylogo": False}), style={"minHeight": f"{height}px"}
    )


def _upload_panel(locked: bool) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H6("Add a dataset"),
                dbc.Input(
                    id=ExplorerIds.UPLOAD_NAME_INPUT,
                    placeholder="name (optional)",
                    size="sm",
                    maxLength=64,
                    className="mb-2",
                ),
                file_drop(
                    ExplorerIds.UPLOAD,
                    ExplorerIds.UPLOAD_RECEIVED,
                    ExplorerIds.UPLOAD_ALERT,
                    accept=UPLOAD_TYPES,
                    label="Drop a file or choose one",
                ),
                html.Small("CSV/TSV, Parquet, Excel (.xlsx), JSON lines", className="text-muted"),
                html.Div(id=ExplorerIds.UPLOAD_ALERT, className="mt-2"),
                dcc.ConfirmDialogProvider(
                    dbc.Button(
                        "Delete this dataset",
                        id=ExplorerIds.DELETE_BUTTON,
                        disabled=locked,
                        color="outline-danger",
                        size="sm",
                        className="mt-2",
                    ),
                    id=ExplorerIds.DELETE_CONFIRM,
                    message="Delete this uploaded dataset? This cannot be undone.",
                ),
            ]
        ),
        className="mb-3",
    )


def dataset_options(datasets: list[DatasetInfo]) -> list[dict[str, str]]:
    return [{"label": f"{info.title} ({info.id})", "value": info.id} for info in datasets]


def _section(title: str, *children) -> dbc.Card:
    return dbc.Card([dbc.CardHeader(title), dbc.CardBody(list(children))], className="mb-3")


def layout(dataset: str = DEFAULT_DATASET, embed: str | None = None, **query: str) -> html.Div:
    svc = services()
    error = None
    if svc is not None and not svc.catalog.exists(dataset):
        error = dbc.Alert(
            f"dataset: no dataset named '{str(dataset)[:64]}'; showing {DEFAULT_DATASET}", color="warning"
        )
        dataset = DEFAULT_DATASET
    embedded = is_embed(embed)
    # Every panel is drawn here, on the server, for the dataset and view the permalink names: the page
    # arrives whole instead of after three rounds of callbacks (the callbacks run on later changes only).
    first = FirstView.of(svc, dataset, query)
    controls = dbc.Col(
        [
            html.Label("Dataset", htmlFor=ExplorerIds.DATASET_DROPDOWN, className="form-label"),
            dcc.Dropdown(
                id=ExplorerIds.DATASET_DROPDOWN,
                value=dataset,
                clearable=False,
                options=dataset_options(svc.catalog.list()) if svc else [{"label": dataset, "value": dataset}],
            ),
            html.Div(first.caption, id=ExplorerIds.DATASET_INFO, className="small text-muted my-2"),
            editor_only(_upload_panel(first.locked)),
            html.Div(
                [
                    html.H6("Share this view"),
                    html.A("Permalink", id=ExplorerIds.PERMALINK_LINK, href="#", className="d-block small mb-1"),
                    export_links(ExplorerIds.EXPORT_LINK, "d-block small mb-1"),
                    dbc.Label("Embed code (an iframe)", html_for=ExplorerIds.EMBED_CODE, className="small"),
                    dbc.Textarea(id=ExplorerIds.EMBED_CODE, readOnly=True, rows=3, className="small font-monospace"),
                    pin_panel(DATA_PIN),
                ],
                className="share-panel",
                hidden=embedded,
            ),
        ],
        lg=3,
        className="explorer-controls",
        style={"display": "none"} if embedded else None,
    )
    main = dbc.Col(
        [
            html.Div(error or first.error, id=ExplorerIds.ERROR_ALERT),
            dcc.Loading(html.Div(first.overview, id=ExplorerIds.OVERVIEW), type="dot"),
            _section(
                "Distribution",
                dbc.Row(
                    [
                        dbc.Col(
                            [
                                html.Label("Column"),
                                _dropdown(ExplorerIds.COLUMN_DROPDOWN, *first.choice("column"), clearable=False),
                            ],
                            md=6,
                        ),
                        dbc.Col(
                            [html.Label("Split by"), _dropdown(ExplorerIds.SPLIT_DROPDOWN, *first.choice("split"))],
                            md=6,
                        ),
                    ],
                    className="mb-2",
                ),
                _graph(ExplorerIds.DISTRIBUTION_GRAPH, first.distribution),
            ),
            _section(
                "Scatter",
                dbc.Row(
                    [
                        dbc.Col(
                            [html.Label("x"), _dropdown(ExplorerIds.X_DROPDOWN, *first.choice("x"), clearable=False)],
                            md=4,
                        ),
                        dbc.Col(
                            [html.Label("y"), _dropdown(ExplorerIds.Y_DROPDOWN, *first.choice("y"), clearable=False)],
                            md=4,
                        ),
                        dbc.Col(
                            [html.Label("Colour"), _dropdown(ExplorerIds.COLOR_DROPDOWN, *first.choice("color"))],
                            md=4,
                        ),
                    ],
                    className="mb-2",
                ),
                html.Div(first.scatter_note, id=ExplorerIds.SCATTER_NOTE, className="small text-muted"),
                _graph(ExplorerIds.SCATTER_GRAPH, first.scatter),
            ),
            # Below the first screen: built as the page scrolls near them (a first visit draws what it shows).
            _section(
                "Correlations (Pearson, numeric columns)",
                mounted_when_near(
                    ExplorerIds.CORRELATION_BLOCK,
                    [
                        _graph(ExplorerIds.CORRELATION_GRAPH, first.correlation),
                        html.Div(first.pairs, id=ExplorerIds.CORRELATION_PAIRS),
                    ],
                    height="450px",
                ),
            ),
            _section(
                "Columns",
                mounted_when_near(
                    ExplorerIds.PROFILE_BLOCK,
                    html.Div(first.profile, id=ExplorerIds.PROFILE_TABLE, className="table-responsive"),
                    height="600px",
                ),
            ),
            _section(
                "Rows (sorted and filtered on the server)",
                mounted_when_near(
                    ExplorerIds.ROWS_BLOCK, html.Div(first.grid, id=ExplorerIds.GRID_CONTAINER), height="450px"
                ),
            ),
        ],
        lg=12 if embedded else 9,
    )
    return dbc.Row([controls, main])
