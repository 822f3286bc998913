"""OpenAPI 3.0 description of the REST API: generated from the pydantic models in ``dashboard.api.schemas``,
with each stored model's input schema from its card."""

from __future__ import annotations

import copy
from typing import Any

from pydantic.json_schema import models_json_schema

from dashboard.api.openapi_monitoring import monitoring_paths
from dashboard.api.openapi_parts import SELECTOR, errors, json_content, json_ref, ok_or_404, operation, path_param
from dashboard.api.openapi_reports import report_paths
from dashboard.api.openapi_runs import run_paths
from dashboard.api.schemas import RESPONSE_MODELS
from dashboard.jobs.layer import CODE_VERSION
from dashboard.settings import Settings
from model_store.schema import MAX_MAGNITUDE

NOT_BLANK = r"\S"  # at least one character that is not white space


def field_schema(field: dict[str, Any]) -> dict[str, Any]:
    kind = field["kind"]
    if kind == "numeric":
        schema: dict[str, Any] = {"type": "number", "minimum": -MAX_MAGNITUDE, "maximum": MAX_MAGNITUDE}
        if field.get("min") is not None:
            schema["description"] = f"observed in training: {field['min']:g} to {field['max']:g} (outside: a warning)"
    elif kind == "boolean":
        schema = {"type": "boolean"}
    elif kind == "categorical":
        schema = {"type": "string", "enum": field["categories"]}
    elif kind == "identifier":
        schema = {"oneOf": [{"type": "string", "pattern": NOT_BLANK}, {"type": "integer"}]}
    else:
        schema = {"type": "string"}
        if not field.get("nullable"):
            schema["pattern"] = NOT_BLANK  # blank text counts as missing, as in every door's validator
    if field.get("nullable"):
        schema["nullable"] = True
    return schema


def model_input_schema(card: dict[str, Any]) -> dict[str, Any]:
    fields = card["schema"]["fields"]
    return {
        "type": "object",
        "properties": {f["name"]: field_schema(f) for f in fields},
        "required": [f["name"] for f in fields if not f.get("nullable")],
        "example": card["schema"].get("example"),
    }


def openapi_document(models: list[dict[str, Any]], store, settings: Settings) -> dict[str, Any]:
    """The whole API: fixed shapes generated from ``dashboard.api.schemas``, each stored model's input from
    its card, limits and security as this server enforces them."""
    schemas = component_schemas()
    need_key = _key_requirements(settings)
    paths: dict[str, Any] = {
        "/api/health": {"get": operation("Liveness", None, {"200": json_ref("Health")})},
        "/api/openapi.json": {"get": operation("This document", None, {"200": json_content({"type": "object"})})},
        "/api/metrics": {
            "get": operation(
                "Prometheus metrics: request and callback latency, errors by code, predictions per model version, "
                "memo hits, job durations, job queue depth",
                need_key["read"],
                {"200": {"description": "ok", "content": {"text/plain": {"schema": {"type": "string"}}}}},
            )
        },
        "/api/datasets": {
            "get": operation("Dataset catalog", need_key["read"], {"200": json_ref("DatasetList")}),
            "post": {
                **operation(
                    "Upload a dataset (CSV/TSV, Parquet, Excel, JSON lines)",
                    need_key["editor"],
                    {"201": json_ref("DatasetCreated", "created"), **errors(400, 413, 415)},
                ),
                "parameters": [
                    {
                        "name": "filename",
                        "in": "query",
                        "required": False,
                        "description": "with a raw body: the file's name (its extension picks the format)",
                        "schema": {"type": "string", "maxLength": 255},
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["file"],
                                "properties": {
                                    "file": {"type": "string", "format": "binary"},
                                    "name": {"type": "string", "maxLength": 64},
                                },
                            }
                        }
                    },
                },
            },
        },
        "/api/datasets/{dataset_id}": {
            "parameters": [path_param("dataset_id")],
            "get": operation("One dataset", need_key["read"], {"200": json_ref("DatasetInfo"), **errors(404)}),
            "delete": operation(
                "Delete an uploaded dataset",
                need_key["editor"],
                {"204": {"description": "deleted"}, **errors(400, 404)},
            ),
        },
        "/api/models": {"get": operation("Stored models", need_key["read"], {"200": json_ref("ModelList")})},
        "/api/models/{name}": {
            "parameters": [path_param("name"), *SELECTOR],
            "get": operation("Model card", need_key["read"], {"200": json_ref("ModelCard"), **errors(404, 500)}),
        },
        "/api/jobs/{job_id}": {
            "parameters": [path_param("job_id")],
            "get": operation("Job status, progress, result or error", need_key["read"], ok_or_404("Job")),
        },
        "/api/jobs/{job_id}/cancel": {
            "parameters": [path_param("job_id")],
            "post": operation("Cancel a queued or running job", need_key["viewer"], ok_or_404("Job")),
        },
        "/api/jobs/{job_id}/result.csv": {
            "parameters": [path_param("job_id")],
            "get": operation(
                "A finished batch's inputs with predictions (formula-like cells neutralised)",
                need_key["read"],
                {
                    "200": {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}},
                    **errors(404),
                },
            ),
        },
    }
    for summary in models:
        if summary.get("status") != "ok":
            continue  # a corrupt model is listed by GET /api/models; it has no input schema to document
        name = summary["name"]
        component = f"{name}-input"
        schemas[component] = model_input_schema(store.card(name))
        instances = {
            "type": "object",
            "required": ["instances"],
            "properties": {
                "instances": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"$ref": f"#/components/schemas/{component}"},
                }
            },
        }
        predict_body = copy.deepcopy(instances)
        predict_body["properties"]["instances"]["maxItems"] = settings.max_predict_rows
        paths[f"/api/models/{name}/predict"] = {
            "parameters": [*SELECTOR, EXPLAIN],
            "post": {
                **operation(
                    f"Predict with {name}",
                    need_key["viewer"],
                    {"200": json_ref("Prediction"), **errors(400, 404, 413, 415, 500)},
                ),
                "requestBody": {"required": True, "content": {"application/json": {"schema": predict_body}}},
            },
        }
        paths[f"/api/models/{name}/history"] = {
            "get": operation(
                f"The registry's history of {name}, newest first: every save, alias move and delete (who, when, "
                "from → to), kept when its versions are deleted",
                need_key["read"],
                {"200": json_content(HISTORY), **errors(404)},
            ),
        }
        paths[f"/api/models/{name}/jobs"] = {
            "parameters": SELECTOR,
            "post": {
                **operation(
                    f"Batch-score with {name} asynchronously (up to the upload limit)",
                    need_key["viewer"],
                    {"202": json_ref("JobAccepted", "accepted"), **errors(400, 404, 413, 415, 500)},
                ),
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": instances},
                        "text/csv": {
                            "schema": {
                                "type": "string",
                                "minLength": 1,
                                "description": "a header row naming the fields",
                            }
                        },
                    },
                },
            },
        }
        paths.update(monitoring_paths(name, need_key))
    paths.update(report_paths(need_key))
    paths.update(run_paths(need_key))
    return {
        "openapi": "3.0.3",
        "info": {"title": "Analytics & Prediction Dashboard API", "version": CODE_VERSION},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
        },
    }


