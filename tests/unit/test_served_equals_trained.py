"""A saved model answers exactly as it was evaluated, whichever door a row comes through.

Rows with missing values in every column kind (numbers, flags written yes/no, categories, free text) go
through REST predict, the Predict form's service call, the Predict page's batch CSV, an async job and
re-verification; each answer must equal ``pipeline.predict_proba`` on the same rows as training read them
(``TrainingService.prepare``, the frame every CV fold was cut from), bit for bit. Before the validator sent a
missing category as None, the demo Titanic forest answered 0.9340 for a passenger it scored 0.9291 in training.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from dashboard.serving.batch import score_upload
from dashboard.train.demo import DEMO_MODELS
from dashboard.train.spec import CVSpec, TrainSpec
from tests.unit.test_api_models import wait_for_job

WORDS = ["late", "delivery", "great", "service", "refund", "asked", "twice", "friendly", "support", "slow"]


def messy_table(rows: int = 240, seed: int = 7) -> pd.DataFrame:
    """A customer table as users export it: an id, numbers, yes/no flags, a plan, a free-text note, and
    missing values in every one of them but the id."""
    rng = np.random.default_rng(seed)
    amount = rng.gamma(2.0, 40.0, rows).round(2)
    visits = rng.integers(0, 30, rows)
    member = rng.choice(["yes", "no"], rows)
    plan = rng.choice(["basic", "plus", "pro"], rows, p=[0.5, 0.3, 0.2])
    note = [" ".join(rng.choice(WORDS, 6)) for _ in range(rows)]
    score = 0.02 * amount - 0.08 * visits + (member == "no") * 1.2 + (plan == "basic") * 0.8
    churned = (score + rng.normal(0, 1, rows) > np.median(score)).astype(int)
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{100000 + i}" for i in range(rows)],
            "amount": amount,
            "visits": visits.astype(float),
            "member": member.astype(object),
            "plan": plan.astype(object),
            "note": pd.Series(note, dtype=object),
            "churned": churned,
        }
    )
    for column, share in (("amount", 0.15), ("visits", 0.1), ("member", 0.1), ("plan", 0.2), ("note", 0.2)):
        frame.loc[rng.random(rows) < share, column] = np.nan
    return frame


def as_sent(value):
    """A cell as a client sends it in JSON: missing is null."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


@pytest.fixture
def services(app):
    return app.server.extensions["dashboard"]


def train_and_save(services, dataset: str, target: str, features, estimator: str, name: str):
    spec = TrainSpec(dataset=dataset, target=target, features=tuple(features), estimator=estimator, cv=CVSpec(folds=3))
    token, _, _ = services.training.run(spec)
    services.training.save(spec, token, name)
    return services.training.prepare(spec)


def every_door(app, services, name: str, prepared, raw: pd.DataFrame, tmp_path) -> dict[str, np.ndarray]:
    """Class probabilities for ``prepared``'s rows from each door, rows as the file holds them."""
    client = app.server.test_client()
    columns = list(prepared.X.columns)
    rows = raw.loc[prepared.X.index, columns]
    records = [{c: as_sent(v) for c, v in zip(columns, row, strict=True)} for row in rows.itertuples(index=False)]
    classes = [str(c) for c in services.models.load(name).model.classes_]
    answers: dict[str, np.ndarray] = {}

    rest = client.post(f"/api/models/{name}/predict", json={"instances": records})
    assert rest.status_code == 200, rest.json
    answers["rest"] = np.array([[p[c] for c in classes] for p in rest.json["probabilities"]])

    loaded = services.models.load(name)  # the Predict form's callback sends one record to this call
    form = [services.serving.predict(loaded, [record])["probabilities"][0] for record in records[:60]]
    answers["form"] = np.array([[p[c] for c in classes] for p in form])

    csv = rows.to_csv(index=False).encode()
    _, token = score_upload(services.serving, services.models, name, None, None, csv, tmp_path, ttl_seconds=60)
    page = pd.read_csv(tmp_path / f"{token}.csv")
    answers["page batch"] = page[[f"probability_{c}" for c in classes]].to_numpy()

    job = client.post(f"/api/models/{name}/jobs", data=csv, content_type="text/csv")
    assert job.status_code == 202, job.json
    assert wait_for_job(client, job.json["job_id"])["status"] == "succeeded"
    result = pd.read_csv(io.BytesIO(client.get(f"/api/jobs/{job.json['job_id']}/result.csv").data))
    answers["async job"] = result[[f"probability_{c}" for c in classes]].to_numpy()
    return answers


def assert_every_door_equals_training(answers: dict[str, np.ndarray], expected: np.ndarray) -> None:
    for door, served in answers.items():
        rows = len(served)
        differing = int((served != expected[:rows]).any(axis=1).sum())
        assert differing == 0, f"{door}: {differing} of {rows} rows answered differently than in training"


@pytest.mark.parametrize("estimator", ["logistic_regression", "random_forest"])
def test_an_upload_with_missing_values_in_every_kind(app, services, tmp_path, estimator):
    frame = messy_table()
    services.catalog.add_upload("customers.csv", frame.to_csv(index=False).encode(), name="customers")
    kinds = services.explorer.kinds("customers")
    assert (kinds["member"], kinds["plan"], kinds["note"]) == ("boolean", "categorical", "text")
    features = services.explorer.feature_defaults("customers", "churned").features
    assert "customer_id" not in features  # an identifier, left out by default
    if estimator == "random_forest":  # forests take no text: the dense path, and the forest fast path
        features = [f for f in features if f != "note"]
    prepared = train_and_save(services, "customers", "churned", features, estimator, f"churn-{estimator[:6]}")
    assert str(prepared.X["member"].dtype) == "boolean"  # yes/no read as flags, missing kept missing
    missing_rows = prepared.X.drop(columns=[c for c in ("note",) if c in prepared.X]).isna().any(axis=1)
    assert missing_rows.sum() > 60  # the rows that matter here are many
    expected = services.models.load(f"churn-{estimator[:6]}").model.predict_proba(prepared.X)
    raw = services.catalog.load("customers")
    answers = every_door(app, services, f"churn-{estimator[:6]}", prepared, raw, tmp_path)
    assert_every_door_equals_training(answers, expected)

    client = app.server.test_client()  # re-verification scores the same rows through the same validator
    evaluation = client.post(f"/api/models/churn-{estimator[:6]}/evaluations", json={"data": "customers"}).json
    assert evaluation["metrics"]["roc_auc"] == roc_auc_score(prepared.y, expected[:, 1])


def test_the_demo_titanic_forest_on_passengers_with_missing_values(app, services, demo_models, tmp_path):
    demo = next(d for d in DEMO_MODELS if d.name == "titanic-survival")
    prepared = services.training.prepare(demo.spec)
    incomplete = prepared.X.isna().any(axis=1)
    assert incomplete.sum() > 250  # ages and ports unknown
    X = prepared.X.loc[incomplete]
    model = services.models.load(demo.name).model
    raw = services.catalog.load(demo.dataset)
    narrowed = type(prepared)(X, prepared.y.loc[X.index], *list(vars(prepared).values())[2:])
    answers = every_door(app, services, demo.name, narrowed, raw, tmp_path)
    assert_every_door_equals_training(answers, model.predict_proba(X))
