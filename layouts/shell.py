"""The app shell: navbar and page container. ``assets/embed.js`` hides the navbar when the URL has
``embed=1`` before the first paint, so an embedded view never flashes the chrome."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.web.auth import identity
from layouts.pages import PAGES
from layouts.shell_ids import ShellIds


def session_badge() -> html.Div:
    """Who is logged in, with their role and a log-out button; or that nobody needs to (local mode)."""
    who = identity()
    if not who.login_required:
        return html.Div(
            dbc.Badge("no login: local mode", color="warning", text_color="dark", id=ShellIds.LOCAL_MODE_BANNER),
            title="Anyone who can open this page can change data. Set DASHBOARD_USERS_FILE to require login.",
        )
    return html.Form(
        [
            html.Span(f"{who.user.name} · {who.user.role}", id=ShellIds.USER_BADGE, className="text-light small me-2"),
            dcc.Input(type="hidden", name="csrf_token", value=who.csrf_token),
            html.Button("Log out", id=ShellIds.LOGOUT_BUTTON, type="submit", className="btn btn-sm btn-outline-light"),
        ],
        action="/logout",
        method="POST",
        className="d-flex align-items-center",
    )


def navbar() -> dbc.Navbar:
    links = [dbc.NavItem(dbc.NavLink(page.name, href=page.path, active="exact")) for page in PAGES]
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand("Analytics & Prediction", href="/"),
                dbc.Nav(links, navbar=True, className="me-auto"),
                session_badge(),
            ],
            fluid=True,
        ),
        id=ShellIds.NAVBAR,
        color="dark",
        dark=True,
        className="app-navbar mb-3",
    )


def layout() -> html.Div:
    return html.Div(
        [
            navbar(),
            dbc.Toast(
                id=ShellIds.ERROR_TOAST,
                header="Something went wrong",
                is_open=False,
                dismissable=True,
                icon="danger",
                className="app-error-toast",
            ),
            dbc.Container(dash.page_container, fluid=True, className="app-page pb-4"),
        ]
    )
