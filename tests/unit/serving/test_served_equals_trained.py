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
from tests.unit.helpers import wait_for_job

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


def every_door(app, services, name: str, X: pd.DataFrame, raw: pd.DataFrame, tmp_path) -> dict[str, dict]:
    """Each door's answers for the rows of ``X`` (their index), sent as the file holds them: predictions,
    and class probabilities when the model has them."""
    client = app.server.test_client()
    columns = list(X.columns)
    rows = raw.loc[X.index, columns]
    records = [{c: as_sent(v) for c, v in zip(columns, row, strict=True)} for row in rows.itertuples(index=False)]
    model = services.models.load(name).model
    classes = [str(c) for c in model.classes_] if hasattr(model, "predict_proba") else []

    def from_json(answers: list[dict]) -> dict:
        predictions = [p for a in answers for p in a["predictions"]]
        probabilities = [p for a in answers for p in a.get("probabilities", [])]
        return {"predictions": predictions, "probabilities": [[p[c] for c in classes] for p in probabilities]}

    def from_csv(table: pd.DataFrame) -> dict:
        probabilities = table[[f"probability_{c}" for c in classes]].to_numpy().tolist() if classes else []
        return {"predictions": table["prediction"].tolist(), "probabilities": probabilities}

    found: dict[str, dict] = {}
    rest = client.post(f"/api/models/{name}/predict", json={"instances": records})
    assert rest.status_code == 200, rest.json
    found["rest"] = from_json([rest.json])
    loaded = services.models.load(name)  # the Predict form's callback sends one record to this call
    found["form"] = from_json([services.serving.predict(loaded, [record]) for record in records[:60]])
    csv = rows.to_csv(index=False).encode()
    _, token = score_upload(services.serving, services.models, name, None, None, csv, tmp_path, ttl_seconds=60)
    found["page batch"] = from_csv(pd.read_csv(tmp_path / f"{token}.csv", keep_default_na=False, na_values=[""]))
    job = client.post(f"/api/models/{name}/jobs", data=csv, content_type="text/csv")
    assert job.status_code == 202, job.json
    assert wait_for_job(client, job.json["job_id"])["status"] == "succeeded"
    result = client.get(f"/api/jobs/{job.json['job_id']}/result.csv").data
    found["async job"] = from_csv(pd.read_csv(io.BytesIO(result), keep_default_na=False, na_values=[""]))
    return found


def assert_every_door_equals_training(found: dict[str, dict], model, X: pd.DataFrame) -> None:
    predictions = model.predict(X)
    probabilities = model.predict_proba(X) if hasattr(model, "predict_proba") else None
    for door, answers in found.items():
        rows = len(answers["predictions"])
        differing = sum(a != b for a, b in zip(answers["predictions"], predictions[:rows].tolist(), strict=True))
        if probabilities is not None:
            served = np.array(answers["probabilities"])
            differing = max(differing, int((served != probabilities[:rows]).any(axis=1).sum()))
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
    name = f"churn-{estimator[:6]}"
    prepared = train_and_save(services, "customers", "churned", features, estimator, name)
    assert str(prepared.X["member"].dtype) == "boolean"  # yes/no read as flags, missing kept missing
    assert prepared.X.drop(columns=["note"], errors="ignore").isna().any(axis=1).sum() > 60  # the rows that matter
    model = services.models.load(name).model
    raw = services.catalog.load("customers")
    assert_every_door_equals_training(every_door(app, services, name, prepared.X, raw, tmp_path), model, prepared.X)

    client = app.server.test_client()  # re-verification scores the same rows through the same validator
    evaluation = client.post(f"/api/models/{name}/evaluations", json={"data": "customers"}).json
    assert evaluation["metrics"]["roc_auc"] == roc_auc_score(prepared.y, model.predict_proba(prepared.X)[:, 1])


@pytest.mark.parametrize("demo", DEMO_MODELS, ids=lambda d: d.name)
def test_every_demo_model_on_its_own_rows(app, services, demo_models, tmp_path, demo):
    """The rows with a missing value first (Titanic's unknown ages and ports, Ames' none), 300 in all."""
    prepared = services.training.prepare(demo.spec)
    order = prepared.X.isna().any(axis=1).sort_values(ascending=False, kind="stable").index
    X = prepared.X.loc[order[:300]]
    model = services.models.load(demo.name).model
    raw = services.catalog.load(demo.dataset)
    assert_every_door_equals_training(every_door(app, services, demo.name, X, raw, tmp_path), model, X)
