"""Train and tune services: metrics equal scikit-learn's on the same folds, the reference result,
no refit for threshold views, cached repeats, named errors for bad specs, saving with a full card."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, average_precision_score, roc_auc_score

from dashboard.errors import Cancelled, FieldError
from dashboard.train.spec import CVSpec, TextSpec, TrainSpec
from tests.unit.helpers import TITANIC, titanic_spec

REFERENCE = {
    "n_estimators": 300,
    "min_samples_leaf": 7,
    "min_samples_split": 5,
    "max_features": 0.5,
    "random_state": 42,
}


def test_fold_metrics_equal_sklearn_on_the_same_out_of_fold_predictions(training):
    token, result, cached = training.run(titanic_spec())
    assert not cached and len(result.folds) == 5
    for fold in result.folds:
        truth = (fold["y_true"] == 1).astype(int)
        assert fold["metrics"]["roc_auc"] == pytest.approx(roc_auc_score(truth, fold["scores"]), abs=1e-9)
        assert fold["metrics"]["average_precision"] == pytest.approx(
            average_precision_score(truth, fold["scores"]), abs=1e-9
        )
        assert fold["metrics"]["accuracy"] == pytest.approx(accuracy_score(fold["y_true"], fold["y_pred"]), abs=1e-9)
    aucs = [roc_auc_score((f["y_true"] == 1).astype(int), f["scores"]) for f in result.folds]
    assert result.summary["roc_auc"]["mean"] == pytest.approx(np.mean(aucs), abs=1e-9)
    # out-of-fold arrays line up with the rows
    assert roc_auc_score(result.y, result.oof_scores) == pytest.approx(
        roc_auc_score(
            np.concatenate([f["y_true"] for f in result.folds]), np.concatenate([f["scores"] for f in result.folds])
        ),
        abs=1e-9,
    )


def test_reference_random_forest_reaches_the_published_range(training, catalog):
    frame = catalog.load("titanic").copy()
    frame["IsAlone"] = ((frame["SibSp"] + frame["Parch"]) == 0).astype(int)
    catalog.add_upload("titanic-alone.csv", frame.to_csv(index=False).encode(), name="titanic-alone")
    spec = titanic_spec(
        dataset="titanic-alone",
        features=(*TITANIC, "IsAlone"),
        estimator="random_forest",
        params=REFERENCE,
        cv=CVSpec(folds=10, shuffle=True, seed=42),
    )
    _, result, _ = training.run(spec)
    assert 0.80 <= result.summary["accuracy"]["mean"] <= 0.85, result.summary["accuracy"]


def test_threshold_and_cost_views_never_fit(training, fit_calls):
    token, _, _ = training.run(titanic_spec())
    fits = len(fit_calls)
    assert fits == 5
    for threshold in (0.1, 0.5, 0.9):
        view = training.threshold(token, threshold, cost_fp=1, cost_fn=5, benefit_tp=0)
    assert len(fit_calls) == fits
    result = training.result(token)
    predicted = result.oof_scores >= 0.9
    expected_tp = int(((result.y == 1) & predicted).sum())
    assert view["confusion"]["tp"] == expected_tp
    assert view["confusion"]["fp"] == int(((result.y == 0) & predicted).sum())
    curve = view["curve"]
    assert curve["cost"][np.argmin(curve["cost"])] == curve["best_cost"]


def test_cached_repeat_does_no_fitting(training, fit_calls):
    first_token, first, _ = training.run(titanic_spec())
    fits = len(fit_calls)
    token, again, cached = training.run(titanic_spec())
    assert cached and token == first_token and len(fit_calls) == fits
    assert again.summary == first.summary


def test_cancel_stops_between_folds(training):
    seen = []
    with pytest.raises(Cancelled):
        training.run(
            titanic_spec(cv=CVSpec(folds=10)),
            on_fold=lambda fold, done: seen.append(done),
            cancelled=lambda: len(seen) >= 2,
        )
    assert 2 <= len(seen) < 10
    assert training.cached(titanic_spec(cv=CVSpec(folds=10))) is None  # nothing half-done is cached


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"target": "Sex", "features": ("Age",), "task": "regression"}, "target"),
        ({"features": ()}, "features"),
        ({"features": ("PassengerId",)}, "features"),
        # a count whose rare levels cannot be classes is a quantity: the classifier is refused by name
        ({"target": "Parch", "features": ("Age", "Fare")}, "model"),
        ({"target": "nope"}, "target"),
        ({"estimator": "ridge"}, "model"),
        ({"estimator": "random_forest", "params": {"n_estimators": -3}}, None),
        ({"estimator": "random_forest", "params": {"max_features": "lots"}}, None),
        ({"dataset": "../../etc"}, "dataset"),
    ],
)
def test_bad_specs_give_named_errors(training, changes, field):
    spec = titanic_spec(**changes)
    with pytest.raises((FieldError, ValueError)) as info:
        training.run(spec)
    if field:
        assert isinstance(info.value, FieldError) and info.value.field == field


def test_one_class_target_and_too_many_folds(training, catalog):
    frame = pd.DataFrame({"x": range(30), "y": ["a"] * 30})
    catalog.add_upload("one.csv", frame.to_csv(index=False).encode(), name="one-class")
    with pytest.raises(FieldError, match="only one value"):
        training.run(TrainSpec(dataset="one-class", target="y", features=("x",), estimator="logistic_regression"))
    tiny = pd.DataFrame({"x": range(6), "y": [0, 1] * 3})
    catalog.add_upload("tiny.csv", tiny.to_csv(index=False).encode(), name="tiny")
    with pytest.raises(FieldError, match="folds need at least") as info:
        training.run(
            TrainSpec(dataset="tiny", target="y", features=("x",), estimator="logistic_regression", cv=CVSpec(folds=5))
        )
    assert info.value.field == "cv"


def test_regression_metrics_and_multiclass(training):
    _, result, _ = training.run(
        TrainSpec(dataset="diabetes", target="progression", features=("bmi", "bp", "s5"), estimator="ridge")
    )
    assert result.task == "regression" and {"rmse", "mae", "r2", "mape"} <= set(result.summary)
    assert 0.3 < result.summary["r2"]["mean"] < 0.6
    _, wine, _ = training.run(
        TrainSpec(
            dataset="wine", target="cultivar", features=("alcohol", "proline", "hue"), estimator="logistic_regression"
        )
    )
    assert wine.task == "multiclass" and wine.oof_scores.shape[1] == 3 and wine.summary["roc_auc"]["mean"] > 0.9


def test_language_identification_reaches_97_percent(training):
    spec = TrainSpec(
        dataset="languages",
        target="language",
        features=("text",),
        estimator="linear_svc",
        text=TextSpec(analyzer="char_wb", ngram_min=1, ngram_max=3),
        cv=CVSpec(folds=3),
    )
    _, result, _ = training.run(spec)
    assert result.summary["accuracy"]["mean"] >= 0.97


def test_save_refits_and_fills_the_card(training):
    spec = titanic_spec(cv=CVSpec(folds=5, seed=3, test_fraction=0.2))
    token, result, _ = training.run(spec)
    version = training.save(spec, token, "titanic-logreg")
    card = version.card
    assert card["metrics"]["roc_auc"] == pytest.approx(result.summary["roc_auc"]["mean"])
    assert card["cv"]["spec"]["folds"] == 5 and len(card["cv"]["folds"]) == 5
    assert card["evaluation"]["roc"]["auc"] == pytest.approx(result.summary["roc_auc"]["mean"], abs=1e-9)
    assert len(card["evaluation"]["confusion_by_threshold"]) == 51
    assert set(card["holdout_metrics"]) >= {"accuracy", "roc_auc"}
    assert card["dataset"]["fingerprint"] == training.catalog.fingerprint("titanic")
    assert card["train_spec"]["estimator"] == "logistic_regression"
    loaded = training.store.load("titanic-logreg")
    assert loaded.model.predict(training.prepare(spec).X.head(5)).shape == (5,)
