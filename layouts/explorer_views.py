"""What /data shows for a dataset, built on the server: the first render of a direct load (the layout) and
every later change (the callbacks) use these same functions, so a permalink opens with every panel drawn in
one answer instead of three rounds of callbacks after the page arrives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import html

from dashboard.data.explorer import VIEW_KEYS, resolve_view
from dashboard.data.profile import profile_rows
from dashboard.errors import user_message
from dashboard.figures.base import message_figure
from dashboard.figures.explorer import correlation_figure, distribution_figure, scatter_figure
from layouts.common import error_alert
from layouts.explorer_ids import ExplorerIds


@dataclass
class DatasetPanels:
    caption: str
    overview: Any
    profile: Any
    grid: Any
    locked: bool  # built-in datasets cannot be deleted
    options: list[dict[str, str]]  # of every column dropdown
    view: dict[str, str | None]  # column, split, x, y, color


def dataset_panels(svc, dataset_id: str, requested: dict[str, str | None]) -> DatasetPanels:
    info = svc.catalog.info(dataset_id)
    summary = svc.explorer.summary(dataset_id)
    columns = [p["column"] for p in summary["profiles"]]
    view = resolve_view(summary["profiles"], info.target, {k: requested.get(k) for k in VIEW_KEYS})
    return DatasetPanels(
        caption=f"{info.description} Target: {info.target or '—'}. Source: {info.source}.",
        overview=overview_cards(summary["overview"]),
        profile=profile_table(summary["profiles"]),
        grid=grid(columns),
        locked=info.origin != "upload",
        options=[{"label": c, "value": c} for c in columns],
        view=view,
    )


PLACEHOLDERS = {"column": "Column", "split": "(none)", "x": "x", "y": "y", "color": "(none)"}


@dataclass
class FirstView:
    """Every panel of /data for the permalink's dataset and view, drawn by the layout."""

    caption: str = ""
    overview: Any = None
    profile: Any = None
    grid: Any = None
    locked: bool = True
    options: list[dict[str, str]] = field(default_factory=list)
    view: dict[str, str | None] = field(default_factory=dict)
    distribution: Any = None
    scatter: Any = None
    scatter_note: str = ""
    correlation: Any = None
    pairs: Any = None
    error: Any = None

    @classmethod
    def of(cls, svc, dataset_id: str, query: dict[str, str]) -> FirstView:
        if svc is None:  # outside a request (Dash validating layouts): the bare page
            return cls.empty()
        try:
            panels = dataset_panels(svc, dataset_id, query)
            view = panels.view
            scatter, note = (
                scatter_panel(svc.explorer, dataset_id, view["x"], view["y"], view["color"])
                if view["x"] and view["y"]
                else (message_figure("this dataset has no two columns to plot against each other"), "")
            )
            correlation, pairs = correlation_panel(svc.explorer.correlations(dataset_id, view["column"]))
        except Exception as exc:  # a dataset that cannot be summarised: named on the page, which still renders
            return cls.empty(error_alert(exc, "warning"))
        return cls(
            caption=panels.caption,
            overview=panels.overview,
            profile=panels.profile,
            grid=panels.grid,
            locked=panels.locked,
            options=panels.options,
            view=view,
            distribution=distribution_panel(svc.explorer, dataset_id, view["column"], view["split"])
            if view["column"]
            else message_figure("this dataset has no columns"),
            scatter=scatter,
            scatter_note=note,
            correlation=correlation,
            pairs=pairs,
        )

    @classmethod
    def empty(cls, error: Any = None) -> FirstView:
        blank = message_figure("choose a dataset")
        return cls(grid=grid(), distribution=blank, scatter=blank, correlation=blank, error=error)

    def choice(self, key: str) -> tuple[str | None, str, list[dict[str, str]]]:
        """A view dropdown's value, placeholder and options."""
        return self.view.get(key), PLACEHOLDERS[key], self.options


def distribution_panel(explorer, dataset_id: str, column: str, split: str | None) -> go.Figure:
    try:
        return distribution_figure(explorer.distribution(dataset_id, column, split))
    except Exception as exc:  # named errors are shown as they are, any other only logged
        return message_figure(user_message(exc))


def scatter_panel(explorer, dataset_id: str, x: str, y: str, color: str | None) -> tuple[go.Figure, str]:
    try:
        sample = explorer.scatter(dataset_id, x, y, color)
    except Exception as exc:  # named errors are shown as they are, any other only logged
        return message_figure(user_message(exc)), ""
    note = (
        f"Showing a random sample of {sample['shown']:,} of {sample['total']:,} points (server-side)."
        if sample["shown"] < sample["total"]
        else f"All {sample['total']:,} points shown."
    )
    return scatter_figure(sample, x, y, color), note


def correlation_panel(corr: dict[str, Any]) -> tuple[go.Figure, Any]:
    return correlation_figure(corr), correlation_pairs(corr)


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
