"""Clusters page callbacks: controls follow the dataset and algorithm, clustering and the k sweep run in
the background (cancel, cached), result views read the cached result; RFM, export and save."""

from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate
from pydantic import ValidationError

from callbacks.widgets import QueryField, background_run, bind_export_link, bind_permalink
from dashboard.clusters.clustering import ClusterSpec
from dashboard.errors import FieldError, ResultExpired
from dashboard.figures.clusters import (
    dendrogram_figure,
    k_distance_figure,
    profile_figure,
    projection_figure,
    silhouette_figure,
    sizes_figure,
    sweep_figure,
)
from dashboard.services import Services
from dashboard.serving.tables import neutralise_formulas
from layouts.clusters import identifiers_note
from layouts.clusters_form import default_features
from layouts.clusters_ids import ClusterIds
from layouts.clusters_views import categories_view, scores_view
from layouts.common import alert, error_alert, feature_options

# The Clusters form, declared once: its permalink keys are the ClusterSpec's own fields, its States what
# the callbacks read (in this order).
CLUSTER_FORM = (
    QueryField("dataset", ClusterIds.DATASET_DROPDOWN),
    QueryField("features", ClusterIds.FEATURES_DROPDOWN),
    QueryField("scale", ClusterIds.SCALE_RADIO),
    QueryField("log", ClusterIds.LOG_DROPDOWN),
    QueryField("algorithm", ClusterIds.ALGORITHM_RADIO),
    QueryField("k", ClusterIds.K_INPUT),
    QueryField("init", ClusterIds.INIT_DROPDOWN),
    QueryField("n_init", ClusterIds.N_INIT_INPUT),
    QueryField("seed", ClusterIds.SEED_INPUT),
    QueryField("linkage", ClusterIds.LINKAGE_DROPDOWN),
    QueryField("metric", ClusterIds.METRIC_DROPDOWN),
    QueryField("eps", ClusterIds.EPS_INPUT),
    QueryField("min_samples", ClusterIds.MIN_SAMPLES_INPUT),
    QueryField("covariance", ClusterIds.COVARIANCE_DROPDOWN),
    QueryField("labels", ClusterIds.LABELS_DROPDOWN),
)
SPEC_STATES = tuple(State(field.component_id, field.prop) for field in CLUSTER_FORM)
# what an empty choice means (a cleared dropdown, a radio not yet drawn)
WHEN_EMPTY = {"dataset": "", "scale": "standard", "algorithm": "kmeans", "init": "k-means++", "seed": 0}
WHEN_EMPTY |= {"linkage": "ward", "metric": "euclidean", "covariance": "full"}
GROUPS = {
    ClusterIds.K_GROUP: ("kmeans", "agglomerative", "gmm"),
    ClusterIds.KMEANS_GROUP: ("kmeans",),
    ClusterIds.AGGLOMERATIVE_GROUP: ("agglomerative",),
    ClusterIds.DBSCAN_GROUP: ("dbscan",),
    ClusterIds.GMM_GROUP: ("gmm",),
}


