"""REST for runs: list with filters and a sort, one run, two to ten side by side, and tags and a note.

- ``GET /api/runs?kind=&dataset=&target=&model=&status=&tag=&q=&sort=-score&limit=50&offset=0``
- ``GET /api/runs/<id>``, ``GET /api/runs/compare?ids=3,7``
- ``POST /api/runs/<id>/promote`` ``{"name": "churn", "description": "..."}`` (editor): refit on all rows, save
- ``GET /api/runs/leaderboard?dataset=&target=``: the best run of each model family on the data as it is now
- ``POST /api/runs/try-every-model`` ``{"dataset", "target", "budget_seconds"}`` (editor): an async job
- ``PATCH /api/runs/<id>`` ``{"add_tags": [...], "remove_tags": [...], "tags": [...], "note": "...",
  "revision": 4}`` (editor; with ``revision``, 409 when the run changed since)
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from dashboard.actors import current_actor
from dashboard.api import http as common
from dashboard.errors import FieldError, NotApplicable, NotFound
from dashboard.runs.compare import comparison, dataset_states, parse_ids
from dashboard.runs.leaderboard import MAX_BUDGET_SECONDS, leaderboard, starting_spec
from dashboard.runs.promote import promote
from dashboard.runs.query import RunQuery
from dashboard.runs.store import StaleRun
from dashboard.web.auth import api_error, require_api_role
from model_store import InvalidModelNameError

QUERY_FIELDS = ("kind", "dataset", "target", "model", "status", "tag", "q", "sort", "limit", "offset")
EDIT_FIELDS = {"tags", "add_tags", "remove_tags", "note", "revision"}


def create_runs_blueprint() -> Blueprint:
    api = Blueprint("api_runs", __name__, url_prefix="/api")

    @api.errorhandler(StaleRun)
    def _stale(exc):
        return api_error(409, "stale_revision", "revision", exc.message)

    @api.errorhandler(NotApplicable)
    def _conflict(exc):
        return api_error(409, "not_applicable", exc.field, exc.message)

    @api.errorhandler(FieldError)
    def _refused(exc):
        return api_error(400, "invalid", exc.field, exc.message)

    @api.errorhandler(NotFound)
    def _missing(exc):
        field, _, message = str(exc).partition(": ")  # "run: no run 7", "dataset: no dataset named 'x'"
        return api_error(404, "not_found", field, message)

    @api.get("/runs")
    @require_api_role("read")
    def list_runs():
        unknown = sorted(set(request.args) - set(QUERY_FIELDS))
        if unknown:
            raise FieldError(unknown[0][:40], f"runs are filtered by {', '.join(QUERY_FIELDS)}")
        values = {k: request.args.get(k) for k in QUERY_FIELDS}
        for name in ("limit", "offset"):
            values[name] = common.whole_param(values[name], name, 0 if name == "offset" else 1, None)
        query = RunQuery.parse(values)
        page = common.services().runs.page(query)
        rows = dataset_states(page.rows, common.services().catalog)
        return jsonify({"runs": rows, "total": page.total, "limit": query.limit, "offset": query.offset})

    @api.get("/runs/leaderboard")
    @require_api_role("read")
    def runs_leaderboard():
        dataset, target = request.args.get("dataset", ""), request.args.get("target", "")
        return jsonify(leaderboard(common.services().runs, common.services().catalog, dataset, target))

    @api.post("/runs/try-every-model")
    @require_api_role("editor")
    def try_every_model_job():
        body, failure = common.json_body()
        if failure:
            return failure
        if not isinstance(body, dict) or set(body) - {"dataset", "target", "budget_seconds"}:
            raise FieldError("body", 'send {"dataset": "...", "target": "...", "budget_seconds": 120}')
        budget = body.get("budget_seconds", 120)
        if isinstance(budget, bool) or not isinstance(budget, int | float) or not 1 <= budget <= MAX_BUDGET_SECONDS:
            raise FieldError("budget_seconds", f"a budget is 1 to {MAX_BUDGET_SECONDS} seconds")
        services = common.services()
        dataset, target = str(body.get("dataset", ""))[:200], str(body.get("target", ""))[:200]
        if not services.catalog.exists(dataset):
            raise NotFound(f"dataset: no dataset named {dataset[:64]!r}")
        starting_spec(services.training, dataset, target)  # a bad target is refused now, not in the job
        params = {"dataset": dataset, "target": target, "budget_seconds": budget, "actor": current_actor()}
        return common.job_accepted(services.queue.submit("try_every_model", params, b""))

    @api.get("/runs/compare")
    @require_api_role("read")
    def compare_runs():
        ids = parse_ids(request.args.get("ids", ""))
        rows = common.services().runs.many(ids)
        missing = sorted(set(ids) - {row["id"] for row in rows})
        if missing:
            raise NotFound(f"run: no run {missing[0]}")
        return jsonify(comparison(dataset_states(rows, common.services().catalog)))

    @api.get("/runs/<run_id>")
    @require_api_role("read")
    def get_run(run_id: str):
        run = common.services().runs.get(run_id)
        return jsonify(dataset_states([run], common.services().catalog)[0])

    @api.patch("/runs/<run_id>")
    @require_api_role("editor")
    def edit_run(run_id: str):
        body, failure = common.json_body()
        if failure:
            return failure
        if not isinstance(body, dict) or not body or set(body) - EDIT_FIELDS:
            fields = ", ".join(sorted(EDIT_FIELDS))
            raise FieldError("body", f"send a JSON object with any of {fields}")
        revision = body.get("revision")
        if revision is not None and (not isinstance(revision, int) or isinstance(revision, bool) or revision < 1):
            raise FieldError("revision", "the revision you read, a whole number from 1")
        run = common.services().runs.edit(
            run_id,
            tags=body.get("tags"),
            add_tags=body.get("add_tags", []),
            remove_tags=body.get("remove_tags", []),
            note=body.get("note"),
            revision=revision,
        )
        return jsonify(dataset_states([run], common.services().catalog)[0])

    @api.post("/runs/<run_id>/promote")
    @require_api_role("editor")
    def promote_run(run_id: str):
        body, failure = common.json_body()
        if failure:
            return failure
        if not isinstance(body, dict) or not isinstance(body.get("name"), str) or set(body) - {"name", "description"}:
            raise FieldError("body", 'send {"name": "<model name>", "description": "<optional>"}')
        description = body.get("description", "")
        if not isinstance(description, str) or len(description) > 500:
            raise FieldError("description", "at most 500 characters of text")
        services = common.services()
        try:
            saved = promote(services.runs, services.training, run_id, body["name"].strip(), description)
        except InvalidModelNameError as exc:
            raise FieldError("name", str(exc).partition(": ")[2] or str(exc)) from None
        location = f"/api/models/{saved['model']}?version={saved['version']}"
        return jsonify(saved | {"card_url": location}), 201, {"Location": location}

    return api
