"""Metrics per subgroup from out-of-fold predictions: the same rows and folds as the CV numbers, split by one or
two columns of the dataset (a numeric column in quantile bins). Nothing here fits; a threshold move recounts.

Each rate comes with its 95 % Wilson interval (sound at 0 and at 1, and for small groups); a group with fewer
than ``MIN_GROUP_ROWS`` rows is shown, flagged, and left out of the largest gap, which compares the groups that
have enough rows. Selection rate, TPR and FPR are also compared as a ratio (lowest / highest), the form the
"four-fifths rule" uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dashboard.errors import FieldError, NotApplicable
from model_store.lazy import lazy_module

np = lazy_module("numpy")
pd = lazy_module("pandas")

MIN_GROUP_ROWS = 30
MAX_GROUPS = 12  # more levels: the largest MAX_GROUPS - 1 and one "other" group
NUMERIC_BINS = 4
Z95 = 1.959963984540054
BINARY_METRICS = ("selection_rate", "tpr", "fpr", "precision", "accuracy", "base_rate")
MULTICLASS_METRICS = ("accuracy", "macro_f1")
REGRESSION_METRICS = ("rmse", "mae", "mean_error")
RATIO_METRICS = ("selection_rate", "tpr", "fpr")
LABELS = {
    "selection_rate": "selection rate",
    "tpr": "true positive rate",
    "fpr": "false positive rate",
    "precision": "precision",
    "accuracy": "accuracy",
    "base_rate": "share positive (truth)",
    "macro_f1": "macro F1",
    "rmse": "RMSE",
    "mae": "MAE",
    "mean_error": "mean error (predicted − actual)",
}


@dataclass
class SubgroupReport:
    metrics: tuple[str, ...]
    groups: list[dict[str, Any]]  # group, rows, share, few, values {metric: float|None}, intervals {metric: (lo, hi)}
    gaps: dict[str, dict[str, Any]]  # metric -> gap (highest - lowest), ratio, lowest, highest (groups)
    notices: list[str] = field(default_factory=list)


def group_labels(columns: pd.DataFrame) -> tuple[pd.Series, list[str]]:
    """One text label per row from one or two columns: numeric columns in quantile bins, many levels folded
    into "other", missing values as their own "(missing)" group."""
    if columns.shape[1] == 0:
        raise FieldError("by", "choose one or two columns to split the rows by")
    notices: list[str] = []
    parts = []
    for name in columns.columns:
        labels, note = _column_labels(columns[name])
        parts.append(labels)
        notices.extend(note)
    labels = parts[0] if len(parts) == 1 else parts[0].str.cat(parts[1:], sep=" · ")
    if labels.nunique() < 2:
        named = " and ".join(map(str, columns.columns))
        raise NotApplicable("by", f"{named}: every row falls in one group; choose a column that splits the rows")
    return labels, notices


def _column_labels(values: pd.Series) -> tuple[pd.Series, list[str]]:
    name = str(values.name)
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    if numeric and values.nunique() > NUMERIC_BINS:
        binned = pd.qcut(values, NUMERIC_BINS, duplicates="drop")
        labels = binned.astype(str).where(binned.notna(), "(missing)")
        return labels.rename(name), [f"{name} is numeric: split in {binned.cat.categories.size} quantile bins"]
    labels = values.astype("string").fillna("(missing)").astype(str)
    counts = labels.value_counts()
    if len(counts) <= MAX_GROUPS:
        return labels.rename(name), []
    kept = set(counts.index[: MAX_GROUPS - 1])
    folded = labels.where(labels.isin(kept), "other")
    note = f"{name} has {len(counts):,} values: the {MAX_GROUPS - 1} largest are shown, the rest as 'other'"
    return folded.rename(name), [note]


def wilson(successes: float, trials: float) -> tuple[float, float] | None:
    """The 95 % Wilson score interval of a proportion (None for no trials)."""
    if trials <= 0:
        return None
    p = successes / trials
    denominator = 1 + Z95**2 / trials
    center = (p + Z95**2 / (2 * trials)) / denominator
    half = Z95 * np.sqrt(p * (1 - p) / trials + Z95**2 / (4 * trials**2)) / denominator
    return float(max(0.0, center - half)), float(min(1.0, center + half))


def binary_report(
    y_true: np.ndarray, scores: np.ndarray, positive: Any, threshold: float, labels: pd.Series
) -> SubgroupReport:
    """Rates at ``threshold`` (positive when score >= threshold) per group."""
    frame = pd.DataFrame(
        {"group": labels.to_numpy(), "truth": np.asarray(y_true) == positive, "chosen": np.asarray(scores) >= threshold}
    )
    frame["tp"] = frame.truth & frame.chosen
    counts = frame.groupby("group", sort=False).agg(
        rows=("truth", "size"), positives=("truth", "sum"), chosen=("chosen", "sum"), tp=("tp", "sum")
    )
    counts["correct"] = counts.tp + (counts.rows - counts.positives - (counts.chosen - counts.tp))
    groups = []
    for group, c in counts.iterrows():
        negatives, fp = c.rows - c.positives, c.chosen - c.tp
        fractions = {
            "selection_rate": (c.chosen, c.rows),
            "tpr": (c.tp, c.positives),
            "fpr": (fp, negatives),
            "precision": (c.tp, c.chosen),
            "accuracy": (c.correct, c.rows),
            "base_rate": (c.positives, c.rows),
        }
        groups.append(_group(group, int(c.rows), len(frame), fractions))
    return _report(labels, BINARY_METRICS, groups)


def multiclass_report(y_true: np.ndarray, y_pred: np.ndarray, labels: pd.Series) -> SubgroupReport:
    from sklearn.metrics import f1_score

    groups = []
    truth, predicted, names = np.asarray(y_true), np.asarray(y_pred), labels.to_numpy()
    for group in pd.unique(names):
        rows = names == group
        n = int(rows.sum())
        group_row = _group(group, n, len(names), {"accuracy": (float((truth[rows] == predicted[rows]).sum()), n)})
        f1 = f1_score(truth[rows], predicted[rows], average="macro", zero_division=0)
        group_row["values"]["macro_f1"] = float(f1)
        group_row["intervals"]["macro_f1"] = None
        groups.append(group_row)
    return _report(labels, MULTICLASS_METRICS, groups)


def regression_report(y_true: np.ndarray, y_pred: np.ndarray, labels: pd.Series) -> SubgroupReport:
    errors = pd.DataFrame({"group": labels.to_numpy(), "error": np.asarray(y_pred, float) - np.asarray(y_true, float)})
    groups = []
    for group, rows in errors.groupby("group", sort=False)["error"]:
        n = len(rows)
        values = {
            "rmse": float(np.sqrt(np.mean(rows**2))),
            "mae": float(np.mean(np.abs(rows))),
            "mean_error": float(rows.mean()),
        }
        spread = Z95 * float(rows.std(ddof=1)) / np.sqrt(n) if n > 1 else None
        interval = (values["mean_error"] - spread, values["mean_error"] + spread) if spread is not None else None
        groups.append(
            {
                "group": str(group),
                "rows": n,
                "share": n / len(errors),
                "few": n < MIN_GROUP_ROWS,
                "values": values,
                "intervals": {"rmse": None, "mae": None, "mean_error": interval},
            }
        )
    return _report(labels, REGRESSION_METRICS, groups)


def _group(group: Any, rows: int, total: int, fractions: dict[str, tuple[float, float]]) -> dict[str, Any]:
    """A group's rates: ``None`` where the rate has no rows to count (no positives: no TPR), never 0/0."""
    return {
        "group": str(group),
        "rows": rows,
        "share": rows / total,
        "few": rows < MIN_GROUP_ROWS,
        "values": {m: (float(k / n) if n else None) for m, (k, n) in fractions.items()},
        "intervals": {m: wilson(k, n) for m, (k, n) in fractions.items()},
    }


def _report(labels: pd.Series, metrics: tuple[str, ...], groups: list[dict[str, Any]]) -> SubgroupReport:
    groups.sort(key=lambda g: (-g["rows"], g["group"]))
    notices = []
    few = [g["group"] for g in groups if g["few"]]
    if few:
        notices.append(
            f"{len(few)} group(s) have fewer than {MIN_GROUP_ROWS} rows ({', '.join(few[:5])}"
            f"{', …' if len(few) > 5 else ''}): shown with wide intervals, left out of the largest gap"
        )
    return SubgroupReport(metrics=metrics, groups=groups, gaps=_gaps(metrics, groups), notices=notices)


def _gaps(metrics: tuple[str, ...], groups: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    gaps = {}
    for metric in metrics:
        known = [(g["values"][metric], g["group"]) for g in groups if not g["few"] and g["values"][metric] is not None]
        if len(known) < 2:
            continue
        (low, low_group), (high, high_group) = min(known), max(known)
        ratio = low / high if metric in RATIO_METRICS and high > 0 else None
        gaps[metric] = {"gap": high - low, "ratio": ratio, "lowest": low_group, "highest": high_group}
    return gaps
