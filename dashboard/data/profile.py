"""Dataset summaries for the explorer: overview, inferred column kinds, per-column profiles,
distributions, correlations and point-budgeted scatter samples. Pure pandas/numpy, JSON-able output.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

from model_store.lazy import lazy_module
from model_store.schema import TRUTH, looks_like_text

np = lazy_module("numpy")
pd = lazy_module("pandas")

Kind = Literal["numeric", "categorical", "boolean", "datetime", "text", "id"]
KINDS: tuple[Kind, ...] = ("numeric", "categorical", "boolean", "datetime", "text", "id")
_SAMPLE = 5000  # rows inspected to guess string kinds
BLOCK_ROWS = 20_000  # up to this many rows, numeric statistics are taken over the whole block at once


def overview(frame: pd.DataFrame) -> dict[str, Any]:
    cells = frame.shape[0] * frame.shape[1]
    return {
        "rows": int(frame.shape[0]),
        "columns": int(frame.shape[1]),
        "memory_bytes": int(frame.memory_usage(deep=True).sum()),
        "missing_pct": float(frame.isna().sum().sum() / cells * 100) if cells else 0.0,
        "duplicate_rows": duplicate_rows(frame),
    }


def duplicate_rows(frame: pd.DataFrame) -> int:
    """Rows equal to an earlier row, compared by 64-bit row hashes: ~8x faster than
    ``DataFrame.duplicated`` on wide frames; a false match among 1M rows has odds of ~3e-8."""
    if frame.shape[1] == 0 or frame.shape[0] < 2:
        return 0
    return int(pd.Series(pd.util.hash_pandas_object(frame, index=False)).duplicated().sum())


def infer_kind(series: pd.Series, distinct: int | None = None) -> Kind:
    """Best guess of how a column should be treated; cheap (looks at a sample for strings)."""
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "datetime"
    if pd.api.types.is_numeric_dtype(series):
        distinct = series.nunique() if distinct is None else distinct
        if distinct == 2 and series.min() == 0 and series.max() == 1:
            return "boolean"
        if pd.api.types.is_integer_dtype(series) and distinct == len(series) > 20 and _looks_like_id(series.name):
            return "id"
        return "numeric"
    if isinstance(series.dtype, pd.CategoricalDtype):
        return "categorical"
    sample = series.dropna().astype(str).head(_SAMPLE)
    if sample.empty:
        return "categorical"
    spelled = sample.str.strip().str.lower()
    if spelled.nunique() <= 2 and spelled.isin(list(TRUTH)).all():  # yes/no, y/n, t/f...: as training reads it
        return "boolean"
    if looks_like_text(sample):
        return "text"
    if _looks_like_dates(sample):
        return "datetime"
    if sample.nunique() / len(sample) > 0.9 and len(sample) > 50:
        return "id"
    return "categorical"


def _looks_like_id(name: object) -> bool:
    text = str(name).lower()
    return text == "id" or text.endswith(("id", "_id", "key"))


def _looks_like_dates(sample: pd.Series) -> bool:
    head = sample.head(200)
    if not head.str.contains(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}", regex=True).mean() > 0.9:
        return False
    parsed = pd.to_datetime(head, errors="coerce", format="mixed")
    return bool(parsed.notna().mean() > 0.95)


def summarize(frame: pd.DataFrame) -> dict[str, Any]:
    """Overview and column profiles, computed on two threads (pandas releases the GIL in most of it)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        overview_job = pool.submit(overview, frame)
        return {"overview": overview_job.result(), "profiles": fast_column_profiles(frame, pool)}


