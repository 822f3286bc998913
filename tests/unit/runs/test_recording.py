"""Runs recorded where they are computed: a Train run, its cached repeat, a failed and a cancelled run, a
search's candidates (pruned ones marked); the record's numbers are the result's, and its link reopens it."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pytest

from dashboard.actors import acting_as
from dashboard.errors import Cancelled, FieldError
from dashboard.runs.compare import comparison, curves, dataset_states, parameter_points
from dashboard.runs.database import Database, sqlite_url
from dashboard.runs.journal import TrainJournal
from dashboard.runs.query import RunQuery
from dashboard.runs.store import RunStore
from dashboard.train.search import SearchSpec
from tests.unit.helpers import small_run


@pytest.fixture
def runs(training, tmp_path):
    store = RunStore(Database(sqlite_url(tmp_path / "runs.sqlite3")))
    training.journal = TrainJournal(store)
    return store


def test_a_train_run_is_recorded_once_with_its_results_numbers(training, runs):
    spec = small_run()
    with acting_as("ed"):
        token, result, _ = training.run(spec)
    training.run(spec)  # the cached repeat reuses the run
    (run,) = runs.page(RunQuery()).rows
    assert (run["token"], run["status"], run["actor"], run["kind"]) == (token, "finished", "ed", "cv")
    assert run["metrics"] == {k: {s: pytest.approx(v) for s, v in stats.items()} for k, stats in result.summary.items()}
    assert run["score"] == pytest.approx(result.summary["roc_auc"]["mean"])
    assert [f["roc_auc"] for f in run["folds"]] == pytest.approx([f["metrics"]["roc_auc"] for f in result.folds])
    assert run["rows"] == len(result.y) and run["fit_seconds"] > 0 and run["predict_ms_per_row"] > 0
    assert run["spec"] == spec.key() and run["params"] == spec.key()["params"]


def test_a_runs_link_opens_the_same_cached_result_on_train(training, runs, app):
    services = app.server.extensions["dashboard"]
    spec = small_run().model_copy(update={"estimator": "random_forest", "params": {"n_estimators": 40}})
    token, _, _ = services.training.run(spec)
    (run,) = services.runs.page(RunQuery()).rows
    from layouts.train_form import read_form

    query = dict(parse_qsl(urlsplit(run["link"]).query))
    with app.server.test_request_context(run["link"]):
        form = read_form(query["dataset"], query["target"], query["features"], query["model"], query)
        assert services.training.token(form.spec()) == token


def test_a_failed_and_a_cancelled_run_are_recorded_with_their_reason(training, runs):
    with pytest.raises(FieldError):
        training.run(small_run().model_copy(update={"target": "no-such-column"}))
    with pytest.raises(Cancelled):
        training.run(small_run().model_copy(update={"estimator": "random_forest"}), cancelled=lambda: True)
    rows = {r["status"]: r for r in runs.page(RunQuery()).rows}
    assert set(rows) == {"failed", "cancelled"}
    assert rows["failed"]["reason"].startswith("target:") and "no-such-column" in rows["failed"]["reason"]
    assert rows["cancelled"]["reason"] == "cancelled by its user"


def test_search_candidates_are_runs_of_their_search_and_compare_as_their_results_say(training, runs):
    search = SearchSpec(mode="grid", grid={"C": [0.01, 1.0, 100.0]})
    token, result, _ = training.search(small_run(), search)
    candidates = runs.page(RunQuery(kind="candidate", sort=("id",))).rows
    assert len(candidates) == 3 and {c["group"] for c in candidates} == {token}
    assert sorted(c["params"]["C"] for c in candidates) == [0.01, 1.0, 100.0]
    table = comparison(dataset_states(candidates, training.catalog))
    (auc,) = [m for m in table["metrics"] if m["metric"] == "roc_auc"]
    cv_results = [training.result(c["token"]) for c in candidates]
    assert auc["mean"] == pytest.approx([r.summary["roc_auc"]["mean"] for r in cv_results])
    assert auc["diff"][1] == pytest.approx(auc["mean"][1] - auc["mean"][0])
    assert [p["name"] for p in table["parameters"]] == ["params.C"] and table["same_data"]


def test_compared_runs_overlay_curves_whose_aucs_are_their_recorded_scores_and_plot_score_by_parameter(training, runs):
    from dashboard.figures.runs import parallel_parameters_figure, score_by_parameter_figure

    search = SearchSpec(mode="grid", grid={"C": [0.01, 1.0, 100.0]})
    training.search(small_run(), search)
    candidates = dataset_states(runs.page(RunQuery(kind="candidate", sort=("id",))).rows, training.catalog)
    drawn = curves(candidates, training)
    assert drawn["task"] == "binary" and drawn["missing"] == [] and len(drawn["curves"]) == 3
    for run, (label, curve) in zip(candidates, drawn["curves"], strict=True):
        assert label.startswith(f"#{run['id']} ")
        assert curve["auc_mean"] == pytest.approx(run["metrics"]["roc_auc"]["mean"])
    table = comparison(candidates)
    points = parameter_points(candidates, table["parameters"], "roc_auc")
    assert [p["values"]["params.C"] for p in points] == [c["params"]["C"] for c in candidates]
    figure = score_by_parameter_figure(points, ["params.C"], "roc_auc")
    assert list(figure.data[0].y) == pytest.approx([r["metrics"]["roc_auc"]["mean"] for r in candidates])
    assert list(figure.data[0].text) == [f"#{r['id']}" for r in candidates]
    three = [
        {**p, "values": {**p["values"], "solver": "lbfgs" if i else "saga", "tol": 10.0**-i}}
        for i, p in enumerate(points)
    ]
    lines = parallel_parameters_figure(three, ["params.C", "solver", "tol"], "roc_auc").data[0]
    assert lines.type == "parcoords" and [d.label for d in lines.dimensions] == ["params.C", "solver", "tol", "roc_auc"]
    assert list(lines.dimensions[-1]["values"]) == pytest.approx([p["mean"] for p in points])
    evicted = [{**candidates[0], "token": "no-longer-cached"}, *candidates[1:]]  # named; the others drawn
    assert (
        curves(evicted, training)["missing"] == [candidates[0]["id"]] and len(curves(evicted, training)["curves"]) == 2
    )


def test_compared_regression_runs_show_their_out_of_fold_residuals(training, runs):
    spec = small_run().model_copy(
        update={"target": "Fare", "features": ("Pclass", "Age", "Sex"), "task": "regression", "estimator": "ridge"}
    )
    training.run(spec)
    training.run(spec.model_copy(update={"params": {"alpha": 100.0}}))
    rows = runs.page(RunQuery(sort=("id",))).rows
    drawn = curves(rows, training)
    assert drawn["task"] == "regression" and len(drawn["residuals"]) == 2
    for run, (_, residuals) in zip(rows, drawn["residuals"], strict=True):
        result = training.result(run["token"])
        assert len(residuals) == run["rows"] and list(residuals) == pytest.approx(list(result.y - result.oof_pred))


def test_a_run_whose_dataset_was_deleted_is_listed_and_not_reopenable(training, runs, catalog):
    import pandas as pd

    frame = pd.DataFrame({"x": range(60), "y": [0, 1] * 30})
    info, _ = catalog.add_upload("tiny.csv", frame.to_csv(index=False).encode(), name="tiny")
    spec = small_run().model_copy(update={"dataset": info.id, "target": "y", "features": ("x",)})
    training.run(spec)
    catalog.delete(info.id)
    (run,) = dataset_states(runs.page(RunQuery()).rows, catalog)
    assert (run["dataset_state"], run["reopenable"], run["status"]) == ("deleted", False, "finished")


def test_try_every_model_runs_each_family_on_the_same_folds_within_its_budget(training, runs):
    import itertools

    from dashboard.runs.leaderboard import leaderboard, starting_spec, try_every_model
    from dashboard.train.catalog import for_task

    spec = starting_spec(training, "titanic", "Survived")
    ticks = itertools.chain([0.0, 0.0, 0.5, 2.0], itertools.repeat(3.0))  # the third family finds it spent
    done = try_every_model(training, spec, 1, clock=lambda: next(ticks))
    families = [f.key for f in for_task("binary")]
    assert [t["model"] for t in done["tried"]] == families[:2] and done["skipped"] == families[2:]
    recorded = runs.page(RunQuery(sort=("id",))).rows
    assert [r["model"] for r in recorded] == families[:2] and {r["group"] for r in recorded} == {done["group"]}
    assert (
        len({json.dumps({k: v for k, v in r["spec"].items() if k not in ("estimator", "params")}) for r in recorded})
        == 1
    )
    board = leaderboard(runs, training.catalog, "titanic", "Survived")
    scores = {r["model"]: training.result(r["token"]).summary["roc_auc"]["mean"] for r in recorded}
    assert [m["model"] for m in board["models"]] == sorted(scores, key=scores.get, reverse=True)
    assert [m["score"] for m in board["models"]] == pytest.approx(sorted(scores.values(), reverse=True))


def test_a_clustering_is_a_run_scored_by_its_silhouette_whose_link_reopens_it(app):
    from dashboard.clusters.clustering import ClusterSpec
    from layouts.clusters_form import read_cluster_query

    services = app.server.extensions["dashboard"]
    spec = ClusterSpec(dataset="penguins", features=("bill_length_mm", "flipper_length_mm"), k=3)
    token, result, _ = services.clusters.run(spec)
    services.clusters.run(spec)  # cached: the same run
    (run,) = services.runs.page(RunQuery(kind="clustering")).rows
    assert (run["model"], run["metric"], run["status"]) == ("kmeans", "silhouette", "finished")
    assert run["score"] == pytest.approx(result.scores["silhouette"]) and run["rows"] == len(result.labels)
    with app.server.test_request_context(run["link"]):
        query = dict(parse_qsl(urlsplit(run["link"]).query))
        assert services.clusters.cached_token(ClusterSpec(**read_cluster_query(services, query))) == token


def test_a_choose_k_sweep_is_a_run_scored_at_the_k_it_suggests_and_a_cancelled_one_says_so(app):
    from dashboard.clusters.clustering import ClusterSpec
    from layouts.clusters_form import read_cluster_query

    services = app.server.extensions["dashboard"]
    spec = ClusterSpec(dataset="penguins", features=("bill_length_mm", "flipper_length_mm"), k=3)
    result, _ = services.clusters.sweep(spec, [2, 3, 4, 5])
    services.clusters.sweep(spec, [2, 3, 4, 5])  # cached: the same run
    with pytest.raises(Cancelled):
        services.clusters.sweep(spec, [2, 3, 4, 6], cancelled=lambda: True)
    finished, cancelled = (
        services.runs.page(RunQuery(kind="cluster_sweep", status=status)).rows for status in ("finished", "cancelled")
    )
    (run,) = finished
    at = result.ks.index(result.suggested)
    assert run["score"] == pytest.approx(result.silhouette[at]) and run["metric"] == "silhouette"
    assert run["metrics"]["suggested_k"]["mean"] == result.suggested
    assert [f["k"] for f in run["folds"]] == [2, 3, 4, 5]
    assert [f["inertia"] for f in run["folds"]] == pytest.approx(result.inertia)
    assert (run["params"]["k_from"], run["params"]["k_to"]) == (2, 5)
    assert len(cancelled) == 1 and cancelled[0]["reason"] == "cancelled by its user"
    with app.server.test_request_context(run["link"]):  # its link opens the clustering at the suggested k
        query = dict(parse_qsl(urlsplit(run["link"]).query))
        assert ClusterSpec(**read_cluster_query(services, query)) == spec.model_copy(update={"k": result.suggested})


def test_a_recommender_evaluation_is_one_run_per_model_whose_link_reopens_the_evaluation(app):
    from dashboard.recommend.evaluation import HoldoutSpec
    from dashboard.recommend.interactions import Mapping
    from dashboard.recommend.models import RecSpec
    from layouts import recommend as page

    services = app.server.extensions["dashboard"]
    mapping = Mapping(dataset="movielens", user="userId", item="movieId", value="rating", timestamp="timestamp")
    specs, holdout = [RecSpec(kind="item_knn", neighbours=20)], HoldoutSpec(k=10, relevant_from=4)
    with acting_as("ed"):
        result, _ = services.recommend.evaluate(mapping, specs, holdout)
    services.recommend.evaluate(mapping, specs, holdout)  # cached: the same runs
    recorded = services.runs.page(RunQuery(kind="recommender", sort=("id",))).rows
    assert [r["model"] for r in recorded] == ["popularity", "item_knn"]
    assert len({r["group"] for r in recorded}) == 1 and {r["actor"] for r in recorded} == {"ed"}
    for run, row in zip(recorded, result.rows, strict=True):
        assert run["score"] == pytest.approx(row["ndcg"]) and run["metric"] == "ndcg"
        assert run["metrics"]["recall"]["mean"] == pytest.approx(row["recall"])
        assert run["rows"] == result.users and run["status"] == "finished"
    query = dict(parse_qsl(urlsplit(recorded[1]["link"]).query))
    columns = list(services.explorer.kinds(query["dataset"]))
    reopened = Mapping(
        dataset=query["dataset"],
        feedback=page.feedback_from_query(query),
        **page.mapping_from_query(query["dataset"], columns, query),
    )
    spec = page.spec_from_query(query)
    again = [spec.model_copy(update={"kind": m}) for m in page.models_from_query(query)]
    assert services.recommend.cached_evaluation(reopened, again, page.holdout_from_query(query)) is not None
