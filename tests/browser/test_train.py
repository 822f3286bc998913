"""Train page in a real browser: live CV on Titanic, threshold, save, open in Predict."""

import json

import pytest
from selenium.webdriver.common.keys import Keys
from sklearn.metrics import roc_auc_score

from dashboard import ids
from tests.browser.helpers import click

pytestmark = pytest.mark.browser


def test_train_titanic_threshold_save_and_predict(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.wait_for_page(
        url=f"{dash_duo.server_url}/train?dataset=titanic&target=Survived"
        "&features=Pclass,Sex,Age,SibSp,Parch,Fare,Embarked&model=logistic_regression&folds=5"
    )
    dash_duo.wait_for_element(f"#{ids.TRAIN_RUN_BUTTON}", timeout=15)
    click(dash_duo, f"#{ids.TRAIN_RUN_BUTTON}")
    dash_duo._wait_for(
        lambda d: len(d.find_elements("css selector", ".fold-row")) == 5, timeout=90, msg="fold rows did not appear"
    )
    dash_duo.wait_for_contains_text("#train-summary-roc_auc", "roc_auc", timeout=30)
    # The AUC shown is the mean over folds of scikit-learn's roc_auc_score on the same folds.
    stored = app.server.extensions["dashboard"].training
    token = next(
        iter(
            k
            for k in stored.memo.cache.iterkeys()
            if str(k).startswith("train.cv:") and ":" not in str(k)[len("train.cv:") :]
        )
    )
    result = stored.result(token)
    expected = sum(roc_auc_score((f["y_true"] == 1).astype(int), f["scores"]) for f in result.folds) / 5
    shown = dash_duo.find_element("#train-summary-roc_auc").text.split()[1]
    assert abs(float(shown) - expected) < 5e-5
    dash_duo.wait_for_contains_text(f"#{ids.TRAIN_CONFUSION_GRAPH}", "threshold 0.50")
    slider_box = dash_duo.find_element(f"#{ids.TRAIN_THRESHOLD_SLIDER} input")
    slider_box.send_keys(Keys.CONTROL, "a")
    slider_box.send_keys("0.3", Keys.TAB)
    dash_duo.wait_for_contains_text(f"#{ids.TRAIN_CONFUSION_GRAPH}", "threshold 0.30")
    dash_duo.find_element(f"#{ids.TRAIN_SAVE_NAME_INPUT}").send_keys("titanic-logreg")
    click(dash_duo, f"#{ids.TRAIN_SAVE_BUTTON}")
    dash_duo.wait_for_contains_text(f"#{ids.TRAIN_SAVE_ALERT}", "Saved titanic-logreg v1", timeout=30)
    click(dash_duo, "#train-open-predict-link")
    dash_duo.wait_for_element(f"#{ids.PREDICT_SUBMIT_BUTTON}", timeout=15)
    click(dash_duo, f"#{ids.PREDICT_SUBMIT_BUTTON}")
    dash_duo.wait_for_contains_text(f"#{ids.PREDICT_RESULT}", "titanic-logreg v1", timeout=15)
    assert json.loads(dash_duo.find_element(f"#{ids.PREDICT_JSON}").get_attribute("textContent"))["version"] == 1
    assert dash_duo.get_logs() == []


def test_bad_spec_shows_a_named_message(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/train?dataset=titanic&target=Survived&features=Age&folds=5")
    dash_duo.wait_for_element(f"#{ids.TRAIN_FOLDS_INPUT}", timeout=15)
    folds = dash_duo.find_element(f"#{ids.TRAIN_FOLDS_INPUT}")
    folds.clear()
    folds.send_keys("1")
    click(dash_duo, f"#{ids.TRAIN_RUN_BUTTON}")
    dash_duo.wait_for_contains_text(f"#{ids.TRAIN_MESSAGES}", "cv.folds", timeout=30)
    assert dash_duo.get_logs() == []
