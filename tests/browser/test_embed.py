"""Embed mode: the explorer inside an iframe on a page from another origin (another port)."""

import pytest

from dashboard import create_app
from layouts.explorer_ids import ExplorerIds
from layouts.shell_ids import ShellIds
from tests.browser.helpers import free_port, serve_folder, wait_for_explorer, wait_until
from tests.conftest import make_settings

pytestmark = pytest.mark.browser

REPORT = """<!doctype html><html><head><title>report</title><link rel="icon" href="data:,"></head><body>
<h1>Quarterly report</h1><div id="height">none</div>
<iframe id="view" src="{src}" style="width:100%;border:0;height:300px"></iframe>
<script>
window.addEventListener("message", function (event) {{
  if (event.data && event.data.type === "dashboard:height") {{
    document.getElementById("height").textContent = String(event.data.height);
    document.getElementById("view").style.height = event.data.height + "px";
  }}
}});
</script></body></html>"""


def test_embed_view_in_cross_origin_iframe(dash_duo, tmp_path):
    report_port = free_port()
    app = create_app(make_settings(tmp_path, frame_ancestors=(f"http://127.0.0.1:{report_port}",)))
    dash_duo.start_server(app)
    src = f"{dash_duo.server_url}/data?dataset=titanic&column=Age&embed=1"
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text(REPORT.format(src=src))
    server = serve_folder(tmp_path / "site", report_port)
    try:
        dash_duo.driver.get(f"http://127.0.0.1:{report_port}/index.html")
        # The parent receives the content height by postMessage and sizes the iframe with it.
        wait_until(
            dash_duo,
            lambda d: int(d.find_element("id", "height").text.replace("none", "0")) > 1000,
            timeout=20,
            msg="no content-height message from the iframe",
        )
        dash_duo.driver.switch_to.frame("view")
        wait_for_explorer(dash_duo, "1,309")
        assert not dash_duo.find_element(f"#{ShellIds.NAVBAR}").is_displayed()
        assert not dash_duo.find_element(f"#{ExplorerIds.UPLOAD}").is_displayed()
        dash_duo.wait_for_contains_text(f"#{ExplorerIds.DISTRIBUTION_GRAPH} .xtitle", "Age")
        dash_duo.driver.switch_to.default_content()
        assert dash_duo.get_logs() == []
    finally:
        server.shutdown()


def test_embed_is_refused_by_an_origin_not_on_the_list(client):
    # Browsers enforce frame-ancestors; the header is the contract (checked with the test client).
    policy = client.get("/data?embed=1").headers["Content-Security-Policy"].split("; ")
    assert "frame-ancestors 'self'" in policy
