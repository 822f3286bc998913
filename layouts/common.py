"""Helpers shared by layouts: access to the app's services and small building blocks."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from flask import current_app, has_app_context

from dashboard.auth import identity
from dashboard.services import Services


def services() -> Services | None:
    """The running app's services, or None when Dash calls a layout outside a request (validation)."""
    if has_app_context():
        return current_app.extensions.get("dashboard")
    return None


def alert(message: str, color: str = "danger") -> dbc.Alert:
    """A dismissable notice; ``message`` is rendered as text (Dash escapes it)."""
    return dbc.Alert(message, color=color, dismissable=True, className="py-2 small")


def sized_upload(upload_id: str, alert_id: str, **upload_props: Any) -> html.Div:
    """A ``dcc.Upload`` the browser refuses above the upload limit. dcc.Upload drops such a file silently,
    so ``assets/upload_limit.js`` names it in ``alert_id``; the server's own limit still applies."""
    app_services = services()
    limit = app_services.settings.max_upload_bytes if app_services else 200 * 2**20
    return html.Div(
        dcc.Upload(id=upload_id, max_size=limit, **upload_props),
        **{"data-max-bytes": str(limit), "data-alert-id": alert_id},
    )


def editor_only(*children: Any) -> html.Div:
    """Controls that change saved data, hidden from a viewer (whose requests the server refuses anyway).
    Hidden, not left out: other callbacks still target these components."""
    return html.Div(list(children), hidden=not identity().can_write, className="editor-only")


def metric_badge(text: str, badge_id: str) -> dbc.Badge:
    """One figure of a result (a score, a size), as the badges every result view leads with."""
    return dbc.Badge(text, color="light", text_color="dark", className="me-2 mb-1 fs-6", id=badge_id)


def is_embed(value: object) -> bool:
    return str(value).lower() in {"1", "true", "yes"}


def query_number(text: Any, default: float, low: float, high: float) -> float:
    """A number from the URL query, or ``default`` when it is missing, malformed or outside [low, high]."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        return default
    return value if low <= value <= high else default


def query_int(text: Any, default: int, low: int, high: int) -> int:
    value = query_number(text, default, low, high)
    return int(value) if float(value).is_integer() else default
