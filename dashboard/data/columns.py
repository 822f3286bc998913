"""How a dataset's columns are read by models: the explorer's kind of each column decides, read the way a
pipeline can use it. Training and clustering both build their inputs here, so a column is the same thing
on the explorer, in a model and in the model's input schema."""

from __future__ import annotations

from typing import Literal

from model_store.lazy import lazy_module
from model_store.schema import as_flags

pd = lazy_module("pandas")

Task = Literal["binary", "multiclass", "regression"]

NUMERIC_KINDS = frozenset({"numeric", "boolean"})
MAX_CODE_LEVELS = 10  # a numeric target with more whole-number levels than this is a quantity, not a code


def model_inputs(data: pd.DataFrame, kinds: dict[str, str]) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """The feature columns as every model reads them, and which preprocessing group each goes to.

    The explorer's kind decides, read the way training can use it: flags written as text (yes/no, y/n,
    t/f) become pandas' nullable booleans, numbers and booleans are imputed and scaled, and a column whose
    values are not what its kind promises (a kind guessed from a sample) is taken as categorical rather than
    failing inside the imputer. A missing document is an empty one (TF-IDF refuses NaN).
    """
    X = data  # a frame of its own already (copy-on-write): columns are replaced, never changed in place
    columns: dict[str, list[str]] = {"numeric": [], "categorical": [], "text": []}
    for name in X.columns:
        kind = kinds.get(name)
        if kind == "boolean" and not _plain_numbers(X[name]):
            flags = as_flags(X[name])
            if flags is not None:
                X[name] = flags
        if kind in NUMERIC_KINDS and _plain_numbers(X[name]):
            columns["numeric"].append(name)
        elif kind == "text":
            X[name] = X[name].fillna("").astype(str)
            columns["text"].append(name)
        else:
            columns["categorical"].append(name)
    return X, columns


def _plain_numbers(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)


def infer_task(y: pd.Series, kind: str, folds: int = 5) -> Task:
    """The task a target asks for. Text and flags are classes. Numbers are classes only when they look like
    codes: whole numbers, at most ``MAX_CODE_LEVELS`` of them, each frequent enough for ``folds`` folds
    (doses of 0.5/1/2, counts with a long tail and measurements are regression)."""
    distinct = y.nunique()
    numeric = pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y)
    if not numeric or kind == "boolean":
        return "binary" if distinct == 2 else "multiclass"
    if distinct == 2:
        return "binary"
    whole = bool((y % 1 == 0).all())
    if whole and distinct <= MAX_CODE_LEVELS and y.value_counts().min() >= folds:
        return "multiclass"
    return "regression"
