"""Partial dependence, ICE and the learning curve equal scikit-learn's own functions on the same fitted
pipeline, rows and folds; they need the Train run first and name a bad column."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats.mstats import mquantiles
from sklearn.inspection import partial_dependence
from sklearn.model_selection import StratifiedKFold, learning_curve

from dashboard.errors import FieldError, ResultExpired
from dashboard.train.inspection import GRID_POINTS, ICE_ROWS, TRAIN_SIZES, pdp_rows
from tests.unit.helpers import titanic_spec


def test_partial_dependence_and_ice_equal_scikit_learn(training):
    spec = titanic_spec(estimator="random_forest", params={"n_estimators": 40, "random_state": 0})
    training.run(spec)
    shown = training.partial_dependence(spec, "Age")
    model = training.refitted(spec)
    X = pdp_rows(training.prepare(spec), spec)  # a fixed sample of 1,000 of the 1,309 passengers
    assert len(X) == 1000
    ages = X["Age"].dropna()  # scikit-learn's grid, over the ages present (some are missing)
    grid = np.linspace(*mquantiles(ages, prob=(0.05, 0.95)), num=GRID_POINTS)  # as scikit-learn's _grid_from_X
    direct = partial_dependence(model, X, ["Age"], kind="both", custom_values={"Age": grid})
    assert shown["grid"] == pytest.approx(direct["grid_values"][0].tolist())
    assert shown["average"]["1"] == pytest.approx(direct["average"][0].tolist(), abs=1e-12)
    assert np.allclose(shown["ice"], direct["individual"][0][:ICE_ROWS], atol=1e-12)
    sex = training.partial_dependence(spec, "Sex")
    direct = partial_dependence(model, X, ["Sex"], kind="average", categorical_features=["Sex"])
    assert sex["categorical"] and sex["grid"] == list(direct["grid_values"][0])
    assert sex["average"]["1"] == pytest.approx(direct["average"][0].tolist(), abs=1e-12)


def test_the_learning_curve_equals_scikit_learn_on_the_same_folds(training):
    spec = titanic_spec()
    training.run(spec)
    shown = training.learning_curve(spec)
    prepared = training.prepare(spec)
    folds = StratifiedKFold(spec.cv.folds, shuffle=True, random_state=spec.cv.seed)
    sizes, train, validation = learning_curve(
        prepared.build(), prepared.X, prepared.y, train_sizes=list(TRAIN_SIZES), cv=folds, scoring="roc_auc"
    )
    assert shown["metric"] == "roc_auc" and shown["sizes"] == sizes.tolist()
    assert shown["validation_mean"] == pytest.approx(validation.mean(axis=1).tolist(), abs=1e-12)
    assert shown["train_std"] == pytest.approx(train.std(axis=1).tolist(), abs=1e-12)


def test_regression_curves_are_in_rmse(training):
    from dashboard.train.spec import CVSpec, TrainSpec

    spec = TrainSpec(dataset="diabetes", target="progression", features=("bmi", "bp", "s5"), estimator="ridge",
                     task="regression", cv=CVSpec(folds=3, stratified=False))  # fmt: skip
    training.run(spec)
    curve = training.learning_curve(spec)
    assert curve["metric"] == "rmse" and all(v > 0 for v in curve["validation_mean"])


def test_views_need_the_run_first_and_a_real_column(training):
    spec = titanic_spec(estimator="gaussian_nb")
    with pytest.raises(ResultExpired):
        training.learning_curve(spec)
    training.run(spec)
    with pytest.raises(FieldError, match="one of the model's features") as caught:
        training.partial_dependence(spec, "Name")
    assert caught.value.field == "pdp.column"
