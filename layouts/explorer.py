"""Explorer (/data): overview, column profiles, distributions, correlations, scatter, rows.

View state lives in the URL query (dataset, column, split, x, y, color); ``embed=1`` drops the chrome
and the editing controls so the view can sit in a report's iframe.
"""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.data.catalog import DatasetInfo
from dashboard.data.profile import profile_rows
from layouts.common import editor_only, file_drop, is_embed, services
from layouts.explorer_ids import ExplorerIds
from layouts.reports_ids import DATA_PIN
from layouts.widgets import pin_panel

DEFAULT_DATASET = "titanic"
UPLOAD_TYPES = ".csv,.tsv,.txt,.parquet,.pq,.xlsx,.xlsm,.jsonl,.ndjson,.json"


def _dropdown(component_id: str, value: str | None, placeholder: str, clearable: bool = True) -> dcc.Dropdown:
    options = [{"label": value, "value": value}] if value else []
    return dcc.Dropdown(id=component_id, options=options, value=value, placeholder=placeholder, clearable=clearable)


def grid(columns: list[str] | None = None) -> dag.AgGrid:
    """An infinite-row-model grid: rows are fetched page by page from the server."""
    return dag.AgGrid(
        id=ExplorerIds.GRID,
        columnDefs=[{"field": c, "headerName": c} for c in columns or []],
        rowModelType="infinite",
        defaultColDef={"sortable": True, "filter": True, "resizable": True, "minWidth": 110},
        dashGridOptions={
            "cacheBlockSize": 100,
            "maxBlocksInCache": 20,
            "suppressFieldDotNotation": True,  # a column named "a.b" is a name, not a path
        },
        style={"height": "420px"},
    )


def _upload_panel() -> dbc.Card:
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


def correlation_pairs(corr: dict) -> html.Div | None:
    """Which columns were left out (identifiers, row numbers), and the strongest pairs as a table when the
    heatmap shows only the columns nearest one focus column."""
    note = None
    if corr.get("left_out"):
        note = html.P(
            f"Left out (identifiers or row numbers): {', '.join(corr['left_out'])}", className="small text-muted mb-1"
        )
    if not corr.get("focus") or not corr.get("pairs"):
        return note
    return html.Div(
        [
            note,
            html.H6(f"The {len(corr['pairs'])} most correlated pairs of all {corr['total_columns']:,} columns"),
            dbc.Table(
                [html.Thead(html.Tr([html.Th("Column"), html.Th("Column"), html.Th("r", className="text-end")]))]
                + [
                    html.Tbody(
                        [
                            html.Tr([html.Td(a), html.Td(b), html.Td(f"{r:+.3f}", className="text-end")])
                            for a, b, r in corr["pairs"]
                        ]
                    )
                ],
                size="sm",
                striped=True,
                className="small mb-0",
            ),
        ],
        className="mt-2",
    )


def dataset_options(datasets: list[DatasetInfo]) -> list[dict[str, str]]:
    return [{"label": f"{info.title} ({info.id})", "value": info.id} for info in datasets]


def _section(title: str, *children) -> dbc.Card:
    return dbc.Card([dbc.CardHeader(title), dbc.CardBody(list(children))], className="mb-3")


