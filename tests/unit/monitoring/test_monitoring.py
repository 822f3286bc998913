"""Monitoring: drift statistics equal a direct computation on the same bins; re-verification equals
scikit-learn on the same rows (a dataset's, or the logged predictions that got feedback) and is kept in the
version's history; a retrained version's card names its parent and no alias moves."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import accuracy_score, r2_score, roc_auc_score

from dashboard.errors import FieldError
from dashboard.monitoring import drift
from dashboard.monitoring.log import PredictionLog
from dashboard.monitoring.service import LOG_SOURCE

TITANIC = "titanic-survival"
FIELDS = ["Pclass", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked"]


def direct_psi(ref_counts, cur_counts):
    r = np.maximum(np.asarray(ref_counts) / np.sum(ref_counts), 1e-4)
    c = np.maximum(np.asarray(cur_counts) / np.sum(cur_counts), 1e-4)
    return float(sum((ci - ri) * np.log(ci / ri) for ri, ci in zip(r, c, strict=True)))


def test_numeric_psi_and_ks_equal_a_direct_computation():
    rng = np.random.default_rng(1)
    reference = pd.Series(np.append(rng.normal(0, 1, 3000), [np.nan] * 30))
    current = pd.Series(np.append(rng.normal(0.5, 1.3, 8000), [np.nan] * 400))
    result = drift.numeric_drift("x", reference, current)
    edges = np.unique(np.nanquantile(reference, np.arange(1, 10) / 10))
    bins = [-np.inf, *edges, np.inf]  # the reference's deciles, each bin closed on the left

    def counts(series):
        binned = pd.cut(series.dropna(), bins, right=False).value_counts(sort=False).tolist()
        return [*binned, int(series.isna().sum())]

    assert result.psi == pytest.approx(direct_psi(counts(reference), counts(current)), rel=1e-12)
    ref, cur = np.sort(reference.dropna()), np.sort(current.dropna())
    points = np.concatenate([ref, cur])
    d = np.max(
        np.abs(np.searchsorted(ref, points, "right") / len(ref) - np.searchsorted(cur, points, "right") / len(cur))
    )
    assert result.statistic == pytest.approx(d, abs=1e-12)
    assert result.p_value == pytest.approx(stats.ks_2samp(ref, cur).pvalue)
    assert result.level == "major" and result.psi > 0.25
    assert sum(result.reference) == pytest.approx(1) and sum(result.current) == pytest.approx(1)
    assert result.bins[-1] == drift.MISSING


@pytest.mark.parametrize("discrete", [False, True])
def test_ks_on_large_samples_equals_scipy(discrete):
    """Past 10,000 rows the statistic is read from the sorted samples: it must equal ks_2samp's exactly."""
    rng = np.random.default_rng(4)
    reference, current = rng.normal(0, 1, 5000), rng.normal(0.05, 1.1, 60_000)
    if discrete:  # repeated values (ages, counts): ties are where a hand-made ECDF goes wrong
        reference, current = np.round(reference * 3), np.round(current * 3)
    result = drift.numeric_drift("x", pd.Series(reference), pd.Series(current))
    expected = stats.ks_2samp(reference, current)
    assert result.statistic == pytest.approx(expected.statistic, abs=1e-15)
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-12)


def test_categorical_psi_and_chi2_equal_a_direct_computation():
    reference = pd.Series(["a"] * 500 + ["b"] * 300 + ["c"] * 200 + [None] * 10)
    current = pd.Series(["a"] * 200 + ["b"] * 300 + ["c"] * 100 + ["new"] * 50 + [None] * 40)
    result = drift.categorical_drift("kind", reference, current)
    ref_counts, cur_counts = [500, 300, 200, 0, 10], [200, 300, 100, 50, 40]  # a, b, c, (other), (missing)
    assert result.bins == ["a", "b", "c", drift.OTHER, drift.MISSING]
    assert result.psi == pytest.approx(direct_psi(ref_counts, cur_counts), rel=1e-12)
    observed = np.array([ref_counts, cur_counts], dtype=float)
    expected = observed.sum(axis=1, keepdims=True) * observed.sum(axis=0) / observed.sum()
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    assert result.statistic == pytest.approx(chi2, rel=1e-12)
    assert result.p_value == pytest.approx(stats.chi2.sf(chi2, df=4), rel=1e-9)


def test_the_report_ranks_columns_by_psi_and_skips_text():
    rng = np.random.default_rng(2)
    reference = pd.DataFrame({"same": rng.normal(size=2000), "moved": rng.normal(size=2000), "t": ["words"] * 2000})
    current = pd.DataFrame({"same": rng.normal(size=2000), "moved": rng.normal(2, 1, 2000), "t": ["x"] * 2000})
    report = drift.drift_report(reference, current, {"same": "numeric", "moved": "numeric", "t": "text"})
    assert [c.column for c in report] == ["moved", "same"]
    assert report[1].level == "stable" and report[0].level == "major"


