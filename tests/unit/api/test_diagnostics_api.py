"""A stored version's diagnostics over REST, against the real demo models on disk: SHAP values equal shap's
TreeExplainer on the rows named and add up to the served probability; calibration and subgroup numbers equal
scikit-learn's on the model's own answers; every bad parameter is a named 4xx; a viewer may read them."""

import numpy as np
import pytest
import shap
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, recall_score

from model_store.columns import input_columns

PASSENGER = ["Pclass", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked"]


@pytest.fixture
def api(demo_models, app):
    return app.server.test_client()


@pytest.fixture
def titanic(app):
    services = app.server.extensions["dashboard"]
    return services.models.load("titanic-survival"), services.catalog.load("titanic")


def test_shap_values_equal_tree_explainer_on_the_rows_named(api, titanic):
    loaded, frame = titanic
    body = api.get("/api/models/titanic-survival/shap?data=titanic&rows=40&seed=3").json
    assert body["rows"] == 40 and body["explainer"] == "tree" and body["version"] == 1
    rows = frame.iloc[body["row_index"]][PASSENGER]
    model = loaded.model
    raw = shap.TreeExplainer(model[-1]).shap_values(model[:-1].transform(rows))[:, :, 1]
    owners = input_columns(model).astype(str)
    expected = np.stack([raw[:, owners == c].sum(axis=1) for c in body["columns"]], axis=1)
    np.testing.assert_allclose(np.array(body["values"]), expected, atol=1e-9)
    outputs = body["base"] + np.array(body["values"]).sum(axis=1)
    np.testing.assert_allclose(outputs, model.predict_proba(rows)[:, 1], atol=1e-8)
    strengths = [body["mean_abs"][c] for c in body["columns"]]  # JSON keys come sorted; columns keep the order
    assert strengths == sorted(strengths, reverse=True)
    assert strengths == pytest.approx(list(np.abs(expected).mean(axis=0)))
    again = api.get("/api/models/titanic-survival/shap?data=titanic&rows=40&seed=3").json
    assert again["row_index"] == body["row_index"]  # seeded: the same rows


def test_calibration_and_subgroups_equal_sklearn_on_the_models_answers(api, titanic):
    loaded, frame = titanic
    scores = loaded.model.predict_proba(frame[PASSENGER])[:, 1]
    truth = (frame["Survived"] == 1).to_numpy()
    body = api.get("/api/models/titanic-survival/calibration?data=titanic").json
    observed, predicted = calibration_curve(truth, scores, n_bins=10, strategy="quantile")
    assert [b["observed"] for b in body["bins"]] == pytest.approx(list(observed))
    assert [b["mean_predicted"] for b in body["bins"]] == pytest.approx(list(predicted))
    assert body["brier"] == pytest.approx(brier_score_loss(truth, scores))
    body = api.get("/api/models/titanic-survival/subgroups?data=titanic&by=Sex&threshold=0.4").json
    assert body["threshold"] == 0.4 and {g["group"] for g in body["groups"]} == {"male", "female"}
    for group in body["groups"]:
        rows = (frame["Sex"] == group["group"]).to_numpy()
        assert group["values"]["selection_rate"] == pytest.approx((scores[rows] >= 0.4).mean())
        assert group["values"]["tpr"] == pytest.approx(recall_score(truth[rows], scores[rows] >= 0.4))
    assert set(body["gaps"]) >= {"selection_rate", "tpr", "fpr"}


@pytest.mark.parametrize(
    ("url", "status", "field"),
    [
        ("/api/models/titanic-survival/shap?data=titanic&rows=5", 400, "rows"),
        ("/api/models/titanic-survival/shap?data=titanic&rows=many", 400, "rows"),
        ("/api/models/titanic-survival/shap?data=no-such-data", 404, "data"),
        ("/api/models/titanic-survival/subgroups?data=titanic", 400, "by"),
        ("/api/models/titanic-survival/subgroups?data=titanic&by=Sex,Pclass,Age", 400, "by"),
        ("/api/models/titanic-survival/subgroups?data=titanic&by=Cabin2", 409, "by"),
        ("/api/models/titanic-survival/subgroups?data=titanic&by=Sex&threshold=nan", 400, "threshold"),
        ("/api/models/ames-house-price/calibration?data=ames-housing", 409, "model"),
        ("/api/models/no-such-model/calibration?data=titanic", 404, "model"),
        ("/api/models/titanic-survival/calibration?data=titanic&version=9", 404, "version"),
    ],
)
def test_bad_parameters_are_named(api, url, status, field):
    answer = api.get(url)
    assert answer.status_code == status, answer.json
    assert answer.json["error"]["field"] == field


def test_a_regression_model_s_subgroups(api):
    body = api.get("/api/models/ames-house-price/subgroups?data=ames-housing&by=Neighborhood").json
    assert body["metrics"] == ["rmse", "mae", "mean_error"]
    assert any("largest are shown" in n for n in body["notices"])  # 25+ neighbourhoods folded into "other"


def test_in_login_mode_a_viewer_s_key_reads_diagnostics_and_no_key_is_refused(login_app, users):
    client = login_app.server.test_client()
    viewer = {"X-API-Key": users[1]["vera"]}
    for path in ("shap?data=titanic&rows=10", "calibration?data=titanic", "subgroups?data=titanic&by=Sex"):
        assert client.get(f"/api/models/titanic-survival/{path}").status_code == 401
        assert client.get(f"/api/models/titanic-survival/{path}", headers=viewer).status_code == 200
