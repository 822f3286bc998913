"""A value no control could send is a 400 naming the control, for every checked input of every callback;
the values the pages themselves start with all pass."""

from __future__ import annotations

import json

import dash
import pytest
from plotly.utils import PlotlyJSONEncoder

from dashboard.web import callback_values
from tests.unit.web.test_auth import log_in, write_callback


def _page_controls(app) -> dict:
    with app.server.test_request_context("/"):
        pages = [page["layout"]() for page in dash.page_registry.values()]
        return callback_values.controls([app.layout() if callable(app.layout) else app.layout, *pages])


def _checked_entries(app, known):
    """(output key, part, index, component, property) for every input or state whose value is checked."""
    for key, spec in app.callback_map.items():
        for part in ("inputs", "state"):
            for index, item in enumerate(spec.get(part, [])):
                component = known.get(item["id"]) if isinstance(item["id"], str) else None
                if component is not None and callback_values.shape_of(component, item["property"]):
                    yield key, part, index, component, item["property"]


def outputs_of(key: str) -> list[dict] | dict:
    """The ``outputs`` entry dash-renderer sends for a callback key (several outputs: a list)."""
    if not key.startswith(".."):
        return dict(zip(("id", "property"), key.rsplit(".", 1), strict=True))
    return [outputs_of(part) for part in key[2:-2].split("...")]


def _body(app, key, known, replace=None):
    spec = app.callback_map[key]
    body = {"output": key, "outputs": outputs_of(key), "changedPropIds": []}
    for part in ("inputs", "state"):
        entries = []
        for index, item in enumerate(spec.get(part, [])):
            entry = {"id": item["id"], "property": item["property"]}
            component = known.get(item["id"]) if isinstance(item["id"], str) else None
            if component is not None and getattr(component, item["property"], None) is not None:
                # as the browser sends it: JSON (a figure the layout drew on the server is a plotly object here)
                value = getattr(component, item["property"])
                entry["value"] = json.loads(json.dumps(value, cls=PlotlyJSONEncoder))
            if replace and replace[0] == (part, index):
                entry["value"] = replace[1]
            entries.append(entry)
        body[part] = entries
    return body


@pytest.mark.parametrize("bad", [{"$ne": 1}, [[1]], "x" * 3], ids=["object", "nested-list", "text"])
def test_a_value_no_control_sends_is_refused_naming_the_control(app, client, bad):
    known = _page_controls(app)
    entries = list(_checked_entries(app, known))
    assert len(entries) > 150  # dropdowns, sliders, inputs, buttons on every page
    refused = 0
    for key, part, index, component, prop in entries:
        check, _expected = callback_values.shape_of(component, prop)
        if check(bad):
            continue  # text is a fine value for a text box or a dropdown
        response = client.post("/_dash-update-component", json=_body(app, key, known, ((part, index), bad)))
        assert response.status_code == 400, (key, component.id, prop)
        error = response.json["error"]
        assert error["code"] == "bad_callback_request" and error["field"] == f"{component.id}.{prop}"
        refused += 1
    assert refused > 50
    assert client.get("/api/health").status_code == 200


def test_what_the_pages_start_with_passes_every_check(app):
    known = _page_controls(app)
    checked = 0
    for component_id, component in known.items():
        for prop in component._prop_names:
            shape = callback_values.shape_of(component, prop)
            value = getattr(component, prop, None)
            if shape is not None and value is not None:
                assert shape[0](value), (component_id, prop, value)
                checked += 1
    assert checked > 50


@pytest.mark.parametrize(
    "kind, prop, good, bad",
    [
        ("Dropdown", "value", [["a", 1, True], "a", 2.5, None], [{"a": 1}, [["a"]]]),
        ("Checklist", "value", [[], ["a", 2], None], ["a", [{}]]),
        ("Slider", "value", [3, 0.5, None], ["3", True, [1]]),
        ("RangeSlider", "value", [[1, 2], None], [[1, "2"], 3]),
        ("Checkbox", "value", [True, False, None], ["yes", 1]),
        ("Button", "n_clicks", [0, 7, None], [-1, 1.5, True, "3"]),
    ],
)
def test_each_kind_of_control_accepts_what_a_browser_sends(kind, prop, good, bad):
    component = type(kind, (), {})()
    check, _ = callback_values.shape_of(component, prop)
    assert all(check(value) for value in good)
    assert not any(check(value) for value in bad)


def test_a_number_box_takes_numbers_and_a_cleared_box_and_a_text_box_takes_text():
    number_box = type("Input", (), {"type": "number"})()
    text_box = type("Input", (), {"type": "text"})()
    number, _ = callback_values.shape_of(number_box, "value")
    text, _ = callback_values.shape_of(text_box, "value")
    assert number(3) and number(0.25) and number(None) and number("")
    assert not number("3") and not number([3]) and not number(True)
    assert text("Smith, J.") and text(5) and not text({"a": 1})


def test_write_controls_are_checked_even_when_a_viewer_asks_first(login_app, monkeypatch):  # noqa: F811
    """Pages drawn for a viewer may leave write controls out (here /models does, as a page could): the map
    is drawn as an editor sees the pages, whoever asks first, so those controls are still checked."""
    from dash import html

    import layouts.models
    from dashboard.web.auth import identity

    def left_out_for_viewers(*children):
        return html.Div(list(children) if identity().can_write else [])

    monkeypatch.setattr(layouts.models, "editor_only", left_out_for_viewers)
    viewer, editor = login_app.server.test_client(), login_app.server.test_client()
    log_in(viewer, "vera", "viewer-pass")
    read_key = next(iter(login_app.callback_map))
    viewer.post("/_dash-update-component", json={"output": read_key, "outputs": [], "inputs": []})
    log_in(editor, "ed", "editor-pass")
    key = write_callback(login_app, "models-alias-button")
    spec = login_app.callback_map[key]
    body = {
        "output": key,
        "outputs": outputs_of(key),
        "inputs": [{**item, "value": -1 if item["id"] == "models-alias-button" else None} for item in spec["inputs"]],
        "state": [dict(item) for item in spec["state"]],
        "changedPropIds": [],
    }
    refused = editor.post("/_dash-update-component", json=body)
    assert refused.status_code == 400 and refused.json["error"]["field"] == "models-alias-button.n_clicks"
