"""Monitoring over REST: the drift report, re-verification with its history and retraining as a job answer
what the Models page's service computes, in documented shapes and strict JSON, and name every bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, roc_auc_score

from dashboard.api.schemas import DriftReport, Evaluation, EvaluationList
from dashboard.monitoring import drift
from tests.unit.helpers import wait_for_job

TITANIC = "titanic-survival"
FIELDS = ["Pclass", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked"]


def strict_json(response):
    """The body parsed as standard JSON: a bare NaN or Infinity fails."""

    def refuse(constant):
        raise AssertionError(f"{constant} in a JSON answer")

    return json.loads(response.get_data(as_text=True), parse_constant=refuse)


@pytest.fixture
def services(app, demo_models):
    return app.server.extensions["dashboard"]


def test_drift_over_rest_measures_the_logged_rows_and_warns_of_a_small_sample(app, services):
    client = app.server.test_client()
    older = services.catalog.load("titanic").query("Age > 40").head(60)
    client.post(f"/api/models/{TITANIC}/predict", json={"instances": older[FIELDS].to_dict("records")})
    response = client.get(f"/api/models/{TITANIC}/drift")  # default: the prediction log of the default version
    assert response.status_code == 200
    report = DriftReport.model_validate(strict_json(response)).model_dump()
    assert report["current"] == "prediction log of v1 (60 rows)" and report["version"] == 1
    reference = services.models.reference(TITANIC, 1)
    expected = drift.numeric_drift("Age", reference["Age"], older["Age"].reset_index(drop=True))
    age = next(c for c in report["columns"] if c["column"] == "Age")
    assert age["psi"] == pytest.approx(expected.psi, rel=1e-12) and age["statistic"] == expected.statistic
    assert [c["psi"] for c in report["columns"]] == sorted((c["psi"] for c in report["columns"]), reverse=True)
    assert len(report["warnings"]) == 1 and "60 recent rows" in report["warnings"][0]
    whole = client.get(f"/api/models/{TITANIC}/drift?data=titanic&alias=")
    assert whole.status_code == 404 and whole.json["error"]["field"] == "alias"
    whole = strict_json(client.get(f"/api/models/{TITANIC}/drift?data=titanic&version=1"))
    assert whole["warnings"] == [] and whole["current"] == "dataset titanic"


def test_an_empty_column_answers_null_statistics_not_bare_nan(app, services):
    frame = services.catalog.load("titanic").assign(Age=np.nan)
    services.catalog.add_upload("no-ages.csv", frame.to_csv(index=False).encode(), name="no-ages")
    response = app.server.test_client().get(f"/api/models/{TITANIC}/drift?data=no-ages")
    age = next(c for c in strict_json(response)["columns"] if c["column"] == "Age")
    assert age["statistic"] is None and age["p_value"] is None
    assert age["current"][-1] == 1.0  # every row in the (missing) bin


def test_reverify_over_rest_equals_scikit_learn_and_is_kept(app, services):
    client = app.server.test_client()
    frame = services.catalog.load("titanic").sample(300, random_state=5)
    services.catalog.add_upload("fresh.csv", frame.to_csv(index=False).encode(), name="fresh")
    response = client.post(f"/api/models/{TITANIC}/evaluations?version=1", json={"data": "fresh"})
    assert response.status_code == 201
    evaluation = Evaluation.model_validate(strict_json(response)).model_dump()
    model = services.models.load(TITANIC, 1).model
    scored = frame.dropna(subset=["Survived"])
    proba = model.predict_proba(scored[FIELDS])[:, 1]
    assert evaluation["rows"] == len(scored)
    assert evaluation["metrics"]["roc_auc"] == pytest.approx(roc_auc_score(scored["Survived"], proba), abs=1e-12)
    assert evaluation["metrics"]["accuracy"] == pytest.approx(
        accuracy_score(scored["Survived"], model.predict(scored[FIELDS])), abs=1e-12
    )
    auc = next(r for r in evaluation["comparison"] if r["metric"] == "roc_auc")
    cv_auc = services.models.card(TITANIC, 1)["cv"]["scores"]["roc_auc"]["mean"]
    assert auc["cv_mean"] == cv_auc and auc["delta"] == pytest.approx(auc["now"] - cv_auc)
    history = EvaluationList.model_validate(client.get(f"/api/models/{TITANIC}/evaluations").json).model_dump()
    assert [e["source"]["id"] for e in history["evaluations"]] == ["fresh"]
    assert history["evaluations"][0]["metrics"] == evaluation["metrics"]


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("evaluations", {"data": "no-such-data"}, 404, "data"),
        ("evaluations", {"data": 7}, 400, "data"),
        ("evaluations", {"data": "ames-housing"}, 400, "data"),  # no Survived column
        ("evaluations", {}, 409, "data"),  # the log: nothing got feedback yet
        ("retrain", {"data": "@log"}, 409, "data"),
        ("evaluations", [1, 2], 400, "body"),
        ("retrain", {"data": "titanic", "union": "yes"}, 400, "union"),
        ("retrain", {"data": "x" * 500}, 400, "data"),
        ("retrain?version=9", {"data": "titanic"}, 404, "version"),
    ],
)
def test_bad_monitoring_requests_are_named_and_keep_nothing(app, services, path, body, status, field):
    response = app.server.test_client().post(f"/api/models/{TITANIC}/{path}", json=body)
    assert response.status_code == status and response.json["error"]["field"] == field
    assert services.models.evaluations(TITANIC, 1) == []
    assert [v.version for v in services.models.versions(TITANIC)] == [1]
    assert services.queue.counts().get("queued", 0) == 0


def test_monitoring_endpoints_answer_unknown_models_and_non_json_bodies(app, services):
    client = app.server.test_client()
    assert client.get("/api/models/nope/drift").status_code == 404
    nothing_logged = client.get(f"/api/models/{TITANIC}/drift")
    assert nothing_logged.status_code == 409 and nothing_logged.json["error"]["code"] == "not_enough_data"
    assert client.get("/api/models/nope/evaluations").json["error"]["field"] == "model"
    assert client.post(f"/api/models/{TITANIC}/retrain", data="data=titanic").status_code == 415


def test_retrain_over_rest_is_a_job_whose_version_names_its_parent(app, services):
    client = app.server.test_client()
    services.models.set_alias(TITANIC, "production", 1)
    frame = services.catalog.load("titanic").sample(frac=0.7, random_state=11)
    services.catalog.add_upload("recent.csv", frame.to_csv(index=False).encode(), name="recent")
    accepted = client.post(f"/api/models/{TITANIC}/retrain", json={"data": "recent"})
    assert accepted.status_code == 202 and accepted.headers["Location"] == accepted.json["status_url"]
    job = wait_for_job(client, accepted.json["job_id"], timeout=300)
    assert job["status"] == "succeeded", job
    folds = services.models.card(TITANIC, 1)["cv"]["spec"]["folds"]
    assert job["progress"] == {"done": folds, "total": folds}
    result = job["result"]
    card = client.get(result["card_url"]).json
    assert result["version"] == card["version"] == 2 and card["parent"]["version"] == 1
    assert card["dataset"]["id"] == "recent" and card["dataset"]["rows"] == frame["Survived"].notna().sum()
    assert result["compared_with"] == {"alias": "production", "version": 1}
    old = services.models.card(TITANIC, 1)["metrics"]
    compared = {m["metric"]: (m["a"], m["b"]) for m in result["metrics"]}
    assert compared == {name: (old[name], card["metrics"][name]) for name in old}
    assert services.models.aliases(TITANIC) == {"production": 1}  # promoting it is the user's decision
    assert [v.version for v in services.models.versions(TITANIC)] == [1, 2]


def test_a_retrain_on_labels_that_match_no_logged_prediction_fails_and_saves_nothing(app, services):
    client = app.server.test_client()
    labels = {"labels": [{"request_id": "never-served", "label": 1}]}
    assert client.post(f"/api/models/{TITANIC}/feedback", json=labels).json == {"received": 1, "matched": 0}
    accepted = client.post(f"/api/models/{TITANIC}/retrain", json={"data": "@log", "union": True})
    assert accepted.status_code == 202  # some label came back: only the job can tell none of them fits
    job = wait_for_job(client, accepted.json["job_id"])
    assert job["status"] == "failed" and job["error"].startswith("data: no logged prediction with a label")
    assert [v.version for v in services.models.versions(TITANIC)] == [1]
