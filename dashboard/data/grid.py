"""Server-side rows for dash-ag-grid's infinite row model: filter, sort, then one page.

The browser only ever receives ``end - start`` rows (capped), never the table.
"""

from __future__ import annotations

from typing import Any

from model_store.lazy import lazy_module

np = lazy_module("numpy")
pd = lazy_module("pandas")

MAX_PAGE = 500

_TEXT_OPS = {
    "contains": lambda s, v: s.str.contains(v, case=False, regex=False),
    "notContains": lambda s, v: ~s.str.contains(v, case=False, regex=False),
    "equals": lambda s, v: s.str.lower() == v.lower(),
    "notEqual": lambda s, v: s.str.lower() != v.lower(),
    "startsWith": lambda s, v: s.str.lower().str.startswith(v.lower()),
    "endsWith": lambda s, v: s.str.lower().str.endswith(v.lower()),
}
# Comparisons that read the same on a pandas Series and a SQLAlchemy column (the runs grid filters in SQL).
NUMBER_OPS = {
    "equals": lambda s, v, _: s == v,
    "notEqual": lambda s, v, _: s != v,
    "lessThan": lambda s, v, _: s < v,
    "lessThanOrEqual": lambda s, v, _: s <= v,
    "greaterThan": lambda s, v, _: s > v,
    "greaterThanOrEqual": lambda s, v, _: s >= v,
    "inRange": lambda s, v, to: (s >= v) & (s <= to),
}


class GridRequestError(ValueError):
    """A grid request names an unknown column or an unsupported filter."""


def _condition_mask(series: pd.Series, condition: dict[str, Any]) -> pd.Series:
    op = condition.get("type")
    if op == "blank":
        return series.isna()
    if op == "notBlank":
        return series.notna()
    if condition.get("filterType") == "number":
        if op not in NUMBER_OPS:
            raise GridRequestError(f"filter: unsupported number filter {op!r}")
        try:
            value = float(condition.get("filter"))
            upper = float(condition["filterTo"]) if op == "inRange" else None
        except (TypeError, ValueError, KeyError):
            raise GridRequestError("filter: number filters need numeric values") from None
        numbers = pd.to_numeric(series, errors="coerce")
        return NUMBER_OPS[op](numbers, value, upper).fillna(False).astype(bool)
    if op not in _TEXT_OPS:
        raise GridRequestError(f"filter: unsupported text filter {op!r}")
    text = series.astype(str).where(series.notna(), "")
    return _TEXT_OPS[op](text, str(condition.get("filter", ""))).fillna(False).astype(bool)


def _filter_mask(frame: pd.DataFrame, filter_model: dict[str, Any]) -> np.ndarray:
    mask = np.ones(len(frame), dtype=bool)
    for column, spec in (filter_model or {}).items():
        if column not in frame.columns:
            raise GridRequestError(f"filter: unknown column {column!r}")
        if not isinstance(spec, dict):
            raise GridRequestError(f"filter: the filter of {column!r} is not an object")
        series = frame[column]
        if "conditions" in spec:
            masks = [_condition_mask(series, c).to_numpy() for c in spec["conditions"]]
            combined = np.logical_or.reduce(masks) if spec.get("operator") == "OR" else np.logical_and.reduce(masks)
        else:
            combined = _condition_mask(series, spec).to_numpy()
        mask &= combined
    return mask


def rows_page(
    frame: pd.DataFrame,
    start: int,
    end: int,
    sort_model: list[dict[str, Any]] | None = None,
    filter_model: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``{"rowData": [...], "rowCount": n}`` for rows ``start:end`` after filtering and sorting."""
    try:
        start = max(int(start or 0), 0)
        end = min(max(int(end or 0), start), start + MAX_PAGE)
    except (TypeError, ValueError):
        raise GridRequestError("startRow, endRow: expected whole numbers") from None
    if filter_model and not isinstance(filter_model, dict):
        raise GridRequestError("filterModel: expected an object of column filters")
    if sort_model and not (isinstance(sort_model, list) and all(isinstance(s, dict) for s in sort_model)):
        raise GridRequestError("sortModel: expected a list of {colId, sort}")
    view = frame
    if filter_model:
        view = view.loc[_filter_mask(view, filter_model)]
    if sort_model:
        columns = [s["colId"] for s in sort_model]
        unknown = [c for c in columns if c not in frame.columns]
        if unknown:
            raise GridRequestError(f"sort: unknown column {unknown[0]!r}")
        view = view.sort_values(columns, ascending=[s.get("sort") != "desc" for s in sort_model], kind="stable")
    page = view.iloc[start:end]
    return {"rowData": _records(page), "rowCount": int(len(view))}


def _records(page: pd.DataFrame) -> list[dict[str, Any]]:
    out = page.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_datetime64_any_dtype(series):
            out[column] = series.astype(str)
        elif not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            out[column] = series.astype(object)
    out = out.astype(object).where(out.notna(), None)
    return out.to_dict("records")
