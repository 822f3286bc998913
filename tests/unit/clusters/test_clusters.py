"""Clusters: labels and scores equal scikit-learn's with the same preprocessing and seed, ARI on penguins,
RFM equal to an independent groupby, the k sweep (cached, cancellable), named errors, and a saved k-means
clusterer that assigns new customers identically through the store and the REST API."""

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics
from sklearn.cluster import KMeans
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import StandardScaler

from dashboard.clusters.clustering import ClusterSpec
from dashboard.clusters.rfm import rfm
from dashboard.errors import Cancelled, FieldError

MEASURES = ("bill_length_mm", "bill_depth_mm", "flipper_length_mm")


@pytest.fixture
def clusters(app):
    return app.server.extensions["dashboard"].clusters


def penguins(**changes) -> ClusterSpec:
    return ClusterSpec(**{"dataset": "penguins", "features": MEASURES, "k": 3, "labels": "species", **changes})


def test_labels_and_scores_equal_scikit_learn_with_the_same_preprocessing(clusters):
    _, result, cached = clusters.run(penguins())
    frame = clusters.catalog.load("penguins")
    Z = StandardScaler().fit_transform(SimpleImputer(strategy="median").fit_transform(frame[list(MEASURES)]))
    labels = KMeans(3, n_init=4, random_state=0).fit_predict(Z)
    assert not cached and (result.labels == labels).all()
    assert result.scores["silhouette"] == pytest.approx(metrics.silhouette_score(Z, labels), abs=1e-12)
    assert result.scores["davies_bouldin"] == pytest.approx(metrics.davies_bouldin_score(Z, labels), abs=1e-12)
    assert result.scores["calinski_harabasz"] == pytest.approx(metrics.calinski_harabasz_score(Z, labels), rel=1e-12)
    # k-means on bill and flipper measurements recovers the species
    ari = metrics.adjusted_rand_score(frame["species"], labels)
    assert result.scores["ari"] == pytest.approx(ari, abs=1e-12) and ari > 0.5
    assert sum(result.sizes.values()) == len(frame) and len(result.projection["x"]) == len(frame)
    assert set(result.silhouette) == {0, 1, 2}


def test_agglomerative_manhattan_and_gmm_and_dbscan_run(clusters):
    _, agg, _ = clusters.run(penguins(algorithm="agglomerative", linkage="average", metric="manhattan"))
    assert agg.algorithm == "AgglomerativeClustering" and len(agg.sizes) == 3
    _, gmm, _ = clusters.run(penguins(algorithm="gmm", covariance="diag"))
    assert gmm.algorithm == "GaussianMixture" and gmm.scores["ari"] > 0.5
    eps = clusters.k_distance(penguins(algorithm="dbscan", min_samples=5))["suggested_eps"]
    _, dbscan, _ = clusters.run(penguins(algorithm="dbscan", eps=eps, min_samples=5))
    assert dbscan.algorithm == "DBSCAN" and len([c for c in dbscan.sizes if c >= 0]) >= 2


def test_rfm_equals_an_independent_groupby(clusters):
    frame = clusters.catalog.load("cdnow")
    table = rfm(frame, "customer_id", "date", "amount").set_index("customer_id")
    as_of = frame["date"].max() + pd.Timedelta(days=1)
    for customer, rows in list(frame.groupby("customer_id"))[:300]:
        assert table.loc[customer, "frequency"] == len(rows)
        assert table.loc[customer, "monetary"] == pytest.approx(rows["amount"].sum(), abs=0.006)
        assert table.loc[customer, "recency_days"] == (as_of - rows["date"].max()).days
    assert len(table) == frame["customer_id"].nunique()
    info = clusters.derive_rfm("cdnow", "customer_id", "date", "amount")
    assert clusters.derive_rfm("cdnow", "customer_id", "date", "amount").id == info.id  # built once
    assert list(clusters.catalog.load(info.id).columns) == ["customer_id", "recency_days", "frequency", "monetary"]


def test_rfm_segments_get_names_from_their_profiles(clusters):
    info = clusters.derive_rfm("cdnow", "customer_id", "date", "amount")
    spec = ClusterSpec(
        dataset=info.id, features=("recency_days", "frequency", "monetary"), log=("frequency", "monetary")
    )
    _, result, _ = clusters.run(spec)
    z = dict(zip(result.profile["clusters"], result.profile["z"], strict=True))
    best = max(z, key=lambda c: z[c][2] - z[c][0])  # highest spend, most recent
    assert result.names[best].startswith("recent") and result.names[best].endswith("high spend")
    worst = min(z, key=lambda c: z[c][2] - z[c][0])
    assert result.names[worst].startswith("lapsed")


