"""What a fitted fold model learned: native importances or coefficients, per-class top n-grams for
text, and permutation importance on the fold's held-out rows.

Native values are also grouped by input column (``groups``): a one-hot column's levels ("Sex_female",
"Sex_male") and a text column's n-grams belong to that column ("Sex"). Impurity importances add up (the
impurity a column's splits removed). Coefficients do not: summing their sizes grows with a column's number
of levels, so a 40-level noise column would outrank a strong yes/no one. A column's weight in a linear
model is instead the spread of its part of the decision function over the held-out rows (the standard
deviation of the sum of its features times their coefficients): a level few rows have moves little.

Each fold keeps only its strongest entries (a character n-gram model has ~10^5 features and every
fold's insights are cached); :func:`aggregate` averages the folds, counting a missing entry as 0.
"""

from __future__ import annotations

from typing import Any

from model_store.columns import input_columns
from model_store.lazy import lazy_module

np = lazy_module("numpy")
pd = lazy_module("pandas")

# scikit-learn and scipy are imported inside the functions that use them: the app starts without them.

KEEP_PER_FOLD = 40
LEVELS_KEPT = 10  # per input column, its strongest levels (a text column has thousands of n-grams)
SHOW = 20
TERMS_SHOWN = 15
PERMUTATION_REPEATS = 5


def _feature_names(model) -> np.ndarray | None:
    try:
        return np.asarray(model[:-1].get_feature_names_out(), dtype=object)
    except (AttributeError, ValueError, TypeError):
        return None


def _readable(name: str) -> str:
    """'numeric__Age' -> 'Age', 'categorical__Sex_male' -> 'Sex_male', 'text_body__the' -> 'body: the'."""
    group, _, rest = name.partition("__")
    if group.startswith("text_"):
        return f"{group.removeprefix('text_')}: {rest}"
    return rest or name


def _strongest(names: np.ndarray, values: np.ndarray, keep: int = KEEP_PER_FOLD) -> dict[str, float]:
    order = np.argsort(-np.abs(values), kind="stable")[:keep]
    return {_readable(str(names[i])): float(values[i]) for i in order}


def summed(owners: np.ndarray, values: np.ndarray) -> dict[str, float]:
    """Per input column, the sum of its features' values (impurity importances add up)."""
    totals: dict[str, float] = {}
    for owner, value in zip(owners, values, strict=True):
        totals[owner] = totals.get(owner, 0.0) + float(value)
    return totals


def contribution_spread(model, X: pd.DataFrame, owners: np.ndarray, coef: np.ndarray) -> dict[str, float]:
    """Per input column, the standard deviation over ``X``'s rows of its part of the linear decision
    function (its features times their coefficients); with one coefficient row per class, the root of the
    summed variances. Independent of how many levels a column has: only the levels rows have count."""
    transformed = model[:-1].transform(X)
    spreads = {}
    for column in dict.fromkeys(owners):
        mine = np.flatnonzero(owners == column)
        part = np.asarray(transformed[:, mine] @ coef[:, mine].T, dtype=float)
        spreads[column] = float(np.sqrt(part.var(axis=0).sum()))
    return spreads


def grouped(
    names: np.ndarray, owners: np.ndarray, values: np.ndarray, totals: dict[str, float], keep: int = KEEP_PER_FOLD
):
    """Per input column: its weight (``totals``) and its strongest levels, the ``keep`` weightiest columns."""
    sizes = np.abs(values)
    order = sorted(totals, key=lambda c: -totals[c])[:keep]
    out = {}
    for column in order:
        mine = np.flatnonzero(owners == column)
        strongest = mine[np.argsort(-sizes[mine], kind="stable")[:LEVELS_KEPT]]
        out[column] = {
            "total": totals[column],
            "levels": {_readable(str(names[i])): float(values[i]) for i in strongest},
        }
    return out


def native(
    model, names: np.ndarray | None, task: str, classes: list[Any] | None, X: pd.DataFrame
) -> dict[str, Any] | None:
    """Impurity importances, or coefficients (signed when there is one row, else their size across classes),
    per feature and grouped by input column (``X``: the held-out rows a coefficient's spread is read on)."""
    final, coef = model[-1], None
    if names is None:
        return None
    if hasattr(final, "feature_importances_"):
        kind, values = "impurity importance", np.asarray(final.feature_importances_, dtype=float)
    else:
        coef = getattr(final, "coef_", None)
        if coef is None or hasattr(final, "feature_log_prob_"):
            return None
        coef = np.atleast_2d(np.asarray(coef, dtype=float))
        if coef.shape[1] != len(names):
            return None
        if coef.shape[0] == 1:
            toward = f" (positive pushes toward {classes[1]!r})" if task == "binary" and classes else ""
            kind, values = f"coefficient on scaled inputs{toward}", coef[0]
        else:
            kind, values = "coefficient size across classes (L2)", np.linalg.norm(coef, axis=0)
    if len(values) != len(names):
        return None
    owners, groups = input_columns(model), None
    if owners is not None and len(owners) == len(values):
        totals = summed(owners, values) if coef is None else contribution_spread(model, X, owners, coef)
        groups = grouped(names, owners, values, totals)
    return {"kind": kind, "values": _strongest(names, values), "groups": groups}


