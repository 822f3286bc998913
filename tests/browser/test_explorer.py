import pytest

from dashboard import ids

pytestmark = pytest.mark.browser


def test_explorer_titanic_change_column(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/data?dataset=titanic")
    dash_duo.wait_for_contains_text(f"#{ids.EXPLORER_OVERVIEW}", "1,309", timeout=20)
    dash_duo.wait_for_contains_text(f"#{ids.EXPLORER_PROFILE_TABLE}", "Embarked")
    dash_duo.select_dcc_dropdown(f"#{ids.EXPLORER_COLUMN_DROPDOWN}", value="Age")
    dash_duo.wait_for_contains_text(f"#{ids.EXPLORER_DISTRIBUTION_GRAPH}", "Age")
    dash_duo.driver.save_screenshot("/tmp/explorer.png")
    assert dash_duo.get_logs() == []
