"""Callbacks of /runs: the grid's pages from the runs database, the ticked runs compared, one run tagged or saved
as a model, the leaderboard and "try every model"."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import Input, Output, State, html, no_update
from dash.exceptions import PreventUpdate

from callbacks.widgets import QueryField, background_run, bind_permalink
from dashboard.errors import FieldError, NotFound
from dashboard.runs.compare import MAX_RUNS, dataset_states
from dashboard.runs.leaderboard import starting_spec, try_every_model
from dashboard.runs.promote import PROMOTABLE, promote
from dashboard.runs.query import MAX_LIMIT, RunQuery
from layouts.common import alert, error_alert
from layouts.runs import CHOOSABLE, board_view, compare_view, grid, hidden_columns, target_options
from layouts.runs_ids import RunsIds


def register(app, services) -> None:
    runs = services.runs

    @app.callback(
        Output(RunsIds.GRID_HOLDER, "children"),
        Output(RunsIds.SELECTED, "data", allow_duplicate=True),
        Input(RunsIds.SEARCH, "value"),
        Input(RunsIds.STATUS, "value"),
        Input(RunsIds.SAVED, "data"),
        State(RunsIds.HIDDEN, "data"),
        prevent_initial_call=True,
    )
    def draw_grid(_search, _status, _saved, hidden):
        return grid(hidden_columns(hidden)), []  # a new grid has nothing ticked: neither has the page

    # The columns chosen are shown or hidden in the grid as it is (its rows and ticks stay).
    app.clientside_callback(
        f"""function (shown, defs) {{
            var choosable = {json.dumps([c["field"] for c in CHOOSABLE])};
            var hidden = choosable.filter(function (f) {{ return (shown || []).indexOf(f) === -1; }});
            var columns = (defs || []).map(function (d) {{
                return Object.assign({{}}, d, {{hide: hidden.indexOf(d.field) !== -1}});
            }});
            return [columns, hidden];
        }}""",
        Output(RunsIds.GRID, "columnDefs"),
        Output(RunsIds.HIDDEN, "data"),
        Input(RunsIds.COLUMNS, "value"),
        State(RunsIds.GRID, "columnDefs"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(RunsIds.GRID, "getRowsResponse"),
        Input(RunsIds.GRID, "getRowsRequest"),
        State(RunsIds.SEARCH, "value"),
        State(RunsIds.STATUS, "value"),
        prevent_initial_call=True,
    )
    def grid_page(request, search, status):
        if not request:
            raise PreventUpdate
        try:
            page = runs.page(grid_query(request, search, status))
        except FieldError:  # a filter the runs cannot take (a text filter on a number): nothing matches
            return {"rowData": [], "rowCount": 0}
        return {"rowData": [grid_row(r) for r in dataset_states(page.rows, services.catalog)], "rowCount": page.total}

    @app.callback(
        Output(RunsIds.SELECTED, "data"),
        Input(RunsIds.GRID, "selectedRows"),
        State(RunsIds.SELECTED, "data"),
        prevent_initial_call=True,
    )
    def tick(selected_rows, before):
        if selected_rows is None:
            raise PreventUpdate
        ticked = [row["id"] for row in selected_rows if isinstance(row, dict) and isinstance(row.get("id"), int)]
        kept = [i for i in before or [] if i in ticked]  # in the order ticked: the first is the reference
        return (kept + [i for i in ticked if i not in kept])[:MAX_RUNS]

    @app.callback(Output(RunsIds.COMPARE, "children"), Input(RunsIds.SELECTED, "data"), prevent_initial_call=True)
    def compare(ids):
        return compare_view(services, [i for i in ids or [] if isinstance(i, int)])

    @app.callback(
        Output(RunsIds.TAGS, "value"),
        Output(RunsIds.NOTE, "value"),
        Output(RunsIds.TAGS, "disabled"),
        Output(RunsIds.NOTE, "disabled"),
        Output(RunsIds.SAVE_BUTTON, "disabled"),
        Output(RunsIds.EDITOR, "children"),
        Output(RunsIds.REVISION, "data"),
        Output(RunsIds.MODEL_NAME, "disabled"),
        Output(RunsIds.PROMOTE_BUTTON, "disabled"),
        Input(RunsIds.SELECTED, "data"),
    )
    def fill_editor(ids):
        closed = ("", "", True, True, True)
        if not ids or len(ids) != 1:
            return *closed, "Tick one run to tag it, write a note or save it as a model.", None, True, True
        try:
            run = runs.get(ids[0])
        except (FieldError, NotFound) as exc:
            return *closed, error_alert(exc, "warning"), None, True, True
        savable = run["status"] == "finished" and run["kind"] in PROMOTABLE
        return (
            ", ".join(run["tags"]),
            run["note"],
            False,
            False,
            False,
            f"Run {run['id']}:",
            run["revision"],
            *([not savable] * 2),
        )

    @app.callback(
        Output(RunsIds.PROMOTE_ALERT, "children"),
        Output(RunsIds.SAVED, "data", allow_duplicate=True),
        Input(RunsIds.PROMOTE_BUTTON, "n_clicks"),
        State(RunsIds.SELECTED, "data"),
        State(RunsIds.MODEL_NAME, "value"),
        State(RunsIds.SAVED, "data"),
        **background_run(RunsIds.PROMOTE_BUTTON),  # refits the pipeline on every row of the run
        prevent_initial_call=True,
    )
    def save_model(_clicks, ids, name, saved):
        if not ids or len(ids) != 1:
            raise PreventUpdate
        try:
            done = promote(runs, services.training, ids[0], (name or "").strip())
        except Exception as exc:  # named errors are shown as they are, any other only logged
            return error_alert(exc, "warning"), no_update
        link = "/models?" + urlencode({"model": done["model"], "version": done["version"]})
        saved_as = f"Saved {done['model']} v{done['version']}. "
        return alert_with_link(saved_as, "Open its card", link), (saved or 0) + 1

    @app.callback(
        Output(RunsIds.ALERT, "children"),
        Output(RunsIds.SAVED, "data"),
        Input(RunsIds.SAVE_BUTTON, "n_clicks"),
        State(RunsIds.SELECTED, "data"),
        State(RunsIds.TAGS, "value"),
        State(RunsIds.NOTE, "value"),
        State(RunsIds.REVISION, "data"),
        State(RunsIds.SAVED, "data"),
        prevent_initial_call=True,
    )
    def save(_clicks, ids, tags, note, revision, saved):
        if not ids or len(ids) != 1:
            raise PreventUpdate
        try:
            tags_list = [t for t in (tags or "").split(",") if t.strip()]
            run = runs.edit(ids[0], tags=tags_list, note=note or "", revision=revision)
        except Exception as exc:  # named errors are shown as they are, any other only logged
            return error_alert(exc, "warning"), no_update
        return alert(f"Run {run['id']} saved.", "success"), (saved or 0) + 1

    @app.callback(
        Output(RunsIds.BOARD_TARGET, "options"),
        Output(RunsIds.BOARD_TARGET, "value"),
        Input(RunsIds.BOARD_DATASET, "value"),
        State(RunsIds.BOARD_TARGET, "value"),
        prevent_initial_call=True,
    )
    def board_targets(dataset, target):
        options = target_options(services, dataset)
        info = services.catalog.info(dataset) if dataset and services.catalog.exists(dataset) else None
        values = {o["value"] for o in options}
        return options, target if target in values else (info.target if info and info.target in values else None)

    @app.callback(
        Output(RunsIds.BOARD, "children"),
        Input(RunsIds.BOARD_DATASET, "value"),
        Input(RunsIds.BOARD_TARGET, "value"),
        Input(RunsIds.SAVED, "data"),
        prevent_initial_call=True,
    )
    def board(dataset, target, _saved):
        return board_view(services, dataset, target)

    @app.callback(
        Output(RunsIds.TRY_ALERT, "children"),
        Output(RunsIds.SAVED, "data", allow_duplicate=True),
        Input(RunsIds.TRY_BUTTON, "n_clicks"),
        State(RunsIds.BOARD_DATASET, "value"),
        State(RunsIds.BOARD_TARGET, "value"),
        State(RunsIds.BOARD_BUDGET, "value"),
        State(RunsIds.SAVED, "data"),
        **background_run(
            RunsIds.TRY_BUTTON,
            RunsIds.TRY_CANCEL,
            progress=[Output(RunsIds.TRY_PROGRESS, "value"), Output(RunsIds.TRY_PROGRESS, "label")],
        ),
        prevent_initial_call=True,
    )
    def try_all(set_progress, _clicks, dataset, target, budget, saved):
        try:
            if not dataset or not target:
                raise FieldError("target", "choose a dataset and a target first")
            spec = starting_spec(services.training, dataset, target)

            def on_model(i, total, family):
                set_progress((100 * i // total, f"{i + 1}/{total}: {family}"))

            done = try_every_model(services.training, spec, float(budget or 120), on_model=on_model)
        except Exception as exc:  # named errors are shown as they are, any other only logged
            return error_alert(exc, "warning"), no_update
        set_progress((100, "done"))
        failed = [t["model"] for t in done["tried"] if t["status"] != "finished"]
        count = len(done["tried"])
        text = f"Tried {count} model {'family' if count == 1 else 'families'} in {done['seconds']:.0f} s"
        text += f"; not started (budget spent): {', '.join(done['skipped'])}" if done["skipped"] else ""
        text += f"; failed: {', '.join(failed)} (their reasons are in the runs grid)" if failed else ""
        return alert(text + ".", "info"), (saved or 0) + 1

    bind_permalink(
        app,
        RunsIds.PERMALINK_LINK,
        [
            QueryField("q", RunsIds.SEARCH),
            QueryField("status", RunsIds.STATUS),
            QueryField("ids", RunsIds.SELECTED, prop="data"),
            QueryField("dataset", RunsIds.BOARD_DATASET),
            QueryField("target", RunsIds.BOARD_TARGET),
            QueryField("hide", RunsIds.HIDDEN, prop="data"),
        ],
    )


def alert_with_link(text: str, label: str, href: str) -> dbc.Alert:
    return dbc.Alert([text, html.A(label, href=href)], color="success", className="py-2 small mb-0")


def grid_query(request: dict[str, Any], search: str | None, status: str | None) -> RunQuery:
    """AG Grid's block request (rows, sort model, filter model) as a query of the runs store."""
    start = max(0, int(request.get("startRow") or 0))
    end = int(request.get("endRow") or start + 100)
    sort = tuple(
        ("-" if item.get("sort") == "desc" else "") + str(item.get("colId"))
        for item in request.get("sortModel") or []
        if isinstance(item, dict)
    )
    return RunQuery.parse(
        {
            "q": (search or "")[:200],
            "status": status,
            "grid_filters": request.get("filterModel") or {},
            "sort": sort or ("-created_at",),
            "limit": max(1, min(end - start, MAX_LIMIT)),
            "offset": start,
        }
    )


def grid_row(run: dict[str, Any]) -> dict[str, Any]:
    when = datetime.fromisoformat(run["created_at"]).strftime("%Y-%m-%d %H:%M") if run.get("created_at") else ""
    opening = f"[Open]({run['link']})" if run["reopenable"] else ""  # the link is ours: a /train query, encoded
    if run["dataset_state"] != "present":
        opening = f"dataset {run['dataset_state']}"  # listed, but its result cannot be reopened
    return {
        **{k: run.get(k) for k in ("id", "kind", "dataset", "target", "model", "metric", "score", "rows", "actor")},
        **{k: run.get(k) for k in ("fit_seconds", "predict_ms_per_row", "status", "note")},
        "key": str(run["id"]),  # the grid's row id: AG Grid's ids are text
        "created_at": when,
        "tags": ", ".join(run.get("tags") or []),
        "open": opening,
    }