def test_reverify_on_a_dataset_equals_scikit_learn_and_is_kept_in_history(app, demo_models):
    services = app.server.extensions["dashboard"]
    frame = services.catalog.load("titanic")
    evaluation = services.monitoring.reverify(TITANIC, 1, "titanic")
    model = services.models.load(TITANIC, 1).model
    labelled = frame[frame["Survived"].notna()]
    proba = model.predict_proba(labelled[FIELDS])[:, 1]
    assert evaluation["rows"] == len(labelled)
    assert evaluation["metrics"]["roc_auc"] == pytest.approx(roc_auc_score(labelled["Survived"], proba), abs=1e-12)
    assert evaluation["metrics"]["accuracy"] == pytest.approx(
        accuracy_score(labelled["Survived"], model.predict(labelled[FIELDS])), abs=1e-12
    )
    card = services.models.card(TITANIC, 1)
    auc_row = next(r for r in evaluation["comparison"] if r["metric"] == "roc_auc")
    assert auc_row["cv_mean"] == card["cv"]["scores"]["roc_auc"]["mean"]
    assert auc_row["delta"] == pytest.approx(auc_row["now"] - auc_row["cv_mean"])
    history = services.models.evaluations(TITANIC, 1)
    assert [h["metrics"] for h in history] == [evaluation["metrics"]]
    assert history[0]["source"]["id"] == "titanic" and history[0]["source"]["fingerprint"]
    assert services.models.card(TITANIC, 1) == card  # the card itself never changes


def test_reverify_on_a_regression_model_equals_r2(app, demo_models):
    services = app.server.extensions["dashboard"]
    frame = services.catalog.load("ames-housing").head(400)
    services.catalog.add_upload("recent-sales.csv", frame.to_csv(index=False).encode(), name="recent-sales")
    evaluation = services.monitoring.reverify("ames-house-price", 1, "recent-sales")
    loaded = services.models.load("ames-house-price", 1)
    fields = [f["name"] for f in loaded.card["schema"]["fields"]]
    expected = r2_score(frame["Sale_Price"], loaded.model.predict(frame[fields]))
    assert evaluation["metrics"]["r2"] == pytest.approx(expected, abs=1e-9)


def test_feedback_joins_the_log_and_reverify_uses_those_rows(app, demo_models):
    services = app.server.extensions["dashboard"]
    client = app.server.test_client()
    rows = services.catalog.load("titanic").dropna(subset=["Age", "Embarked"]).head(40)
    records = rows[FIELDS].to_dict("records")
    answer = client.post(f"/api/models/{TITANIC}/predict", json={"instances": records})
    request_id = answer.headers["X-Request-ID"]
    truth = rows["Survived"].tolist()
    labels = [{"request_id": request_id, "row": i, "label": int(y)} for i, y in enumerate(truth[:30])]
    labels.append({"request_id": request_id, "row": 0, "label": 1 - int(truth[0])})  # a correction: the last wins
    assert client.post(f"/api/models/{TITANIC}/feedback", json={"labels": labels}).json == {
        "received": 31,
        "matched": 31,
    }
    joined = services.predictions.labelled(TITANIC, 1, FIELDS)
    assert sorted(joined["row"]) == list(range(30))
    evaluation = services.monitoring.reverify(TITANIC, 1, LOG_SOURCE)
    expected_truth = [1 - int(truth[0]), *map(int, truth[1:30])]
    proba = np.array([p["1"] for p in answer.json["probabilities"][:30]])
    assert evaluation["rows"] == 30
    assert evaluation["metrics"]["roc_auc"] == pytest.approx(roc_auc_score(expected_truth, proba), abs=1e-12)


def test_drift_against_the_log_measures_inputs_and_logged_answers(app, demo_models):
    services = app.server.extensions["dashboard"]
    client = app.server.test_client()
    frame = services.catalog.load("titanic")
    older = frame[frame["Age"] > 40].head(60)
    client.post(f"/api/models/{TITANIC}/predict", json={"instances": older[FIELDS].to_dict("records")})
    report = services.monitoring.drift(TITANIC, 1, LOG_SOURCE)
    columns = {c["column"]: c for c in report["columns"]}
    assert set(columns) == set(FIELDS)
    assert report["columns"][0]["psi"] == max(c["psi"] for c in report["columns"])
    reference = services.models.reference(TITANIC, 1)
    expected = drift.numeric_drift("Age", reference["Age"], older["Age"].reset_index(drop=True))
    assert columns["Age"]["psi"] == pytest.approx(expected.psi, rel=1e-12) and columns["Age"]["level"] == "major"
    model = services.models.load(TITANIC, 1).model
    reference_answers = pd.Series(model.predict_proba(reference[FIELDS])[:, 1])
    logged = pd.Series(model.predict_proba(older[FIELDS])[:, 1])
    expected_prediction = drift.numeric_drift("p", reference_answers, logged)
    assert report["prediction"]["psi"] == pytest.approx(expected_prediction.psi, rel=1e-9)