def spec_from_controls(*values) -> ClusterSpec:
    """The values of SPEC_STATES as a ClusterSpec; an empty or out-of-range number is a FieldError naming
    the control."""
    form = dict(zip((field.key for field in CLUSTER_FORM), values, strict=True))
    for name in ("k", "n_init", "eps", "min_samples"):
        if form[name] is None:
            raise FieldError(name, "enter a number in the allowed range")
    try:
        return ClusterSpec(
            **{key: form[key] or default for key, default in WHEN_EMPTY.items()},
            features=tuple(form["features"] or ()),
            log=tuple(form["log"] or ()),
            k=form["k"],
            n_init=form["n_init"],
            eps=form["eps"],
            min_samples=form["min_samples"],
            labels=form["labels"] or None,
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        raise FieldError(".".join(str(p) for p in error["loc"]) or "spec", error["msg"]) from None


def register(app, services: Services) -> None:
    clusters = services.clusters

    @app.callback(
        Output(ClusterIds.FEATURES_DROPDOWN, "options"),
        Output(ClusterIds.FEATURES_DROPDOWN, "value"),
        Output(ClusterIds.LOG_DROPDOWN, "options"),
        Output(ClusterIds.LOG_DROPDOWN, "value"),
        Output(ClusterIds.LABELS_DROPDOWN, "options"),
        Output(ClusterIds.LABELS_DROPDOWN, "value"),
        Output(ClusterIds.RFM_CUSTOMER, "options"),
        Output(ClusterIds.RFM_DATE, "options"),
        Output(ClusterIds.RFM_AMOUNT, "options"),
        Output(ClusterIds.FEATURES_NOTE, "children"),
        Input(ClusterIds.DATASET_DROPDOWN, "value"),
        prevent_initial_call=True,
    )
    def choose_dataset(dataset):
        if not services.catalog.exists(dataset):
            raise PreventUpdate
        kinds = services.explorer.kinds(dataset)
        columns = list(kinds)
        identifiers = services.explorer.identifiers(dataset)
        chosen = default_features(kinds, identifiers)
        return (
            feature_options(kinds, ("numeric", "boolean", "categorical")),
            chosen,
            feature_options(kinds, ("numeric", "boolean")),
            [],
            columns,
            None,
            columns,
            columns,
            columns,
            identifiers_note(identifiers, chosen),
        )

    @app.callback(
        *[Output(group, "style") for group in GROUPS],
        Input(ClusterIds.ALGORITHM_RADIO, "value"),
    )
    def show_algorithm_controls(algorithm):
        return [None if algorithm in wanted else {"display": "none"} for wanted in GROUPS.values()]

    @app.callback(
        Output(ClusterIds.DATASET_DROPDOWN, "options"),
        Output(ClusterIds.DATASET_DROPDOWN, "value"),
        Output(ClusterIds.MESSAGES, "children", allow_duplicate=True),
        Input(ClusterIds.RFM_BUTTON, "n_clicks"),
        State(ClusterIds.DATASET_DROPDOWN, "value"),
        State(ClusterIds.RFM_CUSTOMER, "value"),
        State(ClusterIds.RFM_DATE, "value"),
        State(ClusterIds.RFM_AMOUNT, "value"),
        prevent_initial_call=True,
    )
    def build_rfm(_clicks, dataset, customer, date, amount):
        try:
            info = clusters.derive_rfm(dataset, customer, date, amount)
        except Exception as exc:  # named errors are shown as they are, any other only logged
            return no_update, no_update, error_alert(exc)
        options = [{"label": i.title, "value": i.id} for i in services.catalog.list()]
        note = alert(f"RFM per customer from {dataset} is the dataset {info.id}.", "success")
        return options, info.id, note

    @app.callback(
        Output(ClusterIds.RESULT_STORE, "data"),
        Output(ClusterIds.MESSAGES, "children"),
        Input(ClusterIds.RUN_BUTTON, "n_clicks"),
        *SPEC_STATES,
        **background_run(ClusterIds.RUN_BUTTON, ClusterIds.CANCEL_BUTTON),
        prevent_initial_call=True,
    )
    def run(_clicks, *controls):
        try:
            spec = spec_from_controls(*controls)
            token, _, cached = clusters.run(spec)
            if spec.algorithm == "dbscan":
                clusters.k_distance(spec)  # cached here, so the result view only reads it
        except Exception as exc:  # named errors are shown as they are, any other only logged
            return None, error_alert(exc)
        note = alert("Identical clustering found in the cache: nothing was fitted.", "info") if cached else None
        return {"token": token, "spec": spec.key()}, note

    @app.callback(
        Output(ClusterIds.SCORES, "children"),
        Output(ClusterIds.PROJECTION_GRAPH, "figure"),
        Output(ClusterIds.SILHOUETTE_GRAPH, "figure"),
        Output(ClusterIds.SIZES_GRAPH, "figure"),
        Output(ClusterIds.PROFILE_GRAPH, "figure"),
        Output(ClusterIds.CATEGORIES, "children"),
        Output(ClusterIds.EXTRA_GRAPH, "figure"),
        Output(ClusterIds.EXTRA_PANEL, "hidden"),
        Output(ClusterIds.EXPORT_CSV_BUTTON, "disabled"),
        Output(ClusterIds.EXPORT_DATASET_BUTTON, "disabled"),
        Output(ClusterIds.SAVE_BUTTON, "disabled"),
        Input(ClusterIds.RESULT_STORE, "data"),
    )
    def show(stored):
        if not stored:
            raise PreventUpdate
        try:
            result = clusters.result(stored.get("token"))
        except ResultExpired:
            raise PreventUpdate from None
        spec = ClusterSpec(**stored["spec"])
        if result.dendrogram is not None:
            extra = dendrogram_figure(result.dendrogram["linkage"], result.dendrogram["labels"])
        elif spec.algorithm == "dbscan":
            extra = k_distance_figure(clusters.k_distance(spec), spec.min_samples)
        else:  # k-means and Gaussian mixtures have no third view: its slot is hidden, not left empty
            extra = None
        return (
            scores_view(result),
            projection_figure(result.projection, result.names),
            silhouette_figure(result.silhouette),
            sizes_figure(result.sizes, result.names),
            profile_figure(result.profile),
            categories_view(result.profile, result.names),
            extra if extra is not None else no_update,
            extra is None,
            False,
            False,
            result.algorithm not in ("KMeans", "MiniBatchKMeans"),
        )

    @app.callback(
        Output(ClusterIds.SWEEP_STORE, "data"),
        Output(ClusterIds.MESSAGES, "children", allow_duplicate=True),
        Input(ClusterIds.SWEEP_BUTTON, "n_clicks"),
        State(ClusterIds.SWEEP_RANGE, "value"),
        *SPEC_STATES,
        **background_run(
            ClusterIds.SWEEP_BUTTON,
            ClusterIds.SWEEP_CANCEL_BUTTON,
            progress=[Output(ClusterIds.SWEEP_GRAPH, "figure"), Output(ClusterIds.SWEEP_PROGRESS, "value")],
            shown=[ClusterIds.SWEEP_PANEL],
        ),
        prevent_initial_call=True,
    )
    def sweep(set_progress, _clicks, k_range, *controls):
        try:
            low, high = k_range or (2, 10)
            ks = list(range(int(low), int(high) + 1))
            spec = spec_from_controls(*controls)
            result, cached = clusters.sweep(
                spec,
                ks,
                on_k=lambda points, done: set_progress((sweep_figure(points), 100 * done // len(ks))),
            )
        except Exception as exc:  # named errors are shown as they are, any other only logged
            return None, error_alert(exc)
        points = {
            "ks": result.ks,
            "inertia": result.inertia,
            "silhouette": result.silhouette,
            "davies_bouldin": result.davies_bouldin,
            "calinski_harabasz": result.calinski_harabasz,
        }
        note = alert("Identical sweep found in the cache: nothing was fitted.", "info") if cached else None
        return {
            "points": points,
            "suggested": result.suggested,
            "reason": result.reason,
            "seconds": result.seconds,
        }, note

    @app.callback(
        Output(ClusterIds.SWEEP_GRAPH, "figure", allow_duplicate=True),
        Output(ClusterIds.SWEEP_REASON, "children"),
        Output(ClusterIds.USE_K_BUTTON, "disabled"),
        Output(ClusterIds.SWEEP_PROGRESS, "value", allow_duplicate=True),
        Input(ClusterIds.SWEEP_STORE, "data"),
        prevent_initial_call=True,
    )
    def show_sweep(stored):
        if not stored:
            raise PreventUpdate
        reason = f"Suggested k = {stored['suggested']}: {stored['reason']} (sweep took {stored['seconds']:.1f} s)."
        return sweep_figure(stored["points"], stored["suggested"]), reason, False, 100

    @app.callback(
        Output(ClusterIds.K_INPUT, "value"),
        Input(ClusterIds.USE_K_BUTTON, "n_clicks"),
        State(ClusterIds.SWEEP_STORE, "data"),
        prevent_initial_call=True,
    )
    def use_suggested_k(_clicks, stored):
        if not stored:
            raise PreventUpdate
        return stored["suggested"]

    @app.callback(
        Output(ClusterIds.EXPORT_DOWNLOAD, "data"),
        Input(ClusterIds.EXPORT_CSV_BUTTON, "n_clicks"),
        State(ClusterIds.RESULT_STORE, "data"),
        prevent_initial_call=True,
    )
    def export_csv(_clicks, stored):
        try:
            table = clusters.labelled(stored["token"], ClusterSpec(**stored["spec"]))
        except (ResultExpired, FieldError, KeyError, TypeError):
            raise PreventUpdate from None
        # formula-like text cells are neutralised, as in batch predictions
        return dcc.send_data_frame(neutralise_formulas(table).to_csv, "cluster-labels.csv", index=False)

    @app.callback(
        Output(ClusterIds.EXPORT_ALERT, "children"),
        Input(ClusterIds.EXPORT_DATASET_BUTTON, "n_clicks"),
        State(ClusterIds.RESULT_STORE, "data"),
        prevent_initial_call=True,
    )
    def export_dataset(_clicks, stored):
        try:
            info = clusters.export_dataset(stored["token"], ClusterSpec(**stored["spec"]))
        except Exception as exc:  # named errors are shown as they are, any other only logged
            return error_alert(exc)
        link = "/data?" + urlencode({"dataset": info.id, "column": "segment"})
        return dbc.Alert(
            ["Labels added as the dataset ", html.A(info.id, href=link, id=ClusterIds.DATASET_LINK), "."],
            color="success",
            className="py-2 small",
        )

    @app.callback(
        Output(ClusterIds.SAVE_ALERT, "children"),
        Input(ClusterIds.SAVE_BUTTON, "n_clicks"),
        State(ClusterIds.SAVE_NAME_INPUT, "value"),
        State(ClusterIds.RESULT_STORE, "data"),
        **background_run(ClusterIds.SAVE_BUTTON),  # refits the clusterer
        prevent_initial_call=True,
    )
    def save(_clicks, name, stored):
        if not stored:
            raise PreventUpdate
        try:
            version = clusters.save(ClusterSpec(**stored["spec"]), stored["token"], (name or "").strip())
        except Exception as exc:  # named errors are shown as they are, any other only logged
            return error_alert(exc)
        link = "/predict?" + urlencode({"model": version.name, "version": version.version})
        return dbc.Alert(
            [
                f"Saved {version.name} v{version.version}. ",
                html.A("Assign customers in Predict", href=link, id=ClusterIds.OPEN_PREDICT_LINK),
            ],
            color="success",
            className="py-2 small",
        )

    bind_permalink(app, ClusterIds.PERMALINK_LINK, CLUSTER_FORM)
    bind_export_link(app, ClusterIds.EXPORT_LINK, ClusterIds.PERMALINK_LINK)
