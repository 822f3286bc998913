"""Specs, rows and waits shared by the unit tests of several packages."""

import time

from dashboard.train.spec import CVSpec, TrainSpec

TITANIC_ROW = {"Pclass": 3, "Sex": "male", "Age": 22, "SibSp": 1, "Parch": 0, "Fare": 7.25, "Embarked": "S"}

TITANIC = ("Pclass", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked")


def titanic_spec(**changes) -> TrainSpec:
    """Logistic regression on Titanic's passenger columns, 5 stratified shuffled folds (seed 3)."""
    values = {
        "dataset": "titanic",
        "target": "Survived",
        "features": TITANIC,
        "estimator": "logistic_regression",
        "cv": CVSpec(folds=5, seed=3),
    }
    return TrainSpec(**{**values, **changes})


# A small cached run the export and report tests draw: its permalink and its spec
SMALL_RUN_QUERY = "dataset=titanic&target=Survived&features=Pclass,Sex,Age,Fare&model=logistic_regression&folds=3"


def small_run() -> TrainSpec:
    """Logistic regression on four Titanic columns, 3 folds: what ``/train?{SMALL_RUN_QUERY}`` names."""
    return titanic_spec(features=("Pclass", "Sex", "Age", "Fare"), cv=CVSpec(folds=3))


def wait_for_job(client, job_id, timeout=60, headers=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        record = client.get(f"/api/jobs/{job_id}", headers=headers or {}).json
        if record["status"] in ("succeeded", "failed", "cancelled"):
            return record
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {record}")
