"""Every component id a callback names is drawn by the shell or some page's layout, or is declared here as
drawn by a callback. Dash's own check (``suppress_callback_exceptions=False``) would send every page's layout
to every browser on every first visit (its ``validation_layout``); this is the same check, at test time."""

from __future__ import annotations

import json

import dash
from dash.development.base_component import Component

# ids that a callback draws with its result (so no layout holds them), and which callback
DRAWN_BY_CALLBACKS = {
    "explorer-profile-grid": "the profile grid, drawn with its columns by the dataset summary",
    "predict-field-picker": "a wide model's field picker (more inputs than one form page), drawn with its form",
    "type:reports-view-note": "a pinned view's note, drawn with the chosen report's views (and by a move)",
    "type:reports-view-move": "a pinned view's move and remove buttons, drawn with the chosen report's views",
}


def _ids(node, found: set[str]) -> None:
    if isinstance(node, list | tuple):
        for child in node:
            _ids(child, found)
        return
    if not isinstance(node, Component):
        return
    component_id = getattr(node, "id", None)
    if isinstance(component_id, dict):
        found.add("type:" + str(component_id.get("type")))
    elif component_id is not None:
        found.add(component_id)
    for prop in node._prop_names:
        value = getattr(node, prop, None)
        if isinstance(value, Component | list | tuple):
            _ids(value, found)


def _named_by_callbacks(app) -> set[str]:
    named = set()
    for key, callback in app.callback_map.items():
        outputs = [output.rsplit(".", 1)[0] for output in key.strip(".").split("...")]
        for component_id in outputs + [d["id"] for d in callback["inputs"] + callback.get("state", [])]:
            named.add("type:" + json.loads(component_id)["type"] if component_id.startswith("{") else component_id)
    return named


def test_every_id_a_callback_names_is_in_a_layout(app, demo_models):
    drawn: set[str] = set()
    with app.server.test_request_context("/"):
        _ids(app.layout() if callable(app.layout) else app.layout, drawn)
        for page in dash.page_registry.values():
            _ids(page["layout"](), drawn)
    named = _named_by_callbacks(app)
    assert len(named) > 200  # the check sees the app's callbacks, not an empty map
    assert sorted(named - drawn - set(DRAWN_BY_CALLBACKS)) == []
    assert set(DRAWN_BY_CALLBACKS) <= named  # nothing declared here that no callback names
