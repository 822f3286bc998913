"""Helpers shared by layouts: access to the app's services and small building blocks."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, get_relative_path, html
from flask import current_app, has_app_context

from dashboard.errors import user_message
from dashboard.services import Services
from dashboard.train.catalog import NO_LIMIT_AT_ZERO
from dashboard.web.auth import identity


def services() -> Services | None:
    """The running app's services, or None when Dash calls a layout outside a request (validation)."""
    if has_app_context():
        return current_app.extensions.get("dashboard")
    return None


def alert(message: str, color: str = "danger") -> dbc.Alert:
    """A dismissable notice; ``message`` is rendered as text (Dash escapes it)."""
    return dbc.Alert(message, color=color, dismissable=True, className="py-2 small")


def error_alert(exc: BaseException, color: str = "danger") -> dbc.Alert:
    """The one way a page shows a failure: a named error's own text, anything else a logged reference
    (:func:`dashboard.errors.user_message`); library exception text never reaches the page."""
    return alert(user_message(exc), color)


def file_drop(
    upload_id: str, received_id: str, alert_id: str, *, accept: str, label: str, purpose: str = "dataset"
) -> html.Div:
    """A ``dcc.Upload`` whose file goes straight to the server as a stream: ``assets/file_drop.js`` takes the
    file before dcc.Upload reads it, posts it to ``/_dash-upload`` and puts the answer ({token, filename,
    size}) in the ``received_id`` Store; no callback body carries the file. Progress, and a file over the
    limit (refused before a byte is sent), are shown in ``alert_id``. ``purpose`` (a dataset, a batch to
    score, labels) decides the role the upload needs and the callback that may take it."""
    app_services = services()
    limit = app_services.settings.max_upload_bytes if app_services else 200 * 2**20
    url = (get_relative_path("/_dash-upload") if has_app_context() else "/_dash-upload") + f"?purpose={purpose}"
    return html.Div(
        [
            dcc.Upload(id=upload_id, children=html.Div(label), accept=accept, multiple=False, className="upload-drop"),
            dcc.Store(id=received_id),
        ],
        className="file-drop",
        **{"data-upload-url": url, "data-max-bytes": str(limit), "data-received-id": received_id},
        **{"data-alert-id": alert_id},
    )


PICKS = {"all": "All", "none": "None", "numeric": "Numeric", "categorical": "Categorical"}


def feature_options(
    kinds: dict[str, str], wanted: tuple[str, ...] | None = None, target: str | None = None
) -> list[dict[str, Any]]:
    """Dropdown options for columns, labelled with their kind; ``title`` carries the kind for the picks.
    The ``target`` is shown but cannot be chosen: a model never takes what it predicts as an input."""
    return [
        {"label": f"{c} (the target)", "value": c, "title": k, "disabled": True}
        if c == target
        else {"label": f"{c} ({k})", "value": c, "title": k}
        for c, k in kinds.items()
        if not wanted or k in wanted
    ]


def left_out_note(left_out: dict[str, str], chosen: list[str]) -> str:
    """Why the columns not chosen by default were left out (those the user added back are not named)."""
    named = [f"{column} ({why})" for column, why in left_out.items() if column not in chosen]
    if not named:
        return ""
    return "Left out by default: " + "; ".join(named) + ". Add any of them back above if you mean to."


def pick_id(dropdown_id: str, pick: str) -> str:
    return f"{dropdown_id}-pick-{pick}"


def feature_picker(dropdown_id: str, value: list[str], options: list[dict[str, str]]) -> html.Div:
    """A searchable multi-select of columns with one-click picks (all, none, every numeric or categorical
    column): with hundreds of features nobody clicks them in one by one. The picks run in the browser
    (``dashboard.pickFeatures`` in assets/permalink.js; wired by ``callbacks.pickers``)."""
    return html.Div(
        [
            dcc.Dropdown(id=dropdown_id, value=value, multi=True, options=options, maxHeight=300),
            dbc.ButtonGroup(
                [
                    dbc.Button(label, id=pick_id(dropdown_id, pick), color="link", size="sm", className="px-1 py-0")
                    for pick, label in PICKS.items()
                ],
                className="mt-1 small",
            ),
        ]
    )


def editor_only(*children: Any) -> html.Div:
    """Controls that change saved data, hidden from a viewer (whose requests the server refuses anyway).
    Hidden, not left out: other callbacks still target these components."""
    return html.Div(list(children), hidden=not identity().can_write, className="editor-only")


def editor_tab_style() -> dict[str, str] | None:
    """A tab whose only purpose changes saved data is not shown to a viewer (an empty tab read as broken);
    like ``editor_only``, hidden rather than left out."""
    return None if identity().can_write else {"display": "none"}


# Controls a <label for> names: a Dash 4 dropdown's id is on its button, which an empty dropdown leaves
# without a name otherwise (assets/a11y.js reads a multi-select's chips into its name).
LABELLED_KINDS = frozenset({"Input", "Textarea", "Select", "Dropdown"})


