"""Home opens with what to do first, then the datasets, each with the page its task is for."""

from __future__ import annotations

from layouts import home
from layouts.home_ids import HomeIds


def _links(component) -> dict[str, str]:
    return {str(c.children): c.href for c in component._traverse() if getattr(c, "href", None)}


def test_home_starts_with_the_first_steps_then_datasets_with_an_action_for_their_task(app):
    with app.server.test_request_context("/"):
        page = home.layout()
    order = [getattr(c, "id", None) for c in page._traverse() if getattr(c, "id", None)]
    assert order.index(HomeIds.START_HERE) < order.index(HomeIds.DATASET_CARDS)
    cards = {c.id: c for c in page._traverse() if str(getattr(c, "id", "")).startswith("home-dataset-")}
    assert _links(cards["home-dataset-titanic-card"]) == {
        "Explore": "/data?dataset=titanic",
        "Train": "/train?dataset=titanic",
    }
    assert _links(cards["home-dataset-penguins-card"])["Cluster"] == "/clusters?dataset=penguins"
    assert _links(cards["home-dataset-movielens-card"])["Recommend"] == "/recommend?dataset=movielens"
    assert set(_links(page.children[0])) == {"Explore data", "Train", "Predict"}
