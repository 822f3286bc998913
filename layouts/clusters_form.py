"""The Clusters form's algorithm controls: each algorithm's parameters, shown for the algorithm chosen."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc

from layouts.clusters_ids import ClusterIds

ALGORITHMS = {"kmeans": "k-means", "agglomerative": "agglomerative", "dbscan": "DBSCAN", "gmm": "Gaussian mixture"}


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
