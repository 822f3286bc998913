"""Helpers shared by layouts: access to the app's services and small building blocks."""

from __future__ import annotations

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


def is_embed(value: object) -> bool:
    return str(value).lower() in {"1", "true", "yes"}
