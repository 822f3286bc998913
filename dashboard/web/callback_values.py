"""What each control on the pages can send, checked before a callback runs.

A browser sends a dropdown's value as text, a number or a list of them, a slider's as a number, a button's
click count as a whole number. A hand-made request can send anything (a dict for a dropdown, text for a
slider, a negative click count), and the callbacks were written for what the controls send: such values
used to raise inside them and come back as a generic notice. Here a value of the wrong shape is a 400
naming the control and what it expected, before anything runs.

The shapes come from the pages themselves: every page's layout, built once in the first request, maps
each control id to its component, and the component's type (and, for an input box, its ``type``) to the
shape below. Controls a callback creates later (the Predict form's fields, pattern-matching ids) are not
in the layouts and are left to their callbacks, which treat every value as untrusted anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from numbers import Real
from typing import Any

Check = Callable[[Any], bool]


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | bool | Real)


def _number(value: Any) -> bool:
    return value is None or (isinstance(value, Real) and not isinstance(value, bool))


def _count(value: Any) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0)


def _text(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _scalars(value: Any) -> bool:
    return value is None or (isinstance(value, list) and all(_scalar(item) for item in value))


def _numbers(value: Any) -> bool:
    return value is None or (isinstance(value, list) and all(_number(item) for item in value))


def _flag(value: Any) -> bool:
    return value is None or isinstance(value, bool)


def _scalar_or_scalars(value: Any) -> bool:
    return _scalar(value) or _scalars(value)


# (component type, property) -> (check, what it expects, for the message). Types of dcc and dbc share names
# where they send the same shapes.
SHAPES: dict[tuple[str, str], tuple[Check, str]] = {
    ("Dropdown", "value"): (_scalar_or_scalars, "a value or a list of values"),
    ("Select", "value"): (_scalar, "one value"),
    ("RadioItems", "value"): (_scalar, "one value"),
    ("Checklist", "value"): (_scalars, "a list of values"),
    ("Checkbox", "value"): (_flag, "true or false"),
    ("Switch", "value"): (_flag, "true or false"),
    ("Slider", "value"): (_number, "a number"),
    ("RangeSlider", "value"): (_numbers, "a list of numbers"),
    ("Textarea", "value"): (_text, "text"),
    ("Tabs", "active_tab"): (_text, "a tab id"),
    ("Tabs", "value"): (_text, "a tab id"),
    ("Location", "pathname"): (_text, "text"),
    ("Location", "search"): (_text, "text"),
    ("Location", "hash"): (_text, "text"),
}
COUNTS = frozenset({"n_clicks", "n_submit", "n_blur", "n_intervals", "submit_n_clicks", "cancel_n_clicks"})
NUMBER_INPUT: tuple[Check, str] = (lambda value: value == "" or _number(value), "a number")  # "": cleared
TEXT_INPUT: tuple[Check, str] = (_scalar, "text")  # a text box's value, numbers included (Dash may coerce)


def shape_of(component: Any, prop: str) -> tuple[Check, str] | None:
    kind = type(component).__name__
    if prop in COUNTS:
        return _count, "a whole number of clicks"
    if kind == "Input" and prop == "value":
        return NUMBER_INPUT if getattr(component, "type", None) in ("number", "range") else TEXT_INPUT
    return SHAPES.get((kind, prop))


def controls(layouts: Iterable[Any]) -> dict[str, Any]:
    """Every component with a plain string id in the given layouts, by id."""
    found: dict[str, Any] = {}
    for layout in layouts:
        for component in layout._traverse():
            component_id = getattr(component, "id", None)
            if isinstance(component_id, str):
                found.setdefault(component_id, component)
    return found


def problem(entries: list, known: dict[str, Any]) -> tuple[str, str] | None:
    """``(field, message)`` for the first entry whose value a control of its kind cannot send, or None."""
    for entry in entries:
        for item in entry if isinstance(entry, list) else [entry]:
            component = known.get(item["id"]) if isinstance(item["id"], str) else None
            shape = shape_of(component, item["property"]) if component is not None else None
            if shape is None or "value" not in item:
                continue
            check, expected = shape
            if not check(item["value"]):
                field = f"{item['id']}.{item['property']}"
                return field, f"expected {expected} from this {type(component).__name__}"
    return None
