"""Explanations of one prediction: SHAP contributions summed by input column, plus the base value, equal
the model's own output for the row, for tree, linear and kernel explainers; the REST API's opt-in."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shap

from dashboard.errors import FieldError
from dashboard.serving.explain import MAX_ROWS, explain
from model_store import ModelStore, check_records
from tests.unit.helpers import TITANIC, titanic_spec


def rows(catalog, n=20) -> pd.DataFrame:
    return catalog.load("titanic")[list(TITANIC)].sample(n, random_state=1)  # missing ages among them


def saved(training, tmp_path, spec, name):
    token, _, _ = training.run(spec)
    training.save(spec, token, name)
    store = ModelStore(training.store.root)
    loaded = store.load(name)
    return loaded, (lambda: store.background(name, loaded.version))


def checked(loaded, frame):
    records = [{k: (None if pd.isna(v) else v) for k, v in r.items()} for r in frame.to_dict("records")]
    return check_records(loaded.card["schema"], records)[0]


def test_the_titanic_forest_explains_its_probability_and_groups_one_hot_levels(store, catalog):
    loaded = store.load("titanic-survival")
    frame = checked(loaded, rows(catalog))
    out = explain(loaded, frame, lambda: None)  # a tree needs no reference sample
    expected = loaded.model.predict_proba(frame)[:, 1]
    for explanation, probability in zip(out, expected, strict=True):
        assert explanation["explainer"] == "tree" and explanation["output_kind"] == "probability"
        assert explanation["base"] + sum(explanation["contributions"].values()) == pytest.approx(probability, abs=1e-6)
        assert set(explanation["contributions"]) <= set(TITANIC)
    # "Sex" is the sum of the one-hot levels' own SHAP values
    direct = shap.TreeExplainer(loaded.model[-1]).shap_values(loaded.model[:-1].transform(frame.head(1)))
    names = list(loaded.model[:-1].get_feature_names_out())
    levels = [i for i, n in enumerate(names) if n.startswith("categorical__Sex_")]
    assert out[0]["contributions"]["Sex"] == pytest.approx(direct[0, levels, 1].sum(), abs=1e-12)


def test_a_gradient_boosted_regressor_explains_its_prediction(store, catalog):
    loaded = store.load("ames-house-price")
    data = catalog.load("ames-housing")
    frame = checked(loaded, data[[f["name"] for f in loaded.card["schema"]["fields"]]].head(10))
    out = explain(loaded, frame, lambda: None)
    for explanation, value in zip(out, loaded.model.predict(frame), strict=True):
        assert explanation["output_kind"] == "prediction"
        assert explanation["base"] + sum(explanation["contributions"].values()) == pytest.approx(value, abs=1e-6)


def test_a_linear_model_explains_its_log_odds_against_its_training_sample(training, tmp_path, catalog):
    loaded, background = saved(training, tmp_path, titanic_spec(), "titanic-logreg")
    assert len(background()) == 100
    frame = checked(loaded, rows(catalog))
    out = explain(loaded, frame, background)
    log_odds = loaded.model.decision_function(frame)
    for explanation, value in zip(out, log_odds, strict=True):
        assert explanation["explainer"] == "linear" and explanation["output_kind"] == "log-odds"
        assert explanation["base"] + sum(explanation["contributions"].values()) == pytest.approx(value, abs=1e-6)


def test_any_other_model_gets_a_bounded_kernel_explanation(training, tmp_path, catalog):
    loaded, background = saved(training, tmp_path, titanic_spec(estimator="gaussian_nb"), "titanic-nb")
    frame = checked(loaded, rows(catalog, MAX_ROWS["kernel"]))
    out = explain(loaded, frame, background)
    for explanation, probability in zip(out, loaded.model.predict_proba(frame)[:, 1], strict=True):
        assert explanation["explainer"] == "kernel" and explanation["output_kind"] == "probability"
        assert explanation["base"] + sum(explanation["contributions"].values()) == pytest.approx(probability, abs=1e-6)
    with pytest.raises(FieldError, match="at most 5 rows") as caught:
        explain(loaded, checked(loaded, rows(catalog, 6)), background)
    assert caught.value.field == "explain"


def test_a_model_saved_without_a_training_sample_is_named(training, tmp_path, catalog):
    loaded, _ = saved(training, tmp_path, titanic_spec(estimator="gaussian_nb"), "titanic-nb-old")
    with pytest.raises(FieldError, match="without a training sample"):
        explain(loaded, checked(loaded, rows(catalog, 1)), lambda: None)


def test_the_rest_api_explains_on_request(app, demo_models):
    client = app.server.test_client()
    row = {"Pclass": 3, "Sex": "male", "Age": 22, "SibSp": 1, "Parch": 0, "Fare": 7.25, "Embarked": "S"}
    plain = client.post("/api/models/titanic-survival/predict", json=row).json
    assert "explanations" not in plain or plain["explanations"] == []
    answer = client.post("/api/models/titanic-survival/predict?explain=true", json=row).json
    (explanation,) = answer["explanations"]
    assert explanation["class"] == 1 and explanation["output"] == pytest.approx(answer["probabilities"][0]["1"])
    too_many = client.post("/api/models/titanic-survival/predict?explain=true", json={"instances": [row] * 101})
    assert too_many.status_code == 400 and too_many.json["error"]["code"] == "cannot_explain"
    assert np.isfinite(explanation["base"])
