"""A newcomer's first visit to each page in headless Chromium, against a one-graph Dash app in the same run:
bytes on the wire (every response's ``transferSize``: headers plus the body as sent, compressed or not),
and seconds until the page is fully rendered (no callback pending, every graph drawn), cold (a new browser
profile, nothing cached) and warm (the same browser opening the page again). ``python -m bench firstvisit``.

``BENCH_TREE=/path/to/an/old/checkout`` measures that tree's app instead (before/after figures).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import requests

from bench.browser import PENDING, _chromium, _wait
from bench.harness import serve_app, write_results

PAGES = ["/", "/data", "/train", "/clusters", "/recommend", "/models", "/predict", "/runs"]
TRANSFERRED = """
var entries = performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'));
return entries.reduce(function (sum, e) { return sum + (e.transferSize || 0); }, 0);
"""
CONTENT_IN = """
var pages = document.getElementById('_pages_content');
return pages === null ? !!document.querySelector('#react-entry-point *') : pages.children.length > 0;
"""
GRAPHS_DRAWN = """
var graphs = Array.prototype.filter.call(document.querySelectorAll('.dash-graph'), function (g) {
  return g.offsetParent !== null;
});
return graphs.every(function (g) { return g.querySelector('.main-svg') !== null; });
"""
ONE_GRAPH_APP = textwrap.dedent(
    """
    import sys
    import plotly.express as px
    from dash import Dash, dcc, html
    app = Dash(__name__)
    figure = px.scatter(px.data.iris(), x="sepal_width", y="sepal_length")
    app.layout = html.Div([html.H1("One graph"), dcc.Graph(figure=figure)])
    app.run(port=int(sys.argv[1]), debug=False)
    """
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _one_graph_app(root: Path) -> tuple[subprocess.Popen, str]:
    script = root / "one_graph.py"
    script.write_text(ONE_GRAPH_APP)
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, str(script), str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if requests.get(base, timeout=2).ok:
                return process, base
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the one-graph app did not start")


def _settled(driver) -> bool:
    """The page's content is in (Dash pages renders it by a callback), no callback is pending, every graph
    shown is drawn, and it stays so for 0.3 s (a callback's answer can start the next one)."""

    def now() -> bool:
        return (
            driver.execute_script(CONTENT_IN)
            and driver.execute_script(PENDING) == 0
            and driver.execute_script(GRAPHS_DRAWN)
        )

    if not now():
        return False
    time.sleep(0.3)
    return now()


def visit(url: str) -> dict:
    """A cold visit in a new browser, then a warm one in the same browser."""
    driver = _chromium()
    try:
        start = time.perf_counter()
        driver.get(url)
        _wait(driver, lambda: driver.execute_script("return !!window.store") and _settled(driver))
        cold = time.perf_counter() - start
        sent = driver.execute_script(TRANSFERRED)
        start = time.perf_counter()
        driver.get(url)
        _wait(driver, lambda: driver.execute_script("return !!window.store") and _settled(driver))
        warm = time.perf_counter() - start
    finally:
        driver.quit()
    return {"bytes": sent, "cold_s": cold, "warm_s": warm}


def run() -> dict:
    root = Path(tempfile.mkdtemp(prefix="bench-firstvisit-"))
    tree = os.environ.get("BENCH_TREE")
    app, base = serve_app(root, Path(tree) if tree else None, demo_models="true")
    peer, peer_base = _one_graph_app(root)
    try:
        _wait_for_demo_models(base)
        for page in PAGES:  # the first-ever summaries are computed once, not in the figures
            visit(base + page)
        baseline = [visit(peer_base) for _ in range(3)]
        best = {k: min(b[k] for b in baseline) for k in ("bytes", "cold_s", "warm_s")}
        print(f"\nfirst visits in headless Chromium on loopback ({'tree ' + tree if tree else 'this tree'})")
        print(
            f"  one-graph Dash app: {best['bytes'] / 1e6:5.2f} MB, "
            f"cold {best['cold_s']:.2f} s, warm {best['warm_s']:.2f} s"
        )
        rows = []
        for page in PAGES:
            runs = [visit(base + page) for _ in range(3)]
            row = {"page": page, **{k: min(r[k] for r in runs) for k in ("bytes", "cold_s", "warm_s")}}
            row["cold_ratio"], row["warm_ratio"] = row["cold_s"] / best["cold_s"], row["warm_s"] / best["warm_s"]
            rows.append(row)
            print(
                f"  {page:10s} {row['bytes'] / 1e6:5.2f} MB, cold {row['cold_s']:.2f} s ({row['cold_ratio']:.2f}x), "
                f"warm {row['warm_s']:.2f} s ({row['warm_ratio']:.2f}x)"
            )
    finally:
        for process in (app, peer):
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)
    write_results("firstvisit", {"tree": tree or "", "one_graph": best, "pages": rows})
    return {"one_graph": best, "pages": rows}


def _wait_for_demo_models(base: str, timeout: float = 600) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if len(requests.get(f"{base}/api/models", timeout=10).json().get("models", [])) >= 3:
            return
        time.sleep(1)
    raise RuntimeError("the demo models were not trained in time")
