"""What every figure starts from: the template, titles below the modebar (wrapped, never cut), SVG or
WebGL by point count, a message in place of a chart, numbers in SI form."""

from __future__ import annotations

import copy
import functools
import textwrap

import plotly.graph_objects as go
import plotly.io as pio


def _use_our_template() -> None:
    """The template is set as plotly's default rather than per figure: passing ``template=`` validates and
    deep-copies the whole template on every figure (~25 ms each); the default is attached at serialisation
    for ~1 ms. Set at the first figure, not at import: loading it costs 0.1 s that every start would pay.
    Every figure here starts from ``_base``. Assigned only when it differs: the assignment itself validates
    and deep-copies the template (~20 ms), and /train's layout alone makes 22 figures."""
    if pio.templates.default != "plotly_white":
        pio.templates.default = "plotly_white"


MODEBAR_BAND = 30  # px at the top of a figure where Plotly's modebar appears on hover
TITLED_TOP = 78  # a title below the modebar's band (and a gap), and its line
TITLE_LINE = 22  # px of each further title line
# Plotly never wraps a title and cuts it at the figure's edge; figures sit in half-width columns (~420 px
# at 1280 px, ~40 characters of the title font), so a longer title is broken into lines at spaces.
TITLE_CHARS = 44


def wrapped_title(text: str, width: int = TITLE_CHARS) -> list[str]:
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [text]


def base_figure(title: str | None = None, **layout) -> go.Figure:
    """Every figure starts here. A title sits below the band where the modebar appears, so the modebar
    never covers it (it did on the coefficient, TPE and cluster-profile charts), on as many lines as it
    needs."""
    _use_our_template()
    figure = go.Figure()
    margin = dict(layout.pop("margin", None) or dict(l=50, r=20, t=20, b=40))
    if title:
        lines = wrapped_title(title)
        margin["t"] = max(margin.get("t", 0), TITLED_TOP + TITLE_LINE * (len(lines) - 1))
        title = dict(text="<br>".join(lines), y=1, yref="container", yanchor="top", pad=dict(t=MODEBAR_BAND + 10))
    figure.update_layout(title=title, margin=margin, **layout)
    return figure


SVG_POINT_BUDGET = 5_000  # below it SVG (works everywhere); above it WebGL (fast, but absent in some VMs)


def add_points(figure: go.Figure, total: int, **trace) -> None:
    """A marker trace as SVG when the figure's ``total`` points are few, as WebGL when they are many: a
    browser without WebGL (a VM, a remote desktop) showed an error box even for 506 points."""
    if total > SVG_POINT_BUDGET:
        figure.add_scattergl(**trace)
    else:
        figure.add_scatter(**trace)


def message_figure(text: str) -> go.Figure:
    """A chart's place holding a sentence. Built once per sentence and copied unvalidated: /train's layout
    draws 22 of them, which cost 50 ms a page validated one by one."""
    return go.Figure(copy.deepcopy(_message_figure_json(text)), _validate=False)


@functools.lru_cache(maxsize=256)
def _message_figure_json(text: str) -> dict:
    figure = base_figure(xaxis=dict(visible=False), yaxis=dict(visible=False))
    figure.add_annotation(text=text, showarrow=False, font=dict(size=14), x=0.5, y=0.5, xref="paper", yref="paper")
    return figure.to_plotly_json()


def short_number(value: float, signed: bool = False) -> str:
    """A label that fits beside a bar: 4 significant digits, and k/M/G from ten thousand on
    (``294,100`` reads ``294.1k``, where ``.4g`` gave ``2.941e+05``, cut to ``2.941`` at the plot's edge)."""
    sign = "+" if signed and value >= 0 else ""
    for divisor, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= max(divisor, 1e4):
            return f"{sign}{value / divisor:.4g}{suffix}"
    if abs(value) >= 1e3:  # .4g would write 9,999.5 as 1e+04
        return f"{sign}{value:,.0f}"
    return f"{sign}{value:.4g}"
