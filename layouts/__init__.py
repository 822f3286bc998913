"""Page layouts: one module per page, each ``layout(**query) -> component`` with defaults everywhere."""

import dash

from layouts import clusters, explorer, home, models, predict, recommend, shell, train
from layouts.common import accessible_page

__all__ = ["clusters", "explorer", "home", "models", "predict", "recommend", "register_pages", "shell", "train"]


def register_pages() -> None:
    """Register every page explicitly (``pages_folder=""``); later pages add a line here."""
    page = accessible_page  # every page's labels name their controls
    dash.register_page("home", path="/", name="Home", title="Home", layout=page(home.layout), order=0)
    dash.register_page(
        "explorer", path="/data", name="Explore data", title="Explore data", layout=page(explorer.layout), order=1
    )
    dash.register_page(
        "predict", path="/predict", name="Predict", title="Predict", layout=page(predict.layout), order=6
    )
    dash.register_page("models", path="/models", name="Models", title="Models", layout=page(models.layout), order=5)
    dash.register_page("train", path="/train", name="Train", title="Train", layout=page(train.layout), order=2)
    dash.register_page(
        "clusters", path="/clusters", name="Clusters", title="Clusters", layout=page(clusters.layout), order=3
    )
    dash.register_page(
        "recommend", path="/recommend", name="Recommend", title="Recommend", layout=page(recommend.layout), order=4
    )
