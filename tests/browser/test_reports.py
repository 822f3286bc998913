"""A report built in the browser: pin /data and a Train result from their share panels, open the report, move
a view, write a note, save, and the saved report (and its export) holds that order and note; the page passes
axe-core with a report open, and the console stays clean."""

from __future__ import annotations

import os

import pytest

from layouts.reports_ids import DATA_PIN, TRAIN_PIN, ReportsIds
from tests.browser.helpers import click, wait_for_app_ready, wait_until
from tests.browser.test_accessibility import RUN_AXE, axe_source
from tests.unit.helpers import SMALL_RUN_QUERY, small_run

pytestmark = pytest.mark.browser

DATA = "/data?dataset=titanic&column=Age&split=Survived"
SPEC = small_run()
TRAIN = f"/train?{SMALL_RUN_QUERY}"


def _pin(dash_duo, url: str, ids, note: str | None = None) -> None:
    dash_duo.driver.get(dash_duo.server.url + url)
    wait_for_app_ready(dash_duo)
    wait_until(
        dash_duo,
        lambda d: "?" in (d.find_element("css selector", "a[id$='permalink-link']").get_attribute("href") or ""),
        msg="the permalink was not set",
    )
    if note:
        dash_duo.find_element(f"#{ids.NOTE}").send_keys(note)
    click(dash_duo, f"#{ids.BUTTON}")
    dash_duo.wait_for_contains_text(f"#{ids.ALERT}", "Pinned as view", timeout=20)


def test_a_report_is_pinned_reordered_annotated_and_saved_in_the_browser(dash_duo, app, tmp_path):
    services = app.server.extensions["dashboard"]
    services.training.run(SPEC)
    dash_duo.start_server(app, navigate=False)
    _pin(dash_duo, DATA, DATA_PIN, note="Who travelled.")
    (report,) = services.reports.list()
    assert [v.note for v in report.views] == ["Who travelled."] and report.views[0].url.startswith("/data?")
    _pin(dash_duo, TRAIN, TRAIN_PIN)  # the dropdown starts on the report edited last: the same report
    (report,) = services.reports.list()
    assert [v.url.split("?")[0] for v in report.views] == ["/data", "/train"]

    dash_duo.driver.get(f"{dash_duo.server.url}/reports?report={report.id}")
    wait_for_app_ready(dash_duo)
    dash_duo.wait_for_contains_text(f"#{ReportsIds.VIEWS}", "Train: logistic regression on titanic", timeout=20)
    click(dash_duo, "button[id*='\"index\":1'][id*='\"step\":-1']")  # move the Train view up
    wait_until(
        dash_duo,
        lambda d: d.find_element("id", ReportsIds.VIEWS).text.startswith("1. Train:"),
        msg="the view did not move up",
    )
    note = dash_duo.find_element("textarea[id*='\"index\":0']")
    note.send_keys("The baseline model.")
    click(dash_duo, f"#{ReportsIds.SAVE_BUTTON}")
    dash_duo.wait_for_contains_text(f"#{ReportsIds.ALERT}", "Saved: version 3", timeout=20)

    saved = services.reports.get(report.id)
    assert [(v.url.split("?")[0], v.note) for v in saved.views] == [
        ("/train", "The baseline model."),
        ("/data", "Who travelled."),
    ]
    href = dash_duo.find_element(f"#{ReportsIds.EXPORT_HTML}").get_attribute("href")
    page = app.server.test_client().get(href.partition(dash_duo.server.url)[2]).get_data(as_text=True)
    assert page.index("The baseline model.") < page.index("Who travelled.")
    if shots := os.environ.get("DASHBOARD_SHOTS"):
        dash_duo.driver.set_window_size(1280, 1100)
        dash_duo.driver.save_screenshot(os.path.join(shots, "reports.png"))
    dash_duo.driver.execute_script(axe_source())
    violations = dash_duo.driver.execute_async_script(RUN_AXE)
    assert [(v["id"], v["targets"]) for v in violations if v["impact"] in ("critical", "serious")] == []
    assert dash_duo.get_logs() == []


def test_a_model_card_is_pinned_from_models_and_exports_in_its_report(dash_duo, app, demo_models):
    from layouts.reports_ids import MODELS_PIN

    services = app.server.extensions["dashboard"]
    dash_duo.start_server(app, navigate=False)
    dash_duo.driver.get(f"{dash_duo.server.url}/models?model=titanic-survival&version=1")
    wait_for_app_ready(dash_duo)
    dash_duo.wait_for_contains_text("#models-card", "titanic-survival", timeout=20)
    click(dash_duo, f"#{MODELS_PIN.BUTTON}")
    dash_duo.wait_for_contains_text(f"#{MODELS_PIN.ALERT}", "Pinned as view 1", timeout=20)
    (report,) = services.reports.list()
    assert [v.url for v in report.views] == ["/models?model=titanic-survival&version=1"]
    page = app.server.test_client().get(f"/api/reports/{report.id}/export").get_data(as_text=True)
    assert "titanic-survival v1: model card" in page
    assert dash_duo.get_logs() == []
