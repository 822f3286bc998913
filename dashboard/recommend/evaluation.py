"""Per-user holdout and top-N metrics (precision, recall, NDCG, MAP at k; coverage; popularity; RMSE)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from dashboard.errors import Cancelled, FieldError
from dashboard.recommend.interactions import Interactions
from dashboard.recommend.models import Recommender, RecSpec, fit
from model_store.lazy import lazy_module

np = lazy_module("numpy")
sp = lazy_module("scipy.sparse")

METRICS = ("precision", "recall", "ndcg", "map", "coverage", "popularity", "rmse")


class HoldoutSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    method: Literal["last", "random"] = "last"
    n: int = Field(5, ge=1, le=100)  # held-out interactions per user
    k: int = Field(10, ge=1, le=100)
    relevant_from: float | None = Field(None, allow_inf_nan=False)  # ratings below this are not "liked"
    seed: int = Field(0, ge=0)

    def key(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


@dataclass
class Split:
    train: sp.csr_matrix
    test: sp.csr_matrix  # the held-out interactions with their values
    users: int  # users with a holdout


def holdout(inter: Interactions, spec: HoldoutSpec) -> Split:
    """Hold out each user's last ``n`` interactions (by time), or ``n`` random ones (seeded). Users with
    ``n`` or fewer interactions stay wholly in training: they would have no history left to learn from."""
    matrix = inter.matrix
    if spec.method == "last" and inter.times is None:
        raise FieldError("holdout", "'last n' needs a timestamp column; map one or hold out at random")
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    order_key = inter.times if spec.method == "last" else np.random.default_rng(spec.seed).random(matrix.nnz)
    order = np.lexsort((order_key, rows))
    rank = np.empty(matrix.nnz, dtype=np.int64)
    rank[order] = np.arange(matrix.nnz) - matrix.indptr[rows[order]]
    length = np.diff(matrix.indptr)[rows]
    held = (length > spec.n) & (rank >= length - spec.n)
    if not held.any():
        raise FieldError("holdout", f"no user has more than {spec.n} interactions; hold out fewer")
    coo = matrix.tocoo()
    train = sp.csr_matrix((coo.data[~held], (coo.row[~held], coo.col[~held])), shape=matrix.shape)
    test = sp.csr_matrix((coo.data[held], (coo.row[held], coo.col[held])), shape=matrix.shape)
    return Split(train=train, test=test, users=int(np.unique(coo.row[held]).size))


def relevant(split: Split, spec: HoldoutSpec) -> sp.csr_matrix:
    test = split.test.copy()
    if spec.relevant_from is not None:
        test.data = np.where(test.data >= spec.relevant_from, test.data, 0)
        test.eliminate_zeros()
    return test


def ranking_metrics(recommended: np.ndarray, relevant_sets: sp.csr_matrix, rows: np.ndarray, k: int) -> dict:
    """Mean precision, recall, NDCG and MAP at k over ``rows`` (binary relevance).
    ``recommended[i]`` is the ranked item list for ``rows[i]``."""
    n_items = relevant_sets.shape[1]
    rel = relevant_sets[rows]
    rel_codes = np.repeat(np.arange(len(rows)), np.diff(rel.indptr)) * n_items + rel.indices
    rec_codes = np.arange(len(rows))[:, None] * n_items + recommended[:, :k]
    hits = np.isin(rec_codes, rel_codes).astype(np.float64)
    n_rel = np.diff(rel.indptr).astype(np.float64)
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = np.cumsum(discount)[np.minimum(n_rel, k).astype(int) - 1]
    precision_at = np.cumsum(hits, axis=1) / np.arange(1, k + 1)
    return {
        "precision": float((hits.sum(axis=1) / k).mean()),
        "recall": float((hits.sum(axis=1) / n_rel).mean()),
        "ndcg": float(((hits * discount).sum(axis=1) / ideal).mean()),
        "map": float(((precision_at * hits).sum(axis=1) / np.minimum(n_rel, k)).mean()),
    }


@dataclass
class EvalResult:
    holdout: dict[str, Any]
    rows: list[dict[str, Any]] = field(default_factory=list)  # one per model, baseline first
    users: int = 0  # users evaluated (with at least one relevant held-out item)
    notes: list[str] = field(default_factory=list)


def evaluate_model(model: Recommender, split: Split, rel: sp.csr_matrix, spec: HoldoutSpec, rows: np.ndarray) -> dict:
    recommended, _ = model.top_n(rows, spec.k, seen=split.train)
    out: dict[str, Any] = ranking_metrics(recommended, rel, rows, spec.k)
    out["coverage"] = float(np.unique(recommended).size / split.train.shape[1])
    out["popularity"] = float(model.popularity_[recommended].mean())
    out["rmse"] = None
    if model.estimates_ratings:
        test = split.test.tocoo()
        error = model.predict_ratings(test.row, test.col) - test.data
        out["rmse"] = float(np.sqrt(np.mean(error**2)))
    return out


class EvaluatedModel(NamedTuple):
    """One model of an evaluation, as a run record names it: the mapping, the model's spec, the holdout, and
    every model the evaluation compared (its permalink names them all)."""

    mapping: Any
    model: RecSpec
    holdout: HoldoutSpec
    evaluated: tuple[RecSpec, ...]


def models_evaluated(specs: list[RecSpec]) -> list[RecSpec]:
    """The models an evaluation fits, in order: the popularity baseline first, then each other one."""
    return [RecSpec(kind="popularity")] + [s for s in specs if s.kind != "popularity"]


def evaluate(
    inter: Interactions,
    specs: list[RecSpec],
    spec: HoldoutSpec,
    *,
    on_model: Callable[[EvalResult, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> EvalResult:
    """Fit every model on the training split and score the held-out interactions; popularity first."""
    split = holdout(inter, spec)
    rel = relevant(split, spec)
    rows = np.flatnonzero(np.diff(rel.indptr) > 0)
    if rows.size == 0:
        raise FieldError("relevant_from", "no held-out interaction reaches this rating; lower it")
    kinds = models_evaluated(specs)
    result = EvalResult(holdout=spec.key(), users=int(rows.size))
    if spec.relevant_from is not None:
        result.notes.append(f"relevant: held-out ratings of {spec.relevant_from:g} or more")
    for done, model_spec in enumerate(kinds, start=1):
        if cancelled is not None and cancelled():
            raise Cancelled("cancelled")
        start = time.perf_counter()
        model = fit(model_spec, split.train, users=inter.users, items=inter.items, explicit=inter.explicit)
        fitted = time.perf_counter() - start
        scores = evaluate_model(model, split, rel, spec, rows)
        result.rows.append(
            {
                "model": model_spec.label,
                "spec": model_spec.key(),
                **scores,
                "fit_seconds": fitted,
                "eval_seconds": time.perf_counter() - start - fitted,
            }
        )
        if on_model is not None:
            on_model(result, done)
    if inter.explicit and any(r["rmse"] is None for r in result.rows):
        result.notes.append("RMSE: factor models here rank items and do not estimate ratings")
    return result
