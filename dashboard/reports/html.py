"""One self-contained HTML file: plotly.js inlined once (the file opens offline, figures keep hover, zoom and
legend), each figure's JSON, tables and text escaped, and a header naming where it came from. It holds what the
view shows (aggregated results), never the dataset's rows."""

from __future__ import annotations

import functools
import html
import json
from dataclasses import dataclass, field
from typing import Any

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto; max-width: 1100px;
       color: #212529; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
.source { color: #6c757d; font-size: .85rem; } .source dt { font-weight: 600; float: left; clear: left; width: 9rem; }
.source dd { margin-left: 9.5rem; word-break: break-all; }
table { border-collapse: collapse; font-size: .85rem; margin: .5rem 0; }
th, td { border-bottom: 1px solid #dee2e6; padding: .25rem .6rem; text-align: left; }
.figure { width: 100%; min-height: 380px; } .note { color: #6c757d; font-size: .85rem; }
@media print { .figure { break-inside: avoid; } }
"""


@dataclass
class Section:
    title: str
    figures: list[Any] = field(default_factory=list)  # plotly figures (go.Figure or their dicts)
    table: tuple[list[str], list[list[Any]]] | None = None  # header, rows
    note: str | None = None


@functools.cache
def plotly_js() -> str:
    """plotly.js as the installed plotly ships it, minified, to be inlined once."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def render(title: str, source: dict[str, str], sections: list[Section]) -> str:
    """The HTML file: a title, the source (dataset fingerprint, model, permalink, time, app version), sections."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{STYLE}</style>",
        f"<script>{plotly_js()}</script>",
        "</head><body>",
        f"<h1>{html.escape(title)}</h1>",
        '<dl class="source">',
        *(f"<dt>{html.escape(k)}</dt><dd>{html.escape(str(v))}</dd>" for k, v in source.items()),
        "</dl>",
    ]
    count = 0
    for section in sections:
        parts.append(f"<h2>{html.escape(section.title)}</h2>")
        if section.note:
            parts.append(f'<p class="note">{html.escape(section.note)}</p>')
        if section.table is not None:
            parts.append(_table(*section.table))
        for figure in section.figures:
            count += 1
            parts.append(_figure(f"figure-{count}", figure))
    parts.append("</body></html>")
    return "\n".join(parts)


def _table(header: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figure(element_id: str, figure: Any) -> str:
    """A div and the script that draws it; the JSON is made safe inside <script> (no "</" can close it)."""
    spec = figure.to_plotly_json() if hasattr(figure, "to_plotly_json") else figure
    from plotly.utils import PlotlyJSONEncoder

    payload = json.dumps({"data": spec.get("data", []), "layout": spec.get("layout", {})}, cls=PlotlyJSONEncoder)
    payload = payload.replace("</", "<\\/").replace("<!--", "<\\!--")
    return (
        f'<div id="{element_id}" class="figure"></div>'
        f"<script>(function () {{ var f = {payload}; "
        f'Plotly.newPlot("{element_id}", f.data, f.layout, {{displaylogo: false, responsive: true}}); }})();</script>'
    )
