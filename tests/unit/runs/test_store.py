"""The runs store on SQLite and on a real PostgreSQL: one row per result, the lifecycle of a run (running,
finished, failed, cancelled, stopped), pages filtered and sorted in the database, edits that lose nothing."""

from __future__ import annotations

import threading

import pytest

from dashboard.actors import acting_as
from dashboard.errors import FieldError, NotApplicable, NotFound
from dashboard.runs.query import RunQuery
from dashboard.runs.store import STALE_SECONDS, StaleRun


def facts(model: str, score: float | None = None, **more) -> dict:
    return {
        "kind": "cv",
        "dataset": "titanic",
        "fingerprint": "f1",
        "target": "Survived",
        "model": model,
        "spec": {"estimator": model, "params": {"C": 1.0}},
        "params": {"C": 1.0} if model == "logistic_regression" else {"n_estimators": 100},
        "link": f"/train?model={model}",
        "metrics": {"roc_auc": {"mean": score, "std": 0.01}},
        "folds": [{"roc_auc": score}],
        "metric": "roc_auc",
        "score": score,
        "higher_is_better": True,
        "fit_seconds": 0.5,
        "rows": 891,
    } | more


def test_a_run_starts_beats_and_finishes_as_one_row_and_a_repeat_adds_none(runs, clock):
    with acting_as("ed"):
        runs.started("t1", facts("logistic_regression"))
    clock.now += 5
    runs.beat("t1", 3)
    (running,) = runs.page(RunQuery()).rows
    assert (running["status"], running["progress"], running["actor"]) == ("running", 3, "ed")
    runs.finished("t1", facts("logistic_regression", 0.83))
    runs.finished("t1", facts("logistic_regression", 0.99))  # a cached repeat: the result is the first's
    page = runs.page(RunQuery())
    assert page.total == 1
    (run,) = page.rows
    assert (run["status"], run["score"], run["actor"], run["folds"]) == ("finished", 0.83, "ed", [{"roc_auc": 0.83}])


def test_failed_cancelled_and_silent_runs_are_listed_with_their_reason(runs, clock):
    runs.started("failed", facts("logistic_regression"))
    runs.ended("failed", "failed", "target: 'Survived' has one class")
    runs.started("cancelled", facts("random_forest"))
    runs.ended("cancelled", "cancelled", "cancelled by its user")
    runs.started("silent", facts("random_forest"))
    clock.now += STALE_SECONDS + 1
    runs.started("live", facts("random_forest"))
    by_status = {r["status"]: r for r in runs.page(RunQuery()).rows}
    assert set(by_status) == {"failed", "cancelled", "stopped", "running"}
    assert by_status["failed"]["reason"] == "target: 'Survived' has one class"
    assert "cancelled, or its worker stopped" in by_status["stopped"]["reason"]
    assert [r["status"] for r in runs.page(RunQuery(status="stopped")).rows] == ["stopped"]
    assert [r["status"] for r in runs.page(RunQuery(status="running")).rows] == ["running"]
    runs.finished("failed", facts("logistic_regression", 0.8))  # tried again and finished: one row, finished
    assert runs.page(RunQuery(status="failed")).total == 0