def fast_column_profiles(frame: pd.DataFrame, pool: ThreadPoolExecutor | None = None) -> list[dict[str, Any]]:
    """``column_profiles``, with every plain numeric column's statistics taken in one reduction over the
    whole block instead of one call per column: a 200 x 2,000 sensor file profiles 1.7× faster. Columns of
    other kinds (and numbers that turn out to be flags or ids) are profiled one by one, as are all columns
    of a tall frame (above ``BLOCK_ROWS`` rows the per-column work dominates and two threads share it)."""

    def profile_of(name) -> dict[str, Any]:
        series = frame[name]
        if name not in stats.get("distinct", {}):
            return column_profile(series)
        distinct = int(stats["distinct"][name])
        if infer_kind(series, distinct) != "numeric":
            return column_profile(series)
        missing = int(stats["missing"][name])
        return {
            "column": str(name),
            "kind": "numeric",
            "dtype": str(series.dtype),
            "missing": missing,
            "missing_pct": missing / len(series) * 100 if len(series) else 0.0,
            "distinct": distinct,
            **{stat: _finite(stats[stat][name]) for stat in ("min", "max", "mean", "std")},
        }

    if frame.columns.has_duplicates:  # names would not identify columns: the plain path
        return column_profiles(frame)
    if len(frame) > BLOCK_ROWS:  # tall: the per-column work dominates, and two threads share it
        return (
            list(pool.map(lambda name: column_profile(frame[name]), frame.columns)) if pool else column_profiles(frame)
        )
    numeric = [c for c in frame.columns if _plain_number(frame[c])]
    stats: dict[str, pd.Series] = {}
    if numeric:
        block = frame[numeric].astype("float64")
        stats = {
            "missing": block.isna().sum(),
            "distinct": frame[numeric].nunique(dropna=True),
            "min": block.min(),
            "max": block.max(),
            "mean": block.mean(),
            "std": block.std(),
        }
    return list(pool.map(profile_of, frame.columns)) if pool else [profile_of(c) for c in frame.columns]


