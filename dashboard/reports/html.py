"""One self-contained HTML file: plotly.js inlined once (the file opens offline, figures keep hover, zoom and
legend), each figure's JSON, tables and text escaped, and a header naming where it came from. It holds what the
view shows (aggregated results), never the dataset's rows."""

from __future__ import annotations

import functools
import html
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto; max-width: 1100px;
       color: #212529; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin-top: 1.5rem; } .view { border-top: 2px solid #dee2e6; margin-top: 2.5rem; }
.user-note { border-left: 3px solid #0d6efd; padding: .3rem .8rem; background: #f1f6ff; white-space: pre-wrap; }
.source { color: #6c757d; font-size: .85rem; } .source dt { font-weight: 600; float: left; clear: left; width: 9rem; }
.source dd { margin-left: 9.5rem; word-break: break-all; }
table { border-collapse: collapse; font-size: .85rem; margin: .5rem 0; }
th, td { border-bottom: 1px solid #dee2e6; padding: .25rem .6rem; text-align: left; }
.figure { width: 100%; min-height: 380px; } .note { color: #6c757d; font-size: .85rem; }
@media print {
  .figure, .keep { break-inside: avoid; } .view { break-before: page; border: 0; margin: 0; }
  table { font-size: .7rem; }
  .view:first-of-type { break-before: auto; } .modebar-container { display: none !important; }
}
"""


@dataclass
class Section:
    title: str
    figures: list[Any] = field(default_factory=list)  # plotly figures (go.Figure or their dicts)
    table: tuple[list[str], list[list[Any]]] | None = None  # header, rows
    note: str | None = None


VENDOR = Path(__file__).parent / "vendor" / "plotly-cartesian.min.js"
CARTESIAN_TRACES = frozenset(
    ("bar", "box", "contour", "heatmap", "histogram", "histogram2d", "histogram2dcontour", "image", "pie")
    + ("scatter", "scatterternary", "violin")
)


@functools.cache
def plotly_js(cartesian: bool = False) -> str:
    """plotly.js to inline once, minified: plotly's cartesian bundle (1.5 MB, vendored) when ``cartesian`` and
    it is the installed plotly's version, else the full bundle plotly ships (4.8 MB)."""
    from plotly.offline import get_plotlyjs, get_plotlyjs_version

    if cartesian:
        bundle = VENDOR.read_text(encoding="utf-8")
        if f" v{get_plotlyjs_version()}\n" in bundle[:200]:
            return bundle
    return get_plotlyjs()


def _bundle_for(figures: list[Any]) -> str:
    """The smallest bundle that draws every figure: the cartesian one unless a trace needs more (WebGL, maps)."""
    types = set()
    for figure in figures:
        spec = figure.to_plotly_json() if hasattr(figure, "to_plotly_json") else figure
        types.update(trace.get("type") or "scatter" for trace in spec.get("data", []))
    return plotly_js(cartesian=types <= CARTESIAN_TRACES)


def render(title: str, source: dict[str, str], sections: list[Section]) -> str:
    """The HTML file: a title, the source (dataset fingerprint, model, permalink, time, app version), sections."""
    body = [_heading(1, title), _facts(source), *_sections(sections, itertools.count(1), 2)]
    return _document(title, body, _bundle_for([f for section in sections for f in section.figures]))


@dataclass
class Part:
    """One pinned view of a report: its heading, where it came from, the user's note, what it shows."""

    title: str
    source: dict[str, str]
    sections: list[Section]
    note: str = ""


def render_report(title: str, facts: dict[str, str], parts: list[Part]) -> str:
    """Several views in one file, plotly.js once: each view's heading, source and note, then its sections."""
    numbers = itertools.count(1)
    body = [_heading(1, title), _facts(facts)]
    for index, part in enumerate(parts, start=1):
        body += [f'<section class="view">{_heading(2, f"{index}. {part.title}")}', _facts(part.source)]
        if part.note:
            body.append(f'<p class="user-note">{html.escape(part.note)}</p>')
        body += [*_sections(part.sections, numbers, 3), "</section>"]
    figures = [f for part in parts for section in part.sections for f in section.figures]
    return _document(title, body, _bundle_for(figures))


def _document(title: str, body: list[str], plotly: str) -> str:
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{html.escape(title)}</title>",
            f"<style>{STYLE}</style>",
            f"<script>{plotly}</script>",
            "</head><body>",
            *body,
            "</body></html>",
        ]
    )


def _heading(level: int, text: str) -> str:
    return f"<h{level}>{html.escape(text)}</h{level}>"


def _facts(source: dict[str, str]) -> str:
    items = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(str(v))}</dd>" for k, v in source.items())
    return f'<dl class="source">{items}</dl>'


def _sections(sections: list[Section], numbers: Iterator[int], level: int) -> list[str]:
    """Each section's heading is kept on one printed page with what follows it (its note, table and first
    figure): a heading alone at the foot of a page, its figure overleaf, reads as a missing figure."""
    parts = []
    for section in sections:
        head = [_heading(level, section.title)]
        if section.note:
            head.append(f'<p class="note">{html.escape(section.note)}</p>')
        if section.table is not None:
            head.append(_table(*section.table))
        figures = [_figure(f"figure-{next(numbers)}", figure) for figure in section.figures]
        parts.append('<div class="keep">' + "".join(head + figures[:1]) + "</div>")
        parts.extend(figures[1:])
    return parts


def _table(header: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figure(element_id: str, figure: Any) -> str:
    """A div and the script that draws it; the JSON is made safe inside <script>: every "<" is written as its
    JSON escape, so no name in a figure can close the script or open a tag."""
    spec = figure.to_plotly_json() if hasattr(figure, "to_plotly_json") else figure
    from plotly.utils import PlotlyJSONEncoder

    payload = json.dumps({"data": spec.get("data", []), "layout": spec.get("layout", {})}, cls=PlotlyJSONEncoder)
    payload = payload.replace("<", "\\u003c")  # only inside JSON strings: no markup a name holds reaches the page
    return (
        f'<div id="{element_id}" class="figure"></div>'
        f"<script>(function () {{ var f = {payload}; "
        f'Plotly.newPlot("{element_id}", f.data, f.layout, {{displaylogo: false, responsive: true}}); }})();</script>'
    )
