"""Models compared on identical folds: every model's fold metrics equal a direct scikit-learn run on the
same folds, and the paired test is Nadeau and Bengio's correction of the plain paired t-test."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from dashboard.errors import FieldError
from dashboard.train.compare import corrected_ttest
from tests.unit.helpers import titanic_spec

MODELS = ["logistic_regression", "random_forest", "decision_tree"]


def test_compared_models_score_as_direct_fits_on_the_same_folds(training):
    spec = titanic_spec(estimator="random_forest", params={"n_estimators": 60, "random_state": 0})
    seen = []
    comparison = training.compare(spec, MODELS, on_fold=lambda model, fold, done: seen.append((model, done)))
    assert comparison.labels == ["Logistic regression", "Random forest", "Decision tree"]
    assert seen[-1] == (2, 15) and [d for _, d in seen] == sorted(d for _, d in seen)
    splitter = StratifiedKFold(spec.cv.folds, shuffle=True, random_state=spec.cv.seed)
    for row, model in enumerate(MODELS):
        model_spec = spec.model_copy(
            update={"estimator": model, "params": spec.params if model == spec.estimator else {}}
        )
        prepared = training.prepare(model_spec)
        direct = []
        for train, test in splitter.split(prepared.X, prepared.y):
            fitted = prepared.build().fit(prepared.X.iloc[train], prepared.y.iloc[train])
            positive = fitted.classes_[1]
            scores = fitted.predict_proba(prepared.X.iloc[test])[:, 1]
            direct.append(roc_auc_score(prepared.y.iloc[test] == positive, scores))
        assert comparison.fold_scores()[row] == pytest.approx(direct, abs=1e-12), model
        # and the model's run is cached as if run alone: the Train page opens on it
        assert comparison.tokens[row] == training.token(model_spec) and training.cached(model_spec) is not None
    rows = comparison.table()
    best = comparison.best()
    assert rows[best]["best"] and rows[best]["versus_best"] is None
    means = comparison.fold_scores().mean(axis=1)
    assert means[best] == means.max()
    for i, row in enumerate(rows):
        if i != best:
            assert row["versus_best"]["diff"] == pytest.approx(means[i] - means[best])


def test_a_repeat_fits_nothing(training, fit_calls):
    spec = titanic_spec()
    training.compare(spec, ["logistic_regression", "gaussian_nb"])
    fitted = len(fit_calls)
    assert fitted == 2 * spec.cv.folds
    again = training.compare(spec, ["logistic_regression", "gaussian_nb"])
    assert len(fit_calls) == fitted and len(again.results) == 2


def test_the_corrected_t_is_the_paired_t_scaled_by_the_size_ratio():
    rng = np.random.default_rng(0)
    a = 0.80 + rng.normal(0, 0.01, 10)
    b = a - 0.004 + rng.normal(0, 0.006, 10)
    plain = stats.ttest_rel(a, b)
    n_test, n_train = 100.0, 900.0
    corrected = corrected_ttest(a, b, n_train, n_test)
    shrink = math.sqrt((1 / 10) / (1 / 10 + n_test / n_train))
    assert corrected["t"] == pytest.approx(plain.statistic * shrink, rel=1e-12)
    assert corrected["p"] == pytest.approx(2 * stats.t.sf(abs(corrected["t"]), 9), rel=1e-12)
    assert corrected["p"] > plain.pvalue  # fewer false differences than the plain test
    same = corrected_ttest(a, a, n_train, n_test)
    assert same == {"diff": 0.0, "t": 0.0, "p": 1.0}


@pytest.mark.parametrize(
    "models, problem",
    [(["logistic_regression"], "choose 2 to 6"), (["logistic_regression", "nope"], "no model named"),
     (MODELS * 3, None)],
)  # fmt: skip
def test_bad_choices_are_named(training, models, problem):
    if problem is None:  # repeats are one model each: three models, allowed
        assert len(training.compare(titanic_spec(), models).results) == 3
        return
    with pytest.raises(FieldError, match=problem) as caught:
        training.compare(titanic_spec(), models)
    assert caught.value.field == "compare"


@pytest.mark.parametrize(
    "labels, tokens",
    [(None, None), (["a"], ["b"]), (["a", "b"], ["train.cv:x"]), (["a", "b"], ["x" * 300, "y"]), ("ab", "cd")],
)
def test_a_forged_comparison_is_refused_by_name(training, labels, tokens):
    with pytest.raises(ValueError, match="compare|result"):
        training.comparison(labels, tokens)


def test_regressors_are_ranked_by_the_lowest_rmse_and_multiclass_by_accuracy(training):
    from dashboard.train.spec import CVSpec, TrainSpec

    spec = TrainSpec(dataset="diabetes", target="progression", features=("bmi", "bp", "s5"), estimator="ridge",
                     task="regression", cv=CVSpec(folds=3, stratified=False))  # fmt: skip
    comparison = training.compare(spec, ["ridge", "random_forest_regressor"])
    assert comparison.metric == "rmse" and not comparison.higher_is_better
    means = comparison.fold_scores().mean(axis=1)
    assert comparison.best() == int(np.argmin(means))
    iris = TrainSpec(dataset="iris", target="species", features=("sepal length (cm)", "petal width (cm)"),
                     estimator="logistic_regression", cv=CVSpec(folds=3))  # fmt: skip
    assert training.compare(iris, ["logistic_regression", "decision_tree"]).metric == "accuracy"
