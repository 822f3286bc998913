"""Clusters page in a real browser: RFM from CDNOW, a k sweep, pick k, profiles, save, assign on Predict."""

import json

import pandas as pd
import pytest

from layouts.clusters_ids import ClusterIds
from layouts.predict_ids import PredictIds
from tests.browser.helpers import click, wait_for_app_ready, wait_until

pytestmark = pytest.mark.browser


def _field(name: str) -> str:
    return "[id='" + json.dumps(PredictIds.field(name), separators=(",", ":"), sort_keys=True) + "']"


def _plot_types(dash_duo, graph_id: str) -> list[str]:
    return dash_duo.driver.execute_script(
        "var el = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "return el && el.data ? el.data.map(function (t) { return t.type; }) : [];",
        f"#{graph_id}",
    )


def test_rfm_sweep_pick_k_profiles_save_and_assign(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/clusters?dataset=cdnow")
    dash_duo.wait_for_element(f"#{ClusterIds.RFM_BUTTON}", timeout=15)
    wait_for_app_ready(dash_duo)
    click(dash_duo, "details summary")
    dash_duo.select_dcc_dropdown(f"#{ClusterIds.RFM_CUSTOMER}", value="customer_id")
    dash_duo.select_dcc_dropdown(f"#{ClusterIds.RFM_DATE}", value="date")
    dash_duo.select_dcc_dropdown(f"#{ClusterIds.RFM_AMOUNT}", value="amount")
    click(dash_duo, f"#{ClusterIds.RFM_BUTTON}")
    dash_duo.wait_for_contains_text(f"#{ClusterIds.MESSAGES}", "cdnow-rfm-", timeout=30)
    dash_duo.wait_for_contains_text(f"#{ClusterIds.FEATURES_DROPDOWN}", "recency_days", timeout=15)
    dash_duo.select_dcc_dropdown(f"#{ClusterIds.LOG_DROPDOWN}", value="monetary (numeric)")
    click(dash_duo, f"#{ClusterIds.SWEEP_BUTTON}")
    dash_duo.wait_for_contains_text(f"#{ClusterIds.SWEEP_REASON}", "Suggested k", timeout=180)
    suggested = int(dash_duo.find_element(f"#{ClusterIds.SWEEP_REASON}").text.split("k = ")[1].split(":")[0])
    click(dash_duo, f"#{ClusterIds.USE_K_BUTTON}")
    wait_until(
        dash_duo,
        lambda d: dash_duo.find_element(f"#{ClusterIds.K_INPUT}").get_attribute("value") == str(suggested),
        timeout=10,
        msg="the suggested k was not put in the form",
    )
    click(dash_duo, f"#{ClusterIds.RUN_BUTTON}")
    dash_duo.wait_for_contains_text(f"#{ClusterIds.SCORES}", "silhouette", timeout=120)
    wait_until(
        dash_duo, lambda d: _plot_types(dash_duo, ClusterIds.PROFILE_GRAPH) == ["heatmap"], timeout=15, msg="no profile"
    )
    permalink = dash_duo.find_element(f"#{ClusterIds.PERMALINK_LINK}").get_attribute("href")
    assert f"k={suggested}" in permalink and "log=monetary" in permalink
    click(dash_duo, f"#{ClusterIds.EXPORT_DATASET_BUTTON}")
    dash_duo.wait_for_contains_text(f"#{ClusterIds.EXPORT_ALERT}", "segments", timeout=60)
    dash_duo.find_element(f"#{ClusterIds.SAVE_NAME_INPUT}").send_keys("cdnow-segments")
    click(dash_duo, f"#{ClusterIds.SAVE_BUTTON}")
    dash_duo.wait_for_contains_text(f"#{ClusterIds.SAVE_ALERT}", "Saved cdnow-segments v1", timeout=60)
    click(dash_duo, f"#{ClusterIds.OPEN_PREDICT_LINK}")
    dash_duo.wait_for_element(_field("monetary"), timeout=15)
    customer = {"recency_days": 20, "frequency": 6, "monetary": 420.0}
    for name, value in customer.items():
        element = dash_duo.find_element(_field(name))
        element.clear()
        element.send_keys(str(value))
    click(dash_duo, f"#{PredictIds.SUBMIT_BUTTON}")
    loaded = app.server.extensions["dashboard"].models.load("cdnow-segments")
    row = pd.DataFrame([customer])[[f["name"] for f in loaded.card["schema"]["fields"]]]
    expected = loaded.model.predict(row)[0]
    dash_duo.wait_for_text_to_equal(f"#{PredictIds.RESULT} .predict-label", str(expected), timeout=15)
    assert dash_duo.find_element(".predict-segment").text == loaded.card["segments"][str(expected)]
    # the permalink's embed form opens on the cached clustering, without controls
    dash_duo.wait_for_page(url=permalink + "&embed=1")
    dash_duo.wait_for_contains_text(f"#{ClusterIds.SCORES}", "silhouette", timeout=30)
    assert not dash_duo.find_element(f"#{ClusterIds.RUN_BUTTON}").is_displayed()
    assert dash_duo.get_logs() == []
