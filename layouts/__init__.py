"""Page layouts: one module per page, each ``layout(**query) -> component`` with defaults everywhere."""

import dash

from layouts import clusters, explorer, home, models, predict, recommend, reports, runs, shell, train
from layouts.common import accessible_page
from layouts.pages import PAGES

__all__ = [
    "clusters",
    "explorer",
    "home",
    "models",
    "predict",
    "recommend",
    "register_pages",
    "reports",
    "runs",
    "shell",
    "train",
]


def register_pages() -> None:
    """Register every page of the table (``pages_folder=""``): a new page is a line in ``layouts/pages.py``."""
    for order, page in enumerate(PAGES):
        layout = accessible_page(globals()[page.module].layout)  # every page's labels name their controls
        dash.register_page(page.module, path=page.path, name=page.name, title=page.name, layout=layout, order=order)
