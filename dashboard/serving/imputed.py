"""What a model puts in place of a missing input, read from the fitted pipeline, so the Predict page can
say it: a cleared number field used to be filled silently with the training median."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

STRATEGY_WORDS = {
    "median": "the median of the training rows",
    "mean": "the mean of the training rows",
    "most_frequent": "the most frequent value in training",
    "constant": "a level of its own for missing values",
}


def fill_values(model: Any) -> dict[str, tuple[Any, str]]:
    """``{column: (value, why)}`` for each input a fitted ``SimpleImputer`` fills, found through a
    pipeline's ``ColumnTransformer`` (how the Train page builds models); empty for other models."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline

    steps = model.steps if isinstance(model, Pipeline) else []
    prep = next((step for _, step in steps if isinstance(step, ColumnTransformer)), None)
    found: dict[str, tuple[Any, str]] = {}
    for _name, transformer, columns in getattr(prep, "transformers_", []):
        parts = transformer.steps if isinstance(transformer, Pipeline) else [(None, transformer)]
        imputer = next((part for _, part in parts if isinstance(part, SimpleImputer)), None)
        statistics = getattr(imputer, "statistics_", None)
        if imputer is None or statistics is None or isinstance(columns, str) or len(columns) != len(statistics):
            continue
        why = STRATEGY_WORDS.get(imputer.strategy, imputer.strategy)
        for column, value in zip(columns, statistics, strict=True):
            found[str(column)] = (value.item() if hasattr(value, "item") else value, why)
    return found


def _is_missing(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def imputation_notices(model: Any, row: Mapping[str, Any]) -> list[str]:
    """One sentence per missing input of ``row`` (a field: value mapping): what the model used instead,
    when the pipeline says."""
    missing = [str(name) for name, value in row.items() if _is_missing(value)]
    if not missing:
        return []
    fills = fill_values(model)
    notices = []
    for name in missing:
        if name in fills:
            value, why = fills[name]
            shown = f"{value:.6g}" if isinstance(value, float) else str(value)
            notices.append(f"{name} was empty: the model used {shown} ({why})")
        else:
            notices.append(f"{name} was empty: the model treats it as missing, as it did in training")
    return notices
