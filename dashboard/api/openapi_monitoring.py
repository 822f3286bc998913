"""The OpenAPI paths of one stored model's monitoring: its prediction log and feedback, drift report,
evaluations (re-verification) and retraining (see ``dashboard.api.models`` and ``dashboard.api.monitoring``)."""

from __future__ import annotations

from typing import Any

from dashboard.api.openapi_parts import (
    SELECTOR,
    VERSION_NUMBER,
    errors,
    json_body,
    json_content,
    json_ref,
    operation,
)

LOG_LIMIT = {"type": "integer", "minimum": 1, "maximum": 10_000, "default": 1000}
DATA = {
    "type": "string",
    "minLength": 1,
    "maxLength": 200,
    "default": "@log",
    "description": "a dataset id of GET /api/datasets, or @log: the version's prediction log (for evaluations "
    "and retraining, its rows whose label came back through feedback)",
}
SHAP_ROWS = {"type": "integer", "minimum": 10, "maximum": 2000, "default": 200}
SEED = {"type": "integer", "minimum": 0, "maximum": 2**31 - 1, "default": 0}
BY = {
    "type": "string",
    "pattern": "^[^,]{1,200}(,[^,]{1,200})?$",
    "description": "one column, or two joined by a comma",
}
FEEDBACK = {
    "type": "object",
    "required": ["labels"],
    "properties": {
        "labels": {
            "type": "array",
            "minItems": 1,
            "maxItems": 10_000,
            "items": {
                "type": "object",
                "required": ["request_id", "label"],
                "properties": {
                    "request_id": {"type": "string", "maxLength": 64},
                    "row": {"type": "integer", "minimum": 0, "maximum": 10**9},
                    "label": {},
                },
            },
        }
    },
}


def monitoring_paths(name: str, need_key: dict[str, Any]) -> dict[str, Any]:
    return {
        f"/api/models/{name}/predictions": {
            "get": {
                **operation(
                    f"Logged predictions of {name}, newest first (format=csv downloads them)",
                    need_key["read"],
                    {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {"schema": {"type": "object"}},
                                "text/csv": {"schema": {"type": "string"}},
                            },
                        },
                        **errors(400),
                    },
                ),
                "parameters": [
                    {"name": "version", "in": "query", "required": False, "schema": VERSION_NUMBER},
                    {"name": "limit", "in": "query", "required": False, "schema": LOG_LIMIT},
                    {"name": "format", "in": "query", "required": False, "schema": {"type": "string", "enum": ["csv"]}},
                ],
            }
        },
        f"/api/models/{name}/feedback": {
            "post": {
                **operation(
                    f"Ground-truth labels for {name}'s logged predictions, by request id (and row)",
                    need_key["viewer"],
                    {"201": json_content({"type": "object"}, "received"), **errors(400, 404, 413, 415)},
                ),
                "requestBody": json_body(FEEDBACK),
            }
        },
        f"/api/models/{name}/prediction-log": {
            "put": {
                **operation(
                    f"Switch the prediction log of {name} on or off",
                    need_key["editor"],
                    {"200": json_content({"type": "object"}), **errors(400, 404, 415)},
                ),
                "requestBody": json_body(
                    {"type": "object", "required": ["enabled"], "properties": {"enabled": {"type": "boolean"}}}
                ),
            }
        },
        f"/api/models/{name}/drift": {
            "parameters": [*SELECTOR, {"name": "data", "in": "query", "required": False, "schema": DATA}],
            "get": operation(
                f"Drift of {name}'s inputs and answers between its training sample and recent data, most drifted "
                "first: PSI and a KS or chi² test per column",
                need_key["read"],
                {"200": json_ref("DriftReport"), **errors(400, 404, 409, 500)},
            ),
        },
        f"/api/models/{name}/shap": {
            "parameters": [
                *SELECTOR,
                {"name": "data", "in": "query", "required": False, "schema": DATA},
                {"name": "rows", "in": "query", "required": False, "schema": SHAP_ROWS},
                {"name": "seed", "in": "query", "required": False, "schema": SEED},
            ],
            "get": operation(
                f"SHAP values of {name} by input column on a seeded sample of the data's rows: mean |SHAP| per "
                "column and every explained row's values (tree models exact; others limited in rows)",
                need_key["read"],
                {"200": json_content({"type": "object"}), **errors(400, 404, 409, 500)},
            ),
        },
        f"/api/models/{name}/calibration": {
            "parameters": [*SELECTOR, {"name": "data", "in": "query", "required": False, "schema": DATA}],
            "get": operation(
                f"Calibration of {name}'s probabilities on labelled data: reliability bins (quantile), Brier "
                "score and expected calibration error",
                need_key["read"],
                {"200": json_content({"type": "object"}), **errors(400, 404, 409, 500)},
            ),
        },
        f"/api/models/{name}/subgroups": {
            "parameters": [
                *SELECTOR,
                {"name": "data", "in": "query", "required": False, "schema": DATA},
                {"name": "by", "in": "query", "required": True, "schema": BY},
                {"name": "threshold", "in": "query", "required": False, "schema": {"type": "number"}},
            ],
            "get": operation(
                f"Every metric of {name} per group of one or two columns on labelled data (binary: at the "
                "threshold), with 95 % intervals and the largest gap between groups",
                need_key["read"],
                {"200": json_content({"type": "object"}), **errors(400, 404, 409, 500)},
            ),
        },
        f"/api/models/{name}/evaluations": {
            "parameters": SELECTOR,
            "get": operation(
                f"The evaluation history of a version of {name}, oldest first",
                need_key["read"],
                {"200": json_ref("EvaluationList"), **errors(404)},
            ),
            "post": {
                **operation(
                    f"Re-verify a version of {name} on fresh labelled data: its metrics now beside its card's "
                    "cross-validated ones, kept in the evaluation history",
                    need_key["editor"],
                    {"201": json_ref("Evaluation", "evaluated"), **errors(400, 404, 409, 413, 415, 500)},
                ),
                "requestBody": json_body({"type": "object", "properties": {"data": DATA}}),
            },
        },
        f"/api/models/{name}/retrain": {
            "parameters": SELECTOR,
            "post": {
                **operation(
                    f"Retrain a version of {name} on new data (or on its training data plus the new) as a job; "
                    "the new version's card names its parent and no alias moves",
                    need_key["editor"],
                    {"202": json_ref("JobAccepted", "accepted"), **errors(400, 404, 409, 413, 415, 500)},
                ),
                "requestBody": json_body(
                    {
                        "type": "object",
                        "properties": {
                            "data": DATA,
                            "union": {
                                "type": "boolean",
                                "default": False,
                                "description": "true: the version's training data plus data",
                            },
                        },
                    }
                ),
            },
        },
    }
