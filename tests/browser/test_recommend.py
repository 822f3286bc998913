"""Recommend page in a real browser: MovieLens mapped, evaluated against popularity, a user's top-10 with
"because you liked", saved, queried on Predict, and the permalink's embed form."""

import json

import pytest

from dashboard.recommend.interactions import Mapping
from dashboard.recommend.models import RecSpec
from layouts.predict_ids import PredictIds
from layouts.recommend_ids import RecommendIds
from tests.browser.helpers import click, wait_until

pytestmark = pytest.mark.browser


def _field(name: str) -> str:
    return "[id='" + json.dumps(PredictIds.field(name), separators=(",", ":"), sort_keys=True) + "']"


def _column(dash_duo, table_id: str, index: int) -> list[str]:
    return dash_duo.driver.execute_script(
        "var column = arguments[1];"
        "return Array.from(document.querySelectorAll(arguments[0] + ' tbody tr'))"
        ".map(function (tr) { return tr.children[column].textContent; });",
        f"#{table_id}",
        index,
    )


def test_evaluate_explore_save_and_query_on_predict(dash_duo, app):
    services = app.server.extensions["dashboard"]
    dash_duo.start_server(app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/recommend?dataset=movielens")
    dash_duo.wait_for_contains_text(f"#{RecommendIds.STATS}", "users: 671", timeout=30)
    assert "items: 9,066" in dash_duo.find_element(f"#{RecommendIds.STATS}").text

    click(dash_duo, "#rec-tabs .nav-item:nth-child(2) a")
    click(dash_duo, f"#{RecommendIds.EVAL_BUTTON}")
    wait_until(dash_duo, lambda d: len(_column(dash_duo, RecommendIds.EVAL_TABLE, 0)) == 3, timeout=120, msg="no table")
    models = _column(dash_duo, RecommendIds.EVAL_TABLE, 0)
    assert models[0] == "Popularity (baseline)" and "Item-item kNN (cosine)" in models

    click(dash_duo, "#rec-tabs .nav-item:nth-child(3) a")
    dash_duo.find_element(f"#{RecommendIds.EXPLORE_USER_INPUT}").send_keys("15")
    dash_duo.select_dcc_dropdown(f"#{RecommendIds.COMPARE_DROPDOWN}", value="Popularity (baseline)")
    click(dash_duo, f"#{RecommendIds.EXPLORE_BUTTON}")
    dash_duo.wait_for_element("#rec-top-table", timeout=60)
    mapping = Mapping(
        dataset="movielens",
        user="userId",
        item="movieId",
        value="rating",
        timestamp="timestamp",
        title="title",
        genres="genres",
    )
    expected = services.recommend.recommend(mapping, RecSpec(kind="item_knn"), "15", 10)
    assert _column(dash_duo, "rec-top-table", 1) == [e["item"] for e in expected["items"]]
    reasons = _column(dash_duo, "rec-top-table", 4)
    assert len(reasons) == 10 and all(r.startswith("because you liked ") for r in reasons)
    assert "shares" in dash_duo.find_element(f"#{RecommendIds.OVERLAP_TEXT}").text
    permalink = dash_duo.find_element(f"#{RecommendIds.PERMALINK_LINK}").get_attribute("href")
    assert "uid=15" in permalink and "model=item_knn" in permalink

    dash_duo.find_element(f"#{RecommendIds.SAVE_NAME_INPUT}").send_keys("movie-recs")
    click(dash_duo, f"#{RecommendIds.SAVE_BUTTON}")
    dash_duo.wait_for_contains_text(f"#{RecommendIds.SAVE_ALERT}", "Saved movie-recs v1", timeout=60)
    card = services.models.card("movie-recs")
    assert card["metrics"]["ndcg@10"] > 0  # the evaluation's held-out figures went onto the card
    click(dash_duo, f"#{RecommendIds.OPEN_PREDICT_LINK}")
    user = dash_duo.wait_for_element(_field("user"), timeout=15)
    user.clear()
    user.send_keys("15")
    click(dash_duo, f"#{PredictIds.SUBMIT_BUTTON}")
    dash_duo.wait_for_contains_text(f"#{PredictIds.RESULT}", "Top 10 for user 15", timeout=15)
    shown = dash_duo.find_elements(".predict-recommendation")
    assert len(shown) == 10 and shown[0].text.startswith(expected["items"][0]["title"])

    # the permalink's embed form opens on the cached model, without controls
    dash_duo.wait_for_page(url=permalink + "&embed=1")
    dash_duo.wait_for_element("#rec-top-table", timeout=30)
    assert _column(dash_duo, "rec-top-table", 1) == [e["item"] for e in expected["items"]]
    assert not dash_duo.find_element(f"#{RecommendIds.EXPLORE_BUTTON}").is_displayed()
    assert dash_duo.get_logs() == []