def _plain_number(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def column_profiles(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [column_profile(frame[name]) for name in frame.columns]


def column_profile(series: pd.Series, top: int = 5) -> dict[str, Any]:
    """Kind, missing, distinct, numeric stats and top values of one column."""
    distinct = int(series.nunique(dropna=True))
    kind = infer_kind(series, distinct)
    missing = int(series.isna().sum())
    profile: dict[str, Any] = {
        "column": str(series.name),
        "kind": kind,
        "dtype": str(series.dtype),
        "missing": missing,
        "missing_pct": missing / len(series) * 100 if len(series) else 0.0,
        "distinct": distinct,
    }
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        numbers = series.astype("float64")
        profile.update(
            min=_finite(numbers.min()),
            max=_finite(numbers.max()),
            mean=_finite(numbers.mean()),
            std=_finite(numbers.std()),
        )
    if kind in ("categorical", "boolean", "id", "text"):
        counts = series.astype(str).where(series.notna()).value_counts().head(top)
        profile["top_values"] = [[str(k), int(v)] for k, v in counts.items()]
    return profile


def profile_rows(profiles: list[dict]) -> list[dict]:
    """The profile grid's rows: one per column, numbers kept as numbers so the grid sorts them as numbers."""
    return [
        {
            "column": p["column"],
            "kind": p["kind"],
            "missing": p["missing"],
            "missing_pct": round(p["missing_pct"], 1),
            "distinct": p["distinct"],
            **{stat: _rounded(p.get(stat)) for stat in ("min", "max", "mean", "std")},
            "top_values": ", ".join(f"{value} ({count:,})" for value, count in p.get("top_values", [])[:3]),
        }
        for p in profiles
    ]


def _rounded(value: Any) -> Any:
    """Four significant digits for display; text (a date's min, say) as it is."""
    if isinstance(value, float):
        return float(f"{value:.4g}") if math.isfinite(value) else None
    return value


def _finite(value: Any) -> float | None:
    value = float(value)
    return value if np.isfinite(value) else None


def distribution(
    frame: pd.DataFrame, column: str, split: str | None, kind: Kind, bins: int = 40, top: int = 30
) -> dict:
    """Counts per bin (numeric/datetime) or per category, optionally per value of ``split``."""
    series = frame[column]
    groups = _split_groups(frame, split)
    discrete = kind == "numeric" and series.nunique() <= 20
    if kind in ("numeric", "datetime") and not discrete and not pd.api.types.is_object_dtype(series):
        as_numbers = series.astype("int64") if kind == "datetime" else series.astype("float64")
        valid = as_numbers[series.notna() & np.isfinite(as_numbers.where(series.notna(), 0))]
        if valid.empty:
            return {"type": "empty", "column": column}
        edges = np.histogram_bin_edges(valid.to_numpy(), bins=bins)
        traces = []
        for label, index in groups:
            counts, _ = np.histogram(valid.reindex(index).dropna().to_numpy(), bins=edges)
            traces.append({"name": label, "counts": counts.tolist()})
        centres = (edges[:-1] + edges[1:]) / 2
        x = pd.to_datetime(centres.astype("int64")).astype(str).tolist() if kind == "datetime" else centres.tolist()
        return {"type": "histogram", "column": column, "x": x, "width": float(edges[1] - edges[0]), "traces": traces}
    labels = _category_labels(series)
    order = labels.value_counts().head(top).index
    if discrete:  # few distinct numbers: one bar per value, in numeric order
        order = sorted(order, key=lambda v: float("inf") if v == MISSING else float(v))
    traces = []
    for label, index in groups:
        counts = labels.loc[index].value_counts().reindex(order, fill_value=0)
        traces.append({"name": label, "counts": counts.astype(int).tolist()})
    return {
        "type": "bar",
        "column": column,
        "x": [str(v) for v in order],
        "traces": traces,
        "truncated": int(labels.nunique() - len(order)),
    }


MISSING = "(missing)"


def _category_labels(series: pd.Series) -> pd.Series:
    if pd.api.types.is_float_dtype(series) and (series.dropna() % 1 == 0).all():
        series = series.astype("Int64")  # 1.0 -> "1"
    return series.astype(str).where(series.notna(), MISSING)


def _split_groups(frame: pd.DataFrame, split: str | None, max_groups: int = 12) -> list[tuple[str, pd.Index]]:
    if not split or split not in frame.columns:
        return [("all", frame.index)]
    keys = _category_labels(frame[split])
    top = keys.value_counts().head(max_groups).index
    return [(str(value), keys.index[keys == value]) for value in top]


CORRELATION_ROWS = 250_000
CORRELATION_COLUMNS = 40  # above this many numeric columns, the top pairs and a focus column's neighbours
WIDE_CORRELATION_ROWS = 20_000  # above the column budget every pair is computed: on at most this many rows
TOP_PAIRS = 20


def correlations(
    frame: pd.DataFrame,
    target: str | None = None,
    max_columns: int = CORRELATION_COLUMNS,
    max_rows: int = CORRELATION_ROWS,
    focus: str | None = None,
    exclude: tuple[str, ...] = (),
) -> dict:
    """Pearson correlations of numeric columns (pairwise complete, as pandas), above ``max_rows`` rows on
    a seeded sample of that size (error ~1/sqrt(rows), stated).

    Up to ``max_columns`` columns: the full matrix. Wider: every pair is still computed, and the answer is
    the ``TOP_PAIRS`` strongest pairs plus the matrix of the ``max_columns`` columns most correlated with a
    focus column (the one asked for, else the target when it is numeric, else the strongest pair's first
    column), never a
    2,000 × 2,000 heatmap no one can read. ``focus`` (the column the user looks at) comes before the target.
    ``exclude`` (identifiers and row numbers) is left out: its correlations describe the file, not the data."""
    numeric = frame.select_dtypes("number")
    left_out = [str(c) for c in exclude if c in numeric.columns]
    numeric = numeric.drop(columns=left_out).astype("float64")
    total = numeric.shape[1]
    wide = total > max_columns
    rows = min(max_rows, WIDE_CORRELATION_ROWS) if wide else max_rows
    sampled = len(numeric) > rows
    if sampled:
        numeric = numeric.sample(n=rows, random_state=0)
    numeric = numeric.loc[:, numeric.std() > 0]  # constant columns have no correlation
    empty = {"columns": [], "matrix": [], "sampled_rows": None, "pairs": [], "focus": None, "total_columns": total}
    empty["left_out"] = left_out
    if numeric.shape[1] < 2:
        return empty
    names = [str(c) for c in numeric.columns]
    matrix = pairwise_correlation(numeric.to_numpy())
    pairs = _top_pairs(matrix, names, TOP_PAIRS)
    keep = np.arange(len(names))
    if not wide:
        focus = None
    else:
        focus = next((c for c in (focus, target) if c in names), pairs[0][0])
        strength = np.nan_to_num(np.abs(matrix[names.index(focus)]), nan=-1.0)
        strength[names.index(focus)] = np.inf  # the focus column first
        keep = np.argsort(-strength, kind="stable")[:max_columns]
    shown = np.round(matrix[np.ix_(keep, keep)], 4)
    return {
        "columns": [names[i] for i in keep],
        "matrix": [[None if np.isnan(v) else float(v) for v in row] for row in shown],
        "sampled_rows": rows if sampled else None,
        "pairs": pairs,
        "focus": focus,
        "total_columns": total,
        "left_out": left_out,
    }


def is_number_dtype(dtype: str) -> bool:
    """Whether a profile's dtype is one ``correlations`` counts (``select_dtypes("number")``: not bool)."""
    try:
        kind = pd.api.types.pandas_dtype(dtype)
    except TypeError:
        return False
    return pd.api.types.is_numeric_dtype(kind) and not pd.api.types.is_bool_dtype(kind)


def pairwise_correlation(values: np.ndarray) -> np.ndarray:
    """Pearson r of every pair of columns over the rows where both are present (pandas' ``corr``), in a
    few matrix products instead of a loop over pairs: 2,000 columns take about a second."""
    centred = values - np.nanmean(values, axis=0)  # centred first: the sums below then lose no precision
    present = ~np.isnan(centred)
    x = np.where(present, centred, 0.0)
    if present.all():
        n = float(len(x))
        cross = x.T @ x
        scale = np.sqrt(np.diag(cross))
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.clip(cross / np.outer(scale, scale), -1, 1) if n > 1 else np.full(cross.shape, np.nan)
    ones = present.astype("float64")
    n = ones.T @ ones  # rows where both columns are present
    sum_x = x.T @ ones  # [i, j]: the sum of column i over the rows where j is present too
    sum_xx = (x * x).T @ ones
    cross = x.T @ x
    with np.errstate(invalid="ignore", divide="ignore"):
        covariance = cross - sum_x * sum_x.T / n
        variance_i = sum_xx - sum_x**2 / n
        r = covariance / np.sqrt(variance_i * variance_i.T)
    r[(n < 2) | ~np.isfinite(r)] = np.nan
    return np.clip(r, -1, 1)


def _top_pairs(matrix: np.ndarray, names: list[str], k: int) -> list[list]:
    """The ``k`` pairs with the largest |r| (each pair once), strongest first: [column, column, r]."""
    upper = np.triu_indices(len(names), 1)
    strength = np.nan_to_num(np.abs(matrix[upper]), nan=-1.0)
    best = np.argsort(-strength, kind="stable")[:k]
    return [
        [names[upper[0][i]], names[upper[1][i]], round(float(matrix[upper[0][i], upper[1][i]]), 4)]
        for i in best
        if strength[i] >= 0
    ]


def scatter_sample(frame: pd.DataFrame, x: str, y: str, color: str | None, budget: int, seed: int = 0) -> dict:
    """Up to ``budget`` rows of (x, y, colour), seeded uniform sample; says when it sampled."""
    columns = [c for c in dict.fromkeys([x, y, color]) if c]
    data = frame[columns].dropna(subset=[x, y])
    total = len(data)
    if total > budget:
        data = data.sample(n=budget, random_state=seed)
    out = {"x": _jsonable(data[x]), "y": _jsonable(data[y]), "total": total, "shown": len(data)}
    if color:
        out["color"] = _jsonable(data[color])
        out["color_numeric"] = bool(pd.api.types.is_numeric_dtype(frame[color]) and frame[color].nunique() > 12)
    return out


def scatter_density(frame: pd.DataFrame, x: str, y: str, bins: int = 50) -> dict:
    """Counts of rows per cell of a ``bins`` × ``bins`` grid over two numeric columns: the scatter as an
    aggregate (a report carries no rows). ``type`` "not_numeric" when either column is not numbers."""
    if not (is_number_dtype(str(frame[x].dtype)) and is_number_dtype(str(frame[y].dtype))):
        return {"type": "not_numeric", "x": x, "y": y}
    values = frame[[x, y]].astype("float64")
    values = values[np.isfinite(values).all(axis=1)]
    if values.empty:
        return {"type": "empty", "x": x, "y": y}
    counts, x_edges, y_edges = np.histogram2d(values[x].to_numpy(), values[y].to_numpy(), bins=bins)
    return {
        "type": "density",
        "x": x,
        "y": y,
        "x_centres": ((x_edges[:-1] + x_edges[1:]) / 2).tolist(),
        "y_centres": ((y_edges[:-1] + y_edges[1:]) / 2).tolist(),
        "counts": counts.T.astype(int).tolist(),  # rows of y, as a heatmap reads them
        "total": int(len(values)),
    }


def _jsonable(series: pd.Series) -> list:
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.astype(str).tolist()
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return series.astype("float64").round(6).tolist()
    return series.astype(str).tolist()
