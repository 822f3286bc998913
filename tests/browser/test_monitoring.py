"""Monitoring in a real browser: predict → feedback → re-verify → drift → retrain, on the Titanic model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from selenium.webdriver.common.by import By
from sklearn.metrics import roc_auc_score

from layouts.models_ids import MonitorIds
from layouts.predict_ids import PredictIds
from tests.browser.helpers import click, wait_for_app_ready, wait_until
from tests.browser.test_predict import _field, _set_number

pytestmark = pytest.mark.browser

MODEL = "titanic-survival"
FIELDS = ["Pclass", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked"]


def _tab(dash_duo, label: str) -> None:
    """Open a tab of the card once it is drawn (the card arrives by a callback after the page settles)."""
    where = f"//a[contains(@class, 'nav-link') and text()='{label}']"
    tab = wait_until(dash_duo, lambda driver: driver.find_elements(By.XPATH, where), 20, f"no tab {label!r}")[0]
    dash_duo.driver.execute_script("arguments[0].click();", tab)


def test_predict_feedback_reverify_drift_retrain(dash_duo, app, demo_models, store, tmp_path):
    services = app.server.extensions["dashboard"]
    dash_duo.start_server(app)
    # 1. a prediction from the form, and 40 older passengers through the REST API
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/predict?model={MODEL}")
    dash_duo.wait_for_element(_field("Fare"), timeout=15)
    wait_for_app_ready(dash_duo)
    _set_number(dash_duo, "Age", 61)
    click(dash_duo, f"#{PredictIds.SUBMIT_BUTTON}")
    dash_duo.wait_for_contains_text(f"#{PredictIds.PROBABILITY_GRAPH}", "probability", timeout=15)
    titanic = services.catalog.load("titanic")
    older = titanic[titanic["Age"] > 35].dropna(subset=["Embarked"]).head(40)
    answer = app.server.test_client().post(
        f"/api/models/{MODEL}/predict", json={"instances": older[FIELDS].to_dict("records")}
    )
    request_id = answer.headers["X-Request-ID"]
    # 2. the log on /models, newest first (the form's row is further down the grid)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/models?model={MODEL}&version=1")
    dash_duo.wait_for_contains_text(f"#{MonitorIds.LOG_GRID}", request_id, timeout=20)
    assert sorted(services.predictions.rows(MODEL, 1)["door"].unique()) == ["form", "rest"]
    # 3. ground truth comes back as a CSV
    labels = pd.DataFrame({"request_id": request_id, "row": range(len(older)), "label": older["Survived"].astype(int)})
    labels_csv = tmp_path / "labels.csv"
    labels.to_csv(labels_csv, index=False)
    dash_duo.wait_for_element(f"#{MonitorIds.FEEDBACK_UPLOAD} input[type=file]", timeout=20).send_keys(str(labels_csv))
    dash_duo.wait_for_contains_text(
        f"#{MonitorIds.FEEDBACK_ALERT}", "40 labels received, 40 match a logged prediction", timeout=20
    )
    # 4. re-verify on the logged predictions that got a label: scikit-learn's AUC on the same rows
    _tab(dash_duo, "Re-verify")
    click(dash_duo, f"#{MonitorIds.VERIFY_BUTTON}")
    proba = np.array([p["1"] for p in answer.json["probabilities"]])
    expected = roc_auc_score(older["Survived"].astype(int), proba)
    dash_duo.wait_for_contains_text("#monitor-verify-table", f"{expected:.4f}", timeout=30)
    dash_duo.wait_for_contains_text(f"#{MonitorIds.HISTORY}", "logged predictions with feedback (40)")
    assert [h["rows"] for h in store.evaluations(MODEL, 1)] == [40]
    # 5. drift of the logged inputs against the training sample: older, so richer, passengers
    _tab(dash_duo, "Drift")
    click(dash_duo, f"#{MonitorIds.DRIFT_BUTTON}")
    dash_duo.wait_for_contains_text("#monitor-drift-ranking", "Age", timeout=30)
    dash_duo.wait_for_contains_text("#monitor-drift-warnings", "only 41 recent rows")  # the form's row and 40
    report = services.monitoring.drift(MODEL, 1, "@log")
    columns = {c["column"]: c for c in report["columns"]}
    assert columns["Age"]["level"] == "major" and columns["Pclass"]["level"] == "major"
    top = report["columns"][0]
    dash_duo.wait_for_contains_text(f"#{MonitorIds.DRIFT_GRAPH}", f"{top['column']}: PSI {top['psi']:.3f}", timeout=15)
    traces = dash_duo.driver.execute_script(
        "return document.querySelector(arguments[0] + ' .js-plotly-plot').data.length;", f"#{MonitorIds.DRIFT_GRAPH}"
    )
    assert traces == 2
    # 6. retrain on the training data plus the labelled log: v2, its parent v1, no alias moved
    _tab(dash_duo, "Retrain")
    click(dash_duo, f"#{MonitorIds.RETRAIN_UNION}")
    click(dash_duo, f"#{MonitorIds.RETRAIN_BUTTON}")
    dash_duo.wait_for_contains_text(
        f"#{MonitorIds.RETRAIN_RESULT}", f"Saved {MODEL} v2, retrained from v1", timeout=120
    )
    dash_duo.wait_for_contains_text(f"#{MonitorIds.RETRAIN_RESULT}", "v1 → v2")
    card = store.card(MODEL, 2)
    assert card["parent"]["version"] == 1 and card["parent"]["union"] is True
    assert card["dataset"]["rows"] == titanic["Survived"].notna().sum() + len(older)
    assert store.aliases(MODEL) == {}
    click(dash_duo, "#monitor-retrained-link")
    dash_duo.wait_for_contains_text(
        "#models-card-parent", "Retrained from v1 on its training data plus logged", timeout=20
    )
    assert dash_duo.get_logs() == []


def test_recent_data_uploaded_on_the_card_is_reverified_like_scikit_learn(dash_duo, app, demo_models, store, tmp_path):
    services = app.server.extensions["dashboard"]
    recent = services.catalog.load("titanic").sample(n=300, random_state=5)
    path = tmp_path / "recent-passengers.csv"
    recent.to_csv(path, index=False)
    unlabelled = tmp_path / "no-labels.csv"
    recent.drop(columns=["Survived"]).to_csv(unlabelled, index=False)
    dash_duo.start_server(app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/models?model={MODEL}&version=1")
    wait_for_app_ready(dash_duo)
    # without the target column, re-verify names what is missing and nothing is kept
    dash_duo.wait_for_element(f"#{MonitorIds.UPLOAD} input[type=file]", timeout=20).send_keys(str(unlabelled))
    dash_duo.wait_for_contains_text(f"#{MonitorIds.UPLOAD_ALERT}", "Added 'no-labels'", timeout=20)
    _tab(dash_duo, "Re-verify")
    click(dash_duo, f"#{MonitorIds.VERIFY_BUTTON}")
    dash_duo.wait_for_contains_text(f"#{MonitorIds.VERIFY_RESULT}", "has no column 'Survived'", timeout=30)
    assert store.evaluations(MODEL, 1) == []
    dash_duo.wait_for_element(f"#{MonitorIds.UPLOAD} input[type=file]", timeout=20).send_keys(str(path))
    dash_duo.wait_for_contains_text(f"#{MonitorIds.UPLOAD_ALERT}", "Added 'recent-passengers': 300 rows", timeout=20)
    click(dash_duo, f"#{MonitorIds.VERIFY_BUTTON}")
    model = store.load(MODEL, 1).model
    expected = roc_auc_score(recent["Survived"], model.predict_proba(recent[FIELDS])[:, 1])
    dash_duo.wait_for_contains_text("#monitor-verify-table", f"{expected:.4f}", timeout=30)
    dash_duo.wait_for_contains_text(f"#{MonitorIds.HISTORY}", "dataset recent-passengers")
    assert store.evaluations(MODEL, 1)[0]["metrics"]["roc_auc"] == pytest.approx(expected, abs=1e-12)
    assert dash_duo.get_logs() == []
