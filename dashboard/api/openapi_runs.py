"""The OpenAPI paths of runs (``dashboard.api.runs``)."""

from __future__ import annotations

from typing import Any

from dashboard.api.openapi_parts import errors, json_body, json_content, json_ref, operation
from dashboard.runs.leaderboard import MAX_BUDGET_SECONDS
from dashboard.runs.query import MAX_LIMIT, SORTABLE, STATUSES
from dashboard.runs.store import MAX_NOTE_CHARS, MAX_TAG_CHARS, MAX_TAGS

RUN_ID = {"name": "run_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
TEXT = {"type": "string", "maxLength": 200}
_COLUMN = f"-?({'|'.join(SORTABLE)})"
SORT = {
    "type": "string",
    "maxLength": 200,
    "pattern": f"^{_COLUMN}(,{_COLUMN})*$",
    "description": f"comma-separated columns, - for descending: {', '.join(SORTABLE)} (default -created_at)",
}
_NO_CONTROL = r"[^\x00-\x1f\x7f-\x9f]"
TAG = {
    "type": "string",
    "minLength": 1,
    "maxLength": MAX_TAG_CHARS,
    "pattern": "^" + _NO_CONTROL + "*" + r"[^\s\x00-\x1f\x7f-\x9f]" + _NO_CONTROL + "*$",  # not blank, no control
}
TAGS = {
    "type": "array",
    "maxItems": MAX_TAGS,
    "items": TAG,
}
RUN = {
    "type": "object",
    "required": ["id", "kind", "dataset", "status", "tags", "note", "revision", "dataset_state", "reopenable"],
    "properties": {
        "id": {"type": "integer"},
        "kind": {"type": "string", "description": "cv (a Train run) or candidate (of a search, see group)"},
        "group": {"type": "string", "nullable": True},
        "dataset": {"type": "string"},
        "fingerprint": {"type": "string"},
        "target": {"type": "string", "nullable": True},
        "model": {"type": "string", "nullable": True},
        "spec": {"type": "object"},
        "params": {"type": "object"},
        "metrics": {"type": "object", "nullable": True, "description": "{metric: {mean, std}}"},
        "folds": {"type": "array", "nullable": True, "items": {"type": "object"}},
        "metric": {"type": "string", "nullable": True, "description": "the primary metric; score is its mean"},
        "score": {"type": "number", "nullable": True},
        "fit_seconds": {"type": "number", "nullable": True},
        "predict_ms_per_row": {"type": "number", "nullable": True},
        "rows": {"type": "integer", "nullable": True},
        "status": {"type": "string", "enum": list(STATUSES)},
        "reason": {"type": "string", "nullable": True},
        "actor": {"type": "string"},
        "created_at": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "note": {"type": "string"},
        "link": {"type": "string", "nullable": True, "description": "the page that reopens the cached result"},
        "revision": {"type": "integer"},
        "promoted": {"type": "array", "nullable": True, "items": {"type": "object"}},
        "dataset_state": {"type": "string", "enum": ["present", "changed", "deleted"]},
        "reopenable": {"type": "boolean"},
    },
}


def run_paths(need_key: dict[str, Any]) -> dict[str, Any]:
    def query(name: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {"name": name, "in": "query", "required": False, "schema": schema}

    listing = [query(name, TEXT) for name in ("kind", "dataset", "target", "model", "tag", "q")]
    listing += [
        query("status", {"type": "string", "enum": list(STATUSES)}),
        query("sort", SORT),
        query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}),
        query("offset", {"type": "integer", "minimum": 0, "maximum": 10**9}),
    ]
    return {
        "/api/runs": {
            "parameters": listing,
            "get": operation(
                "Runs (every cross-validation and search candidate), filtered and sorted, one page at a time",
                need_key["read"],
                {
                    "200": json_content(
                        {
                            "type": "object",
                            "required": ["runs", "total"],
                            "properties": {
                                "runs": {"type": "array", "items": RUN},
                                "total": {"type": "integer"},
                                "limit": {"type": "integer"},
                                "offset": {"type": "integer"},
                            },
                        }
                    ),
                    **errors(400),
                },
            ),
        },
        "/api/runs/leaderboard": {
            "parameters": [
                {"name": "dataset", "in": "query", "required": True, "schema": TEXT},
                {"name": "target", "in": "query", "required": True, "schema": TEXT},
            ],
            "get": operation(
                "The best finished run of each model family on this dataset (as it is now) and target, best first, "
                "with its fit and predict cost and how many runs the family had",
                need_key["read"],
                {"200": json_content({"type": "object"}), **errors(404)},
            ),
        },
        "/api/runs/try-every-model": {
            "post": {
                **operation(
                    "Cross-validate every model family of the catalog with its defaults on identical folds, one "
                    "after the other within a time budget, as an async job (each an ordinary recorded run; "
                    "the result holds the leaderboard)",
                    need_key["editor"],
                    {"202": json_ref("JobAccepted", "accepted"), **errors(400, 404, 413, 415)},
                ),
                "requestBody": json_body(
                    {
                        "type": "object",
                        "required": ["dataset", "target"],
                        "additionalProperties": False,
                        "properties": {
                            "dataset": TEXT,
                            "target": TEXT,
                            "budget_seconds": {"type": "number", "minimum": 1, "maximum": MAX_BUDGET_SECONDS},
                        },
                    }
                ),
            },
        },
        "/api/runs/compare": {
            "parameters": [
                {
                    "name": "ids",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string", "pattern": r"^[1-9]\d{0,17}(,[1-9]\d{0,17}){1,9}$"},
                }
            ],
            "get": operation(
                "2 to 10 runs side by side: metrics with differences from the first, the parameters that differ",
                need_key["read"],
                {"200": json_content({"type": "object"}), **errors(400, 404)},
            ),
        },
        "/api/runs/{run_id}/promote": {
            "parameters": [RUN_ID],
            "post": {
                **operation(
                    "Save a finished run to the model store: its pipeline refitted on every row it was "
                    "cross-validated on, the card naming the run and the run the version (409 when the run did "
                    "not finish or its dataset changed since)",
                    need_key["editor"],
                    {"201": json_content({"type": "object"}, "saved"), **errors(400, 404, 409, 413, 415)},
                ),
                "requestBody": json_body(
                    {
                        "type": "object",
                        "required": ["name"],
                        "additionalProperties": False,
                        "properties": {
                            "name": {"type": "string", "pattern": "^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$"},
                            "description": {"type": "string", "maxLength": 500},
                        },
                    }
                ),
            },
        },
        "/api/runs/{run_id}": {
            "parameters": [RUN_ID],
            "get": operation("One run", need_key["read"], {"200": json_content(RUN), **errors(400, 404)}),
            "patch": {
                **operation(
                    "Tag and annotate a run: add or remove tags (concurrent edits both kept), replace them, set "
                    "the note; with revision, 409 stale_revision when it changed since",
                    need_key["editor"],
                    {"200": json_content(RUN), **errors(400, 404, 409, 413, 415)},
                ),
                "requestBody": json_body(
                    {
                        "type": "object",
                        "minProperties": 1,
                        "additionalProperties": False,
                        "properties": {
                            "tags": TAGS,
                            "add_tags": TAGS,
                            "remove_tags": TAGS,
                            "note": {"type": "string", "maxLength": MAX_NOTE_CHARS},
                            "revision": {"type": "integer", "minimum": 1, "maximum": 10**9},
                        },
                    }
                ),
            },
        },
    }
