"""Drift of each input column (and of the predictions) between a reference sample and recent data.

The bins are fixed by the reference: a numeric column's deciles (equal edges merged), a categorical
column's categories plus ``(other)`` for values the reference never had; missing values are a bin of
their own on both sides. The population stability index sums ``(c - r) * ln(c / r)`` over the bins'
shares, an empty bin counted as ``EPSILON`` (else one new category makes it infinite). Beside it, the
two-sample Kolmogorov-Smirnov test for numeric columns and Pearson's chi² test of the 2 x k table of bin
counts for categorical ones. PSI ranks the columns: with a million rows every p-value is tiny, while PSI
reads the same at any size (below 0.1 stable, 0.1 to 0.25 moderate, above 0.25 a major shift).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from model_store.lazy import lazy_module

np = lazy_module("numpy")
pd = lazy_module("pandas")

EPSILON = 1e-4
BINS = 10
MISSING = "(missing)"
OTHER = "(other)"
MODERATE, MAJOR = 0.1, 0.25
KS_EXACT_ROWS = 10_000  # scipy's ks_2samp uses the exact distribution up to this many rows a side
NUMERIC_KINDS = ("numeric",)
CATEGORICAL_KINDS = ("categorical", "boolean", "identifier")


@dataclass(frozen=True)
class ColumnDrift:
    column: str
    kind: Literal["numeric", "categorical"]
    psi: float
    test: Literal["ks", "chi2"]
    statistic: float
    p_value: float
    bins: list[str]
    reference: list[float]  # share of the reference rows in each bin
    current: list[float]
    reference_rows: int
    current_rows: int

    @property
    def level(self) -> str:
        return "major" if self.psi > MAJOR else "moderate" if self.psi > MODERATE else "stable"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "level": self.level}


def psi(reference_share: np.ndarray, current_share: np.ndarray) -> float:
    r = np.maximum(np.asarray(reference_share, dtype=float), EPSILON)
    c = np.maximum(np.asarray(current_share, dtype=float), EPSILON)
    return float(np.sum((c - r) * np.log(c / r)))


def numeric_edges(reference: np.ndarray, bins: int = BINS) -> np.ndarray:
    """Interior bin edges: the reference's quantiles, equal ones merged (a column of mostly zeros)."""
    present = reference[~np.isnan(reference)]
    if not len(present):
        return np.array([])
    return np.unique(np.quantile(present, np.linspace(0, 1, bins + 1)[1:-1]))


def _sorted_counts(present: np.ndarray, edges: np.ndarray, missing: int) -> np.ndarray:
    """Counts per bin ``[-inf, e0), [e0, e1), ..., [e_last, inf]`` of the sorted present values, and, last,
    the missing ones: a binary search per edge, not per value."""
    cuts = np.searchsorted(present, edges, side="left")
    return np.append(np.diff(np.concatenate([[0], cuts, [len(present)]])), missing)


def ks_statistic(ref: np.ndarray, cur: np.ndarray) -> float:
    """max |F_ref - F_cur| over every observed value, both samples sorted. Each ECDF is read at the other
    sample's distinct values only (scipy reads both at all n1 + n2 points: a million binary searches)."""
    ref_values, ref_last = _distinct(ref)
    cur_values, cur_last = _distinct(cur)
    # at a sample's own distinct values its ECDF is (index of the value's last copy + 1) / n
    at_ref = (ref_last + 1) / len(ref) - np.searchsorted(cur, ref_values, side="right") / len(cur)
    at_cur = np.searchsorted(ref, cur_values, side="right") / len(ref) - (cur_last + 1) / len(cur)
    return float(max(np.abs(at_ref).max(), np.abs(at_cur).max()))


