"""Input schemas: inferred from a sample of the training inputs, used to build forms and (by
``model_store.validation``) to check records before they reach a model."""

from __future__ import annotations

import math
from typing import Any

from model_store.errors import SchemaError
from model_store.lazy import lazy_module

np = lazy_module("numpy")
pd = lazy_module("pandas")

MAX_CATEGORIES = 200
# Trees compute in float32 (largest 3.4e38) after the pipeline has scaled the inputs: a value near that
# limit overflows once standardised (schemathesis sent -3.4e38 for Parch, the scaler made it -3.9e38).
# 1e30 is past any measured quantity and leaves eight orders of magnitude for scaling.
MAX_MAGNITUDE = 1e30
TEXT_MIN_MEAN_LENGTH = 40
TEXT_MIN_MEAN_SPACES = 4
# How flags are written in real files, lower-cased: the one table for the explorer's "boolean" kind, the
# training frame's conversion of such text (``as_flags``) and the validator's reading of a served value.
TRUTH = {
    **dict.fromkeys(("true", "t", "yes", "y", "1"), True),
    **dict.fromkeys(("false", "f", "no", "n", "0"), False),
}


def looks_like_text(values: pd.Series) -> bool:
    """Free text rather than categories: long values, or several words, on average. The one rule for the
    explorer's column kinds and a model's input schema, so a column the Train page sends to TF-IDF is a
    text field in the model's form too."""
    return bool(values.str.len().mean() >= TEXT_MIN_MEAN_LENGTH or values.str.count(" ").mean() >= TEXT_MIN_MEAN_SPACES)


def as_flags(values: pd.Series) -> pd.Series | None:
    """A text column of flags (yes/no, y/n, true/false, t/f, 1/0 in any case, at most two spellings) as
    pandas' nullable boolean, missing values kept missing; None when it is not such a column."""
    present = values.dropna()
    if present.empty or pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return None
    spelled = present.astype(str).str.strip().str.lower()
    if spelled.nunique() > 2 or not spelled.isin(list(TRUTH)).all():
        return None
    flags = pd.Series(pd.NA, index=values.index, dtype="boolean")
    flags[present.index] = spelled.map(TRUTH).astype(bool)
    return flags


def infer_schema(X_sample: pd.DataFrame) -> dict[str, Any]:
    """``{"fields": [...], "example": {...}}``: one field per column with its kind
    (numeric / categorical / boolean / text), categories, observed range and whether it may be missing."""
    if not isinstance(X_sample, pd.DataFrame) or X_sample.shape[1] == 0:
        raise SchemaError({"X_sample": "a pandas DataFrame with at least one column is required"})
    fields = [_field(str(name), X_sample[name]) for name in X_sample.columns]
    example_row = X_sample.dropna().head(1)
    if example_row.empty:
        example_row = X_sample.head(1)
    example = {f["name"]: _plain(example_row.iloc[0][f["name"]]) for f in fields}
    return {"fields": fields, "example": example}


def _field(name: str, series: pd.Series) -> dict[str, Any]:
    values = series.dropna()
    field: dict[str, Any] = {"name": name, "nullable": bool(series.isna().any()), "dtype": str(series.dtype)}
    if pd.api.types.is_bool_dtype(series):
        return {**field, "kind": "boolean"}
    if pd.api.types.is_numeric_dtype(series):
        integer = pd.api.types.is_integer_dtype(series) or bool(len(values) and (values % 1 == 0).all())
        low, high = (float(values.min()), float(values.max())) if len(values) else (None, None)
        return {**field, "kind": "numeric", "integer": integer, "min": low, "max": high}
    text = values.astype(str)
    if len(text) and (looks_like_text(text) or text.nunique() > MAX_CATEGORIES):
        # a missing document is an empty one, in training as in serving (``validation.MISSING``)
        return {**field, "kind": "text", "nullable": True}
    return {**field, "kind": "categorical", "categories": sorted(text.unique().tolist())}


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