def dom_id(component_id: str | dict) -> str:
    """The id attribute Dash renders: a pattern-matching id as its keys sorted, JSON without spaces."""
    if isinstance(component_id, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{json.dumps(v)}" for k, v in sorted(component_id.items())) + "}"
    return component_id


def _labelled_control(component: Any) -> Any | None:
    """The control a label placed just before ``component`` is about: the component, or the first control
    among its own children (a label beside a column holding the input and its hint)."""
    candidates = [component, *(_children(component)[:2])]
    for candidate in candidates:
        if type(candidate).__name__ in LABELLED_KINDS and getattr(candidate, "id", None) is not None:
            return candidate
    return None


def _children(component: Any) -> list:
    children = getattr(component, "children", None)
    if children is None:
        return []
    return list(children) if isinstance(children, list | tuple) else [children]


def wire_labels(root: Any) -> Any:
    """Every ``dbc.Label`` followed by the control it names gets ``html_for`` that control, so a screen
    reader (and a click on the label) finds it: the pages wrote labels beside their inputs without saying
    which, and axe-core counted 38 unlabelled controls. Returns ``root``, changed in place."""
    siblings = _children(root)
    for here, after in zip(siblings, siblings[1:], strict=False):
        if type(here).__name__ == "Label" and getattr(here, "html_for", None) is None:
            control = _labelled_control(after)
            if control is not None:
                here.html_for = dom_id(control.id)
    for child in siblings:
        if hasattr(child, "children"):
            wire_labels(child)
    return root


def accessible_page(layout: Callable[..., Any]) -> Callable[..., Any]:
    """A page's layout with its labels wired (:func:`wire_labels`); same signature, for Dash's pages."""

    @functools.wraps(layout)
    def page(*args: Any, **query: Any) -> Any:
        return wire_labels(layout(*args, **query))

    return page


LIGHT_COLOURS = frozenset({"info", "warning", "light"})  # white text on these fails WCAG AA contrast


def badge(text: str, color: str, **kwargs: Any) -> dbc.Badge:
    """A badge whose text is readable on its colour (dark on Bootstrap's light info/warning/light)."""
    return dbc.Badge(text, color=color, text_color="dark" if color in LIGHT_COLOURS else None, **kwargs)


def group_label(text: str, for_id: str) -> dbc.InputGroupText:
    """An input group's text as the input's own label (axe: every form element has one)."""
    return dbc.InputGroupText(html.Label(text, htmlFor=for_id, className="mb-0"))


def metric_badge(text: str, badge_id: str) -> dbc.Badge:
    """One figure of a result (a score, a size), as the badges every result view leads with."""
    return dbc.Badge(text, color="light", text_color="dark", className="me-2 mb-1 fs-6", id=badge_id)


SHOWN, UNSHOWN = "shown", "unshown"


def mounted_when_shown(component_id: str, children: Any, shown: bool) -> dcc.Tabs:
    """A block whose children the browser builds only while ``value`` is ``SHOWN``: a hidden ``html.Div``
    still mounts every graph in it, and Plotly draws each one invisibly (/train's 19 result graphs cost a
    first visit ~0.4 s before there was any result). ``dcc.Tabs`` renders only its selected tab's content,
    so this is a one-tab ``Tabs`` whose tab bar is never shown; callbacks still reach the components
    inside while it is unshown (they live in the layout), and their latest props show when it is."""
    return dcc.Tabs(
        id=component_id,
        value=SHOWN if shown else UNSHOWN,
        children=[dcc.Tab(value=SHOWN, children=children)],
        className="mounted-when-shown",
        parent_className="mounted-when-shown-parent",
        content_className="mounted-when-shown-content",
    )


def mounted_when_near(component_id: str, children: Any, height: str) -> dcc.Tabs:
    """A block below the fold, built when the page scrolls near it (``assets/mount_near.js``) or is printed:
    a first visit draws what is on screen. ``height`` holds its place meanwhile, so the page keeps its length
    and nothing jumps when it is built."""
    block = mounted_when_shown(component_id, children, shown=False)
    block.parent_className += " mount-when-near"
    block.parent_style = {"minHeight": height}
    return block


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


PRIMARY_METRICS = ("accuracy", "r2", "roc_auc", "silhouette", "ndcg_at_10")


def primary_metric(metrics: dict[str, Any]) -> str:
    """A model's headline figure, as its task reads it ("accuracy 0.812"), for lists of models."""
    for name in PRIMARY_METRICS:
        if isinstance(metrics.get(name), int | float):
            return f"{name} {metrics[name]:.3f}"
    return ""


def format_value(value: Any, name: str | None = None) -> str:
    """A parameter's value as a person reads it: ``max_depth`` 0 or None is "no limit", not a depth of 0."""
    if value is None or (name in NO_LIMIT_AT_ZERO and value == 0):
        return "no limit" if name in NO_LIMIT_AT_ZERO else "none"
    return f"{value:.4g}" if isinstance(value, float) else str(value)