def layout(
    dataset: str = DEFAULT_DATASET,
    column: str | None = None,
    split: str | None = None,
    x: str | None = None,
    y: str | None = None,
    color: str | None = None,
    embed: str | None = None,
    **_other: str,
) -> html.Div:
    svc = services()
    error = None
    if svc is not None and not svc.catalog.exists(dataset):
        error = dbc.Alert(
            f"dataset: no dataset named '{str(dataset)[:64]}'; showing {DEFAULT_DATASET}", color="warning"
        )
        dataset = DEFAULT_DATASET
    embedded = is_embed(embed)
    controls = dbc.Col(
        [
            html.Label("Dataset", htmlFor=ExplorerIds.DATASET_DROPDOWN, className="form-label"),
            dcc.Dropdown(
                id=ExplorerIds.DATASET_DROPDOWN,
                value=dataset,
                clearable=False,
                options=dataset_options(svc.catalog.list()) if svc else [{"label": dataset, "value": dataset}],
            ),
            html.Div(id=ExplorerIds.DATASET_INFO, className="small text-muted my-2"),
            editor_only(_upload_panel()),
            html.Div(
                [
                    html.H6("Share this view"),
                    html.A("Permalink", id=ExplorerIds.PERMALINK_LINK, href="#", className="d-block small mb-1"),
                    html.A(
                        "Export this view (HTML)", id=ExplorerIds.EXPORT_LINK, href="#", className="d-block small mb-1"
                    ),
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
            html.Div(error, id=ExplorerIds.ERROR_ALERT),
            dcc.Loading(html.Div(id=ExplorerIds.OVERVIEW), type="dot"),
            _section(
                "Distribution",
                dbc.Row(
                    [
                        dbc.Col(
                            [
                                html.Label("Column"),
                                _dropdown(ExplorerIds.COLUMN_DROPDOWN, column, "Column", clearable=False),
                            ],
                            md=6,
                        ),
                        dbc.Col([html.Label("Split by"), _dropdown(ExplorerIds.SPLIT_DROPDOWN, split, "(none)")], md=6),
                    ],
                    className="mb-2",
                ),
                dcc.Graph(id=ExplorerIds.DISTRIBUTION_GRAPH, config={"displaylogo": False}),
            ),
            _section(
                "Scatter",
                dbc.Row(
                    [
                        dbc.Col([html.Label("x"), _dropdown(ExplorerIds.X_DROPDOWN, x, "x", clearable=False)], md=4),
                        dbc.Col([html.Label("y"), _dropdown(ExplorerIds.Y_DROPDOWN, y, "y", clearable=False)], md=4),
                        dbc.Col([html.Label("Colour"), _dropdown(ExplorerIds.COLOR_DROPDOWN, color, "(none)")], md=4),
                    ],
                    className="mb-2",
                ),
                html.Div(id=ExplorerIds.SCATTER_NOTE, className="small text-muted"),
                dcc.Graph(id=ExplorerIds.SCATTER_GRAPH, config={"displaylogo": False}),
            ),
            _section(
                "Correlations (Pearson, numeric columns)",
                dcc.Graph(id=ExplorerIds.CORRELATION_GRAPH, config={"displaylogo": False}),
                html.Div(id=ExplorerIds.CORRELATION_PAIRS),
            ),
            _section("Columns", html.Div(id=ExplorerIds.PROFILE_TABLE, className="table-responsive")),
            _section("Rows (sorted and filtered on the server)", html.Div(grid(), id=ExplorerIds.GRID_CONTAINER)),
        ],
        lg=12 if embedded else 9,
    )
    return dbc.Row([controls, main])


def overview_cards(overview: dict) -> dbc.Row:
    facts = [
        ("Rows", f"{overview['rows']:,}"),
        ("Columns", f"{overview['columns']:,}"),
        ("Memory", f"{overview['memory_bytes'] / 1e6:,.1f} MB"),
        ("Missing cells", f"{overview['missing_pct']:.1f} %"),
        ("Duplicate rows", f"{overview['duplicate_rows']:,}"),
    ]
    return dbc.Row(
        [
            dbc.Col(
                dbc.Card(
                    dbc.CardBody(
                        [html.Div(label, className="small text-muted"), html.Div(value, className="fs-5 fw-semibold")]
                    )
                ),
                className="mb-3",
            )
            for label, value in facts
        ],
        className="overview-cards",
    )


PROFILE_HEADERS = {
    "column": "Column",
    "kind": "Kind",
    "missing": "Missing",
    "missing_pct": "Missing %",
    "distinct": "Distinct",
    "min": "Min",
    "max": "Max",
    "mean": "Mean",
    "std": "Std",
    "top_values": "Top values",
}
NUMERIC_PROFILE_FIELDS = ("missing", "missing_pct", "distinct", "min", "max", "mean", "std")
PROFILE_PAGE = 100  # profile rows per page; a dataset with more columns is paged from the server


def profile_table(profiles: list[dict]) -> dag.AgGrid:
    """The column profile as a sortable, filterable grid, searchable by column name (the box under
    "Column"). Up to a page of columns it holds its rows; a wider dataset's rows come from the server a
    page at a time (sorted and filtered there), so the page never ships more than one page of them."""
    paged = len(profiles) > PROFILE_PAGE
    few = len(profiles) <= 20
    column_defs = [
        {
            "field": field,
            "headerName": header,
            "pinned": "left" if field == "column" else None,
            "type": "numericColumn" if field in NUMERIC_PROFILE_FIELDS else None,
            "filter": "agNumberColumnFilter" if field in NUMERIC_PROFILE_FIELDS else "agTextColumnFilter",
            "floatingFilter": field == "column",
            "filterParams": {"buttons": []},
        }
        for field, header in PROFILE_HEADERS.items()
    ]
    grid_options = {"cacheBlockSize": PROFILE_PAGE, "maxBlocksInCache": 10} if paged else {}
    if few:
        grid_options["domLayout"] = "autoHeight"
    return dag.AgGrid(
        id=ExplorerIds.PROFILE_GRID,
        rowData=None if paged else profile_rows(profiles),
        rowModelType="infinite" if paged else "clientSide",
        columnDefs=column_defs,
        defaultColDef={"sortable": True, "resizable": True, "minWidth": 90},
        dashGridOptions=grid_options,
        style={} if few else {"height": "420px"},
    )
