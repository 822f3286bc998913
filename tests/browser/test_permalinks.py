"""Every page's permalink round-trips every control: open a page from a query that sets each control to a
value other than its default, and the page's own permalink carries each of those values back; open that
permalink, and it reproduces itself exactly."""

import contextlib
from urllib.parse import parse_qsl, urlsplit

import pytest
from dash.testing.errors import TestingTimeoutError
from dash.testing.wait import until

from dashboard import create_app
from layouts.clusters_ids import ClusterIds
from layouts.explorer_ids import ExplorerIds
from layouts.recommend_ids import RecommendIds
from layouts.train_ids import TrainIds
from tests.conftest import make_settings

pytestmark = pytest.mark.browser

PAGES = {
    "/data": (
        ExplorerIds.PERMALINK_LINK,
        {"dataset": "titanic", "column": "Fare", "split": "Sex", "x": "Age", "y": "Fare", "color": "Pclass"},
    ),
    "/train": (
        TrainIds.PERMALINK_LINK,
        {
            "dataset": "titanic",
            "target": "Survived",
            "features": "Pclass,Sex,Age",
            "model": "random_forest",
            "task": "binary",
            "folds": "3",
            "seed": "7",
            "test": "0.2",
            "opts": "shuffle,importance",
            "text": "char_wb",
            "ngram": "2-3",
            "threshold": "0.3",
            "p_n_estimators": "50",
            "p_max_depth": "4",
            "p_min_samples_leaf": "5",
            "p_min_samples_split": "10",
            "p_max_features": "0.5",
        },
    ),
    "/clusters": (
        ClusterIds.PERMALINK_LINK,
        {
            "dataset": "penguins",
            "features": "bill_length_mm,flipper_length_mm",
            "scale": "robust",
            "log": "flipper_length_mm",
            "algorithm": "agglomerative",
            "k": "5",
            "init": "random",
            "n_init": "7",
            "seed": "3",
            "linkage": "average",
            "metric": "manhattan",
            "eps": "0.8",
            "min_samples": "9",
            "covariance": "diag",
            "labels": "species",
        },
    ),
    "/recommend": (
        RecommendIds.PERMALINK_LINK,
        {
            "dataset": "movielens",
            "user": "userId",
            "item": "movieId",
            "value": "rating",
            "timestamp": "-",
            "title": "title",
            "genres": "-",
            "feedback": "explicit",
            "model": "svd",
            "neighbours": "20",
            "factors": "16",
            "regularization": "0.5",
            "iterations": "5",
            "alpha": "2",
            "models": "user_knn,svd",
            "holdout": "random",
            "n": "3",
            "k": "5",
            "relevant": "4",
            "seed": "11",
            "uid": "15",
            "iid": "1",
            "compare": "als",
            "view": "explore",
        },
    ),
}


def permalink_query(dash_duo, link_id: str, expected: dict[str, str]) -> dict[str, str]:
    """The permalink's query once it carries every key of ``expected`` (the page writes it as it settles)."""
    link = dash_duo.wait_for_element(f"#{link_id}")
    seen: dict[str, str] = {}

    def settled() -> bool:
        seen.clear()
        seen.update(parse_qsl(urlsplit(link.get_attribute("href") or "").query, keep_blank_values=True))
        return all(key in seen for key in expected)

    with contextlib.suppress(TestingTimeoutError):  # the assertion that follows shows which keys never came
        until(settled, timeout=20)
    return dict(seen)


def _number_or_text(value: str):
    try:
        return float(value)
    except ValueError:
        return value


@pytest.mark.parametrize("path", list(PAGES))
def test_permalink_round_trips_every_control(dash_duo, tmp_path, path):
    link_id, query = PAGES[path]
    dash_duo.start_server(create_app(make_settings(tmp_path)), navigate=False)
    url = dash_duo.server.url + path + "?" + "&".join(f"{k}={v}" for k, v in query.items())
    dash_duo.driver.get(url)
    first = permalink_query(dash_duo, link_id, query)
    # Each control the query set comes back with its value (numbers compared as numbers: "2" == "2.0").
    assert {k: _number_or_text(first.get(k, "<missing>")) for k in query} == {
        k: _number_or_text(v) for k, v in query.items()
    }
    dash_duo.driver.get(
        dash_duo.server.url + path + "?" + urlsplit(dash_duo.find_element(f"#{link_id}").get_attribute("href")).query
    )
    second = permalink_query(dash_duo, link_id, first)
    assert {k: _number_or_text(v) for k, v in second.items()} == {k: _number_or_text(v) for k, v in first.items()}
    assert dash_duo.get_logs() == []
