"""Each exported page's builder: a permalink's path and query -> (title, source facts, sections, file name),
read as the page reads its permalink, from the same cached results. A view that is not computed, a dataset that
is gone or a path that does not export is a named error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from dashboard.clusters.clustering import ClusterSpec
from dashboard.data.catalog import DatasetNotFoundError
from dashboard.errors import FieldError, ResultExpired
from dashboard.recommend.interactions import Mapping
from dashboard.reports.clusters import cluster_sections
from dashboard.reports.explorer import explorer_sections
from dashboard.reports.html import Section
from dashboard.reports.models import model_sections
from dashboard.reports.recommend import recommend_sections
from dashboard.reports.train import train_sections
from layouts.clusters_form import DEFAULT_DATASET as DEFAULT_CLUSTERED
from layouts.clusters_form import read_cluster_query
from layouts.common import query_int, query_number
from layouts.explorer import DEFAULT_DATASET as DEFAULT_EXPLORED
from layouts.recommend import DEFAULT_DATASET as DEFAULT_RECOMMENDED
from layouts.recommend import (
    feedback_from_query,
    holdout_from_query,
    mapping_from_query,
    models_from_query,
    spec_from_query,
)
from layouts.train_form import DEFAULT_DATASET, read_form

MAX_URL = 4000
View = tuple[str, dict[str, str], list[Section], str]


def permalink(url: object, field: str = "url") -> tuple[str, dict[str, str]]:
    """The path and query of one of this app's exported views: a path only, never another site."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL:
        raise FieldError(field, "give the view's permalink: its path and query, such as /train?dataset=titanic")
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        raise FieldError(field, "give the path and query of a view of this app, not a full address")
    if parts.path not in VIEWS:
        exported = ", ".join(VIEWS)
        raise FieldError(f"{field}.path", f"{parts.path[:64]!r} does not export yet (views that do: {exported})")
    return parts.path, dict(parse_qsl(parts.query, keep_blank_values=False))


def build(services: Any, url: str) -> View:
    """The view a permalink names; FieldError, ResultExpired, DatasetNotFoundError or (a model card) the model
    store's ModelNotFoundError / InvalidModelNameError when it cannot be drawn."""
    path, query = permalink(url)
    return VIEWS[path](services, query)


def _train(services: Any, query: dict[str, str]) -> View:
    form = read_form(
        query.get("dataset", DEFAULT_DATASET),
        query.get("target"),
        query.get("features"),
        query.get("model"),
        {**query, "opts": query.get("opts", "stratified,shuffle")},
    )
    spec = form.spec()
    if spec is None:
        raise ResultExpired("this view has not been computed yet: open it in the dashboard and run it")
    if not services.catalog.exists(spec.dataset):
        raise DatasetNotFoundError(spec.dataset)
    by = [c for c in query.get("by", "").split(",") if c][:2]
    title, source, sections = train_sections(
        services.training,
        services.diagnostics,
        spec,
        threshold=query_number(query.get("threshold", "0.5"), 0.5, -1e9, 1e9),
        by=by or None,
        shap_rows=query_int(query["shap"], 500, 10, 2000) if "shap" in query else None,
        compare=[m for m in query.get("compare", "").split(",") if m][:6] or None,
    )
    return title, source, sections, f"train-{spec.dataset}-{spec.estimator}"


def _explorer(services: Any, query: dict[str, str]) -> View:
    dataset = query.get("dataset", DEFAULT_EXPLORED)
    if not services.catalog.exists(dataset):
        raise DatasetNotFoundError(dataset)
    title, source, sections = explorer_sections(services.explorer, dataset, query)
    return title, source, sections, f"data-{dataset}"


def _clusters(services: Any, query: dict[str, str]) -> View:
    dataset = query.get("dataset", DEFAULT_CLUSTERED)
    if not services.catalog.exists(dataset):
        raise DatasetNotFoundError(dataset)
    try:
        spec = ClusterSpec(**read_cluster_query(services, query))
    except ValueError as exc:  # pydantic names the field a hand-made permalink got wrong
        raise FieldError("url", "this clustering's permalink does not name a valid clustering") from exc
    title, source, sections = cluster_sections(services.clusters, spec)
    return title, source, sections, f"clusters-{spec.dataset}-{spec.algorithm}"


def _model(services: Any, query: dict[str, str]) -> View:
    name = query.get("model")
    if not name:
        raise FieldError("url", "name the model: /models?model=<name>&version=<n>")
    title, source, sections = model_sections(services.models, name, query.get("version"))
    return title, source, sections, f"model-{name}-v{query.get('version', 'default')}"


def _recommend(services: Any, query: dict[str, str]) -> View:
    dataset = query.get("dataset", DEFAULT_RECOMMENDED)
    if not services.catalog.exists(dataset):
        raise DatasetNotFoundError(dataset)
    mapping = mapping_from_query(dataset, list(services.explorer.kinds(dataset)), query)
    if not (mapping["user"] and mapping["item"]):
        raise FieldError("url", "this view maps no user and item columns: choose them on the page first")
    try:
        full = Mapping(dataset=dataset, feedback=feedback_from_query(query), **mapping)
    except ValueError as exc:
        raise FieldError("url", "this recommender's permalink does not name a valid mapping") from exc
    spec = spec_from_query(query)
    specs = [spec.model_copy(update={"kind": m}) for m in models_from_query(query)]
    title, source, sections = recommend_sections(services.recommend, full, specs, holdout_from_query(query))
    return title, source, sections, f"recommend-{dataset}"


VIEWS: dict[str, Callable[[Any, dict[str, str]], View]] = {
    "/train": _train,
    "/data": _explorer,
    "/clusters": _clusters,
    "/models": _model,
    "/recommend": _recommend,
}
