"""Train page in a real browser: live CV on Titanic, threshold, save, open in Predict."""

import json
from urllib.parse import parse_qs, urlparse

import pytest
from selenium.webdriver.common.keys import Keys
from sklearn.metrics import roc_auc_score

from layouts.common import pick_id
from layouts.predict_ids import PredictIds
from layouts.train_ids import CompareIds, InspectIds, SearchIds, TrainIds
from tests.browser.helpers import click, wait_for_app_ready, wait_until

pytestmark = pytest.mark.browser


def test_train_titanic_threshold_save_and_predict(dash_duo, app):
    open_train(
        dash_duo,
        app,
        "dataset=titanic&target=Survived"
        "&features=Pclass,Sex,Age,SibSp,Parch,Fare,Embarked&model=logistic_regression&folds=5",
        TrainIds.RUN_BUTTON,
    )
    click(dash_duo, f"#{TrainIds.RUN_BUTTON}")
    wait_until(
        dash_duo,
        lambda d: len(d.find_elements("css selector", ".fold-row")) == 5,
        timeout=90,
        msg="fold rows did not appear",
    )
    dash_duo.wait_for_contains_text("#train-summary-roc_auc", "roc_auc", timeout=30)
    # The AUC shown is the mean over folds of scikit-learn's roc_auc_score on the same folds.
    stored = app.server.extensions["dashboard"].training
    token = next(
        iter(
            k
            for k in stored.memo.backend.cache.iterkeys()
            if str(k).startswith("train.cv:") and ":" not in str(k)[len("train.cv:") :]
        )
    )
    result = stored.result(token)
    expected = sum(roc_auc_score((f["y_true"] == 1).astype(int), f["scores"]) for f in result.folds) / 5
    shown = dash_duo.find_element("#train-summary-roc_auc").text.split()[1]
    assert abs(float(shown) - expected) < 5e-5
    dash_duo.wait_for_contains_text(f"#{TrainIds.CONFUSION_GRAPH}", "threshold 0.50")
    slider_box = dash_duo.find_element(f"#{TrainIds.THRESHOLD_SLIDER} input")
    slider_box.send_keys(Keys.CONTROL, "a")
    slider_box.send_keys("0.3", Keys.TAB)
    dash_duo.wait_for_contains_text(f"#{TrainIds.CONFUSION_GRAPH}", "threshold 0.30")
    dash_duo.find_element(f"#{TrainIds.SAVE_NAME_INPUT}").send_keys("titanic-logreg")
    click(dash_duo, f"#{TrainIds.SAVE_BUTTON}")
    dash_duo.wait_for_contains_text(f"#{TrainIds.SAVE_ALERT}", "Saved titanic-logreg v1", timeout=30)
    click(dash_duo, f"#{TrainIds.OPEN_PREDICT_LINK}")
    dash_duo.wait_for_element(f"#{PredictIds.SUBMIT_BUTTON}", timeout=15)
    click(dash_duo, f"#{PredictIds.SUBMIT_BUTTON}")
    dash_duo.wait_for_contains_text(f"#{PredictIds.RESULT}", "titanic-logreg v1", timeout=15)
    assert json.loads(dash_duo.find_element(f"#{PredictIds.JSON}").get_attribute("textContent"))["version"] == 1
    assert dash_duo.get_logs() == []


def test_bad_spec_shows_a_named_message(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/train?dataset=titanic&target=Survived&features=Age&folds=5")
    dash_duo.wait_for_element(f"#{TrainIds.FOLDS_INPUT}", timeout=15)
    folds = dash_duo.find_element(f"#{TrainIds.FOLDS_INPUT}")
    folds.clear()
    folds.send_keys("1")
    click(dash_duo, f"#{TrainIds.RUN_BUTTON}")
    dash_duo.wait_for_contains_text(f"#{TrainIds.MESSAGES}", "cv.folds", timeout=30)
    assert dash_duo.get_logs() == []


def open_train(dash_duo, app, query: str, ready: str) -> None:
    """Serve ``app``, open /train?``query`` and wait until ``ready`` is shown and no callback is pending."""
    dash_duo.start_server(app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/train?{query}")
    dash_duo.wait_for_element(f"#{ready}", timeout=15)
    wait_for_app_ready(dash_duo)


def _plot_types(dash_duo, graph_id: str) -> list[str]:
    return dash_duo.driver.execute_script(
        "var el = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "return el && el.data ? el.data.map(function (t) { return t.type; }) : [];",
        f"#{graph_id}",
    )


def _texts(dash_duo, selector: str) -> list[str]:
    """Texts read in one script: rows re-render while a search streams, so held elements go stale."""
    return dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).map(function (e) { return e.innerText; });",
        selector,
    )


