"""The Clusters form: its permalink read once into a clustering's fields (the page and its export read it
alike), and the algorithm controls, each algorithm's parameters shown for the algorithm chosen."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc

from layouts.clusters_ids import ClusterIds
from layouts.common import query_int, query_number

ALGORITHMS = {"kmeans": "k-means", "agglomerative": "agglomerative", "dbscan": "DBSCAN", "gmm": "Gaussian mixture"}
DEFAULT_DATASET = "penguins"


def default_features(kinds: dict[str, str], identifiers=()) -> list[str]:
    """The first four numeric columns that are not identifiers (a customer id or a row number is no trait)."""
    return [c for c, k in kinds.items() if k == "numeric" and c not in identifiers][:4]


def read_cluster_query(svc, query: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of the ClusterSpec a /clusters permalink names, every value checked and defaulted. ``query``
    is a mapping, never keyword arguments: a permalink's keys are anyone's to choose."""
    dataset = query.get("dataset", DEFAULT_DATASET)
    features, log, labels = query.get("features"), query.get("log") or "", query.get("labels")
    algorithm, init = query.get("algorithm", "kmeans"), query.get("init", "k-means++")
    if svc is not None and not svc.catalog.exists(dataset):
        dataset = DEFAULT_DATASET
    kinds = svc.explorer.kinds(dataset) if svc else {}
    identifiers = svc.explorer.identifiers(dataset) if svc else {}
    chosen = [f for f in (features or "").split(",") if f in kinds] or default_features(kinds, identifiers)
    return dict(
        dataset=dataset,
        features=tuple(chosen),
        scale=query.get("scale", "standard"),
        log=tuple(c for c in str(log).split(",") if c in kinds),
        algorithm=algorithm if algorithm in ALGORITHMS else "kmeans",
        k=query_int(query.get("k"), 3, 2, 50),
        init=init if init in ("k-means++", "random") else "k-means++",
        n_init=query_int(query.get("n_init"), 4, 1, 50),
        seed=query_int(query.get("seed"), 0, 0, 2**31 - 1),
        linkage=query.get("linkage", "ward"),
        metric=query.get("metric", "euclidean"),
        eps=query_number(query.get("eps"), 0.5, 1e-12, 1e12),
        min_samples=query_int(query.get("min_samples"), 5, 1, 1000),
        covariance=query.get("covariance", "full"),
        labels=labels if labels in kinds else None,
    )


def field(label: str, control: Any, width: int = 6) -> dbc.Col:
    return dbc.Col([dbc.Label(label, className="small mb-0"), control], width=width, className="mb-1")


def algorithm_controls(
    algorithm, k_value, seed_value, init, n_init_value, linkage, metric, eps_value, min_samples_value, covariance
) -> list:
    """The algorithm and each algorithm's parameters (a group per algorithm, shown for it alone)."""
    return [
        dbc.Label("Algorithm", className="mt-2"),
        dbc.RadioItems(
            id=ClusterIds.ALGORITHM_RADIO,
            value=algorithm,
            className="small",
            options=[{"label": v, "value": k} for k, v in ALGORITHMS.items()],
        ),
        dbc.Row(
            [
                field(
                    "k",
                    dbc.Input(
                        id=ClusterIds.K_INPUT,
                        type="number",
                        min=2,
                        max=50,
                        value=k_value,
                        size="sm",
                    ),
                    4,
                ),
                field(
                    "seed",
                    dbc.Input(
                        id=ClusterIds.SEED_INPUT,
                        type="number",
                        min=0,
                        value=seed_value,
                        size="sm",
                    ),
                    4,
                ),
            ],
            id=ClusterIds.K_GROUP,
        ),
        dbc.Row(
            [
                field(
                    "init",
                    dcc.Dropdown(
                        id=ClusterIds.INIT_DROPDOWN,
                        value=init,
                        clearable=False,
                        options=["k-means++", "random"],
                    ),
                ),
                field(
                    "n_init",
                    dbc.Input(id=ClusterIds.N_INIT_INPUT, type="number", min=1, max=50, value=n_init_value, size="sm"),
                ),
            ],
            id=ClusterIds.KMEANS_GROUP,
        ),
        dbc.Row(
            [
                field(
                    "linkage",
                    dcc.Dropdown(
                        id=ClusterIds.LINKAGE_DROPDOWN,
                        clearable=False,
                        value=linkage if linkage in ("ward", "complete", "average", "single") else "ward",
                        options=["ward", "complete", "average", "single"],
                    ),
                ),
                field(
                    "metric",
                    dcc.Dropdown(
                        id=ClusterIds.METRIC_DROPDOWN,
                        clearable=False,
                        value=metric if metric in ("euclidean", "manhattan") else "euclidean",
                        options=["euclidean", "manhattan"],
                    ),
                ),
            ],
            id=ClusterIds.AGGLOMERATIVE_GROUP,
        ),
        dbc.Row(
            [
                field(
                    "eps",
                    dbc.Input(
                        id=ClusterIds.EPS_INPUT,
                        type="number",
                        min=0,
                        step="any",
                        value=eps_value,
                        size="sm",
                    ),
                ),
                field(
                    "min_samples",
                    dbc.Input(
                        id=ClusterIds.MIN_SAMPLES_INPUT,
                        type="number",
                        min=1,
                        value=min_samples_value,
                        size="sm",
                    ),
                ),
            ],
            id=ClusterIds.DBSCAN_GROUP,
        ),
        dbc.Row(
            [
                field(
                    "covariance",
                    dcc.Dropdown(
                        id=ClusterIds.COVARIANCE_DROPDOWN,
                        clearable=False,
                        value=covariance if covariance in ("full", "tied", "diag", "spherical") else "full",
                        options=["full", "tied", "diag", "spherical"],
                    ),
                    12,
                ),
            ],
            id=ClusterIds.GMM_GROUP,
        ),
    ]
