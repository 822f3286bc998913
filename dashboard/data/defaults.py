"""Which columns a model should use by default, and why the others are left out.

Real tables carry columns that are not features: R's ``rownames``, ids, a row counter, names that are
unique per row, and columns that are the target written another way (``alive`` beside ``survived``,
``lsalary`` beside ``salary``). Trained on, the first make a model memorise rows and the second make its
scores a lie. Train and Clusters start from :func:`feature_defaults`; every column left out carries a
reason the page shows, and the user may add it back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from model_store.lazy import lazy_module

np = lazy_module("numpy")
pd = lazy_module("pandas")

MAX_LEVELS = 50  # a categorical with more levels is left out by default (one-hot would explode)
MIN_ID_ROWS = 20  # fewer rows than this: "unique per row" says nothing
ID_NAMES = frozenset({"rownames", "row.names", "row_names", "rowname", "index", "id", "idno", "uuid", "guid"})
ID_SUFFIXES = frozenset({"id", "idno", "key", "uuid", "guid"})
LEAK_ROWS = 20_000  # rows sampled (seeded) to look for recodings of the target
LEAK_ACCURACY = 0.99  # held-out accuracy of a one-column lookup that makes it a recoding...
LEAK_BASELINE = 0.95  # ...unless the majority class alone is nearly that good
LEAK_RANK = 0.9999  # |Spearman| of a number with a numeric target: a monotone recoding (trends reach 0.99)
LEAK_R2 = 0.99  # held-out R² of a category's means for a numeric target
LEAK_BINS = 32


@dataclass
class FeatureDefaults:
    features: list[str]
    left_out: dict[str, str] = field(default_factory=dict)  # column -> why it is not chosen by default


def _tokens(name: str) -> list[str]:
    return [t.lower() for t in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", str(name))]


def named_like_id(name: object) -> bool:
    """``id``, ``rownames``, ``PassengerId``, ``customer_id``, ``userID``; not ``paid`` or ``valid``."""
    text = str(name).strip().lower()
    tokens = _tokens(str(name))
    return text in ID_NAMES or (len(tokens) > 1 and tokens[-1] in ID_SUFFIXES)


def identifier_columns(frame: pd.DataFrame, profiles: list[dict[str, Any]]) -> dict[str, str]:
    """Columns that identify rows rather than describe them, each with the reason."""
    found: dict[str, str] = {}
    rows = len(frame)
    for p in profiles:
        name, kind, distinct = p["column"], p["kind"], p["distinct"]
        present = rows - p["missing"]
        unique = rows >= MIN_ID_ROWS and distinct == present == rows
        if kind == "id":
            found[name] = "an identifier: one value per row"
        elif named_like_id(name) and distinct > MIN_ID_ROWS:
            found[name] = "named like an identifier"
        elif unique and kind in ("categorical", "text"):
            found[name] = "one value per row, like a name or a label"
        elif unique and kind == "numeric" and _is_row_counter(frame[name], p.get("min"), p.get("max")):
            found[name] = "consecutive whole numbers, one per row: a row number or a time index"
    return found


def _is_row_counter(series: pd.Series, low: float | None, high: float | None) -> bool:
    """Unique whole numbers spanning exactly as many values as there are rows: 1..n in some order."""
    if low is None or high is None or high - low != len(series) - 1:
        return False
    return bool((series % 1 == 0).all())


def feature_defaults(
    frame: pd.DataFrame, profiles: list[dict[str, Any]], target: str | None, task_hint: str | None = None
) -> FeatureDefaults:
    """The columns chosen by default for predicting ``target`` (None: for clustering, no target)."""
    ids = identifier_columns(frame, profiles)
    left_out: dict[str, str] = {}
    features = []
    for p in profiles:
        name, kind = p["column"], p["kind"]
        if name == target:
            continue
        if name in ids:
            left_out[name] = ids[name]
        elif p["missing"] == len(frame):
            left_out[name] = "no values at all"
        elif kind == "datetime":
            left_out[name] = "a date: models here take numbers, categories and text"
        elif kind == "categorical" and p["distinct"] > MAX_LEVELS:
            left_out[name] = f"{p['distinct']:,} categories, more than {MAX_LEVELS}"
        else:
            features.append(name)
    if target is not None and target in frame.columns:
        leaks = target_recodings(frame, target, features, task_hint)
        features = [f for f in features if f not in leaks]
        left_out.update(leaks)
    return FeatureDefaults(features, left_out)


def target_recodings(
    frame: pd.DataFrame, target: str, candidates: list[str], task_hint: str | None = None
) -> dict[str, str]:
    """Candidates that alone predict ``target`` almost perfectly on held-out rows (a seeded half of a
    sample learns a lookup or ranks, the other half is scored, and the other way round): the target
    written another way, or computed from it."""
    rows = np.flatnonzero(frame[target].notna().to_numpy())
    if len(rows) < 2 * MIN_ID_ROWS or not candidates:
        return {}
    if len(rows) > LEAK_ROWS:  # sample positions first: never a copy of every row
        rows = np.sort(np.random.default_rng(0).choice(rows, LEAK_ROWS, replace=False))
    labelled = frame[[*candidates, target]].iloc[rows]
    y = labelled[target]
    numeric_target = pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y)
    regression = task_hint == "regression" or (task_hint is None and numeric_target and y.nunique() > 20)
    half = np.random.default_rng(0).permutation(len(y)) < len(y) // 2
    found: dict[str, str] = {}
    check = _numeric_recoding if regression else _class_recoding
    for name in candidates:
        why = check(labelled[name], y, half, target)
        if why:
            found[name] = why
    return found


def _codes(column: pd.Series) -> np.ndarray:
    """Integer codes of a column's values, missing being one; a number with more than ``LEAK_BINS``
    values is coded by its quantile bin (its rank, so a monotone recoding keeps its order)."""
    codes, levels = pd.factorize(column, use_na_sentinel=False)
    if len(levels) <= LEAK_BINS or not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return codes
    values = column.to_numpy(dtype="float64", na_value=np.nan)
    ranks = np.empty(len(values), dtype=np.int64)
    ranks[np.argsort(values, kind="stable")] = np.arange(len(values))
    binned = ranks * LEAK_BINS // len(values)
    binned[np.isnan(values)] = LEAK_BINS
    return binned


def _class_recoding(column: pd.Series, y: pd.Series, half: np.ndarray, target: str) -> str | None:
    codes = _codes(column)
    labels = pd.factorize(y)[0]
    n_codes, n_labels = int(codes.max()) + 1, int(labels.max()) + 1
    baseline = np.bincount(labels).max() / len(labels)
    if baseline >= LEAK_BASELINE or n_codes >= len(labels) // 2:
        return None
    correct = 0
    for learn in (half, ~half):
        counts = np.bincount(codes[learn] * n_labels + labels[learn], minlength=n_codes * n_labels)
        counts = counts.reshape(n_codes, n_labels)
        lookup = counts.argmax(axis=1)
        lookup[counts.sum(axis=1) == 0] = np.bincount(labels[learn], minlength=n_labels).argmax()  # unseen code
        correct += int((lookup[codes[~learn]] == labels[~learn]).sum())
    accuracy = correct / len(labels)
    if accuracy < LEAK_ACCURACY:
        return None
    return f"predicts {target} alone with {accuracy:.1%} accuracy: likely the target recoded"


def _numeric_recoding(column: pd.Series, y: pd.Series, half: np.ndarray, target: str) -> str | None:
    target_values = y.astype("float64")
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        rank = column.rank().corr(target_values.rank())  # Spearman: Pearson on ranks
        if rank == rank and abs(rank) >= LEAK_RANK:
            return f"rank correlation {rank:+.3f} with {target}: likely the target recoded"
        return None
    codes = _codes(column)
    residual, total = 0.0, 0.0
    for learn in (half, ~half):
        means = target_values[learn].groupby(codes[learn]).mean()
        guessed = pd.Series(codes[~learn]).map(means).fillna(target_values[learn].mean()).to_numpy()
        actual = target_values[~learn].to_numpy()
        residual += float(((actual - guessed) ** 2).sum())
        total += float(((actual - actual.mean()) ** 2).sum())
    if total == 0 or 1 - residual / total < LEAK_R2:
        return None
    return f"its categories alone explain {1 - residual / total:.1%} of {target}: likely the target recoded"