def test_search_streams_candidates_applies_the_best_and_the_permalink_embeds_it(dash_duo, app):
    open_train(
        dash_duo,
        app,
        "dataset=titanic&target=Survived"
        "&features=Pclass,Sex,Age,SibSp,Parch,Fare,Embarked&model=logistic_regression&folds=4",
        SearchIds.RUN_BUTTON,
    )  # the model's initial callback re-renders the search values: type after it
    C = '[id=\'{"name":"C","type":"search-values"}\']'
    dash_duo.find_element(C).clear()
    dash_duo.find_element(C).send_keys("0.01, 0.1, 1", Keys.TAB)
    click(dash_duo, f"#{SearchIds.TUNE_CHECKLIST} input[value='max_iter']")  # C is ticked already
    click(dash_duo, f"#{SearchIds.RUN_BUTTON}")
    # 3 x 2 grid + the catalog defaults, every candidate over 4 folds
    wait_until(
        dash_duo,
        lambda d: [t.split()[-1] for t in _texts(dash_duo, ".search-row")] == ["4/4"] * 7,
        timeout=120,
        msg="search rows did not complete",
    )
    dash_duo.wait_for_contains_text(f"#{SearchIds.BEST_SUMMARY}", "Catalog defaults", timeout=30)
    wait_until(
        dash_duo,
        lambda d: _plot_types(dash_duo, SearchIds.GRAPH) == ["heatmap"],
        timeout=15,
        msg="no heatmap of 2 parameters",
    )
    result = app.server.extensions["dashboard"].training
    token = next(k for k in result.memo.backend.cache.iterkeys() if str(k).startswith("train.search:"))
    best = result.search_result(token).best_row()
    assert dash_duo.find_element(".search-row.table-success").text.split()[0] == "1"
    click(dash_duo, f"#{SearchIds.USE_BEST_BUTTON}")
    C_control = '[id=\'{"name":"C","type":"train-param"}\']'
    wait_until(
        dash_duo,
        lambda d: float(d.find_element("css selector", C_control).get_attribute("value")) == best["values"]["C"],
        timeout=15,
        msg="the best C was not put in the form",
    )
    click(dash_duo, f"#{TrainIds.RUN_BUTTON}")
    dash_duo.wait_for_contains_text(f"#{TrainIds.MESSAGES}", "no model was fitted", timeout=30)
    shown = dash_duo.find_element("#train-summary-roc_auc").text.split()[1]
    assert abs(float(shown) - best["mean"]) < 5e-5
    wait_until(
        dash_duo,
        lambda d: _plot_types(dash_duo, TrainIds.NATIVE_GRAPH) == ["bar"],
        timeout=15,
        msg="no coefficient chart",
    )
    # coefficients by input column ("Sex", not "Sex_male"), the one-hot levels on expand
    bars = dash_duo.driver.execute_script(
        "return document.querySelector(arguments[0] + ' .js-plotly-plot').data[0].y;", f"#{TrainIds.NATIVE_GRAPH}"
    )
    assert "Sex" in bars and not any("_" in bar for bar in bars if bar.startswith("Sex"))
    sex = next(e for e in dash_duo.find_elements(f"#{TrainIds.NATIVE_LEVELS} details") if e.text.startswith("Sex:"))
    dash_duo.driver.execute_script("arguments[0].querySelector('summary').click();", sex)  # as helpers.click
    wait_until(dash_duo, lambda d: "Sex_female" in sex.text, timeout=10, msg="the levels did not expand")
    link = dash_duo.find_element(f"#{TrainIds.PERMALINK_LINK}").get_attribute("href")
    assert "p_C=" in link and "threshold=" in link
    # The permalink's embed form opens on the cached result with no controls
    dash_duo.wait_for_page(url=link + "&embed=1")
    dash_duo.wait_for_contains_text("#train-summary-roc_auc", shown, timeout=30)
    assert not dash_duo.find_element(f"#{TrainIds.RUN_BUTTON}").is_displayed()
    assert dash_duo.get_logs() == []


