import pytest

from layouts.home_ids import HomeIds

pytestmark = pytest.mark.browser


def test_home_lists_datasets(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.wait_for_element("#home-dataset-titanic-card", timeout=10)
    dash_duo.wait_for_contains_text(f"#{HomeIds.DATASET_CARDS}", "Titanic passengers")
    dash_duo.wait_for_contains_text(f"#{HomeIds.DATASET_CARDS}", "MovieLens ratings")
    assert dash_duo.get_logs() == []


def test_home_lists_models(dash_duo, app, demo_models):
    dash_duo.start_server(app)
    dash_duo.wait_for_contains_text(f"#{HomeIds.MODEL_CARDS}", "titanic-survival", timeout=10)
    dash_duo.wait_for_contains_text(f"#{HomeIds.MODEL_CARDS}", "language-id")
    assert dash_duo.get_logs() == []
