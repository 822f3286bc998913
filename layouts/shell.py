"""The app shell: navbar and page container. ``assets/embed.js`` hides the navbar when the URL has
``embed=1`` before the first paint, so an embedded view never flashes the chrome."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids

NAV_PAGES = (
    ("Home", "/"),
    ("Explore data", "/data"),
    ("Train", "/train"),
    ("Clusters", "/clusters"),
    ("Recommend", "/recommend"),
    ("Models", "/models"),
    ("Predict", "/predict"),
)


def navbar() -> dbc.Navbar:
    links = [dbc.NavItem(dbc.NavLink(name, href=href, active="exact")) for name, href in NAV_PAGES]
    return dbc.Navbar(
        dbc.Container(
            [dbc.NavbarBrand("Analytics & Prediction", href="/"), dbc.Nav(links, navbar=True, className="me-auto")],
            fluid=True,
        ),
        id=ids.SHELL_NAVBAR,
        color="dark",
        dark=True,
        className="app-navbar mb-3",
    )


def layout() -> html.Div:
    return html.Div(
        [
            navbar(),
            dcc.Store(id=ids.SHELL_DATASETS_STORE, storage_type="memory"),
            dbc.Container(dash.page_container, fluid=True, className="app-page pb-4"),
        ]
    )
