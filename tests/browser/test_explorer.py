"""The explorer in a real browser: column changes, permalinks, uploads, hostile names."""

from urllib.parse import parse_qs, urlparse

import pytest

from layouts.explorer_ids import ExplorerIds
from tests.browser.helpers import reveal, upload_file, wait_for_app_ready, wait_for_explorer, wait_until

pytestmark = pytest.mark.browser


def _query(dash_duo) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(dash_duo.driver.current_url).query).items()}


def test_change_column_updates_graph_and_url(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/data?dataset=titanic")
    wait_for_explorer(dash_duo, "1,309")
    wait_for_app_ready(dash_duo)
    # what is below the first screen is built when scrolled to, not on the first visit
    assert dash_duo.find_elements(f"#{ExplorerIds.GRID}") == []
    assert dash_duo.find_elements(f"#{ExplorerIds.CORRELATION_GRAPH}") == []
    dash_duo.select_dcc_dropdown(f"#{ExplorerIds.COLUMN_DROPDOWN}", value="Fare")
    dash_duo.wait_for_contains_text(f"#{ExplorerIds.DISTRIBUTION_GRAPH} .xtitle", "Fare")
    reveal(dash_duo, ExplorerIds.PROFILE_BLOCK, ExplorerIds.ROWS_BLOCK)
    dash_duo.wait_for_contains_text(f"#{ExplorerIds.PROFILE_TABLE}", "Embarked")
    dash_duo.wait_for_element(f"#{ExplorerIds.GRID} .ag-row", timeout=15)
    wait_until(dash_duo, lambda _d: _query(dash_duo).get("column") == "Fare", timeout=10, msg="URL not updated")
    assert _query(dash_duo)["dataset"] == "titanic"
    assert dash_duo.get_logs() == []


def test_permalink_reopens_the_same_view(dash_duo, app):
    dash_duo.start_server(app)
    query = "dataset=penguins&column=body_mass_g&split=island&x=bill_length_mm&y=flipper_length_mm&color=species"
    link = f"{dash_duo.server_url}/data?{query}"
    dash_duo.wait_for_page(url=link)
    wait_for_explorer(dash_duo, "344")
    for component_id, shown in [
        (ExplorerIds.COLUMN_DROPDOWN, "body_mass_g"),
        (ExplorerIds.SPLIT_DROPDOWN, "island"),
        (ExplorerIds.X_DROPDOWN, "bill_length_mm"),
        (ExplorerIds.COLOR_DROPDOWN, "species"),
    ]:
        dash_duo.wait_for_contains_text(f"#{component_id}", shown)
    dash_duo.wait_for_contains_text(f"#{ExplorerIds.DISTRIBUTION_GRAPH} .legend", "Biscoe")
    permalink = dash_duo.find_element(f"#{ExplorerIds.PERMALINK_LINK}").get_attribute("href")
    assert parse_qs(urlparse(permalink).query) == parse_qs(urlparse(link).query)
    embed_code = dash_duo.find_element(f"#{ExplorerIds.EMBED_CODE}").get_attribute("value")
    assert embed_code.startswith("<iframe") and "embed=1" in embed_code
    assert dash_duo.get_logs() == []


def test_unknown_dataset_in_link_falls_back_with_message(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/data?dataset=../../etc/passwd")
    dash_duo.wait_for_contains_text(f"#{ExplorerIds.ERROR_ALERT}", "no dataset named")
    wait_for_explorer(dash_duo, "1,309")
    assert dash_duo.get_logs() == []


def test_good_upload_then_bad_upload_keeps_the_first(dash_duo, app, tmp_path):
    good = tmp_path / "shop sales.csv"
    good.write_text("region,amount,when\nnorth,10.5,2024-01-02\nsouth,20,2024-02-03\neast,7,2024-03-04\n")
    bad = tmp_path / "broken.csv"
    bad.write_text("a,b,c\n1,2,3\n4,5,6,7,8\n")
    dash_duo.start_server(app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/data")
    wait_for_explorer(dash_duo, "1,309")
    upload_file(dash_duo, good)
    dash_duo.wait_for_contains_text(f"#{ExplorerIds.UPLOAD_ALERT}", "Added 'shop-sales': 3 rows")
    dash_duo.wait_for_contains_text(f"#{ExplorerIds.DATASET_DROPDOWN}", "shop-sales")
    wait_for_explorer(dash_duo, "Rows\n3")
    upload_file(dash_duo, bad)
    dash_duo.wait_for_contains_text(f"#{ExplorerIds.UPLOAD_ALERT}", "broken.csv: ")  # which file, first
    dash_duo.wait_for_contains_text(f"#{ExplorerIds.UPLOAD_ALERT}", "line 3 has 5 fields")
    dash_duo.wait_for_contains_text(f"#{ExplorerIds.DATASET_DROPDOWN}", "shop-sales")  # still selected
    assert "shop-sales" in [d.id for d in app.server.extensions["dashboard"].catalog.list()]
    assert "broken" not in [d.id for d in app.server.extensions["dashboard"].catalog.list()]
    assert dash_duo.get_logs() == []


def test_hostile_column_name_renders_as_text(dash_duo, app, tmp_path):
    hostile = "<img src=x onerror=window.__xss=1>"
    path = tmp_path / "xss.csv"
    path.write_text(f'"{hostile}",b\n1,2\n3,4\n')
    app.server.extensions["dashboard"].catalog.add_upload("xss.csv", path.read_bytes(), name="xss")
    dash_duo.start_server(app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/data?dataset=xss")
    wait_for_app_ready(dash_duo)
    reveal(dash_duo)
    dash_duo.wait_for_contains_text(f"#{ExplorerIds.PROFILE_TABLE}", hostile)
    dash_duo.wait_for_element(f"#{ExplorerIds.GRID} .ag-header-cell-text", timeout=15)
    assert dash_duo.driver.find_elements("css selector", "img[src='x']") == []
    assert dash_duo.driver.execute_script("return window.__xss === undefined")
    assert dash_duo.get_logs() == []


def test_a_two_thousand_column_upload_explores_with_every_view_answering(dash_duo, app, tmp_path):
    """Before the profile became a virtualised grid, a 1,501-column upload kept Chromium busy for over ten
    minutes rendering 15,000 table cells; every view must now answer, with no console error."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(200, 2000)), columns=[f"sensor_{i}" for i in range(2000)])
    frame.to_csv(tmp_path / "wide.csv", index=False)
    dash_duo.start_server(app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/data?dataset=titanic")
    wait_for_explorer(dash_duo, "1,309")
    wait_for_app_ready(dash_duo)
    upload_file(dash_duo, tmp_path / "wide.csv")
    wait_for_explorer(dash_duo, "2,000", timeout=60)
    reveal(dash_duo)  # built after the upload changed what they show: they show the new dataset
    dash_duo.wait_for_contains_text(f"#{ExplorerIds.PROFILE_TABLE}", "sensor_0", timeout=30)
    dash_duo.wait_for_contains_text(f"#{ExplorerIds.DISTRIBUTION_GRAPH} .xtitle", "sensor_", timeout=30)
    dash_duo.wait_for_element(f"#{ExplorerIds.CORRELATION_GRAPH} .heatmaplayer", timeout=30)
    dash_duo.wait_for_contains_text(
        f"#{ExplorerIds.CORRELATION_PAIRS}", "most correlated pairs of all 2,000 columns", timeout=30
    )
    wait_for_app_ready(dash_duo, timeout=60)
    # The profile's rows come from the server a page at a time; its search box finds the last column.
    search = dash_duo.find_element(f"#{ExplorerIds.PROFILE_GRID} .ag-floating-filter input")
    search.send_keys("sensor_1999")
    dash_duo.wait_for_contains_text(f"#{ExplorerIds.PROFILE_GRID} .ag-pinned-left-cols-container", "sensor_1999")
    shown = dash_duo.find_elements(f"#{ExplorerIds.PROFILE_GRID} .ag-pinned-left-cols-container .ag-row")
    assert [row.text for row in shown] == ["sensor_1999"]
    assert dash_duo.get_logs() == []


def test_a_direct_load_draws_the_correlations_and_says_what_it_left_out(dash_duo, app):
    """Opened cold from its permalink, the heatmap was an empty axis box until the dataset changed."""
    dash_duo.start_server(app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/data?dataset=titanic")
    wait_for_explorer(dash_duo, "1,309")
    wait_for_app_ready(dash_duo)
    reveal(dash_duo, ExplorerIds.CORRELATION_BLOCK)
    dash_duo.wait_for_contains_text(f"#{ExplorerIds.CORRELATION_PAIRS}", "PassengerId", timeout=15)
    assert "Left out (identifiers or row numbers)" in dash_duo.find_element(f"#{ExplorerIds.CORRELATION_PAIRS}").text
    traces = dash_duo.driver.execute_script(
        "var el = document.querySelector(arguments[0] + ' .js-plotly-plot'); return el && el.data ? el.data : [];",
        f"#{ExplorerIds.CORRELATION_GRAPH}",
    )
    assert traces and traces[0]["type"] == "heatmap" and "PassengerId" not in traces[0]["x"]
    assert dash_duo.get_logs() == []
