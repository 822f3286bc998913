"""Metrics and curves from out-of-fold predictions. Pure numpy/scikit-learn; nothing here fits.

Threshold, cost and calibration views are computed from cached out-of-fold scores only, so moving
a slider never refits a model.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from model_store.lazy import lazy_module

np = lazy_module("numpy")

# scikit-learn and scipy are imported inside the functions that use them: the app starts without them.


@cache
def threshold_grid() -> np.ndarray:
    """The 101 thresholds 0, 0.01, ..., 1 that mean curves and cost curves are read at (shared, read-only)."""
    grid = np.linspace(0.0, 1.0, 101)
    grid.flags.writeable = False
    return grid


def classification_metrics(
    y_true: np.ndarray, y_pred: np.ndarray, scores: np.ndarray | None, classes: list[Any]
) -> dict[str, float]:
    """Accuracy, balanced accuracy, precision, recall, F1, ROC AUC, average precision, log loss.

    Binary: ``scores`` are the positive class's (``classes[1]``); multiclass: one column per class,
    with one-vs-rest ROC AUC and macro averages.
    """
    from sklearn import metrics
    from sklearn.preprocessing import label_binarize

    binary = len(classes) == 2
    average = "binary" if binary else "macro"
    kwargs = {"pos_label": classes[1]} if binary else {}
    out = {
        "accuracy": metrics.accuracy_score(y_true, y_pred),
        "balanced_accuracy": metrics.balanced_accuracy_score(y_true, y_pred),
        "precision": metrics.precision_score(y_true, y_pred, average=average, zero_division=0, **kwargs),
        "recall": metrics.recall_score(y_true, y_pred, average=average, zero_division=0, **kwargs),
        "f1": metrics.f1_score(y_true, y_pred, average=average, zero_division=0, **kwargs),
    }
    if scores is None:
        return {k: float(v) for k, v in out.items()}
    present = np.unique(y_true)
    if binary and len(present) == 2:
        positive = (y_true == classes[1]).astype(int)
        out["roc_auc"] = metrics.roc_auc_score(positive, scores)
        out["average_precision"] = metrics.average_precision_score(positive, scores)
        if scores.min() >= 0 and scores.max() <= 1:
            out["log_loss"] = metrics.log_loss(positive, np.column_stack([1 - scores, scores]), labels=[0, 1])
    elif not binary and len(present) == len(classes):
        onehot = label_binarize(y_true, classes=classes)
        out["roc_auc"] = metrics.roc_auc_score(onehot, scores, average="macro", multi_class="ovr")
        out["average_precision"] = metrics.average_precision_score(onehot, scores, average="macro")
        if np.allclose(scores.sum(axis=1), 1, atol=1e-6):
            out["log_loss"] = metrics.log_loss(y_true, scores, labels=classes)
    return {k: float(v) for k, v in out.items()}


def regression_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    from sklearn import metrics

    nonzero = y_true != 0
    return {
        "rmse": float(metrics.root_mean_squared_error(y_true, y_pred)),
        "mae": float(metrics.mean_absolute_error(y_true, y_pred)),
        "r2": float(metrics.r2_score(y_true, y_pred)),
        "mape": float(np.mean(np.abs((y_true[nonzero] - y_pred[nonzero]) / y_true[nonzero])))
        if nonzero.any()
        else float("nan"),
    }


def summarize(per_fold: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    names = sorted({k for fold in per_fold for k in fold})
    out = {}
    for name in names:
        values = np.array([fold[name] for fold in per_fold if name in fold], dtype=float)
        out[name] = {"mean": float(values.mean()), "std": float(values.std()), "n": int(len(values))}
    return out


def roc_pr_curves(folds: list[dict[str, Any]], positive: Any) -> dict[str, Any]:
    """ROC and precision-recall per fold and their means (interpolated on a 101-point grid)."""
    from sklearn import metrics

    roc, pr = [], []
    tprs, precisions = [], []
    for fold in folds:
        truth = (fold["y_true"] == positive).astype(int)
        if truth.min() == truth.max():
            continue
        fpr, tpr, _ = metrics.roc_curve(truth, fold["scores"])
        precision, recall, _ = metrics.precision_recall_curve(truth, fold["scores"])
        roc.append({"fold": fold["fold"], "fpr": fpr, "tpr": tpr, "auc": metrics.auc(fpr, tpr)})
        pr.append(
            {
                "fold": fold["fold"],
                "recall": recall,
                "precision": precision,
                "ap": metrics.average_precision_score(truth, fold["scores"]),
            }
        )
        tprs.append(np.interp(threshold_grid(), fpr, tpr))
        tprs[-1][0] = 0.0
        precisions.append(np.interp(threshold_grid(), recall[::-1], precision[::-1]))
    prevalence = float(np.mean(np.concatenate([f["y_true"] for f in folds]) == positive)) if folds else 0.0
    mean_roc = np.mean(tprs, axis=0) if tprs else None
    if mean_roc is not None:
        mean_roc[-1] = 1.0
    aucs = [r["auc"] for r in roc]
    aps = [p["ap"] for p in pr]
    return {
        "roc": roc,
        "pr": pr,
        "grid": threshold_grid(),
        "mean_tpr": mean_roc,
        "mean_precision": np.mean(precisions, axis=0) if precisions else None,
        "auc_mean": float(np.mean(aucs)) if aucs else None,
        "auc_std": float(np.std(aucs)) if aucs else None,
        "ap_mean": float(np.mean(aps)) if aps else None,
        "ap_std": float(np.std(aps)) if aps else None,
        "prevalence": prevalence,
    }


class ThresholdView:
    """Confusion counts and expected cost at any threshold from sorted out-of-fold scores: O(log n)
    per threshold after one sort, so a slider stays fast on 100k rows."""

    def __init__(self, y_true: np.ndarray, scores: np.ndarray, positive: Any) -> None:
        truth = y_true == positive
        self.positive_scores = np.sort(scores[truth])
        self.negative_scores = np.sort(scores[~truth])
        self.n_pos, self.n_neg = len(self.positive_scores), len(self.negative_scores)

    def confusion(self, threshold: float) -> dict[str, int]:
        """Predict positive when score >= threshold."""
        tp = self.n_pos - int(np.searchsorted(self.positive_scores, threshold, side="left"))
        fp = self.n_neg - int(np.searchsorted(self.negative_scores, threshold, side="left"))
        return {"tp": tp, "fp": fp, "fn": self.n_pos - tp, "tn": self.n_neg - fp}

    def cost_curve(
        self, cost_fp: float, cost_fn: float, benefit_tp: float, thresholds: np.ndarray | None = None
    ) -> dict[str, Any]:
        """Expected cost per row at each threshold (FP and FN cost, TP earns), and the optimum."""
        thresholds = threshold_grid() if thresholds is None else thresholds
        tp = self.n_pos - np.searchsorted(self.positive_scores, thresholds, side="left")
        fp = self.n_neg - np.searchsorted(self.negative_scores, thresholds, side="left")
        fn = self.n_pos - tp
        total = max(self.n_pos + self.n_neg, 1)
        cost = (cost_fp * fp + cost_fn * fn - benefit_tp * tp) / total
        best = int(np.argmin(cost))
        return {
            "thresholds": thresholds,
            "cost": cost,
            "best_threshold": float(thresholds[best]),
            "best_cost": float(cost[best]),
        }


def calibration(
    y_true: np.ndarray, scores: np.ndarray, positive: Any, bins: int = 10, folds: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The reliability curve of the out-of-fold probabilities (``bins`` quantile bins, as scikit-learn's
    ``calibration_curve``), pooled and per fold, with the Brier score and the expected calibration error:
    the bins' mean gap between predicted and observed, weighted by their rows."""
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import brier_score_loss

    truth = (np.asarray(y_true) == positive).astype(int)
    observed, predicted = calibration_curve(truth, scores, n_bins=bins, strategy="quantile")
    per_fold = []
    for fold in folds or []:
        fold_truth = (np.asarray(fold["y_true"]) == positive).astype(int)
        fold_observed, fold_predicted = calibration_curve(fold_truth, fold["scores"], n_bins=bins, strategy="quantile")
        per_fold.append({"fold": fold["fold"], "predicted": fold_predicted, "observed": fold_observed})
    return {
        "predicted": predicted,
        "observed": observed,
        "folds": per_fold,
        "brier": float(brier_score_loss(truth, scores)),
        "ece": expected_calibration_error(truth, np.asarray(scores, dtype=float), bins),
    }


def expected_calibration_error(truth: np.ndarray, scores: np.ndarray, bins: int = 10) -> float:
    """Sum over the quantile bins of (rows in bin / rows) × |mean score − share positive|, on the bins
    ``calibration_curve(strategy="quantile")`` draws (the same edges and side), so it reads off the curve."""
    edges = np.percentile(scores, np.linspace(0, 100, bins + 1))
    which = np.searchsorted(edges[1:-1], scores)
    rows = np.bincount(which, minlength=bins)
    score_sums = np.bincount(which, weights=scores, minlength=bins)
    positive_sums = np.bincount(which, weights=truth, minlength=bins)
    filled = rows > 0
    gaps = np.abs(score_sums[filled] - positive_sums[filled]) / rows[filled]
    return float(np.sum(rows[filled] / len(scores) * gaps))


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, classes: list[Any]) -> np.ndarray:
    from sklearn import metrics

    return metrics.confusion_matrix(y_true, y_pred, labels=classes)
