"""An exported view opened in Chromium with the network off: every figure renders from the file alone and the
console stays clean (a request leaving the file would fail and log); the Train page links to its export."""

import os
from urllib.parse import unquote

import pytest

from layouts.explorer_ids import ExplorerIds
from layouts.train_ids import TrainIds
from layouts.widgets import export_pdf_id
from tests.browser.helpers import wait_for_app_ready, wait_until
from tests.unit.helpers import SMALL_RUN_QUERY, small_run

pytestmark = pytest.mark.browser

QUERY = SMALL_RUN_QUERY + "&by=Sex"
SPEC = small_run()


def open_offline(dash_duo, app, link: str, exported) -> int:
    """The export ``link`` names, saved to ``exported`` and opened with the network off; waits for every figure
    to be drawn from the file alone and answers how many there are."""
    page = app.server.test_client().get(link.partition(dash_duo.server.url)[2]).get_data(as_text=True)
    exported.write_text(page)
    figures = page.count('class="figure"')
    dash_duo.driver.execute_cdp_cmd("Network.enable", {})
    dash_duo.driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0},
    )
    dash_duo.driver.get(exported.as_uri())
    wait_until(
        dash_duo,
        lambda d: d.execute_script("return document.querySelectorAll('.js-plotly-plot .main-svg').length") >= figures,
        msg="not every figure rendered offline",
    )
    return figures


def test_the_export_renders_offline_and_the_page_links_to_it(dash_duo, app, tmp_path):
    _, result, _ = app.server.extensions["dashboard"].training.run(SPEC)
    dash_duo.start_server(app, navigate=False)
    dash_duo.driver.get(f"{dash_duo.server.url}/train?{QUERY}")
    wait_for_app_ready(dash_duo)
    link = wait_until(
        dash_duo,
        lambda d: (
            (d.find_element("id", TrainIds.EXPORT_LINK).get_attribute("href") or "").find("/api/export") >= 0
            and d.find_element("id", TrainIds.EXPORT_LINK).get_attribute("href")
        ),
        msg="the export link was not set",
    )
    assert "format=html" in link and "by=Sex" in unquote(link)
    figures = open_offline(dash_duo, app, link, tmp_path / "export.html")
    assert figures >= 5  # ROC, PR, confusion, cost, calibration
    assert f"{result.summary['roc_auc']['mean']:.4f}" in dash_duo.driver.find_element("tag name", "body").text
    assert dash_duo.get_logs() == []


def test_an_explorer_view_exports_from_its_page_and_renders_offline(dash_duo, app, tmp_path):
    dash_duo.start_server(app, navigate=False)
    dash_duo.driver.get(f"{dash_duo.server.url}/data?dataset=titanic&column=Age&split=Survived&x=Age&y=Fare")
    wait_for_app_ready(dash_duo)
    link = wait_until(
        dash_duo,
        lambda d: (
            "/api/export" in (d.find_element("id", ExplorerIds.EXPORT_LINK).get_attribute("href") or "")
            and d.find_element("id", ExplorerIds.EXPORT_LINK).get_attribute("href")
        ),
        msg="the export link was not set",
    )
    assert "column=Age" in unquote(link) and "split=Survived" in unquote(link)
    printed = dash_duo.find_element(f"#{export_pdf_id(ExplorerIds.EXPORT_LINK)}").get_attribute("href")
    assert printed.replace("format=pdf", "format=html") == link  # the same view, printed
    answer = app.server.test_client().get(printed.partition(dash_duo.server.url)[2])
    assert answer.status_code == 200 and answer.data.startswith(b"%PDF")
    assert open_offline(dash_duo, app, link, tmp_path / "data.html") == 3  # distribution, density, correlations
    rows = app.server.extensions["dashboard"].explorer.summary("titanic")["overview"]["rows"]
    assert f"{rows:,}" in dash_duo.driver.find_element("tag name", "body").text
    if shots := os.environ.get("DASHBOARD_SHOTS"):
        dash_duo.driver.set_window_size(1280, 2400)
        dash_duo.driver.save_screenshot(os.path.join(shots, "export-data.png"))
    assert dash_duo.get_logs() == []


@pytest.mark.parametrize(("paper", "size"), [("a4", (595, 842)), ("letter", (612, 792))])
def test_a_report_prints_to_pdf_one_view_per_page_with_its_text(app, paper, size):
    import io

    from pypdf import PdfReader

    services = app.server.extensions["dashboard"]
    _, result, _ = services.training.run(SPEC)
    client = app.server.test_client()
    report = client.post(
        "/api/reports",
        json={
            "title": "Titanic review",
            "views": [
                {"url": "/data?dataset=titanic&column=Age", "note": "Who travelled."},
                {"url": f"/train?{QUERY}"},
            ],
        },
    ).json
    answer = client.get(f"/api/reports/{report['id']}/export", query_string={"format": "pdf", "paper": paper})
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.headers["Content-Disposition"] == 'attachment; filename="report-titanic-review.pdf"'
    pages = PdfReader(io.BytesIO(answer.data)).pages
    assert len(pages) >= 3  # the cover facts, then each view from a new page
    assert tuple(round(float(v)) for v in pages[0].mediabox[2:]) == size
    text = " ".join(page.extract_text() for page in pages)
    assert "Titanic review" in text and "Who travelled." in text
    assert f"{result.summary['roc_auc']['mean']:.4f}" in text  # the page's number, as text in the PDF
    assert "Distribution of Age" in text


def test_pdf_without_chromium_is_a_named_refusal(app, monkeypatch):
    monkeypatch.setenv("DASHBOARD_CHROMIUM", "/nonexistent/chromium")
    answer = app.server.test_client().get("/api/export", query_string={"url": "/data?dataset=titanic", "format": "pdf"})
    assert answer.status_code == 503 and answer.json["error"]["code"] == "pdf_unavailable"
    assert "PDF needs Chromium" in answer.json["error"]["message"]
