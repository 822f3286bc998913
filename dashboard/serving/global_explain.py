"""SHAP over many rows: what each input column contributes across a seeded sample, for the summary (beeswarm),
the mean |SHAP| ranking and the dependence plot. The explainer is the one that explains a single prediction
(:mod:`dashboard.serving.explain`), and contributions are summed per input column the same way.

Classifiers are explained toward one class: the positive class of a binary task, and for a multiclass one the
class named (the first by default), so every row's values add up to the same output.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dashboard.errors import Cancelled, FieldError, NotApplicable
from dashboard.serving.explain import TREE_FAMILIES, _dense, build_explainer
from model_store.lazy import lazy_module

np = lazy_module("numpy")
pd = lazy_module("pandas")

CHUNK_ROWS = 100  # rows explained between progress reports and cancel checks
MAX_SUMMARY_ROWS = {"tree": 2000, "linear": 2000, "kernel": 50}
BACKGROUND_ROWS = 100


def sample_rows(frame: pd.DataFrame, rows: int, seed: int) -> pd.DataFrame:
    """A seeded sample of ``rows`` rows without replacement (all of them when there are fewer)."""
    if rows >= len(frame):
        return frame
    return frame.sample(n=rows, random_state=seed)


def global_explanation(
    model: Any,
    task: str,
    frame: pd.DataFrame,
    background: pd.DataFrame,
    *,
    explained_class: Any = None,
    on_progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> dict[str, Any]:
    """SHAP values of every row of ``frame`` summed per input column, with each column's values (numeric
    columns as numbers, for colouring and dependence plots), the base value and what they add up to."""
    explainer = build_explainer(model, task, lambda: background)
    limit = MAX_SUMMARY_ROWS[explainer.kind]
    if len(frame) > limit:
        raise NotApplicable("rows", f"at most {limit:,} rows can be summarised with this model ({explainer.kind} SHAP)")
    classes = list(getattr(model, "classes_", []))
    index = _class_index(classes, explained_class)
    prep = model[:-1]
    columns, owners = _owners(prep, explainer.owners)
    parts = []
    for start in range(0, len(frame), CHUNK_ROWS):
        if cancelled is not None and cancelled():
            raise Cancelled("the explanation was cancelled")
        X = _dense(prep.transform(frame.iloc[start : start + CHUNK_ROWS]))
        values, base = explainer.rows(X)
        chosen = values[:, :, min(index, values.shape[2] - 1)]
        parts.append(np.stack([chosen[:, owners == c].sum(axis=1) for c in columns], axis=1))
        if on_progress is not None:
            on_progress(min(start + CHUNK_ROWS, len(frame)), len(frame))
    shap_values = np.concatenate(parts) if parts else np.zeros((0, len(columns)))
    order = np.argsort(-np.abs(shap_values).mean(axis=0)) if len(shap_values) else np.arange(len(columns))
    return {
        "columns": [columns[i] for i in order],
        "values": shap_values[:, order],
        "feature_values": {c: _column_values(frame, c) for c in columns},
        "categories": {c: _column_labels(frame, c) for c in columns},
        "mean_abs": {columns[i]: float(np.abs(shap_values[:, i]).mean()) for i in order},
        "base": float(base[min(index, len(base) - 1)]) if parts else None,
        "output_kind": explainer.output,
        "explainer": explainer.kind,
        "explained_class": _plain(classes[index]) if classes else None,
        "rows": len(shap_values),
    }


def strongest_interaction(summary: dict[str, Any], column: str) -> str | None:
    """The numeric column whose values best explain the spread of ``column``'s SHAP values at similar values of
    ``column`` (shap's own heuristic, ``shap.utils.approximate_interactions``, on the input columns)."""
    from shap.utils import approximate_interactions

    numeric = [c for c in summary["columns"] if summary["feature_values"][c] is not None]
    if column not in numeric or len(numeric) < 2:
        return None
    X = np.column_stack([summary["feature_values"][c] for c in numeric]).astype(float)
    values = summary["values"][:, [summary["columns"].index(c) for c in numeric]]
    ranked = approximate_interactions(numeric.index(column), values, X)
    others = [numeric[i] for i in ranked if numeric[i] != column]
    return others[0] if others else None


def _class_index(classes: list[Any], explained_class: Any) -> int:
    if not classes:
        return 0
    if len(classes) == 2 and explained_class is None:
        return 1  # binary: toward the positive class, as the per-row explanation
    if explained_class is None:
        return 0
    names = [str(c) for c in classes]
    if str(explained_class) not in names:
        raise FieldError("class", f"the model has no class {str(explained_class)[:40]!r}")
    return names.index(str(explained_class))


def _owners(prep: Any, owners: np.ndarray | None) -> tuple[list[str], np.ndarray]:
    """The input columns in order of first appearance, and each preprocessed feature's column."""
    if owners is None:  # cannot be grouped exactly: each preprocessed feature stands for itself
        owners = np.array([str(n).partition("__")[2] or str(n) for n in prep.get_feature_names_out()], dtype=object)
    owners = owners.astype(str)
    return [str(c) for c in dict.fromkeys(owners.tolist())], owners  # plain str: they become JSON and labels


def _column_values(frame: pd.DataFrame, column: str) -> np.ndarray | None:
    if column not in frame.columns:
        return None
    values = frame[column]
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return None
    return values.to_numpy(dtype=float, na_value=np.nan)


def _column_labels(frame: pd.DataFrame, column: str) -> list[str] | None:
    """A non-numeric column's values as text, "(missing)" for none (the dependence plot's categories)."""
    if column not in frame.columns or _column_values(frame, column) is not None:
        return None
    return frame[column].astype("string").fillna("(missing)").astype(str).tolist()


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


INTERACTION_CHUNK = 10


def interaction_summary(
    model: Any,
    task: str,
    frame: pd.DataFrame,
    *,
    explained_class: Any = None,
    on_progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> dict[str, Any]:
    """Mean |SHAP interaction value| between every two input columns (the diagonal: each column's main
    effect), from TreeSHAP's exact interaction values summed over each column's preprocessed features.
    Tree models only: the values cost about rows × features² tree walks, so they are taken on a small sample."""
    if not type(model[-1]).__name__.startswith(TREE_FAMILIES):
        raise NotApplicable("model", "interaction values are computed for tree models only")
    explainer = build_explainer(model, task, lambda: None)  # TreeSHAP: no reference sample needed
    classes = list(getattr(model, "classes_", []))
    index = _class_index(classes, explained_class)
    prep = model[:-1]
    columns, owners = _owners(prep, explainer.owners)
    total = np.zeros((len(columns), len(columns)))
    for start in range(0, len(frame), INTERACTION_CHUNK):
        if cancelled is not None and cancelled():
            raise Cancelled("the interaction values were cancelled")
        X = _dense(prep.transform(frame.iloc[start : start + INTERACTION_CHUNK]))
        values = np.asarray(explainer.shap.shap_interaction_values(X), dtype=float)
        if values.ndim == 4:  # (rows, features, features, outputs): the explained class's
            values = values[..., min(index, values.shape[3] - 1)]
        grouped = np.stack([values[:, owners == c, :].sum(axis=1) for c in columns], axis=1)
        grouped = np.stack([grouped[:, :, owners == c].sum(axis=2) for c in columns], axis=2)
        total += np.abs(grouped).sum(axis=0)
        if on_progress is not None:
            on_progress(min(start + INTERACTION_CHUNK, len(frame)), len(frame))
    mean = total / max(len(frame), 1)
    return {"columns": columns, "mean_abs": mean, "rows": len(frame)}
