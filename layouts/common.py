"""Helpers shared by layouts: access to the app's services and small building blocks."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from flask import current_app, has_app_context

from dashboard.services import Services


def services() -> Services | None:
    """The running app's services, or None when Dash calls a layout outside a request (validation)."""
    if has_app_context():
        return current_app.extensions.get("dashboard")
    return None


def alert(message: str, color: str = "danger") -> dbc.Alert:
    """A dismissable notice; ``message`` is rendered as text (Dash escapes it)."""
    return dbc.Alert(message, color=color, dismissable=True, className="py-2 small")


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
