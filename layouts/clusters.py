"""Clusters (/clusters): dataset (or an RFM table built from transactions) → features → preparation →
algorithm, a choose-k sweep, then the projection, silhouettes, sizes, profiles; export and save.

URL: ``/clusters?dataset=penguins&features=bill_length_mm,flipper_length_mm&algorithm=kmeans&k=3&labels=species``.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.clusters.clustering import ClusterSpec
from dashboard.figures.base import message_figure
from layouts.clusters_form import algorithm_controls, field, read_cluster_query
from layouts.clusters_ids import ClusterIds
from layouts.common import editor_only, feature_options, feature_picker, is_embed, services
from layouts.reports_ids import CLUSTERS_PIN
from layouts.widgets import export_links, pin_panel


def _graph(component_id: str, text: str = "Run the clustering to see this") -> dcc.Graph:
    return dcc.Graph(id=component_id, figure=message_figure(text), config={"displaylogo": False})


def identifiers_note(identifiers: dict[str, str], chosen: list[str]) -> str:
    """Which identifiers the default features left out, and why (the ones the user chose are not named)."""
    named = [f"{column} ({why})" for column, why in identifiers.items() if column not in chosen]
    return f"Left out by default: {'; '.join(named)}." if named else ""


def layout(embed: str | None = None, **query: str) -> html.Div:
    svc = services()
    spec = read_cluster_query(svc, query)  # the permalink read once, as the view's export reads it
    dataset, chosen, algorithm, init = spec["dataset"], list(spec["features"]), spec["algorithm"], spec["init"]
    k_value, seed_value, n_init_value = spec["k"], spec["seed"], spec["n_init"]
    eps_value, min_samples_value = spec["eps"], spec["min_samples"]
    scale, log, labels = spec["scale"], ",".join(spec["log"]), spec["labels"]
    linkage, metric, covariance = spec["linkage"], spec["metric"], spec["covariance"]
    kinds = svc.explorer.kinds(dataset) if svc else {}
    identifiers = svc.explorer.identifiers(dataset) if svc else {}
    numeric = feature_options(kinds, ("numeric", "boolean"))
    embedded = is_embed(embed)
    initial = _cached_result(svc, spec)
    controls = dbc.Col(
        [
            dbc.Label("Dataset"),
            dcc.Dropdown(
                id=ClusterIds.DATASET_DROPDOWN,
                value=dataset,
                clearable=False,
                options=[{"label": i.title, "value": i.id} for i in svc.catalog.list()] if svc else [],
            ),
            editor_only(
                html.Details(
                    [
                        html.Summary("RFM from transactions", className="small"),
                        dbc.Row(
                            [
                                field("customer", dcc.Dropdown(id=ClusterIds.RFM_CUSTOMER, options=list(kinds)), 4),
                                field("date", dcc.Dropdown(id=ClusterIds.RFM_DATE, options=list(kinds)), 4),
                                field("amount", dcc.Dropdown(id=ClusterIds.RFM_AMOUNT, options=list(kinds)), 4),
                            ]
                        ),
                        dbc.Button("Build RFM dataset", id=ClusterIds.RFM_BUTTON, size="sm", color="secondary"),
                    ],
                    className="my-2",
                )
            ),
            dbc.Label("Features", className="mt-1"),
            feature_picker(
                ClusterIds.FEATURES_DROPDOWN, chosen, feature_options(kinds, ("numeric", "boolean", "categorical"))
            ),
            html.Div(identifiers_note(identifiers, chosen), id=ClusterIds.FEATURES_NOTE, className="small text-muted"),
            dbc.Row(
                [
                    field(
                        "Scale",
                        dbc.RadioItems(
                            id=ClusterIds.SCALE_RADIO,
                            value=scale if scale in ("standard", "robust", "none") else "standard",
                            inline=True,
                            className="small",
                            options=["standard", "robust", "none"],
                        ),
                        12,
                    ),
                    field(
                        "log(1 + x) for skewed amounts",
                        dcc.Dropdown(
                            id=ClusterIds.LOG_DROPDOWN,
                            multi=True,
                            value=[c for c in log.split(",") if c in kinds],
                            options=numeric,
                        ),
                        12,
                    ),
                ],
                className="mt-2",
            ),
            *algorithm_controls(
                algorithm,
                k_value,
                seed_value,
                init,
                n_init_value,
                linkage,
                metric,
                eps_value,
                min_samples_value,
                covariance,
            ),
            dbc.Label("Known labels (for the adjusted Rand index)", className="small mt-2"),
            dcc.Dropdown(id=ClusterIds.LABELS_DROPDOWN, value=labels if labels in kinds else None, options=list(kinds)),
            html.Div(
                [
                    dbc.Button("Cluster", id=ClusterIds.RUN_BUTTON, color="primary", className="me-2"),
                    dbc.Button("Cancel", id=ClusterIds.CANCEL_BUTTON, color="outline-secondary", disabled=True),
                ],
                className="mt-3",
            ),
            html.A("Permalink", id=ClusterIds.PERMALINK_LINK, href="#", className="small d-block mt-2"),
            export_links(ClusterIds.EXPORT_LINK),
            pin_panel(CLUSTERS_PIN),
        ],
        lg=3,
        style={"display": "none"} if embedded else None,
    )
    sweep = _sweep_card(embedded)
    results = dbc.Col(
        [
            html.Div(id=ClusterIds.MESSAGES),
            dcc.Store(id=ClusterIds.RESULT_STORE, data=initial),
            sweep,
            html.Div(id=ClusterIds.SCORES, className="mb-2"),
            dbc.Row(
                [
                    dbc.Col(_graph(ClusterIds.PROJECTION_GRAPH), md=7),
                    dbc.Col(_graph(ClusterIds.SILHOUETTE_GRAPH), md=5),
                ]
            ),
            dbc.Row([dbc.Col(_graph(ClusterIds.PROFILE_GRAPH), md=7), dbc.Col(_graph(ClusterIds.SIZES_GRAPH), md=5)]),
            html.Div(id=ClusterIds.CATEGORIES),
            html.Div(_graph(ClusterIds.EXTRA_GRAPH, ""), id=ClusterIds.EXTRA_PANEL, hidden=True),
            _use_result_card(embedded),
        ],
        lg=12 if embedded else 9,
    )
    return html.Div([html.H2("Clusters"), dbc.Row([controls, results])])


def _sweep_card(embedded: bool) -> dbc.Card:
    """Choose k: sweep a range of k and compare the scores."""
    return dbc.Card(
        [
            dbc.CardHeader("Choose k"),
            dbc.CardBody(
                [
                    dbc.Row(
                        [
                            dbc.Col(
                                dcc.RangeSlider(id=ClusterIds.SWEEP_RANGE, min=2, max=20, step=1, value=[2, 10]), md=6
                            ),
                            dbc.Col(
                                [
                                    dbc.Button(
                                        "Sweep k",
                                        id=ClusterIds.SWEEP_BUTTON,
                                        size="sm",
                                        color="primary",
                                        className="me-2",
                                    ),
                                    dbc.Button(
                                        "Cancel",
                                        id=ClusterIds.SWEEP_CANCEL_BUTTON,
                                        size="sm",
                                        color="outline-secondary",
                                        disabled=True,
                                        className="me-2",
                                    ),
                                    dbc.Button(
                                        "Use the suggested k",
                                        id=ClusterIds.USE_K_BUTTON,
                                        size="sm",
                                        color="outline-success",
                                        disabled=True,
                                    ),
                                ],
                                md=6,
                            ),
                        ]
                    ),
                    dbc.Progress(id=ClusterIds.SWEEP_PROGRESS, value=0, className="mt-2", style={"height": "14px"}),
                    html.Div(id=ClusterIds.SWEEP_REASON, className="small mt-1"),
                    dcc.Store(id=ClusterIds.SWEEP_STORE),
                    html.P(
                        "Sweep k to compare inertia, silhouette, Davies-Bouldin and Calinski-Harabasz over a range.",
                        className="small text-muted mb-0",
                    ),
                    html.Div(_graph(ClusterIds.SWEEP_GRAPH, ""), id=ClusterIds.SWEEP_PANEL, hidden=True),
                ]
            ),
        ],
        className="mb-3",
        style={"display": "none"} if embedded else None,
    )


def _use_result_card(embedded: bool) -> dbc.Card:
    """Download the labels, add them as a dataset, or save the clusterer (editors only)."""
    return dbc.Card(
        [
            dbc.CardHeader("Use the result"),
            dbc.CardBody(
                [
                    dbc.Button(
                        "Download labels (CSV)",
                        id=ClusterIds.EXPORT_CSV_BUTTON,
                        size="sm",
                        className="me-2",
                        disabled=True,
                    ),
                    editor_only(
                        dbc.Button(
                            "Add labels as a dataset",
                            id=ClusterIds.EXPORT_DATASET_BUTTON,
                            size="sm",
                            className="me-2",
                            disabled=True,
                        ),
                        dcc.Download(id=ClusterIds.EXPORT_DOWNLOAD),
                        html.Div(id=ClusterIds.EXPORT_ALERT, className="mt-2"),
                        dbc.InputGroup(
                            [
                                dbc.Input(
                                    id=ClusterIds.SAVE_NAME_INPUT,
                                    placeholder="model name, e.g. customer-segments",
                                    maxLength=64,
                                ),
                                dbc.Button("Save clusterer", id=ClusterIds.SAVE_BUTTON, color="success", disabled=True),
                            ],
                            className="mt-2",
                            size="sm",
                        ),
                        html.Div(id=ClusterIds.SAVE_ALERT, className="mt-2"),
                    ),
                ]
            ),
        ],
        className="mb-3",
        style={"display": "none"} if embedded else None,
    )


def _cached_result(svc, spec: dict) -> dict | None:
    """The result store's value when the query's exact clustering is cached (a permalink opens on it)."""
    if svc is None:
        return None
    try:
        cluster_spec = ClusterSpec(**spec)
        token = svc.clusters.cached_token(cluster_spec)
    except ValueError:  # a query naming columns or values the dataset lacks opens on an empty page
        return None
    return {"token": token, "spec": cluster_spec.key()} if token else None
