"""Small builders of the OpenAPI document's pieces, shared by ``dashboard.api.openapi`` and the per-feature path
modules (``dashboard.api.openapi_monitoring``)."""

from __future__ import annotations

from typing import Any

SELECTOR = [
    {"name": "version", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1}},
    {"name": "alias", "in": "query", "required": False, "schema": {"type": "string"}},
]
VERSION_NUMBER = {"type": "integer", "minimum": 1, "maximum": 10**9}


def json_content(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def operation(summary: str, security: list | None, responses: dict[str, Any]) -> dict[str, Any]:
    """An operation; one that needs a key also documents the 401 (no or bad key) and 403 (wrong role)."""
    built: dict[str, Any] = {"summary": summary, "responses": dict(responses), "security": security or []}
    if security:
        built["responses"].update(errors(401, 403))
    return built


def errors(*codes: int) -> dict[str, Any]:
    return {str(code): json_ref("Error", "error") for code in codes}


def ok_or_404(component: str) -> dict[str, Any]:
    return {"200": json_ref(component), **errors(404)}


def json_ref(component: str, description: str = "OK") -> dict[str, Any]:
    return json_content({"$ref": f"#/components/schemas/{component}"}, description)


def path_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def json_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}
