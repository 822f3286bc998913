"""Cross-validation that streams: each fold's metrics and out-of-fold predictions are handed to a
callback as soon as that fold finishes (folds run in parallel with joblib, like ``cross_validate``).

The whole result is memoized on disk by (dataset fingerprint, train spec, code version): an identical
request from any worker returns at once, with no fitting.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dashboard.errors import Cancelled
from dashboard.train import evaluation, insights
from dashboard.train.spec import CVSpec, Prepared
from model_store.lazy import lazy_module

np = lazy_module("numpy")
pd = lazy_module("pandas")

# scikit-learn and scipy are imported inside the functions that use them: the app starts without them.


@dataclass
class CVResult:
    task: str
    classes: list[Any] | None
    folds: list[dict[str, Any]]  # fold, test_index, y_true, y_pred, scores, metrics, fit_time, score_time
    summary: dict[str, dict[str, float]]
    y: np.ndarray  # the CV rows' targets, in the order of oof arrays
    oof_pred: np.ndarray
    oof_scores: np.ndarray | None  # binary: positive-class score; multiclass: (n, k); regression: None
    score_kind: str | None  # "probability" or "decision"
    wall_time: float
    holdout_index: np.ndarray = field(default_factory=lambda: np.array([], dtype=int))
    notices: list[str] = field(default_factory=list)
    insights: dict[str, Any] = field(default_factory=dict)  # see insights.aggregate


def splitter(cv: CVSpec, task: str):
    from sklearn.model_selection import KFold, StratifiedKFold

    shuffle_args = {"shuffle": True, "random_state": cv.seed} if cv.shuffle else {"shuffle": False}
    if task != "regression" and cv.stratified:
        return StratifiedKFold(cv.folds, **shuffle_args)
    return KFold(cv.folds, **shuffle_args)


def holdout_split(prepared: Prepared, cv: CVSpec) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the CV rows and of the held-out test rows (used once, at save time)."""
    from sklearn.model_selection import train_test_split

    positions = np.arange(len(prepared.y))
    if cv.test_fraction <= 0:
        return positions, np.array([], dtype=int)
    stratify = prepared.y if prepared.task != "regression" and cv.stratified else None
    return train_test_split(positions, test_size=cv.test_fraction, random_state=cv.seed, stratify=stratify)


def _scores(model, X: pd.DataFrame, task: str) -> tuple[np.ndarray | None, str | None]:
    if task == "regression":
        return None, None
    if hasattr(model, "predict_proba"):
        proba = model.predict_proba(X)
        return (proba[:, 1], "probability") if task == "binary" else (proba, "probability")
    if hasattr(model, "decision_function"):
        return np.asarray(model.decision_function(X)), "decision"
    return None, None


def predict_rows(model, X: pd.DataFrame, task: str) -> tuple[np.ndarray, np.ndarray | None, str | None]:
    """Labels, scores and the scores' kind for ``X``: the one way a CV fold, a re-verification and a
    saved model's evaluation score rows (so their metrics agree)."""
    scores, kind = _scores(model, X, task)
    if kind == "probability" and task != "regression" and _argmax_predict(model):
        probabilities = scores if task != "binary" else np.column_stack([1 - scores, scores])
        return np.asarray(model.classes_)[probabilities.argmax(axis=1)], scores, kind
    return np.asarray(model.predict(X)), scores, kind


def metrics_for(task: str, y_true: np.ndarray, y_pred: np.ndarray, scores, classes) -> dict[str, float]:
    if task == "regression":
        return evaluation.regression_metrics(np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float))
    return evaluation.classification_metrics(y_true, y_pred, scores, classes)


def fit_fold(
    build, X, y, train, test, fold: int, task: str, classes, *, importance: bool = False, seed: int = 0
) -> dict[str, Any]:
    """Fit one fold and score its held-out rows; what the model learned comes along (``insights``)."""
    model = build()
    start = time.perf_counter()
    model.fit(X.iloc[train], y.iloc[train])
    fit_time = time.perf_counter() - start
    start = time.perf_counter()
    X_test, y_test = X.iloc[test], y.iloc[test].to_numpy()
    y_pred, scores, kind = predict_rows(model, X_test, task)
    score_time = time.perf_counter() - start
    fold_metrics = metrics_for(task, y_test, y_pred, scores, classes)
    fold_metrics.update(fit_time=fit_time, score_time=score_time)
    learned = insights.fold_insights(model, X_test, y_test, task, classes, importance=importance, seed=seed)
    return {
        "fold": fold,
        "test_index": test,
        "y_true": y_test,
        "y_pred": np.asarray(y_pred),
        "scores": scores,
        "score_kind": kind,
        "metrics": fold_metrics,
        "fit_time": fit_time,
        "score_time": score_time,
        "insights": learned,
    }


