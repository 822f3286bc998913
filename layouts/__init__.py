"""Page layouts: one module per page, each ``layout(**query) -> component`` with defaults everywhere."""

import dash

from layouts import clusters, explorer, home, models, predict, recommend, shell, train

__all__ = ["clusters", "explorer", "home", "models", "predict", "recommend", "register_pages", "shell", "train"]


def register_pages() -> None:
    """Register every page explicitly (``pages_folder=""``); later pages add a line here."""
    dash.register_page("home", path="/", name="Home", title="Home", layout=home.layout, order=0)
    dash.register_page(
        "explorer", path="/data", name="Explore data", title="Explore data", layout=explorer.layout, order=1
    )
    dash.register_page("predict", path="/predict", name="Predict", title="Predict", layout=predict.layout, order=6)
    dash.register_page("models", path="/models", name="Models", title="Models", layout=models.layout, order=5)
    dash.register_page("train", path="/train", name="Train", title="Train", layout=train.layout, order=2)
    dash.register_page("clusters", path="/clusters", name="Clusters", title="Clusters", layout=clusters.layout, order=3)
    dash.register_page(
        "recommend", path="/recommend", name="Recommend", title="Recommend", layout=recommend.layout, order=4
    )