def test_a_retrained_version_names_its_parent_and_moves_no_alias(app, demo_models):
    services = app.server.extensions["dashboard"]
    services.models.set_alias(TITANIC, "production", 1)
    frame = services.catalog.load("titanic").sample(frac=0.6, random_state=3)
    services.catalog.add_upload("recent.csv", frame.to_csv(index=False).encode(), name="recent")
    version = services.monitoring.retrain(TITANIC, 1, "recent", union=True)
    card = version.card
    assert version.version == 2 and card["parent"] == {
        "model": TITANIC,
        "version": 1,
        "source": "recent",
        "union": True,
        "dataset": card["dataset"]["id"],
    }
    labelled = frame["Survived"].notna().sum() + services.catalog.load("titanic")["Survived"].notna().sum()
    assert card["dataset"]["rows"] == labelled  # the old training data and the new rows
    assert card["train_spec"]["dataset"] == card["dataset"]["id"] != "titanic"
    assert {k: v for k, v in card["train_spec"].items() if k != "dataset"} == {
        k: v for k, v in services.models.card(TITANIC, 1)["train_spec"].items() if k != "dataset"
    }
    assert services.models.aliases(TITANIC) == {"production": 1}
    alone = services.monitoring.retrain(TITANIC, 1, "recent")
    assert alone.card["dataset"]["id"] == "recent" and alone.card["parent"]["version"] == 1


def test_bad_sources_are_named(app, demo_models):
    services = app.server.extensions["dashboard"]
    for call in (
        lambda: services.monitoring.drift(TITANIC, 1, "no-such-data"),
        lambda: services.monitoring.reverify(TITANIC, 1, "ames-housing"),  # no Survived column
        lambda: services.monitoring.reverify(TITANIC, 1, LOG_SOURCE),  # no feedback yet
        lambda: services.monitoring.drift(TITANIC, 1, LOG_SOURCE),  # nothing logged yet
        lambda: services.monitoring.retrain(TITANIC, 1, "ames-housing"),
    ):
        with pytest.raises(FieldError) as error:
            call()
        assert error.value.field == "data"
    assert services.models.evaluations(TITANIC, 1) == []  # nothing half-kept


def test_the_log_table_reads_columns_and_mixed_types(tmp_path):
    log = PredictionLog(tmp_path, flush_rows=1000)
    answer = {"model": "m", "version": 1, "predictions": [0, 1], "probabilities": [{"0": 0.8, "1": 0.2}] * 2}
    log.record(answer, [{"age": 22, "sex": "male"}, {"age": "23", "sex": "female"}], door="rest", request_id="a")
    log.flush()
    table = log.table("m", 1, ["age", "sex"])
    assert table["age"].tolist() == ["22", "23"] and table["probability_1"].tolist() == [0.2, 0.2]
    assert pd.to_numeric(table["age"]).tolist() == [22, 23]  # readers convert by the schema's kind
    assert log.rows("m")["prediction"].tolist() == ["0", "1"]  # JSON: the classes as numbers
    # a partition in the log's first format (one JSON text per row) is read the same way
    first = pd.DataFrame(
        {
            "time": ["2026-01-01T00:00:00.000+00:00"],
            "request_id": ["old"],
            "door": ["rest"],
            "row": [0],
            "version": [1],
            "inputs": [json.dumps({"age": 40, "sex": "male"})],
            "prediction": ["1"],
            "output": [json.dumps({"probabilities": {"0": 0.3, "1": 0.7}})],
        }
    )
    (tmp_path / "m" / "v1" / "2026-01-01").mkdir()
    first.to_parquet(tmp_path / "m" / "v1" / "2026-01-01" / "0-old.parquet")
    (tmp_path / "m" / "feedback").mkdir()
    (tmp_path / "m" / "feedback" / ".tmp-half.parquet").write_bytes(b"PAR1 half written")
    table = log.table("m", 1, ["age", "sex"]).set_index("request_id")
    assert table.loc["old", "age"] == 40 and table.loc["old", "probability_1"] == 0.7
    assert log.feedback("m").empty  # a labels file still being written is not read


def test_a_labels_file_is_checked_and_named(app, demo_models, tmp_path):
    services = app.server.extensions["dashboard"]
    for content, field in (
        ("id,label\nx,1\n", "file"),
        ("request_id,label,row\nx,1,first\n", "row"),
        ("request_id,label,row\nx,1,0.5\n", "row"),
        ("\x00\x01", "file"),
    ):
        path = tmp_path / "labels.csv"
        path.write_text(content)
        with pytest.raises(FieldError) as error:
            services.monitoring.feedback_file(TITANIC, path)
        assert error.value.field == field
    assert services.predictions.feedback(TITANIC).empty  # nothing half-kept
    path.write_text("request_id,label\nsomeone,1\n")
    assert services.monitoring.feedback_file(TITANIC, path) == {"received": 1, "matched": 0}
