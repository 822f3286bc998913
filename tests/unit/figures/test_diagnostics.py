"""Diagnostic figures say what the numbers say: equal values get one colour, intervals are drawn as given,
a group with too few rows is told apart."""

import numpy as np
import pytest

from dashboard.figures.diagnostics import FEW_ROWS_COLOUR, _value_colours, subgroup_figure


def test_equal_values_share_a_colour_and_missing_ones_are_grey():
    colours = _value_colours(np.array([0.0, 0.0, 0.0, 1.0, 2.0, np.nan]))["color"]
    assert colours[0] == colours[1] == colours[2] != colours[3] != colours[4]
    assert colours[5] == "#868e96"


def test_subgroup_bars_carry_their_intervals_and_mark_small_groups():
    groups = [
        {"group": "a", "rows": 100, "few": False, "values": {"tpr": 0.5}, "intervals": {"tpr": (0.4, 0.62)}},
        {"group": "b", "rows": 12, "few": True, "values": {"tpr": 0.25}, "intervals": {"tpr": (0.09, 0.53)}},
    ]
    gap = {"gap": 0.25, "ratio": 0.5, "lowest": "b", "highest": "a"}
    bar = subgroup_figure(groups, "tpr", "true positive rate", gap)
    trace = bar.data[0]
    assert list(trace.y) == ["b", "a"]  # the largest group at the top
    assert list(trace.error_x.array) == pytest.approx([0.28, 0.12])
    assert list(trace.error_x.arrayminus) == pytest.approx([0.16, 0.10])
    assert trace.marker.color[0] == FEW_ROWS_COLOUR
    assert "largest gap 0.250" in bar.layout.title.text.replace("<br>", " ")
