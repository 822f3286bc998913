"""The user-item interaction matrix built from any dataset through a column mapping."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from dashboard.errors import FieldError
from model_store.lazy import lazy_module

np = lazy_module("numpy")
pd = lazy_module("pandas")
sp = lazy_module("scipy.sparse")

MAX_ITEMS = 200_000  # item-item work is bounded per block, but the page lists items in dropdowns


class Mapping(BaseModel):
    """Which columns hold the user, the item, the value (a rating or a count) and, optionally, the time
    and the item's title / genres. ``value=None`` counts each row as one interaction."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    dataset: str
    user: str
    item: str
    value: str | None = None
    timestamp: str | None = None
    title: str | None = None
    genres: str | None = None
    feedback: Literal["auto", "explicit", "implicit"] = "auto"

    def key(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


@dataclass
class Interactions:
    """``matrix`` is users x items (CSR, float32): a rating (explicit) or a count (implicit) per pair.
    Duplicate pairs keep the latest rating, or sum their counts. ``times`` holds each stored pair's time
    (same order as ``matrix.data``) when a timestamp was mapped."""

    matrix: sp.csr_matrix
    users: np.ndarray  # user id (str) per row
    items: np.ndarray  # item id (str) per column
    explicit: bool
    times: np.ndarray | None = None
    titles: np.ndarray | None = None  # per item
    genres: np.ndarray | None = None

    @property
    def n_users(self) -> int:
        return self.matrix.shape[0]

    @property
    def n_items(self) -> int:
        return self.matrix.shape[1]


ROLE_HINTS = {
    "user": ("user", "customer", "client", "member", "visitor", "account"),
    "item": ("item", "movie", "product", "sku", "article", "song", "book", "page"),
    "value": ("rating", "score", "stars", "count", "quantity", "plays", "clicks", "amount"),
    "timestamp": ("timestamp", "time", "date", "when"),
    "title": ("title", "name"),
    "genres": ("genre", "category", "tags"),
}


def guess_mapping(columns: list[str]) -> dict[str, str | None]:
    """A first guess at each role from column names (the page shows it; the user corrects it)."""
    guess: dict[str, str | None] = {}
    taken: set[str] = set()
    for role, hints in ROLE_HINTS.items():
        found = next((c for h in hints for c in columns if h in str(c).lower() and c not in taken), None)
        guess[role] = found
        if found is not None:
            taken.add(found)
    return guess


def _ids(series: pd.Series) -> pd.Series:
    """Ids as text; whole-number floats lose their '.0' so 15 and 15.0 are the same user."""
    if pd.api.types.is_float_dtype(series) and (series.dropna() % 1 == 0).all():
        series = series.astype("Int64")
    return series.astype(str)


def build(frame: pd.DataFrame, mapping: Mapping) -> Interactions:
    """Check the mapping against ``frame`` and build the matrix. Raises :class:`FieldError` naming the field."""
    roles = {"user": mapping.user, "item": mapping.item, "value": mapping.value, "timestamp": mapping.timestamp}
    roles.update(title=mapping.title, genres=mapping.genres)
    for role, column in roles.items():
        if column is not None and column not in frame.columns:
            raise FieldError(role, f"{str(column)[:64]!r} is not a column of this dataset")
    if mapping.user == mapping.item:
        raise FieldError("item", "the item column must differ from the user column")
    for role in ("value", "timestamp"):
        if roles[role] in (mapping.user, mapping.item):
            raise FieldError(role, f"{roles[role]!r} is already mapped as the user or the item")
    data = frame[[c for c in dict.fromkeys(v for v in roles.values() if v is not None)]]
    data = data.dropna(subset=[mapping.user, mapping.item])
    if data.empty:
        raise FieldError("user", "no rows have both a user and an item")
    values = _values(data, mapping)
    times = _times(data, mapping.timestamp)
    explicit = _is_explicit(values, mapping)
    users = pd.Categorical(_ids(data[mapping.user]))
    items = pd.Categorical(_ids(data[mapping.item]))
    if len(users.categories) < 2:
        raise FieldError("user", f"{mapping.user!r} has only one user; recommendations need at least two")
    if len(items.categories) < 2:
        raise FieldError("item", f"{mapping.item!r} has only one item; recommendations need at least two")
    if len(items.categories) > MAX_ITEMS:
        raise FieldError("item", f"{len(items.categories):,} items is over the limit of {MAX_ITEMS:,}")
    order = np.argsort(times, kind="stable") if times is not None else np.arange(len(data))
    rows, cols = users.codes[order], items.codes[order]
    pair = rows.astype(np.int64) * len(items.categories) + cols
    if explicit:  # the latest rating of a pair wins
        last = len(pair) - 1 - np.unique(pair[::-1], return_index=True)[1]
        keep = np.sort(last)
        rows, cols, vals = rows[keep], cols[keep], values[order][keep]
        stamp = times[order][keep] if times is not None else None
    else:  # counts add up; the pair's time is its latest
        unique, inverse = np.unique(pair, return_inverse=True)
        vals = np.bincount(inverse, weights=values[order]).astype(np.float32)
        rows, cols = (
            (unique // len(items.categories)).astype(np.int32),
            (unique % len(items.categories)).astype(np.int32),
        )
        stamp = None
        if times is not None:
            stamp = np.full(len(unique), np.iinfo(np.int64).min)
            np.maximum.at(stamp, inverse, times[order])
    shape = (len(users.categories), len(items.categories))
    coo = sp.coo_matrix((vals.astype(np.float32), (rows, cols)), shape=shape)
    matrix, stamp = _csr_with(coo, stamp)
    return Interactions(
        matrix=matrix,
        users=np.asarray(users.categories, dtype=object),
        items=np.asarray(items.categories, dtype=object),
        explicit=explicit,
        times=stamp,
        titles=_per_item(data, items, mapping.title),
        genres=_per_item(data, items, mapping.genres),
    )


def _values(data: pd.DataFrame, mapping: Mapping) -> np.ndarray:
    if mapping.value is None:
        return np.ones(len(data), dtype=np.float64)
    raw = data[mapping.value]
    numbers = pd.to_numeric(raw, errors="coerce")
    bad = numbers.isna() & raw.notna()
    if bad.any():
        example = str(raw[bad].iloc[0])[:30]
        raise FieldError("value", f"{mapping.value!r} must be numeric (a rating or a count); found {example!r}")
    if numbers.isna().all():
        raise FieldError("value", f"{mapping.value!r} has no values")
    if not np.isfinite(numbers.dropna()).all():
        raise FieldError("value", f"{mapping.value!r} holds infinite values")
    return numbers.fillna(numbers.median()).to_numpy(dtype=np.float64)


def _times(data: pd.DataFrame, column: str | None) -> np.ndarray | None:
    if column is None:
        return None
    raw = data[column]
    if pd.api.types.is_numeric_dtype(raw):
        numbers = pd.to_numeric(raw, errors="coerce")
        if numbers.isna().any():
            raise FieldError("timestamp", f"{column!r} has missing times")
        return numbers.to_numpy(dtype=np.float64).astype(np.int64)
    parsed = pd.to_datetime(raw, errors="coerce", utc=True)
    if parsed.isna().any():
        raise FieldError(
            "timestamp", f"{column!r} is not a date or time (e.g. {str(raw[parsed.isna()].iloc[0])[:30]!r})"
        )
    return parsed.astype("int64").to_numpy() // 10**9


def _is_explicit(values: np.ndarray, mapping: Mapping) -> bool:
    if mapping.feedback != "auto":
        return mapping.feedback == "explicit"
    if mapping.value is None:
        return False
    # Ratings live on a small scale (1-5, 0.5 steps, 1-10); counts are whole numbers with a long tail.
    fractional = bool((values % 1 != 0).any())
    return fractional or (values.max() <= 10 and values.min() >= 0 and len(np.unique(values)) <= 20)


def _csr_with(coo: sp.coo_matrix, stamp: np.ndarray | None) -> tuple[sp.csr_matrix, np.ndarray | None]:
    """COO -> CSR keeping each pair's time aligned with ``matrix.data``."""
    order = np.lexsort((coo.col, coo.row))
    rows, cols, vals = coo.row[order], coo.col[order], coo.data[order]
    indptr = np.zeros(coo.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=coo.shape[0]), out=indptr[1:])
    matrix = sp.csr_matrix((vals, cols.astype(np.int32), indptr), shape=coo.shape)
    return matrix, (stamp[order] if stamp is not None else None)


def _per_item(data: pd.DataFrame, items: pd.Categorical, column: str | None) -> np.ndarray | None:
    if column is None:
        return None
    first = pd.Series(data[column].astype(str).to_numpy(), index=items.codes)
    first = first[~first.index.duplicated()]
    out = np.full(len(items.categories), "", dtype=object)
    out[first.index.to_numpy()] = first.to_numpy()
    return out


def stats(inter: Interactions) -> dict[str, Any]:
    """Sizes, density and the distributions the Data view plots."""
    per_user = np.diff(inter.matrix.indptr)
    per_item = np.bincount(inter.matrix.indices, minlength=inter.n_items)
    popularity = np.sort(per_item)[::-1]
    share = np.cumsum(popularity) / max(popularity.sum(), 1)
    head = int(np.searchsorted(share, 0.8) + 1)
    values = inter.matrix.data
    return {
        "users": inter.n_users,
        "items": inter.n_items,
        "interactions": int(inter.matrix.nnz),
        "density": inter.matrix.nnz / (inter.n_users * inter.n_items),
        "explicit": inter.explicit,
        "per_user": per_user,
        "per_item": per_item,
        "long_tail": share,
        "head_items": head,  # items that take 80 % of the interactions
        "value_min": float(values.min()),
        "value_max": float(values.max()),
        "value_mean": float(values.mean()),
        "median_per_user": float(np.median(per_user)),
        "median_per_item": float(np.median(per_item)),
    }