def _argmax_predict(model) -> bool:
    from dashboard.serving.adapters import ARGMAX_ESTIMATORS

    final = model.steps[-1][1] if hasattr(model, "steps") else model
    return type(final).__name__ in ARGMAX_ESTIMATORS


def cv_split(prepared: Prepared, cv: CVSpec):
    """The CV rows' X and y, their folds, and the held-out test positions."""
    cv_rows, holdout = holdout_split(prepared, cv)
    X, y = prepared.X.iloc[cv_rows], prepared.y.iloc[cv_rows]
    return X, y, list(splitter(cv, prepared.task).split(X, y)), np.asarray(holdout)


def run_cv(
    prepared: Prepared,
    cv: CVSpec,
    *,
    importance: bool = False,
    on_fold: Callable[[dict[str, Any], int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    n_jobs: int = 1,
) -> CVResult:
    """Fit and score every fold; ``on_fold(fold_result, folds_done)`` runs as each one finishes."""
    from joblib import Parallel, delayed

    start = time.perf_counter()
    X, y, splits, holdout = cv_split(prepared, cv)
    jobs = (
        delayed(fit_fold)(
            prepared.build, X, y, train, test, i, prepared.task, prepared.classes, importance=importance, seed=cv.seed
        )
        for i, (train, test) in enumerate(splits)
    )
    folds: list[dict[str, Any]] = []
    for result in Parallel(n_jobs=n_jobs, return_as="generator_unordered")(jobs):
        folds.append(result)
        if on_fold is not None:
            on_fold(result, len(folds))
        if cancelled is not None and cancelled():
            raise Cancelled("cancelled")
    return assemble(prepared, y, folds, holdout, time.perf_counter() - start)


def assemble(
    prepared: Prepared, y: pd.Series, folds: list[dict[str, Any]], holdout: np.ndarray, wall_time: float
) -> CVResult:
    """Finished folds -> out-of-fold arrays in row order, metric summary and averaged insights."""
    folds = sorted(folds, key=lambda f: f["fold"])
    oof_pred = np.empty(len(y), dtype=object if prepared.task != "regression" else float)
    kind = folds[0]["score_kind"]
    oof_scores = None
    if kind is not None:
        width = () if np.ndim(folds[0]["scores"]) == 1 else (folds[0]["scores"].shape[1],)
        oof_scores = np.empty((len(y), *width))
    for fold in folds:
        oof_pred[fold["test_index"]] = fold["y_pred"]
        if oof_scores is not None:
            oof_scores[fold["test_index"]] = fold["scores"]
    summary = evaluation.summarize([f["metrics"] for f in folds])
    return CVResult(
        prepared.task,
        prepared.classes,
        folds,
        summary,
        y.to_numpy(),
        oof_pred,
        oof_scores,
        kind,
        wall_time,
        holdout_index=holdout,
        notices=list(prepared.notices),
        insights=insights.aggregate([f.get("insights") for f in folds]),
    )


def refit(prepared: Prepared, result: CVResult):
    """The final pipeline, fitted on every CV row (held-out rows stay unseen), and its held-out metrics."""
    from sklearn.base import clone

    cv_rows = np.setdiff1d(np.arange(len(prepared.y)), result.holdout_index)
    model = clone(prepared.build()).fit(prepared.X.iloc[cv_rows], prepared.y.iloc[cv_rows])
    holdout_metrics: dict[str, float] = {}
    if len(result.holdout_index):
        X_test = prepared.X.iloc[result.holdout_index]
        y_test = prepared.y.iloc[result.holdout_index].to_numpy()
        if prepared.task == "regression":
            holdout_metrics = evaluation.regression_metrics(y_test.astype(float), model.predict(X_test))
        else:
            scores, _ = _scores(model, X_test, prepared.task)
            holdout_metrics = evaluation.classification_metrics(y_test, model.predict(X_test), scores, prepared.classes)
    return model, holdout_metrics
