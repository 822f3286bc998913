"""Predict page in a real browser: the Titanic form, and batch scoring with a bad row."""

import json
from pathlib import Path

import pandas as pd
import pytest

from layouts.predict_ids import PredictIds
from tests.browser.helpers import click, wait_for_app_ready, wait_until

pytestmark = pytest.mark.browser


def _field(name: str) -> str:
    """CSS selector of a form field: Dash renders a pattern-matching id as sorted, compact JSON."""
    return "[id='" + json.dumps(PredictIds.field(name), separators=(",", ":"), sort_keys=True) + "']"


def _set_number(dash_duo, name, value):
    element = dash_duo.find_element(_field(name))
    element.clear()
    element.send_keys(str(value))


def test_titanic_form_predicts_like_the_pipeline(dash_duo, app, demo_models, store):
    dash_duo.start_server(app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/predict?model=titanic-survival")
    dash_duo.wait_for_element(_field("Fare"), timeout=15)
    wait_for_app_ready(dash_duo)
    _set_number(dash_duo, "Pclass", 3)
    dash_duo.select_dcc_dropdown(_field("Sex"), value="male")
    _set_number(dash_duo, "Age", 22)
    _set_number(dash_duo, "SibSp", 1)
    _set_number(dash_duo, "Parch", 0)
    _set_number(dash_duo, "Fare", 7.25)
    dash_duo.select_dcc_dropdown(_field("Embarked"), value="S")
    click(dash_duo, f"#{PredictIds.SUBMIT_BUTTON}")
    row = pd.DataFrame([{"Pclass": 3, "Sex": "male", "Age": 22, "SibSp": 1, "Parch": 0, "Fare": 7.25, "Embarked": "S"}])
    expected = store.load("titanic-survival").model.predict(row)[0]
    dash_duo.wait_for_text_to_equal(f"#{PredictIds.RESULT} .predict-label", str(expected), timeout=15)
    dash_duo.wait_for_contains_text(f"#{PredictIds.PROBABILITY_GRAPH}", "probability")
    assert '"model": "titanic-survival"' in dash_duo.find_element(f"#{PredictIds.JSON}").get_attribute("textContent")
    # why: a waterfall from the base to this row's probability of survival, by input column
    dash_duo.wait_for_contains_text(f"#{PredictIds.EXPLAIN_GRAPH}", "Why: contributions to the probability", timeout=30)
    bars = dash_duo.driver.execute_script(
        "return document.querySelector(arguments[0] + ' .js-plotly-plot').data[0].y;", f"#{PredictIds.EXPLAIN_GRAPH}"
    )
    assert bars[0] == "base (average)" and bars[-1] == "probability" and "Sex" in bars
    # the path the forest's first tree takes for this row, ending in the leaf that tree answers with
    from dashboard.serving.trees import row_path

    steps = row_path(store.load("titanic-survival").model, row)
    dash_duo.wait_for_contains_text(f"#{PredictIds.TREE_PATH}", "tree 1 of 300", timeout=30)
    shown = dash_duo.find_element(f"#{PredictIds.TREE_PATH}").text
    assert all(f"{step['question']} {step['answer']}" in shown for step in steps[:-1])
    assert f"leaf: {steps[-1]['rows']:,} training rows" in shown
    # what if: change one field and see the probability move
    before = store.load("titanic-survival").model.predict_proba(row)[0, 1]
    _set_number(dash_duo, "Age", 4)
    click(dash_duo, f"#{PredictIds.SUBMIT_BUTTON}")
    after = store.load("titanic-survival").model.predict_proba(row.assign(Age=4))[0, 1]
    dash_duo.wait_for_contains_text(
        f"#{PredictIds.WHAT_IF}", f"What if Age 22 → 4: probability of 1 {before:.4g} → {after:.4g}", timeout=30
    )
    assert dash_duo.get_logs() == []


def test_batch_upload_reports_bad_row_and_downloads(dash_duo, app, demo_models, catalog, tmp_path):
    frame = catalog.load("titanic")[["Pclass", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked"]].head(30)
    frame.loc[4, "Sex"] = "robot"
    path = tmp_path / "passengers.csv"
    frame.to_csv(path, index=False)
    dash_duo.start_server(app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/predict?model=titanic-survival")
    dash_duo.wait_for_element(f"#{PredictIds.BATCH_UPLOAD} input[type=file]", timeout=20).send_keys(str(path))
    dash_duo.wait_for_contains_text(f"#{PredictIds.BATCH_RESULT}", "Scored 29 of 30 rows", timeout=60)
    dash_duo.wait_for_contains_text(f"#{PredictIds.BATCH_RESULT} .batch-bad-rows", "row 5: Sex")
    click(dash_duo, f"#{PredictIds.BATCH_DOWNLOAD_BUTTON}")
    downloaded = Path(dash_duo.download_path) / "predictions.csv"
    wait_until(
        dash_duo, lambda _d: downloaded.exists() and downloaded.stat().st_size > 0, timeout=15, msg="no download"
    )
    result = pd.read_csv(downloaded, keep_default_na=False)
    assert len(result) == 30 and result.loc[4, "error"].startswith("Sex") and result.loc[0, "prediction"] != ""
    assert dash_duo.get_logs() == []


def test_unknown_model_in_link_and_hostile_name(dash_duo, app, demo_models):
    dash_duo.start_server(app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/predict?model=<script>alert(1)</script>")
    dash_duo.wait_for_contains_text("#_pages_content", "no model named '<script>alert(1)</script>'")
    # the name is shown as text: no script element carries it (the page's own inline scripts are Dash's)
    injected = dash_duo.driver.execute_script(
        "return Array.from(document.scripts).filter(function (s) { return s.text.indexOf('alert(1)') >= 0; }).length"
    )
    assert injected == 0
    assert dash_duo.get_logs() == []


def test_a_wide_model_shows_a_page_of_fields_and_keeps_the_rest_at_the_example_row(dash_duo, app):
    """A 60-input model: 20 inputs shown, the others picked by search; the prediction is the model's own
    on the example row with the edited field changed."""
    import numpy as np

    from dashboard.train.spec import CVSpec, TrainSpec

    services = app.server.extensions["dashboard"]
    rng = np.random.default_rng(0)
    features = [f"s{i}" for i in range(60)]
    frame = pd.DataFrame(rng.normal(size=(300, 60)), columns=features)
    frame["y"] = np.where(frame["s45"] + 0.3 * frame["s3"] > 0, "high", "low")
    info, _ = services.catalog.add_upload("sensors.csv", frame.to_csv(index=False).encode())
    spec = TrainSpec(
        dataset=info.id, target="y", features=tuple(features), estimator="logistic_regression", cv=CVSpec(folds=2)
    )
    token, _, _ = services.training.run(spec)
    services.training.save(spec, token, "wide-sensors", "sixty sensors")

    dash_duo.start_server(app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/predict?model=wide-sensors")
    dash_duo.wait_for_element(_field("s0"), timeout=15)
    wait_for_app_ready(dash_duo)
    assert len(dash_duo.find_elements('[id*=\'"type":"predict-field"\']')) == 20
    assert not dash_duo.find_elements(_field("s45"))
    dash_duo.select_dcc_dropdown(f"#{PredictIds.FIELD_PICKER}", value="s45 (numeric)")
    dash_duo.wait_for_element(_field("s45"), timeout=15)
    _set_number(dash_duo, "s45", 2)
    _set_number(dash_duo, "s3", -1)
    click(dash_duo, f"#{PredictIds.SUBMIT_BUTTON}")
    answer_json = dash_duo.find_element(f"#{PredictIds.JSON}")
    wait_until(
        dash_duo, lambda _: "wide-sensors" in answer_json.get_attribute("textContent"), timeout=15, msg="no prediction"
    )
    answer = json.loads(answer_json.get_attribute("textContent"))

    loaded = services.models.load("wide-sensors")
    row = {**loaded.card["schema"]["example"], "s45": 2, "s3": -1}
    expected = loaded.model.predict_proba(pd.DataFrame([row])[features])[0]
    assert answer["probabilities"][0] == pytest.approx(dict(zip(loaded.model.classes_, expected)), abs=1e-9)
    assert dash_duo.get_logs() == []


def test_a_clustering_models_answer_has_no_empty_chart(dash_duo, app, demo_models, store):
    """A cluster is the whole answer: no probability chart and no explanation chart stand empty beside it,
    and why there is no explanation is said in a line."""
    from dashboard.clusters.clustering import ClusterSpec
    from tests.browser.test_accessibility import BARE_FIGURES

    services = app.server.extensions["dashboard"]
    spec = ClusterSpec(dataset="penguins", features=("bill_length_mm", "flipper_length_mm"), k=3)
    token, _, _ = services.clusters.run(spec)
    services.clusters.save(spec, token, "penguin-segments")
    dash_duo.start_server(app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/predict?model=penguin-segments")
    dash_duo.wait_for_element(_field("flipper_length_mm"), timeout=15)
    wait_for_app_ready(dash_duo)
    _set_number(dash_duo, "bill_length_mm", 39.1)
    _set_number(dash_duo, "flipper_length_mm", 181)
    click(dash_duo, f"#{PredictIds.SUBMIT_BUTTON}")
    row = pd.DataFrame([{"bill_length_mm": 39.1, "flipper_length_mm": 181.0}])
    expected = store.load("penguin-segments").model.predict(row)[0]
    dash_duo.wait_for_contains_text(f"#{PredictIds.RESULT}", str(expected), timeout=15)
    wait_for_app_ready(dash_duo)
    assert dash_duo.find_element(f"#{PredictIds.PROBABILITY_PANEL}").get_attribute("hidden")
    assert dash_duo.find_element(f"#{PredictIds.EXPLAIN_PANEL}").get_attribute("hidden")
    assert dash_duo.driver.execute_script(BARE_FIGURES) == []
    assert dash_duo.get_logs() == []


def test_shap_over_a_datasets_rows_for_the_stored_version(dash_duo, app, demo_models):
    """The dataset the version was trained on is preselected; the bars equal the REST answer's mean |SHAP|
    on the same seeded rows (which equals shap's own, tests/unit/api/test_diagnostics_api.py)."""
    dash_duo.start_server(app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/predict?model=titanic-survival")
    dash_duo.wait_for_element(f"#{PredictIds.SHAP_BUTTON}", timeout=15)
    wait_for_app_ready(dash_duo)
    rows = dash_duo.find_element(f"#{PredictIds.SHAP_ROWS}")
    rows.clear()
    rows.send_keys("50")
    click(dash_duo, f"#{PredictIds.SHAP_BUTTON}")
    dash_duo.wait_for_contains_text(f"#{PredictIds.SHAP_NOTE}", "on 50 of 1,309 rows of dataset titanic", timeout=60)
    bars = dash_duo.driver.execute_script(
        "var el = document.querySelector('#predict-shap-bar-graph .js-plotly-plot');"
        "return el && el.data ? [el.data[0].y, Array.from(el.data[0].x)] : null;"
    )
    shown = dict(zip(bars[0], bars[1], strict=True))
    expected = app.server.test_client().get("/api/models/titanic-survival/shap?data=titanic&rows=50").json["mean_abs"]
    assert shown == pytest.approx(expected, abs=1e-9)
    assert dash_duo.get_logs() == []