def test_the_feature_picker_picks_all_none_and_a_kind_in_one_click(dash_duo, app):
    """With hundreds of columns nobody clicks features in one by one: the picks choose them by kind."""
    kinds = app.server.extensions["dashboard"].explorer.kinds("titanic")
    dash_duo.start_server(app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/train?dataset=titanic&target=Survived")
    dash_duo.wait_for_element(f"#{TrainIds.RUN_BUTTON}", timeout=15)
    wait_for_app_ready(dash_duo)

    def chosen() -> list[str]:  # the page keeps its address a permalink of the chosen features
        query = parse_qs(urlparse(dash_duo.driver.current_url).query)
        return [f for f in query.get("features", [""])[0].split(",") if f]

    click(dash_duo, f"#{pick_id(TrainIds.FEATURES_DROPDOWN, 'numeric')}")
    numeric = [c for c, k in kinds.items() if k == "numeric"]
    wait_until(dash_duo, lambda _: chosen() == numeric, timeout=10, msg=f"numeric pick: {chosen()} != {numeric}")
    click(dash_duo, f"#{pick_id(TrainIds.FEATURES_DROPDOWN, 'none')}")
    wait_until(dash_duo, lambda _: chosen() == [], timeout=10, msg="none pick")
    click(dash_duo, f"#{pick_id(TrainIds.FEATURES_DROPDOWN, 'all')}")
    every = [c for c in kinds if c != "Survived"]  # every column but the target
    wait_until(dash_duo, lambda _: chosen() == every, timeout=10, msg=f"all pick: {chosen()}")
    assert dash_duo.get_logs() == []


def test_three_models_compared_on_the_same_folds_and_the_permalink_embeds_it(dash_duo, app):
    open_train(
        dash_duo,
        app,
        "dataset=titanic&target=Survived&features=Pclass,Sex,Age,SibSp,Parch,Fare"
        "&model=random_forest&p_n_estimators=40&folds=4&compare=logistic_regression,random_forest,decision_tree",
        CompareIds.RUN_BUTTON,
    )
    click(dash_duo, f"#{CompareIds.RUN_BUTTON}")
    wait_until(dash_duo, lambda d: len(_texts(dash_duo, ".compare-row")) == 3, timeout=120, msg="no comparison table")
    wait_until(
        dash_duo,
        lambda d: _plot_types(dash_duo, CompareIds.ROC_GRAPH) == ["scatter"] * 4,
        timeout=15,
        msg="no ROC overlay",
    )
    # the table's AUCs are scikit-learn's roc_auc_score on each model's folds, and the folds are the same
    training = app.server.extensions["dashboard"].training
    cached = training.memo.backend.cache.iterkeys()
    tokens = [k for k in cached if str(k).startswith("train.cv:") and str(k).count(":") == 1]
    results = [training.result(t) for t in tokens]
    assert len(results) == 3
    folds = [[list(f["test_index"]) for f in r.folds] for r in results]
    assert folds[0] == folds[1] == folds[2]
    rows = _texts(dash_duo, ".compare-row")
    for result in results:
        auc = sum(roc_auc_score((f["y_true"] == 1).astype(int), f["scores"]) for f in result.folds) / 4
        assert any(f"{auc:.4f} ±" in row for row in rows)
    assert sum("(best)" in row for row in rows) == 1
    link = dash_duo.find_element(f"#{TrainIds.PERMALINK_LINK}").get_attribute("href")
    assert parse_qs(urlparse(link).query)["compare"] == ["logistic_regression,random_forest,decision_tree"]
    dash_duo.wait_for_page(url=link + "&embed=1")  # opens on the cached comparison, nothing to run
    wait_until(dash_duo, lambda d: len(_texts(dash_duo, ".compare-row")) == 3, timeout=30, msg="the embed is empty")
    assert dash_duo.get_logs() == []


def test_a_twenty_trial_tpe_search_streams_prunes_and_plots_its_history(dash_duo, app):
    open_train(
        dash_duo,
        app,
        "dataset=titanic&target=Survived&features=Pclass,Sex,Age,SibSp,Parch,Fare&model=logistic_regression&folds=5",
        SearchIds.RUN_BUTTON,
    )
    click(dash_duo, f"#{SearchIds.MODE_RADIO} input[value='tpe']")
    trials = dash_duo.find_element(f"#{SearchIds.CANDIDATES_INPUT}")
    trials.send_keys(Keys.CONTROL, "a")
    trials.send_keys("20", Keys.TAB)
    values = dash_duo.find_element('[id=\'{"name":"C","type":"search-values"}\']')
    values.send_keys(Keys.CONTROL, "a")
    values.send_keys("0.0001..100", Keys.TAB)
    click(dash_duo, f"#{SearchIds.RUN_BUTTON}")
    dash_duo.wait_for_contains_text(f"#{SearchIds.BEST_SUMMARY}", "21 candidates", timeout=180)
    rows = _texts(dash_duo, ".search-row")
    assert len(rows) == 21
    assert all(row.endswith("5/5") or "pruned" in row for row in rows)
    wait_until(
        dash_duo,
        lambda d: _plot_types(dash_duo, SearchIds.HISTORY_GRAPH)[:2] == ["scatter", "scatter"],
        timeout=15,
        msg="no optimisation history",
    )
    assert _plot_types(dash_duo, SearchIds.IMPORTANCE_GRAPH) == ["bar"]
    assert dash_duo.get_logs() == []


def test_partial_dependence_and_learning_curve_of_the_run_shown(dash_duo, app):
    open_train(
        dash_duo,
        app,
        "dataset=titanic&target=Survived&features=Age,Pclass,Sex,Fare&model=logistic_regression&folds=3",
        TrainIds.RUN_BUTTON,
    )
    # before any run the result views are not built at all (no page of empty placeholders), only what to do
    assert dash_duo.find_elements(f"#{InspectIds.CURVE_BUTTON}") == []
    assert dash_duo.find_elements(f"#{TrainIds.ROC_GRAPH}") == []
    assert not dash_duo.find_element(f"#{TrainIds.TEXT_ANALYZER}").is_displayed()  # no text feature chosen
    dash_duo.wait_for_contains_text(f"#{TrainIds.FIRST_RUN_NOTE}", "then run: each fold appears here")
    click(dash_duo, f"#{TrainIds.RUN_BUTTON}")
    dash_duo.wait_for_contains_text("#train-summary-roc_auc", "roc_auc", timeout=60)
    assert "Age" in dash_duo.find_element(f"#{InspectIds.PDP_COLUMN}").text  # the first feature
    click(dash_duo, f"#{InspectIds.PDP_BUTTON}")
    dash_duo.wait_for_contains_text(f"#{InspectIds.PDP_GRAPH}", "Partial dependence on Age", timeout=60)
    assert len(_plot_types(dash_duo, InspectIds.PDP_GRAPH)) == 51  # 50 ICE curves and the average
    click(dash_duo, f"#{InspectIds.CURVE_BUTTON}")
    dash_duo.wait_for_contains_text(f"#{InspectIds.CURVE_GRAPH}", "Learning curve (roc_auc)", timeout=60)
    assert _plot_types(dash_duo, InspectIds.CURVE_GRAPH) == ["scatter", "scatter"]
    assert dash_duo.get_logs() == []


def test_an_upload_asks_for_its_target_and_shows_what_it_left_out(dash_duo, app, tmp_path):
    """seaborn's Titanic as a user exports it: no target is guessed; once one is chosen, the row names and
    ``alive`` (survived written as yes/no) are left out with their reasons, and the target cannot be picked."""
    from tests.unit.data.test_real_data_types import seaborn_titanic

    seaborn_titanic(app.server.extensions["dashboard"].catalog)
    open_train(dash_duo, app, "dataset=seaborn-titanic", TrainIds.TARGET_DROPDOWN)
    dash_duo.wait_for_contains_text(f"#{TrainIds.TARGET_DROPDOWN}", "Choose the column to predict")
    dash_duo.select_dcc_dropdown(f"#{TrainIds.TARGET_DROPDOWN}", value="survived")
    dash_duo.wait_for_contains_text(f"#{TrainIds.FEATURES_NOTE}", "alive (predicts survived alone", timeout=15)
    assert "rownames (named like an identifier)" in dash_duo.find_element(f"#{TrainIds.FEATURES_NOTE}").text
    expected = ["pclass", "sex", "age", "sibsp", "parch", "fare", "embarked", "class", "alone"]
    wait_until(dash_duo, lambda _: chosen_features(dash_duo) == expected, 10, f"defaults: {chosen_features(dash_duo)}")
    dash_duo.driver.save_screenshot(str(tmp_path / "train-upload.png"))
    click(dash_duo, f"#{pick_id(TrainIds.FEATURES_DROPDOWN, 'all')}")  # "all" never picks the target
    every = ["rownames", *expected[:7], "class", "alive", "alone"]
    wait_until(dash_duo, lambda _: chosen_features(dash_duo) == every, 10, f"all: {chosen_features(dash_duo)}")
    assert dash_duo.get_logs() == []


def chosen_features(dash_duo) -> list[str]:
    """The chosen features, read from the page's address (kept a permalink of the form)."""
    query = parse_qs(urlparse(dash_duo.driver.current_url).query)
    return [f for f in query.get("features", [""])[0].split(",") if f]


def test_subgroups_of_a_run_equal_the_service_and_follow_the_threshold(dash_duo, app):
    """Split by the permalink's column: the page's rates are the service's at that threshold (the service's
    equal scikit-learn's, tests/unit/train/test_subgroups.py), and a threshold move recounts them."""
    from dashboard.train.spec import CVSpec, TrainSpec

    open_train(
        dash_duo,
        app,
        "dataset=titanic&target=Survived&features=Pclass,Sex,Age,Fare&model=logistic_regression&folds=3&by=Sex",
        TrainIds.RUN_BUTTON,
    )
    click(dash_duo, f"#{TrainIds.RUN_BUTTON}")
    rows = lambda _d: _texts(dash_duo, f"#{TrainIds.SUBGROUP_TABLE} .subgroup-row")  # noqa: E731
    wait_until(dash_duo, lambda d: len(rows(d)) == 2, timeout=90, msg="subgroup rows did not appear")
    diagnostics = app.server.extensions["dashboard"].diagnostics
    spec = TrainSpec(
        dataset="titanic",
        target="Survived",
        features=("Pclass", "Sex", "Age", "Fare"),
        estimator="logistic_regression",
        cv=CVSpec(folds=3),
    )

    def shown_rates() -> dict[str, str]:
        return {row.split()[0]: row.split("\t")[3].split()[0] for row in rows(None)}

    def expected_rates(threshold: float) -> dict[str, str]:
        report = diagnostics.subgroups(spec, ["Sex"], threshold)
        return {g["group"]: f"{g['values']['selection_rate']:.3f}" for g in report.groups}

    wait_until(dash_duo, lambda _d: shown_rates() == expected_rates(0.5), msg="rates at 0.5 differ")
    slider_box = dash_duo.find_element(f"#{TrainIds.THRESHOLD_SLIDER} input")
    slider_box.send_keys(Keys.CONTROL, "a")
    slider_box.send_keys("0.3", Keys.TAB)
    wait_until(dash_duo, lambda _d: shown_rates() == expected_rates(0.3), msg="rates did not follow the threshold")
    assert expected_rates(0.3) != expected_rates(0.5)
    assert "largest gap" in dash_duo.find_element(f"#{TrainIds.SUBGROUP_GRAPH}").text
    assert dash_duo.get_logs() == []


def test_shap_summary_runs_as_a_job_and_its_permalink_opens_on_it(dash_duo, app):
    """Explain 100 rows: the bar chart's values are the service's mean |SHAP| (equal to shap's own,
    tests/unit/train/test_shap_summary.py); the permalink then opens cold on the same summary."""
    from dashboard.train.spec import CVSpec, TrainSpec
    from layouts.train_ids import ShapIds

    query = (
        "dataset=titanic&target=Survived&features=Pclass,Sex,Age,Fare&model=random_forest&p_n_estimators=30"
        "&folds=3&shap=100"
    )
    open_train(dash_duo, app, query, TrainIds.RUN_BUTTON)
    click(dash_duo, f"#{TrainIds.RUN_BUTTON}")
    dash_duo.wait_for_contains_text("#train-summary-roc_auc", "roc_auc", timeout=90)
    click(dash_duo, f"#{ShapIds.RUN_BUTTON}")
    dash_duo.wait_for_contains_text(f"#{ShapIds.NOTE}", "100 of", timeout=90)

    def bars() -> dict[str, float]:
        data = dash_duo.driver.execute_script(
            "var el = document.querySelector('#shap-bar-graph .js-plotly-plot');"
            "return el && el.data ? [el.data[0].y, Array.from(el.data[0].x)] : null;"
        )
        return dict(zip(data[0], data[1], strict=True)) if data else {}

    wait_until(dash_duo, lambda _d: len(bars()) == 4, msg="the mean |SHAP| bars were not drawn")
    spec = TrainSpec(
        dataset="titanic",
        target="Survived",
        features=("Pclass", "Sex", "Age", "Fare"),
        estimator="random_forest",
        params={"n_estimators": 30},
        cv=CVSpec(folds=3),
    )
    expected = app.server.extensions["dashboard"].diagnostics.shap_summary(spec, 100)["mean_abs"]
    assert bars() == pytest.approx(expected, abs=1e-9)
    assert "tree explainer" in dash_duo.find_element(f"#{ShapIds.NOTE}").text
    permalink = dash_duo.find_element(f"#{TrainIds.PERMALINK_LINK}").get_attribute("href")
    assert "shap=100" in permalink
    dash_duo.driver.get(permalink)
    dash_duo.wait_for_contains_text(f"#{ShapIds.NOTE}", "100 of", timeout=30)
    wait_until(dash_duo, lambda _d: bars() == pytest.approx(expected, abs=1e-9), msg="the permalink lost the summary")
    assert len(_plot_types(dash_duo, ShapIds.SUMMARY_GRAPH)) == 4
    click(dash_duo, f"#{ShapIds.INTERACTIONS_BUTTON}")
    dash_duo.wait_for_contains_text(f"#{ShapIds.INTERACTIONS_GRAPH}", "Mean |SHAP interaction|", timeout=90)
    assert _plot_types(dash_duo, ShapIds.INTERACTIONS_GRAPH) == ["heatmap"]
    assert dash_duo.get_logs() == []


def test_calibrations_compared_on_the_runs_folds_and_one_chosen_from_the_form(dash_duo, app):
    """Compare: three rows whose Brier scores are the service's; choose isotonic in the form and run: the
    cached run opens at once and the permalink carries calib=isotonic."""
    query = "dataset=titanic&target=Survived&features=Pclass,Sex,Age,Fare&model=random_forest&folds=3"
    open_train(dash_duo, app, query, TrainIds.RUN_BUTTON)
    click(dash_duo, f"#{TrainIds.RUN_BUTTON}")
    dash_duo.wait_for_contains_text("#train-summary-roc_auc", "roc_auc", timeout=90)
    click(dash_duo, f"#{TrainIds.CALIBRATE_BUTTON}")
    rows = lambda _d: _texts(dash_duo, ".calibration-row")  # noqa: E731
    wait_until(dash_duo, lambda d: len(rows(d)) == 3, timeout=120, msg="the calibration rows did not appear")
    shown = {row.split("\t")[0].split()[0]: row.split("\t")[1] for row in rows(None)}
    from dashboard.train.spec import CVSpec, TrainSpec

    spec = TrainSpec(
        dataset="titanic",
        target="Survived",
        features=("Pclass", "Sex", "Age", "Fare"),
        estimator="random_forest",
        cv=CVSpec(folds=3),
    )
    expected = app.server.extensions["dashboard"].diagnostics.calibrations(spec)  # cached: nothing is fitted
    assert shown == {
        {"none": "uncalibrated", "sigmoid": "sigmoid", "isotonic": "isotonic"}[r["method"]]: f"{r['brier']:.4f}"
        for r in expected
    }
    click(dash_duo, f"#{TrainIds.CALIBRATION_DROPDOWN}")
    option = wait_until(
        dash_duo,
        lambda d: next(
            (o for o in d.find_elements("css selector", ".dash-dropdown-option") if o.text == "isotonic"), None
        ),
        msg="the isotonic option was not offered",
    )
    dash_duo.driver.execute_script("arguments[0].click();", option)
    click(dash_duo, f"#{TrainIds.RUN_BUTTON}")
    dash_duo.wait_for_contains_text(f"#{TrainIds.MESSAGES}", "Identical run found in the cache", timeout=60)
    wait_until(
        dash_duo,
        lambda _d: "calib=isotonic" in dash_duo.find_element(f"#{TrainIds.PERMALINK_LINK}").get_attribute("href"),
        msg="the permalink did not carry the calibration",
    )
    assert dash_duo.get_logs() == []


def test_a_tree_model_shows_one_of_its_trees(dash_duo, app):
    query = "dataset=titanic&target=Survived&features=Pclass,Sex,Age,Fare&model=decision_tree&p_max_depth=4&folds=3"
    open_train(dash_duo, app, query, TrainIds.RUN_BUTTON)
    click(dash_duo, f"#{TrainIds.RUN_BUTTON}")
    dash_duo.wait_for_contains_text(f"#{TrainIds.TREE_GRAPH}", "Sex = ", timeout=90)
    assert "Tree 1 of 1, first 3 levels" in dash_duo.find_element(f"#{TrainIds.TREE_GRAPH}").text
    assert dash_duo.find_element(f"#{TrainIds.TREE_PANEL}").is_displayed()
    assert dash_duo.get_logs() == []
