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