def class_weights(final, n_classes: int) -> np.ndarray | None:
    """One row per class: how strongly each feature points to that class."""
    if hasattr(final, "feature_log_prob_"):  # naive Bayes: log-probability against the classes' mean
        log_prob = np.asarray(final.feature_log_prob_)
        return log_prob - log_prob.mean(axis=0, keepdims=True)
    coef = getattr(final, "coef_", None)
    if coef is None:
        return None
    coef = np.atleast_2d(np.asarray(coef, dtype=float))
    if coef.shape[0] == 1 and n_classes == 2:
        return np.vstack([-coef[0], coef[0]])
    return coef if coef.shape[0] == n_classes else None


def top_terms(model, names: np.ndarray | None, classes: list[Any] | None) -> dict[str, dict[str, float]] | None:
    """Per class, the text n-grams that point to it most strongly (linear models and naive Bayes)."""
    if names is None or not classes:
        return None
    text = np.array([str(n).startswith("text_") for n in names])
    weights = class_weights(model[-1], len(classes))
    if not text.any() or weights is None or weights.shape[1] != len(names):
        return None
    out = {}
    for label, row in zip(classes, weights, strict=True):
        chosen = np.flatnonzero(text)[np.argsort(-row[text], kind="stable")[:KEEP_PER_FOLD]]
        out[str(label)] = {_readable(str(names[i])): float(row[i]) for i in chosen}
    return out


def permutation(model, X: pd.DataFrame, y: np.ndarray, seed: int) -> dict[str, float]:
    """Mean drop of the model's own score (accuracy or R²) when one input column is shuffled."""
    from sklearn.inspection import permutation_importance

    result = permutation_importance(model, X, y, n_repeats=PERMUTATION_REPEATS, random_state=seed, n_jobs=1)
    return {str(c): float(v) for c, v in zip(X.columns, result.importances_mean, strict=True)}


def fold_insights(
    model, X_test: pd.DataFrame, y_test: np.ndarray, task: str, classes, *, importance: bool, seed: int
) -> dict[str, Any]:
    names = _feature_names(model)  # once per fold: a character n-gram vocabulary is ~10^5 strings
    return {
        "native": native(model, names, task, classes, X_test),
        "terms": top_terms(model, names, classes) if task != "regression" else None,
        "permutation": permutation(model, X_test, y_test, seed) if importance else None,
    }


def _mean(tables: list[dict[str, float]], *, by_size: bool = True, shown: int = SHOW) -> dict[str, float]:
    frame = pd.DataFrame(tables).fillna(0.0)
    mean = frame.mean(axis=0)
    order = mean.abs() if by_size else mean
    return {str(k): float(mean[k]) for k in order.sort_values(ascending=False, kind="stable").index[:shown]}


def aggregate(per_fold: list[dict[str, Any]]) -> dict[str, Any]:
    """The folds' insights averaged: native values, top terms per class, permutation mean and spread."""
    out: dict[str, Any] = {"native": None, "terms": None, "permutation": None}
    natives = [f["native"] for f in per_fold if f and f.get("native")]
    if natives:
        out["native"] = {"kind": natives[0]["kind"], "values": _mean([n["values"] for n in natives])}
        groups = [n.get("groups") for n in natives]
        if all(groups):
            out["native"]["groups"] = _mean_groups(groups)
    terms = [f["terms"] for f in per_fold if f and f.get("terms")]
    if terms:
        out["terms"] = {
            label: _mean([t[label] for t in terms if label in t], by_size=False, shown=TERMS_SHOWN)
            for label in terms[0]
        }
    permutations = [f["permutation"] for f in per_fold if f and f.get("permutation")]
    if permutations:
        frame = pd.DataFrame(permutations)
        mean, std = frame.mean(axis=0), frame.std(axis=0, ddof=0)
        order = mean.sort_values(ascending=False, kind="stable").index
        out["permutation"] = {str(c): {"mean": float(mean[c]), "std": float(std[c])} for c in order}
    return out


def _mean_groups(per_fold: list[dict[str, dict]]) -> dict[str, dict]:
    """Input-column totals and their levels averaged over folds (absent counts as 0), largest first."""
    totals = _mean([{c: g["total"] for c, g in fold.items()} for fold in per_fold], shown=KEEP_PER_FOLD)
    return {
        column: {
            "total": total,
            "levels": _mean([fold[column]["levels"] if column in fold else {} for fold in per_fold], shown=LEVELS_KEPT),
        }
        for column, total in totals.items()
    }