def test_sweep_scores_equal_direct_fits_and_a_repeat_is_cached(clusters):
    calls = []
    sweep, cached = clusters.sweep(penguins(), [2, 3, 4, 5], on_k=lambda partial, done: calls.append(done))
    assert not cached and calls == [1, 2, 3, 4]
    frame = clusters.catalog.load("penguins")
    Z = StandardScaler().fit_transform(SimpleImputer(strategy="median").fit_transform(frame[list(MEASURES)]))
    for k, inertia, silhouette in zip(sweep.ks, sweep.inertia, sweep.silhouette, strict=True):
        model = KMeans(k, n_init=4, random_state=0).fit(Z)
        assert inertia == pytest.approx(model.inertia_, rel=1e-9)
        assert silhouette == pytest.approx(metrics.silhouette_score(Z, model.labels_), abs=1e-12)
    assert sweep.suggested == sweep.ks[int(np.argmax(sweep.silhouette))] and "highest silhouette" in sweep.reason
    again, cached = clusters.sweep(penguins(), [2, 3, 4, 5], on_k=lambda partial, done: calls.append(done))
    assert cached and again.inertia == sweep.inertia and calls == [1, 2, 3, 4]


def test_sweep_cancel_caches_nothing(clusters):
    with pytest.raises(Cancelled):
        clusters.sweep(penguins(), [2, 3, 4, 5, 6], cancelled=lambda: True)
    _, cached = clusters.sweep(penguins(), [2, 3, 4, 5, 6])
    assert not cached


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"features": ("species", "island")}, "features", "numeric"),
        ({"k": 50, "dataset": "iris", "features": ("sepal_length",)}, None, None),
        ({"algorithm": "dbscan", "eps": 1e-6}, "eps", "noise"),
        ({"algorithm": "agglomerative", "linkage": "ward", "metric": "manhattan"}, "metric", "ward"),
        ({"log": ("island",)}, "log", "numeric"),
        ({"dataset": "../etc"}, "dataset", "no dataset"),
        ({"features": ("bill_length_mm",) * 500 + ("nope",)}, "features", "not a column"),
    ],
)
def test_bad_cluster_specs_give_named_errors(clusters, changes, field, message):
    if field is None:  # k ≥ rows, on a small upload
        small = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [1.0, 0.0, 1.0, 0.0]})
        clusters.catalog.add_upload("small.csv", small.to_csv(index=False).encode(), name="small")
        changes, field, message = {"dataset": "small", "features": ("x", "y"), "k": 4, "labels": None}, "k", "rows"
    with pytest.raises(FieldError, match=message) as info:
        clusters.run(penguins(**changes))
    assert info.value.field == field


@pytest.mark.parametrize(
    ("mapping", "field"),
    [
        (("customer_id", "date", "nope"), "amount"),
        (("customer_id", "amount", "quantity"), "date"),
        (("customer_id", "date", "date"), "mapping"),
    ],
)
def test_bad_rfm_mappings_name_the_field(clusters, mapping, field):
    with pytest.raises(FieldError) as info:
        clusters.derive_rfm("cdnow", *mapping)
    assert info.value.field == field


def test_non_numeric_amount_is_named():
    frame = pd.DataFrame({"c": [1, 2, 3], "d": ["2020-01-01"] * 3, "a": ["x", "y", "z"]})
    with pytest.raises(FieldError, match="not numeric") as info:
        rfm(frame, "c", "d", "a")
    assert info.value.field == "amount"


def test_saved_clusterer_assigns_new_customers_in_the_store_and_the_api(clusters, client):
    info = clusters.derive_rfm("cdnow", "customer_id", "date", "amount")
    spec = ClusterSpec(
        dataset=info.id, features=("recency_days", "frequency", "monetary"), log=("frequency", "monetary")
    )
    token, result, _ = clusters.run(spec)
    version = clusters.save(spec, token, "cdnow-segments")
    loaded = clusters.store.load("cdnow-segments")
    frame = clusters.catalog.load(info.id)
    assert (loaded.model.predict(frame[list(spec.features)]) == result.labels).all()
    customer = {"recency_days": 12, "frequency": 9, "monetary": 850.0}
    body = client.post("/api/models/cdnow-segments/predict", json=customer).json
    row = pd.DataFrame([customer])
    assert body["task"] == "clustering" and body["version"] == version.version
    assert body["predictions"] == [int(loaded.model.predict(row)[0])]
    assert body["distances"][0] == pytest.approx(loaded.model.transform(row).min(), abs=1e-9)
    assert body["segments"] == [result.names[body["predictions"][0]]]
    with pytest.raises(FieldError, match="cannot assign"):
        agg_token, _, _ = clusters.run(penguins(algorithm="agglomerative"))
        clusters.save(penguins(algorithm="agglomerative"), agg_token, "penguin-groups")