HISTORY = {
    "type": "object",
    "required": ["model", "events"],
    "properties": {
        "model": {"type": "string"},
        "events": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["at", "actor", "event"],
                "properties": {
                    "at": {"type": "string"},
                    "actor": {"type": "string"},
                    "event": {"type": "string", "enum": ["saved", "alias_set", "alias_removed", "deleted"]},
                    "version": {"type": "integer"},
                    "alias": {"type": "string"},
                    "from": {"type": "integer", "nullable": True},
                    "to": {"type": "integer", "nullable": True},
                },
            },
        },
    },
}
EXPLAIN = {
    "name": "explain",
    "in": "query",
    "required": False,
    "description": "true: also each row's SHAP contributions by input column (400 cannot_explain when the model "
    "or the number of rows does not allow it)",
    "schema": {"type": "boolean", "default": False},
}


def component_schemas() -> dict[str, Any]:
    """The fixed shapes, generated from the pydantic models and written as OpenAPI 3.0 schemas."""
    _, generated = models_json_schema(
        [(model, "serialization") for model in RESPONSE_MODELS], ref_template="#/components/schemas/{model}"
    )
    return {name: _openapi30(schema) for name, schema in generated.get("$defs", {}).items()}


def _openapi30(node: Any) -> Any:
    """JSON Schema 2020-12 (pydantic's) to OpenAPI 3.0: ``X | None`` becomes ``nullable``, ``const`` an enum."""
    if isinstance(node, list):
        return [_openapi30(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _openapi30(value) for key, value in node.items()}
    options = node.get("anyOf")
    if isinstance(options, list) and {"type": "null"} in options:
        rest = [option for option in options if option != {"type": "null"}]
        node.pop("anyOf")
        node.update(rest[0] if len(rest) == 1 else {"anyOf": rest})
        node["nullable"] = True
    if "const" in node:
        node["enum"] = [node.pop("const")]
    return node


def _key_requirements(settings: Settings) -> dict[str, list[dict[str, list]] | None]:
    """The security each access level needs on this server (as ``dashboard.web.auth.require_api_role`` enforces
    it): with a users file every call but health needs a key; in local mode only ``DASHBOARD_API_KEY``
    guards predict, jobs and writes."""
    key = [{"apiKey": []}]
    if settings.login_required:
        return {"read": key, "viewer": key, "editor": key}
    guarded = key if settings.api_key else None
    return {"read": None, "viewer": guarded, "editor": guarded}
