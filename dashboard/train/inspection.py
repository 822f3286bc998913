"""Looking inside a trained spec: partial dependence with ICE curves for one column, and the learning curve.

Both are scikit-learn's own computations (``partial_dependence`` on the pipeline refitted on the CV rows,
``learning_curve`` on the run's own splitter), run in the background and cached by the training service.
"""

from __future__ import annotations

from typing import Any

from dashboard.errors import FieldError
from dashboard.train.cv import cv_split, splitter
from dashboard.train.spec import Prepared, TrainSpec
from model_store.lazy import lazy_module

np = lazy_module("numpy")

PDP_ROWS = 1000  # rows the average is taken over (a fixed sample of the CV rows)
ICE_ROWS = 50  # individual curves drawn
GRID_POINTS = 30
TRAIN_SIZES = (0.1, 0.325, 0.55, 0.775, 1.0)
# The learning curve's score, and the sign that turns scikit-learn's scorer back into the metric.
CURVE_SCORING = {"binary": ("roc_auc", "roc_auc", 1), "multiclass": ("accuracy", "accuracy", 1)}
REGRESSION_SCORING = ("rmse", "neg_root_mean_squared_error", -1)


def pdp_rows(prepared: Prepared, spec: TrainSpec, seed: int = 0):
    """The CV rows the average is taken over: all of them, or a fixed sample of PDP_ROWS."""
    X, _, _, _ = cv_split(prepared, spec.cv)
    return X if len(X) <= PDP_ROWS else X.sample(PDP_ROWS, random_state=seed)


def partial_dependence_curves(model, X, column: str, task: str, kinds: dict[str, str]) -> dict[str, Any]:
    """scikit-learn's partial dependence of ``column`` (average and per-row ICE) for the fitted pipeline; for a
    classifier the positive class's probability (binary) or each class's (multiclass, average only)."""
    from sklearn.inspection import partial_dependence

    if column not in X.columns:
        raise FieldError("pdp.column", f"{column[:64]!r} is not one of the model's inputs")
    categorical = kinds.get(column) not in ("numeric",) or X[column].dtype == object
    if kinds.get(column) == "text":
        raise FieldError("pdp.column", f"{column!r} is free text: partial dependence needs a number or a category")
    result = partial_dependence(
        model,
        X,
        [column],
        kind="both",
        grid_resolution=GRID_POINTS,
        categorical_features=[column] if categorical else None,
        custom_values={column: _grid(X[column], categorical)},
    )
    grid = [_plain(v) for v in result["grid_values"][0]]
    average = np.asarray(result["average"])
    individual = np.asarray(result["individual"])
    classes = [_plain(c) for c in getattr(model, "classes_", [])]
    if task == "multiclass":
        lines = {str(label): average[i].tolist() for i, label in enumerate(classes)}
        return {"column": column, "grid": grid, "categorical": categorical, "average": lines, "ice": []}
    label = str(classes[1]) if task == "binary" and len(classes) == 2 else "prediction"
    ice = individual[0][: min(ICE_ROWS, individual.shape[1])].tolist()
    lines = {label: average[0].tolist()}
    return {"column": column, "grid": grid, "categorical": categorical, "average": lines, "ice": ice}


def _grid(values, categorical: bool) -> np.ndarray:
    """scikit-learn's own grid (every level, or GRID_POINTS evenly spaced between the 5th and 95th
    percentiles), taken over the values present: a missing value would make every grid point NaN."""
    from scipy.stats.mstats import mquantiles

    present = values.dropna()
    if present.empty:
        raise FieldError("pdp.column", f"{values.name!r} has no values")
    unique = np.unique(present.to_numpy())
    if categorical or len(unique) < GRID_POINTS:
        return unique
    low, high = mquantiles(present.to_numpy(dtype=float), prob=(0.05, 0.95))
    return np.linspace(low, high, num=GRID_POINTS)


def learning_curve_points(prepared: Prepared, spec: TrainSpec, n_jobs: int = 1) -> dict[str, Any]:
    """Train and validation score (mean ± std over the run's folds) at growing shares of each training fold."""
    from sklearn.model_selection import learning_curve

    metric, scoring, sign = CURVE_SCORING.get(prepared.task, REGRESSION_SCORING)
    X, y, _, _ = cv_split(prepared, spec.cv)
    sizes, train, validation = learning_curve(
        prepared.build(),
        X,
        y,
        train_sizes=list(TRAIN_SIZES),
        cv=splitter(spec.cv, prepared.task),
        scoring=scoring,
        n_jobs=n_jobs,
    )
    train, validation = sign * np.asarray(train), sign * np.asarray(validation)
    return {
        "metric": metric,
        "sizes": [int(s) for s in sizes],
        "train_mean": train.mean(axis=1).tolist(),
        "train_std": train.std(axis=1).tolist(),
        "validation_mean": validation.mean(axis=1).tolist(),
        "validation_std": validation.std(axis=1).tolist(),
    }


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value
