"""Global SHAP of a CV result: the values are shap's own TreeExplainer / LinearExplainer values on the same
seeded rows, summed per input column; each row adds up to the model's output; a cancelled run caches nothing;
a model only the kernel explainer can take is limited by name."""

import numpy as np
import pytest
import shap

from dashboard.errors import Cancelled, FieldError, NotApplicable
from dashboard.serving.global_explain import sample_rows, strongest_interaction
from dashboard.train.cv import holdout_split
from model_store.columns import input_columns
from tests.unit.helpers import titanic_spec


def rows_explained(training, spec, rows, seed):
    prepared = training.prepare(spec)
    cv_rows, _ = holdout_split(prepared, spec.cv)
    return sample_rows(prepared.X.iloc[cv_rows], rows, seed)


def by_column(values, owners, columns):
    return np.stack([values[:, owners == c].sum(axis=1) for c in columns], axis=1)


def test_a_forest_s_summary_equals_tree_explainer_on_the_same_rows(training, diagnostics):
    spec = titanic_spec(estimator="random_forest", params={"n_estimators": 50, "random_state": 0})
    training.run(spec)
    summary = diagnostics.shap_summary(spec, rows=120, seed=4)
    model = training.refitted(spec)
    frame = rows_explained(training, spec, 120, 4)
    raw = shap.TreeExplainer(model[-1]).shap_values(model[:-1].transform(frame))[:, :, 1]
    expected = by_column(raw, input_columns(model).astype(str), summary["columns"])
    np.testing.assert_allclose(summary["values"], expected, atol=1e-10)
    outputs = summary["base"] + summary["values"].sum(axis=1)
    np.testing.assert_allclose(outputs, model.predict_proba(frame)[:, 1], atol=1e-8)
    assert summary["rows"] == 120 and summary["output_kind"] == "probability" and summary["explained_class"] == 1
    assert list(summary["mean_abs"]) == summary["columns"]  # strongest first
    assert all(type(c) is str for c in summary["columns"])  # not numpy's str: they go to JSON and labels
    assert summary["mean_abs"]["Sex"] == pytest.approx(np.abs(expected[:, summary["columns"].index("Sex")]).mean())
    assert summary["feature_values"]["Sex"] is None and len(summary["feature_values"]["Age"]) == 120
    assert strongest_interaction(summary, "Age") in {"Pclass", "SibSp", "Parch", "Fare"}


def test_a_linear_model_s_rows_add_up_to_its_log_odds(training, diagnostics):
    spec = titanic_spec()
    training.run(spec)
    summary = diagnostics.shap_summary(spec, rows=80, seed=1)
    model = training.refitted(spec)
    frame = rows_explained(training, spec, 80, 1)
    np.testing.assert_allclose(
        summary["base"] + summary["values"].sum(axis=1), model.decision_function(frame), atol=1e-8
    )
    assert summary["explainer"] == "linear" and summary["output_kind"] == "log-odds"


def test_a_cancelled_summary_caches_nothing_and_progress_is_reported(training, diagnostics):
    spec = titanic_spec()
    training.run(spec)
    seen = []
    with pytest.raises(Cancelled):
        diagnostics.shap_summary(
            spec, rows=300, seed=2, on_progress=lambda done, total: seen.append(done), cancelled=lambda: bool(seen)
        )
    assert seen == [100]
    progress = []
    diagnostics.shap_summary(spec, rows=300, seed=2, on_progress=lambda done, total: progress.append((done, total)))
    assert progress == [(100, 300), (200, 300), (300, 300)]


def test_limits_are_named(training, diagnostics):
    spec = titanic_spec(estimator="knn")
    training.run(spec)
    with pytest.raises(FieldError, match="at most 50 rows"):
        diagnostics.shap_summary(spec, rows=200)
    with pytest.raises(FieldError, match="rows"):
        diagnostics.shap_summary(spec, rows=5)


def test_interactions_equal_tree_shap_s_own_on_the_same_rows(training, diagnostics):
    spec = titanic_spec(estimator="random_forest", params={"n_estimators": 20, "random_state": 0})
    training.run(spec)
    found = diagnostics.shap_interactions(spec, rows=20, seed=7)
    model = training.refitted(spec)
    frame = rows_explained(training, spec, 20, 7)
    raw = shap.TreeExplainer(model[-1]).shap_interaction_values(model[:-1].transform(frame))[..., 1]
    owners = input_columns(model).astype(str)
    columns = found["columns"]
    grouped = np.stack([raw[:, owners == c, :].sum(axis=1) for c in columns], axis=1)
    grouped = np.stack([grouped[:, :, owners == c].sum(axis=2) for c in columns], axis=2)
    np.testing.assert_allclose(found["mean_abs"], np.abs(grouped).mean(axis=0), atol=1e-10)
    np.testing.assert_allclose(found["mean_abs"], found["mean_abs"].T, atol=1e-10)  # symmetric, as SHAP's are
    linear = titanic_spec()
    training.run(linear)
    with pytest.raises(NotApplicable, match="tree models"):
        diagnostics.shap_interactions(linear, rows=20)
