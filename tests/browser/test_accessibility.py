"""Every page, opened cold and directly (a new browser, its URL), renders completely (every figure shown has
data or says why it is empty: no bare axes), passes axe-core's WCAG 2.1 A/AA checks with no critical or
serious violation, and its console stays clean.

axe-core (MPL-2.0) comes from the npm registry as the pinned tarball, checked against its published
sha512, once per virtualenv: the test machine reaches the registries, not a CDN.
"""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

import pytest

from tests.browser.helpers import reveal, wait_for_app_ready, wait_until

pytestmark = pytest.mark.browser

AXE_VERSION = "4.14.1"
AXE_URL = f"https://registry.npmjs.org/axe-core/-/axe-core-{AXE_VERSION}.tgz"
AXE_SHA512 = "FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
FIGURELESS = {"/", "/models", "/reports", "/runs"}  # pages with no figure until something is chosen or run
PAGES = ["/", "/data", "/train", "/runs", "/clusters", "/recommend", "/models", "/predict", "/reports"]
# Left as found: Dash 4's multi-select cuts its chips at its edge and axe then reads the cut chips as the
# visible text, which no name can contain in order (see docs/user-guide.md, "First visit: weight and accessibility").
KNOWN = {
    ("label-content-name-mismatch", "#train-features-dropdown"),
    ("label-content-name-mismatch", "#cluster-features-dropdown"),
}
ALL_DRAWN = """
return Array.prototype.every.call(document.querySelectorAll(".dash-graph"), function (graph) {
  return graph.offsetParent === null || graph.querySelector(".main-svg") !== null;
}) && document.querySelectorAll(".js-plotly-plot").length > 0;
"""
BARE_FIGURES = """
return Array.prototype.filter.call(document.querySelectorAll(".js-plotly-plot"), function (plot) {
  if (plot.offsetParent === null) { return false; }  // not shown (a closed tab, a hidden panel)
  var drawn = (plot.data || []).some(function (trace) {  // arrays, or numpy's as base64 ({dtype, bdata})
    return ["x", "y", "z", "values", "dimensions", "lat"].some(function (k) {
      return trace[k] && (trace[k].length || trace[k].bdata);
    });
  });
  var said = ((plot.layout || {}).annotations || []).some(function (note) { return note.text; });
  return !drawn && !said;
}).map(function (plot) { return plot.closest("[id]").id; });
"""
RUN_AXE = """
var done = arguments[0];
var only = {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}};
axe.run(document, only).then(function (r) {
  done(r.violations.map(function (v) {
    var targets = v.nodes.map(function (n) { return n.target.join(" "); });
    return {id: v.id, impact: v.impact, help: v.help, targets: targets};
  }));
});
"""


def axe_source() -> str:
    cached = Path(sys.prefix) / "share" / f"axe-core-{AXE_VERSION}.min.js"
    if not cached.exists():
        tarball = urllib.request.urlopen(AXE_URL, timeout=60).read()  # noqa: S310 - a pinned https URL
        digest = base64.b64encode(hashlib.sha512(tarball).digest()).decode()
        assert digest == AXE_SHA512, "the axe-core tarball is not the published one"
        with tarfile.open(fileobj=io.BytesIO(tarball)) as archive:
            source = archive.extractfile("package/axe.min.js").read()
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(source)
    return cached.read_text()


@pytest.fixture(scope="module")
def axe() -> str:
    return axe_source()


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_a_cold_direct_load_and_passes_axe_core(dash_duo, app, demo_models, axe, page):
    dash_duo.start_server(app, navigate=False)
    dash_duo.driver.get(dash_duo.server.url + page)
    wait_for_app_ready(dash_duo)
    reveal(dash_duo)  # the blocks built only when scrolled to are checked too
    if page not in FIGURELESS:
        wait_until(dash_duo, lambda d: d.execute_script(ALL_DRAWN), 30, "the page's figures were not drawn")
    assert dash_duo.driver.execute_script(BARE_FIGURES) == []
    dash_duo.driver.execute_script(axe)
    violations = dash_duo.driver.execute_async_script(RUN_AXE)
    blocking = [
        (v["id"], target, v["help"])
        for v in violations
        if v["impact"] in ("critical", "serious")
        for target in v["targets"]
        if (v["id"], target) not in KNOWN
    ]
    assert blocking == []
    assert dash_duo.get_logs() == []
