"""Calibration of a CV result: the reliability curve pooled and per fold equal scikit-learn's
``calibration_curve`` on the same out-of-fold scores, the Brier score equals ``brier_score_loss``, and the
expected calibration error is the row-weighted gap of those bins (hand-checked cases)."""

import numpy as np
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss

from dashboard.train import evaluation
from tests.unit.helpers import titanic_spec


def test_curves_and_brier_equal_sklearn_on_the_runs_out_of_fold_scores(training):
    _token, result, _ = training.run(titanic_spec())
    view = evaluation.calibration(result.y, result.oof_scores, 1, folds=result.folds)
    truth = (result.y == 1).astype(int)
    observed, predicted = calibration_curve(truth, result.oof_scores, n_bins=10, strategy="quantile")
    np.testing.assert_allclose(view["observed"], observed)
    np.testing.assert_allclose(view["predicted"], predicted)
    assert view["brier"] == pytest.approx(brier_score_loss(truth, result.oof_scores), abs=1e-12)
    assert len(view["folds"]) == 5
    for fold, curve in zip(result.folds, view["folds"], strict=True):
        fold_observed, _ = calibration_curve(
            (fold["y_true"] == 1).astype(int), fold["scores"], n_bins=10, strategy="quantile"
        )
        np.testing.assert_allclose(curve["observed"], fold_observed)
    gaps = np.abs(observed - predicted)
    assert gaps.min() <= view["ece"] <= gaps.max()  # a weighted mean of the bins' gaps


@pytest.mark.parametrize(
    ("scores", "truth", "bins", "expected"),
    [
        ([0.1] * 10 + [0.9] * 10, [1] + [0] * 9 + [1] * 9 + [0], 2, 0.0),  # says 10 % and 90 %, and is right
        ([0.2] * 50 + [0.8] * 50, [0] * 50 + [1] * 50, 2, 0.2),  # 0.2 too unsure in both halves
        ([0.3] * 30 + [0.6] * 10, [1] * 30 + [1] * 5 + [0] * 5, 2, 0.75 * 0.7 + 0.25 * 0.1),  # weighted by rows
    ],
)
def test_expected_calibration_error_by_hand(scores, truth, bins, expected):
    assert evaluation.expected_calibration_error(np.array(truth), np.array(scores), bins) == pytest.approx(expected)


def test_calibrations_run_on_the_same_folds_and_a_calibrated_run_saves_with_its_cv_numbers(training, diagnostics):
    from sklearn.calibration import CalibratedClassifierCV

    spec = titanic_spec(estimator="random_forest", params={"n_estimators": 40, "random_state": 0})
    rows = diagnostics.calibrations(spec)
    assert [r["method"] for r in rows] == ["none", "sigmoid", "isotonic"]
    results = [training.result(r["token"]) for r in rows]
    for result in results[1:]:  # the same outer folds: the same held-out rows in each
        for mine, theirs in zip(result.folds, results[0].folds, strict=True):
            np.testing.assert_array_equal(mine["test_index"], theirs["test_index"])
    for row, result in zip(rows, results, strict=True):
        assert row["brier"] == pytest.approx(brier_score_loss((result.y == 1).astype(int), result.oof_scores))
        assert row["log_loss"] == pytest.approx(result.summary["log_loss"]["mean"])
    assert rows[0]["token"] == training.token(spec)  # uncalibrated is the plain run
    isotonic = spec.model_copy(update={"calibration": "isotonic"})
    version = training.save(isotonic, rows[2]["token"], "titanic-isotonic")
    loaded = training.store.load(version.name, version.version)  # through skops' allow-list
    assert isinstance(loaded.model[-1], CalibratedClassifierCV) and loaded.model[-1].method == "isotonic"
    assert loaded.card["train_spec"]["calibration"] == "isotonic"
    assert loaded.card["metrics"]["log_loss"] == pytest.approx(results[2].summary["log_loss"]["mean"])
    assert loaded.card["cv"]["scores"]["roc_auc"] == pytest.approx(results[2].summary["roc_auc"])


def test_a_regression_cannot_be_calibrated(training):
    from dashboard.errors import FieldError
    from dashboard.train.spec import TrainSpec

    spec = TrainSpec(dataset="ames-housing", target="Sale_Price", features=("Gr_Liv_Area",), estimator="ridge")
    with pytest.raises(FieldError, match="calibration"):
        training.run(spec.model_copy(update={"calibration": "sigmoid"}))