def _distinct(ordered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A sorted array's distinct values and the position of each one's last copy."""
    last = np.flatnonzero(np.append(ordered[1:] != ordered[:-1], True))
    return ordered[last], last


def ks_test(ref: np.ndarray, cur: np.ndarray) -> tuple[float, float]:
    """The two-sided two-sample KS test of sorted samples, as ``scipy.stats.ks_2samp`` computes it: its exact
    distribution up to 10,000 rows a side, else Smirnov's asymptotic one, which is all we take over."""
    from scipy import stats

    if max(len(ref), len(cur)) <= KS_EXACT_ROWS:
        result = stats.ks_2samp(ref, cur)
        return float(result.statistic), float(result.pvalue)
    d = ks_statistic(ref, cur)
    m, n = sorted([float(len(ref)), float(len(cur))], reverse=True)
    return d, float(np.clip(stats.kstwo.sf(d, np.round(m * n / (m + n))), 0, 1))


def numeric_labels(edges: np.ndarray) -> list[str]:
    """``[a, b)`` reads "a to b"; between consecutive whole numbers (a class, a count) it is just "a"."""
    if not len(edges):
        return ["all values", MISSING]
    inner = [
        f"{a:g}" if float(a).is_integer() and b == a + 1 else f"{a:.4g} to {b:.4g}"
        for a, b in zip(edges[:-1], edges[1:], strict=True)
    ]
    return [f"< {edges[0]:.4g}", *inner, f"≥ {edges[-1]:.4g}", MISSING]


def numeric_drift(column: str, reference: pd.Series, current: pd.Series) -> ColumnDrift:
    """Each side is sorted once; the bin counts and the KS statistic are read from the sorted values."""
    ref = pd.to_numeric(reference, errors="coerce").to_numpy(dtype=float)
    cur = pd.to_numeric(current, errors="coerce").to_numpy(dtype=float)
    ref_present, cur_present = np.sort(ref[~np.isnan(ref)]), np.sort(cur[~np.isnan(cur)])
    edges = numeric_edges(ref)
    ref_counts = _sorted_counts(ref_present, edges, len(ref) - len(ref_present))
    cur_counts = _sorted_counts(cur_present, edges, len(cur) - len(cur_present))
    if len(ref_present) and len(cur_present):
        statistic, p_value = ks_test(ref_present, cur_present)
    else:
        statistic, p_value = float("nan"), float("nan")
    return _drift(column, "numeric", "ks", statistic, p_value, numeric_labels(edges), ref_counts, cur_counts)


def categorical_counts(values: pd.Series, categories: list[str]) -> np.ndarray:
    """Counts per reference category, then ``(other)``, then missing."""
    missing = values.isna().to_numpy()
    codes = pd.Index(categories).get_indexer(values[~missing].astype(str))  # -1: a value the reference lacks
    known = np.bincount(codes[codes >= 0], minlength=len(categories))
    return np.concatenate([known, [(codes < 0).sum(), missing.sum()]])


def categorical_drift(column: str, reference: pd.Series, current: pd.Series) -> ColumnDrift:
    from scipy import stats

    categories = reference.dropna().astype(str).value_counts().index.tolist()
    ref_counts = categorical_counts(reference, categories)
    cur_counts = categorical_counts(current, categories)
    table = np.vstack([ref_counts, cur_counts])
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or not ref_counts.sum() or not cur_counts.sum():
        statistic, p_value = 0.0, 1.0
    else:
        chi2 = stats.chi2_contingency(table, correction=False)
        statistic, p_value = float(chi2.statistic), float(chi2.pvalue)
    labels = [*categories, OTHER, MISSING]
    return _drift(column, "categorical", "chi2", statistic, p_value, labels, ref_counts, cur_counts)


def _drift(column, kind, test, statistic, p_value, labels, ref_counts, cur_counts) -> ColumnDrift:
    ref_share = ref_counts / max(ref_counts.sum(), 1)
    cur_share = cur_counts / max(cur_counts.sum(), 1)
    shown = (ref_counts + cur_counts) > 0  # an empty (missing) or (other) bin on both sides is not drawn
    return ColumnDrift(
        column=column,
        kind=kind,
        psi=psi(ref_share, cur_share),
        test=test,
        statistic=statistic,
        p_value=p_value,
        bins=[label for label, keep in zip(labels, shown, strict=True) if keep],
        reference=ref_share[shown].tolist(),
        current=cur_share[shown].tolist(),
        reference_rows=int(ref_counts.sum()),
        current_rows=int(cur_counts.sum()),
    )


def column_drift(column: str, kind: str, reference: pd.Series, current: pd.Series) -> ColumnDrift | None:
    """One column's drift by its schema kind; None for kinds that have no bins (free text)."""
    if kind in NUMERIC_KINDS:
        return numeric_drift(column, reference, current)
    if kind in CATEGORICAL_KINDS:
        return categorical_drift(column, reference, current)
    return None


def drift_report(reference: pd.DataFrame, current: pd.DataFrame, kinds: dict[str, str]) -> list[ColumnDrift]:
    """Every column of ``kinds`` present on both sides, most drifted (highest PSI) first."""
    columns = [c for c in kinds if c in reference.columns and c in current.columns]
    report = [column_drift(c, kinds[c], reference[c], current[c]) for c in columns]
    return sorted((d for d in report if d is not None), key=lambda d: d.psi, reverse=True)
