"""OpenAPI 3.0 description of the REST API, with each stored model's input schema."""

from __future__ import annotations

from typing import Any

from dashboard.jobs import CODE_VERSION
from model_store.schema import MAX_MAGNITUDE

ERROR = {"$ref": "#/components/schemas/Error"}


def _responses(ok: dict[str, Any], *codes: int) -> dict[str, Any]:
    out: dict[str, Any] = {"200": ok}
    for code in codes:
        out[str(code)] = {"description": "error", "content": {"application/json": {"schema": ERROR}}}
    return out


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


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
        schema = {"oneOf": [{"type": "string", "minLength": 1}, {"type": "integer"}]}
    else:
        schema = {"type": "string"}
        if not field.get("nullable"):
            schema["minLength"] = 1  # an empty string counts as missing
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


def openapi_document(models: list[dict[str, Any]], store) -> dict[str, Any]:
    name_param = {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}
    selector = [
        {"name": "version", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1}},
        {"name": "alias", "in": "query", "required": False, "schema": {"type": "string"}},
    ]
    paths: dict[str, Any] = {
        "/api/health": {"get": {"summary": "Liveness", "responses": _responses(_json({"type": "object"}))}},
        "/api/datasets": {"get": {"summary": "Dataset catalog", "responses": _responses(_json({"type": "object"}))}},
        "/api/models": {"get": {"summary": "Stored models", "responses": _responses(_json({"type": "object"}))}},
        "/api/models/{name}": {
            "get": {
                "summary": "Model card",
                "parameters": [name_param, *selector],
                "responses": _responses(_json({"type": "object"}), 404),
            }
        },
        "/api/jobs/{job_id}": {
            "get": {
                "summary": "Job status, progress, result or error",
                "parameters": [{"name": "job_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": _responses(_json({"$ref": "#/components/schemas/Job"}), 404),
            }
        },
    }
    schemas: dict[str, Any] = {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "field", "message"],
                    "properties": {
                        "code": {"type": "string"},
                        "field": {"type": "string"},
                        "message": {"type": "string"},
                        "fields": {"type": "object"},
                    },
                }
            },
        },
        "Job": {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "status": {"type": "string", "enum": ["queued", "running", "succeeded", "failed", "cancelled"]},
                "progress": {"type": "object"},
                "result": {"nullable": True},
                "error": {"nullable": True},
            },
        },
        "Prediction": {
            "type": "object",
            "required": ["model", "version", "predictions"],
            "properties": {
                "model": {"type": "string"},
                "version": {"type": "integer"},
                "task": {"type": "string"},
                "predictions": {"type": "array", "items": {}},
                "probabilities": {"type": "array", "items": {"type": "object"}},
                "scores": {"type": "array", "items": {"type": "object"}},
                "warnings": {"type": "array", "items": {"type": "string"}},
            },
        },
    }
    for summary in models:
        name = summary["name"]
        component = f"{name}-input"
        schemas[component] = model_input_schema(store.card(name))
        body = {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["instances"],
                        "properties": {
                            "instances": {
                                "type": "array",
                                "minItems": 1,
                                "maxItems": 50,
                                "items": {"$ref": f"#/components/schemas/{component}"},
                            }
                        },
                    }
                }
            },
        }
        paths[f"/api/models/{name}/predict"] = {
            "post": {
                "summary": f"Predict with {name}",
                "parameters": selector,
                "requestBody": body,
                "responses": _responses(_json({"$ref": "#/components/schemas/Prediction"}), 400, 401, 404, 413, 415),
            }
        }
        paths[f"/api/models/{name}/jobs"] = {
            "post": {
                "summary": f"Batch-score with {name} asynchronously",
                "parameters": selector,
                "requestBody": body,
                "responses": {
                    "202": _json({"type": "object", "required": ["job_id"]}, "accepted"),
                    **{
                        str(c): {"description": "error", "content": {"application/json": {"schema": ERROR}}}
                        for c in (400, 401, 404, 413, 415)
                    },
                },
            }
        }
    return {
        "openapi": "3.0.3",
        "info": {"title": "Analytics & Prediction Dashboard API", "version": CODE_VERSION},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
        },
    }
