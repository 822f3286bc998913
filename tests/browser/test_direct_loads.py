"""Every view's permalink, opened cold and directly (a new browser, its URL), renders the view completely:
the cached result it names is shown, every figure shown has data or says why it is empty (no bare axes, no
empty slot), and the console stays clean. The pages themselves are covered in test_accessibility.py.

Each result is computed first through the app's own services, as an earlier visit would have left it in
the cache; a permalink whose spec the page reads differently would open on an empty form and fail here.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlencode

import pytest

from dashboard.clusters.clustering import ClusterSpec
from dashboard.train.catalog import estimator_spec
from dashboard.train.spec import CVSpec, TrainSpec
from layouts.train_ids import TrainIds
from tests.browser.helpers import reveal, wait_for_app_ready, wait_until
from tests.browser.test_accessibility import ALL_DRAWN, BARE_FIGURES, FIGURELESS

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("DASHBOARD_SHOTS")  # a folder: each view's screenshot is kept there to be looked at


def _train_spec(dataset: str, target: str, features: tuple[str, ...], model: str, **changes) -> TrainSpec:
    """The spec /train reads from a query naming these (every parameter at its default, 3 folds)."""
    params = {p.name: p.default for p in estimator_spec(model).params}
    return TrainSpec(
        dataset=dataset, target=target, features=features, estimator=model, params=params, cv=CVSpec(folds=3), **changes
    )


def _train_query(spec: TrainSpec, **extra: str) -> dict[str, str]:
    return {
        "dataset": spec.dataset,
        "target": spec.target,
        "features": ",".join(spec.features),
        "model": spec.estimator,
        "folds": str(spec.cv.folds),
        **extra,
    }


BINARY = _train_spec("titanic", "Survived", ("Pclass", "Sex", "Age", "Fare", "Embarked"), "logistic_regression")
MULTICLASS = _train_spec("penguins", "species", ("bill_length_mm", "flipper_length_mm", "island"), "random_forest")
REGRESSION = _train_spec("ames-housing", "Sale_Price", ("Gr_Liv_Area", "Year_Built", "Neighborhood"), "ridge")
FOREST = _train_spec("titanic", "Survived", ("Pclass", "Sex", "Age", "Fare"), "random_forest")
KMEANS = ClusterSpec(dataset="penguins", features=("bill_length_mm", "flipper_length_mm"), k=3, n_init=4)
WARD = KMEANS.model_copy(update={"algorithm": "agglomerative"})


def _cluster_query(spec: ClusterSpec) -> dict[str, str]:
    return {
        "dataset": spec.dataset,
        "features": ",".join(spec.features),
        "algorithm": spec.algorithm,
        "k": str(spec.k),
        "n_init": str(spec.n_init),
    }


def _cross_validated(services, spec: TrainSpec) -> None:
    services.training.run(spec)


def _diagnosed(services, spec: TrainSpec) -> None:
    """A run and its SHAP summary of 100 rows, as Run and Explain leave them (subgroups and the tree are
    drawn from the run itself)."""
    services.training.run(spec)
    services.diagnostics.shap_summary(spec, 100)


def _compared(services, spec: TrainSpec) -> None:
    services.training.compare(spec, [spec.estimator, "random_forest"])


def _clustered(services, spec: ClusterSpec) -> None:
    services.clusters.run(spec)


RECOMMEND = {"dataset": "movielens", "view": "explore", "model": "item_knn", "uid": "15", "iid": "1"}


def _recommender_fitted(services) -> None:
    """The model the /recommend permalink names, fitted as the page reads the query."""
    from dashboard.recommend.interactions import Mapping
    from layouts.recommend import mapping_from_query, spec_from_query

    columns = list(services.explorer.kinds(RECOMMEND["dataset"]))
    mapping = Mapping(dataset=RECOMMEND["dataset"], **mapping_from_query(RECOMMEND["dataset"], columns, RECOMMEND))
    services.recommend.model(mapping, spec_from_query(RECOMMEND))


def _segments_saved(services) -> None:
    token, _, _ = services.clusters.run(KMEANS)
    services.clusters.save(KMEANS, token, "penguin-segments")


# view name -> (path, query, what the view shows once its result is in, how the result was computed)
VIEWS = {
    "explorer views": (
        "/data",
        {"dataset": "titanic", "column": "Fare", "split": "Sex", "x": "Age", "y": "Fare", "color": "Pclass"},
        "1,309",
        None,
    ),
    "binary CV result": ("/train", _train_query(BINARY), "roc_auc", lambda s: _cross_validated(s, BINARY)),
    "multiclass CV result": (
        "/train",
        _train_query(MULTICLASS),
        "accuracy",
        lambda s: _cross_validated(s, MULTICLASS),
    ),
    "regression CV result": ("/train", _train_query(REGRESSION), "rmse", lambda s: _cross_validated(s, REGRESSION)),
    "CV diagnostics (subgroups, SHAP, one tree)": (
        "/train",
        _train_query(FOREST, by="Sex,Pclass", shap="100"),
        "largest gap",
        lambda s: _diagnosed(s, FOREST),
    ),
    "CV diagnostics embedded": (
        "/train",
        _train_query(FOREST, by="Sex", shap="100", embed="1"),
        "100 of",
        lambda s: _diagnosed(s, FOREST),
    ),
    "model comparison": (
        "/train",
        _train_query(BINARY, compare="logistic_regression,random_forest"),
        "Random forest",
        lambda s: _compared(s, BINARY),
    ),
    "k-means clusters": ("/clusters", _cluster_query(KMEANS), "silhouette", lambda s: _clustered(s, KMEANS)),
    "agglomerative clusters": ("/clusters", _cluster_query(WARD), "silhouette", lambda s: _clustered(s, WARD)),
    "recommendations for a user": ("/recommend", RECOMMEND, "Items like 1", _recommender_fitted),
    "a model's card": ("/models", {"model": "titanic-survival", "version": "1"}, "titanic-survival", None),
    "a regression model's Predict form": ("/predict", {"model": "ames-house-price"}, "Gr_Liv_Area", None),
    "a clustering model's Predict form": ("/predict", {"model": "penguin-segments"}, "bill_length_mm", _segments_saved),
}


@pytest.mark.parametrize("view", list(VIEWS))
def test_every_view_permalink_renders_its_result_on_a_cold_direct_load(dash_duo, app, demo_models, view):
    path, query, shown, compute = VIEWS[view]
    if compute is not None:
        compute(app.server.extensions["dashboard"])
    dash_duo.start_server(app, navigate=False)
    dash_duo.driver.get(f"{dash_duo.server.url}{path}?{urlencode(query)}")
    wait_for_app_ready(dash_duo)
    dash_duo.wait_for_contains_text("#_pages_content", shown, timeout=30)
    reveal(dash_duo)  # and the blocks built only when scrolled to
    if path not in FIGURELESS:  # a model's card shows no figure until its Drift tab is opened
        wait_until(dash_duo, lambda d: d.execute_script(ALL_DRAWN), 30, "the view's figures were not drawn")
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        dash_duo.driver.set_window_size(1280, dash_duo.driver.execute_script("return document.body.scrollHeight"))
        dash_duo.driver.save_screenshot(str(Path(SHOTS) / f"{view.replace(' ', '-')}.png"))
    assert dash_duo.driver.execute_script(BARE_FIGURES) == []
    if path == "/train" and "compare" not in query:  # the result's pipeline, as scikit-learn draws it
        estimator = {"logistic_regression": "LogisticRegression", "random_forest": "RandomForestClassifier"}
        drawn = estimator.get(query["model"], "Ridge")
        wait_until(dash_duo, lambda d: drawn in (d.find_element("id", TrainIds.PIPELINE).get_attribute("srcdoc") or ""))
    assert dash_duo.get_logs() == []


def test_an_embed_shows_diagnostics_and_starts_no_work(dash_duo, app, demo_models):
    """The embedded run's results are there, but no button that would start a computation is shown."""
    from layouts.train_ids import ShapIds

    path, query, shown, compute = VIEWS["CV diagnostics embedded"]
    compute(app.server.extensions["dashboard"])
    dash_duo.start_server(app, navigate=False)
    dash_duo.driver.get(f"{dash_duo.server.url}{path}?{urlencode(query)}")
    wait_for_app_ready(dash_duo)
    dash_duo.wait_for_contains_text("#_pages_content", shown, timeout=30)
    for button in (TrainIds.RUN_BUTTON, TrainIds.CALIBRATE_BUTTON, ShapIds.RUN_BUTTON, ShapIds.INTERACTIONS_BUTTON):
        assert not dash_duo.find_element(f"#{button}").is_displayed(), button
    assert dash_duo.find_element(f"#{ShapIds.SUMMARY_GRAPH}").is_displayed()
    assert dash_duo.get_logs() == []
