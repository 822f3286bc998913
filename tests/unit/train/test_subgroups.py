"""Subgroup metrics: every rate per group equals scikit-learn's on that group's out-of-fold rows, at the chosen
threshold; the rows line up with the dataset even with a held-out test share; the bad inputs are named."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, f1_score, mean_absolute_error, precision_score, recall_score

from dashboard.errors import FieldError
from dashboard.train import subgroups
from dashboard.train.spec import CVSpec
from tests.unit.helpers import titanic_spec


def test_binary_rates_per_group_equal_sklearn_on_the_groups_rows(training, diagnostics, catalog):
    spec = titanic_spec()
    _token, result, _ = training.run(spec)
    sex = catalog.load("titanic")["Sex"].to_numpy()  # no Titanic row is dropped: row i is out-of-fold row i
    for threshold in (0.3, 0.5, 0.72):
        report = diagnostics.subgroups(spec, ["Sex"], threshold)
        assert {g["group"] for g in report.groups} == {"male", "female"}
        for group in report.groups:
            rows = sex == group["group"]
            truth = result.y[rows] == 1
            chosen = result.oof_scores[rows] >= threshold
            values = group["values"]
            assert group["rows"] == rows.sum()
            assert values["selection_rate"] == pytest.approx(chosen.mean(), abs=1e-12)
            assert values["tpr"] == pytest.approx(recall_score(truth, chosen), abs=1e-12)
            assert values["fpr"] == pytest.approx(1 - recall_score(~truth, ~chosen), abs=1e-12)
            assert values["precision"] == pytest.approx(precision_score(truth, chosen, zero_division=0), abs=1e-12)
            assert values["accuracy"] == pytest.approx(accuracy_score(truth, chosen), abs=1e-12)
            low, high = group["intervals"]["selection_rate"]
            assert low <= values["selection_rate"] <= high
        gap = report.gaps["selection_rate"]
        rates = [g["values"]["selection_rate"] for g in report.groups]
        assert gap["gap"] == pytest.approx(max(rates) - min(rates))
        assert gap["ratio"] == pytest.approx(min(rates) / max(rates))


def test_rows_line_up_with_the_dataset_with_a_held_out_share(training, diagnostics, catalog):
    """Split by a copy of the target: each group's share positive must be exactly 0 or 1. Rows taken in
    another order than the out-of-fold arrays' would mix them."""
    frame = catalog.load("titanic").assign(SurvivedCopy=lambda f: f["Survived"].map({0: "died", 1: "lived"}))
    info, _ = catalog.add_upload("titanic-copy.csv", frame.to_csv(index=False).encode(), name="titanic-copy")
    spec = titanic_spec(dataset=info.id, cv=CVSpec(folds=4, seed=5, test_fraction=0.25))
    _token, result, _ = training.run(spec)
    report = diagnostics.subgroups(spec, ["SurvivedCopy"], 0.5)
    shares = {g["group"]: g["values"]["base_rate"] for g in report.groups}
    assert shares == {"died": 0.0, "lived": 1.0}
    assert sum(g["rows"] for g in report.groups) == len(result.y) < len(frame)


def test_two_columns_numeric_bins_and_a_warned_small_group(training, diagnostics):
    spec = titanic_spec()
    training.run(spec)
    report = diagnostics.subgroups(spec, ["Pclass", "Age"], 0.5)
    assert any("Age is numeric" in n for n in report.notices)
    assert all(" · " in g["group"] for g in report.groups)
    assert any("(missing)" in g["group"] for g in report.groups)  # 177 passengers have no age
    few = [g for g in report.groups if g["few"]]
    if few:
        assert any("fewer than" in n for n in report.notices)
        for metric, gap in report.gaps.items():
            assert gap["lowest"] not in {g["group"] for g in few} and gap["highest"] not in {g["group"] for g in few}


def test_a_group_without_positives_has_no_tpr_never_a_division_by_zero():
    labels = pd.Series(["a"] * 40 + ["b"] * 40, name="g")
    y = np.array([1, 0] * 20 + [0] * 40)
    scores = np.linspace(0, 1, 80)
    report = subgroups.binary_report(y, scores, 1, 0.5, labels)
    b = next(g for g in report.groups if g["group"] == "b")
    assert b["values"]["tpr"] is None and b["intervals"]["tpr"] is None
    assert b["values"]["fpr"] == pytest.approx((scores[40:] >= 0.5).mean())
    assert "tpr" not in report.gaps  # one group with a TPR: nothing to compare


def test_many_levels_fold_into_other_and_one_level_is_refused():
    many = pd.DataFrame({"ticket": [f"t{i % 500}" for i in range(2000)]})
    labels, notices = subgroups.group_labels(many)
    assert labels.nunique() == subgroups.MAX_GROUPS and "other" in set(labels)
    assert "500 values" in notices[0]
    with pytest.raises(FieldError, match="one group"):
        subgroups.group_labels(pd.DataFrame({"constant": ["x"] * 50}))


def test_multiclass_and_regression_reports_equal_sklearn():
    labels = pd.Series(np.repeat(["p", "q"], 50), name="g")
    rng = np.random.default_rng(0)
    truth, predicted = rng.integers(0, 3, 100), rng.integers(0, 3, 100)
    report = subgroups.multiclass_report(truth, predicted, labels)
    p = next(g for g in report.groups if g["group"] == "p")
    assert p["values"]["accuracy"] == pytest.approx(accuracy_score(truth[:50], predicted[:50]))
    assert p["values"]["macro_f1"] == pytest.approx(f1_score(truth[:50], predicted[:50], average="macro"))
    actual, guess = rng.normal(size=100), rng.normal(size=100)
    report = subgroups.regression_report(actual, guess, labels)
    q = next(g for g in report.groups if g["group"] == "q")
    assert q["values"]["mae"] == pytest.approx(mean_absolute_error(actual[50:], guess[50:]))
    assert q["values"]["rmse"] == pytest.approx(np.sqrt(np.mean((guess[50:] - actual[50:]) ** 2)))


def test_bad_columns_are_named(training, diagnostics):
    spec = titanic_spec()
    training.run(spec)
    with pytest.raises(FieldError, match="by"):
        diagnostics.subgroups(spec, ["no-such-column"], 0.5)
    with pytest.raises(FieldError, match="target"):
        diagnostics.subgroups(spec, ["Survived"], 0.5)
    with pytest.raises(FieldError, match="one or two"):
        diagnostics.subgroups(spec, ["Sex", "Pclass", "Embarked"], 0.5)


def test_the_wilson_interval_matches_its_formula_at_the_edges():
    assert subgroups.wilson(0, 10)[0] == 0.0 and subgroups.wilson(10, 10)[1] == pytest.approx(1.0)
    low, high = subgroups.wilson(5, 10)
    assert (low, high) == pytest.approx((0.2366, 0.7634), abs=1e-4)  # the textbook 95 % interval for 5 of 10
    assert subgroups.wilson(0, 0) is None