def test_pages_are_filtered_sorted_and_searched_in_the_database(runs, clock):
    for i, (model, score) in enumerate([("logistic_regression", 0.80), ("random_forest", 0.85), ("svm", None)]):
        clock.now += 1
        runs.finished(f"t{i}", facts(model, score))
    assert [r["model"] for r in runs.page(RunQuery()).rows] == ["svm", "random_forest", "logistic_regression"]
    assert [r["model"] for r in runs.page(RunQuery(sort=("-score",))).rows] == [
        "random_forest",
        "logistic_regression",
        "svm",  # no score: last whichever way
    ]
    ascending = [r["model"] for r in runs.page(RunQuery(sort=("score",))).rows]
    assert ascending == ["logistic_regression", "random_forest", "svm"]
    assert [r["model"] for r in runs.page(RunQuery(q="c=1.0")).rows] == ["logistic_regression"]  # a parameter
    assert [r["model"] for r in runs.page(RunQuery(q="FOREST")).rows] == ["random_forest"]
    grid = {"score": {"filterType": "number", "type": "greaterThan", "filter": 0.81}}
    assert [r["model"] for r in runs.page(RunQuery(grid_filters=grid)).rows] == ["random_forest"]
    grid = {"score": {"filterType": "number", "type": "inRange", "filter": 0.79, "filterTo": 0.81}}
    assert [r["model"] for r in runs.page(RunQuery(grid_filters=grid)).rows] == ["logistic_regression"]
    grid = {"model": {"filterType": "text", "type": "startsWith", "filter": "RANDOM"}}
    assert [r["model"] for r in runs.page(RunQuery(grid_filters=grid)).rows] == ["random_forest"]
    second = runs.page(RunQuery(limit=1, offset=1))
    assert (second.total, [r["model"] for r in second.rows]) == (3, ["random_forest"])
    hostile = {"model": {"filterType": "text", "type": "contains", "filter": "%' OR 1=1 --"}}
    assert runs.page(RunQuery(grid_filters=hostile)).total == 0  # a value, never SQL; % is a character


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"sort": "score;drop table runs"}, "sort"),
        ({"sort": "spec"}, "sort"),
        ({"status": "done"}, "status"),
        ({"limit": 100000}, "limit"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_query_that_does_not_parse_is_refused_by_name(values, field):
    with pytest.raises(FieldError) as refused:
        RunQuery.parse(values)
    assert refused.value.field == field


def test_a_grid_filter_on_an_unknown_column_or_with_a_bad_number_is_refused_by_name(runs):
    for grid in (
        {"spec": {"filterType": "text", "type": "contains", "filter": "x"}},
        {"score": {"filterType": "number", "type": "greaterThan", "filter": "high"}},
        {"score": {"filterType": "number", "type": "regex", "filter": 1}},
    ):
        with pytest.raises(FieldError) as refused:
            runs.page(RunQuery(grid_filters=grid))
        assert refused.value.field == "filter"


def test_tags_and_notes_are_kept_verbatim_and_two_editors_tagging_at_once_both_keep_theirs(runs):
    runs.finished("t", facts("svm", 0.7))
    run_id = runs.page(RunQuery()).rows[0]["id"]
    hostile = "<img src=x onerror=alert(1)>"
    threads = [threading.Thread(target=runs.edit, args=(run_id,), kwargs={"add_tags": [f"tag{i}"]}) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run = runs.edit(run_id, add_tags=[hostile], note=hostile)
    assert sorted(run["tags"]) == sorted([*(f"tag{i}" for i in range(8)), hostile])
    assert run["note"] == hostile and run["revision"] == 10
    assert runs.page(RunQuery(tag="tag3")).total == 1
    with pytest.raises(StaleRun):
        runs.edit(run_id, note="late", revision=3)
    assert runs.get(run_id)["note"] == hostile  # the refused edit changed nothing
    run = runs.edit(run_id, remove_tags=["tag0"], revision=10)
    assert "tag0" not in run["tags"]


def test_bad_edits_are_refused_by_name_and_change_nothing(runs):
    runs.finished("t", facts("svm", 0.7))
    run_id = runs.page(RunQuery()).rows[0]["id"]
    for kwargs, error in (
        ({"add_tags": ["a\x00b"]}, FieldError),
        ({"add_tags": ["   "]}, FieldError),
        ({"add_tags": ["x" * 41]}, FieldError),
        ({"tags": "not a list"}, FieldError),
        ({"note": "x" * 5000}, FieldError),
        ({"add_tags": [f"t{i}" for i in range(21)]}, NotApplicable),
    ):
        with pytest.raises(error):
            runs.edit(run_id, **kwargs)
    assert runs.get(run_id)["tags"] == [] and runs.get(run_id)["revision"] == 1
    with pytest.raises(NotFound):
        runs.edit(99999, note="x")
    with pytest.raises(NotFound):
        runs.get(2**70)


def test_the_leaderboard_ranks_each_familys_best_run_on_the_data_as_it_is_now(runs, clock):
    for i, (model, score, fingerprint) in enumerate(
        [
            ("logistic_regression", 0.80, "now"),
            ("logistic_regression", 0.84, "now"),
            ("random_forest", 0.82, "now"),
            ("random_forest", 0.99, "before"),  # an older version of the data: not ranked
            ("svm", None, "now"),  # failed or unscored: not ranked
        ]
    ):
        clock.now += 1
        runs.finished(f"t{i}", facts(model, score, fingerprint=fingerprint))
    best, older = runs.best_per_model("titanic", "Survived", "now")
    assert [(r["model"], r["score"], r["tried"]) for r in best] == [
        ("logistic_regression", 0.84, 2),
        ("random_forest", 0.82, 1),
    ]
    assert older == 1
    runs.finished("rmse", facts("linear", 3.0, target="price", higher_is_better=False))
    runs.finished("rmse2", facts("ridge", 2.0, target="price", higher_is_better=False))
    assert [r["model"] for r in runs.best_per_model("titanic", "price", "f1")[0]] == ["ridge", "linear"]
