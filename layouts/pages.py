"""The pages, once: each page's module, path and name, in navbar order. Registration with Dash and the
navbar are both built from this table, so a page cannot be in one and missing from the other."""

from __future__ import annotations

from typing import NamedTuple


class Page(NamedTuple):
    module: str  # layouts.<module>.layout draws it
    path: str
    name: str


PAGES = (
    Page("home", "/", "Home"),
    Page("explorer", "/data", "Explore data"),
    Page("train", "/train", "Train"),
    Page("runs", "/runs", "Runs"),
    Page("clusters", "/clusters", "Clusters"),
    Page("recommend", "/recommend", "Recommend"),
    Page("models", "/models", "Models"),
    Page("predict", "/predict", "Predict"),
    Page("reports", "/reports", "Reports"),
)
