"""Recommenders on the sparse user-item matrix and the one saveable object they all produce.

Every model is reduced to arrays in a :class:`Recommender`: popularity counts, a top-n neighbour
matrix (item-item or user-user cosine, sparse), or factor matrices. Saved with skops it loads without
running code and serves without the library that trained it. Scores are computed for bounded blocks
of users, never for all users x items at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from model_store.lazy import lazy_module

np = lazy_module("numpy")
sp = lazy_module("scipy.sparse")

# scikit-learn and scipy are imported inside the functions that use them: the app starts without them.

KINDS = {
    "popularity": "Popularity (baseline)",
    "item_knn": "Item-item kNN (cosine)",
    "user_knn": "User-user kNN (cosine)",
    "als": "Matrix factorisation (ALS, implicit)",
    "svd": "Matrix factorisation (truncated SVD)",
}
BLOCK_CELLS = 4_000_000  # rows x columns of one dense scoring block (16 MB of float32)
BIAS_DAMPING = 10.0
NEIGHBOUR_DAMPING = 1.0  # ratings of a user or item seen a few times shrink towards the mean


class RecSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    kind: Literal["popularity", "item_knn", "user_knn", "als", "svd"] = "item_knn"
    neighbours: int = Field(50, ge=1, le=1000)
    factors: int = Field(64, ge=2, le=512)
    regularization: float = Field(0.05, ge=0, le=1000, allow_inf_nan=False)
    iterations: int = Field(15, ge=1, le=200)
    alpha: float = Field(1.0, gt=0, le=1000, allow_inf_nan=False)
    seed: int = Field(0, ge=0)

    def key(self) -> dict[str, Any]:
        """Only the parameters this kind uses: changing another one reuses the cached fit."""
        used = {"item_knn": ("neighbours",), "user_knn": ("neighbours",)}.get(self.kind, ())
        if self.kind == "als":
            used = ("factors", "regularization", "iterations", "alpha", "seed")
        elif self.kind == "svd":
            used = ("factors", "iterations", "seed")
        return {"kind": self.kind, **{name: getattr(self, name) for name in used}}

    @property
    def label(self) -> str:
        return KINDS[self.kind]


@dataclass
class Recommender:
    """A fitted recommender as plain arrays (learned attributes end in ``_``)."""

    kind: str
    users_: np.ndarray  # user id per row (str)
    items_: np.ndarray  # item id per column (str)
    seen_: sp.csr_matrix  # the training interactions, users x items
    popularity_: np.ndarray  # interactions per item in training
    titles_: np.ndarray | None = None
    genres_: np.ndarray | None = None
    explicit_: bool = False
    item_neighbours_: sp.csr_matrix | None = None  # items x items: row i holds i's top-n cosine neighbours
    item_contributions_: sp.csr_matrix | None = None  # its transpose as CSR: row j = what liking j adds
    user_neighbours_: sp.csr_matrix | None = None  # users x users
    user_factors_: np.ndarray | None = None
    item_factors_: np.ndarray | None = None
    bias_: np.ndarray | None = None  # [global mean] for explicit ratings
    user_bias_: np.ndarray | None = None
    item_bias_: np.ndarray | None = None

    # -- scoring ---------------------------------------------------------------------------------
    def scores(self, rows: np.ndarray) -> np.ndarray:
        """Dense scores for a block of users (len(rows) x items)."""
        if self.kind == "item_knn":
            return np.asarray((self.seen_[rows] @ self.item_contributions_).todense(), dtype=np.float32)
        if self.kind == "user_knn":
            return np.asarray((self.user_neighbours_[rows] @ self.seen_).todense(), dtype=np.float32)
        if self.kind in ("als", "svd"):
            return self.user_factors_[rows] @ self.item_factors_.T
        return np.broadcast_to(self.popularity_.astype(np.float32), (len(rows), len(self.items_))).copy()

    def top_n(self, rows: np.ndarray, k: int, seen: sp.csr_matrix | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The k best unseen items per user (indices, scores), block by block. ``seen`` defaults to the
        training matrix; ties are broken by popularity so equal scores give a stable, sensible order."""
        seen = self.seen_ if seen is None else seen
        rows = np.asarray(rows, dtype=np.int64)
        k = min(k, len(self.items_))
        block = max(1, BLOCK_CELLS // max(len(self.items_), 1))
        tiebreak = (self.popularity_ / (self.popularity_.max() + 1.0) * 1e-6).astype(np.float32)
        out_items = np.empty((len(rows), k), dtype=np.int64)
        out_scores = np.empty((len(rows), k), dtype=np.float32)
        for start in range(0, len(rows), block):
            part = rows[start : start + block]
            scores = self.scores(part)
            scores += tiebreak * np.maximum(np.abs(scores).max(axis=1, keepdims=True), 1.0)
            mask = seen[part]
            scores[np.repeat(np.arange(len(part)), np.diff(mask.indptr)), mask.indices] = -np.inf
            best = np.argpartition(-scores, k - 1, axis=1)[:, :k]
            best_scores = np.take_along_axis(scores, best, axis=1)
            order = np.argsort(-best_scores, axis=1, kind="stable")
            out_items[start : start + block] = np.take_along_axis(best, order, axis=1)
            out_scores[start : start + block] = np.take_along_axis(best_scores, order, axis=1)
        return out_items, out_scores

    # -- ratings (explicit feedback only) ---------------------------------------------------------
    @property
    def estimates_ratings(self) -> bool:
        return self.explicit_ and self.kind in ("popularity", "item_knn", "user_knn")

    def predict_ratings(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Baseline (mean + damped user and item biases), plus for kNN the similarity-weighted residuals
        of the neighbours that rated the pair."""
        base = self.bias_[0] + self.user_bias_[rows] + self.item_bias_[cols]
        if self.kind == "popularity":
            return base
        residuals = self._residuals()
        if self.kind == "item_knn":
            weights, values = self.item_neighbours_[cols], residuals[rows]
        else:
            weights, values = self.user_neighbours_[rows], residuals.T.tocsr()[cols]
        numerator = np.asarray(weights.multiply(values).sum(axis=1)).ravel()
        rated = values.copy()
        rated.data = np.ones_like(rated.data)
        denominator = np.asarray(abs(weights).multiply(rated).sum(axis=1)).ravel()
        # Damped: one weak neighbour's residual should not move the estimate as far as fifty strong ones.
        return base + numerator / (denominator + NEIGHBOUR_DAMPING)

    def _residuals(self) -> sp.csr_matrix:
        seen = self.seen_.tocoo()
        residual = seen.data - (self.bias_[0] + self.user_bias_[seen.row] + self.item_bias_[seen.col])
        return sp.csr_matrix((residual, (seen.row, seen.col)), shape=seen.shape)

    # -- explanations ----------------------------------------------------------------------------
    def because(self, row: int, item: int, n: int = 3) -> list[tuple[int, float]]:
        """The user's own items that contributed most to recommending ``item`` (index, contribution).
        Exact for item-kNN and SVD (their scores are sums over the history); for ALS the history items
        closest in factor space, weighted by the user's value."""
        start, end = self.seen_.indptr[row], self.seen_.indptr[row + 1]
        seen, values = self.seen_.indices[start:end], self.seen_.data[start:end]
        if start == end or self.kind in ("popularity", "user_knn"):
            return []
        if self.kind == "item_knn":  # plain array slices: this runs for every item of every top-N
            dense = np.zeros(len(self.items_), dtype=np.float32)
            dense[seen] = values
            low, high = self.item_neighbours_.indptr[item], self.item_neighbours_.indptr[item + 1]
            neighbours = self.item_neighbours_.indices[low:high]
            pairs = zip(neighbours, self.item_neighbours_.data[low:high] * dense[neighbours], strict=True)
        else:
            similarity = self.item_factors_[seen] @ self.item_factors_[item]
            pairs = zip(seen, values * similarity, strict=True)
        ranked = sorted(((int(j), float(c)) for j, c in pairs if c > 0), key=lambda p: -p[1])
        return ranked[:n]

    def neighbours_who_liked(self, row: int, item: int) -> int:
        """User-kNN's explanation: how many of the user's nearest neighbours interacted with ``item``."""
        if self.user_neighbours_ is None:
            return 0
        neighbours = self.user_neighbours_[row].indices
        return int(self.seen_[neighbours][:, item].nnz)

    def similar(self, item: int, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Items most like ``item``: the model's own neighbours or factors, else exact cosine on co-ratings."""
        from sklearn.preprocessing import normalize

        if self.item_neighbours_ is not None:
            scores = self.item_neighbours_[item].toarray().ravel()
        elif self.item_factors_ is not None:
            factors = normalize(self.item_factors_)
            scores = factors @ factors[item]
        else:
            columns = normalize(self.seen_.T.tocsr())
            scores = (columns @ columns[item].T).toarray().ravel()
        scores = scores.astype(np.float64)
        scores[item] = -np.inf
        k = min(k, len(scores) - 1)
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best], kind="stable")]
        keep = scores[best] > 0
        return best[keep], scores[best][keep]

    def row_of(self, user: Any) -> int | None:
        index = np.searchsorted(self.users_, str(user))
        return int(index) if index < len(self.users_) and self.users_[index] == str(user) else None

    def column_of(self, item: Any) -> int | None:
        index = np.searchsorted(self.items_, str(item))
        return int(index) if index < len(self.items_) and self.items_[index] == str(item) else None

    def title(self, column: int) -> str:
        return str(self.titles_[column]) if self.titles_ is not None else ""

    def genres(self, column: int) -> str:
        return str(self.genres_[column]) if self.genres_ is not None else ""


def fit(
    spec: RecSpec, matrix: sp.csr_matrix, *, users, items, titles=None, genres=None, explicit: bool = False
) -> Recommender:
    """Fit ``spec`` on ``matrix`` (users x items, CSR). Ids are sorted as :func:`interactions.build` makes them."""
    matrix = sp.csr_matrix(matrix, dtype=np.float32)
    model = Recommender(
        kind=spec.kind,
        users_=np.asarray(users, dtype=str),
        items_=np.asarray(items, dtype=str),
        seen_=matrix,
        popularity_=np.bincount(matrix.indices, minlength=matrix.shape[1]).astype(np.float32),
        titles_=np.asarray(titles, dtype=str) if titles is not None else None,
        genres_=np.asarray(genres, dtype=str) if genres is not None else None,
        explicit_=explicit,
    )
    if explicit:
        model.bias_, model.user_bias_, model.item_bias_ = _biases(matrix)
    if spec.kind == "item_knn":
        model.item_neighbours_ = top_neighbours(matrix.T.tocsr(), spec.neighbours)
        model.item_contributions_ = model.item_neighbours_.T.tocsr()
    elif spec.kind == "user_knn":
        model.user_neighbours_ = top_neighbours(matrix, spec.neighbours)
    elif spec.kind == "als":
        model.user_factors_, model.item_factors_ = _als(spec, matrix)
    elif spec.kind == "svd":
        model.user_factors_, model.item_factors_ = _svd(spec, matrix)
    return model


def top_neighbours(rows: sp.csr_matrix, n: int) -> sp.csr_matrix:
    """For each row, its ``n`` most cosine-similar other rows (sparse, self excluded). Computed a block of
    rows at a time so the full rows x rows similarity never exists."""
    from sklearn.preprocessing import normalize

    unit = normalize(rows.astype(np.float32), norm="l2", axis=1).tocsr()
    unit_t = unit.T.tocsc()
    size = unit.shape[0]
    n = min(n, size - 1)
    block = max(1, BLOCK_CELLS // max(size, 1))
    indices, values, indptr = [], [], [0]
    for start in range(0, size, block):
        similarity = (unit[start : start + block] @ unit_t).toarray()
        similarity[np.arange(similarity.shape[0]), np.arange(start, start + similarity.shape[0])] = 0.0
        best = np.argpartition(-similarity, n - 1, axis=1)[:, :n]
        best_values = np.take_along_axis(similarity, best, axis=1)
        for cols, vals in zip(best, best_values, strict=True):
            keep = vals > 0
            indices.append(cols[keep])
            values.append(vals[keep])
            indptr.append(indptr[-1] + int(keep.sum()))
    return sp.csr_matrix(
        (np.concatenate(values).astype(np.float32), np.concatenate(indices), np.asarray(indptr)), shape=(size, size)
    )


def _biases(matrix: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    coo = matrix.tocoo()
    mean = float(coo.data.mean())
    item_bias = np.bincount(coo.col, coo.data - mean, minlength=matrix.shape[1]) / (
        np.bincount(coo.col, minlength=matrix.shape[1]) + BIAS_DAMPING
    )
    rest = coo.data - mean - item_bias[coo.col]
    user_bias = np.bincount(coo.row, rest, minlength=matrix.shape[0]) / (
        np.bincount(coo.row, minlength=matrix.shape[0]) + BIAS_DAMPING
    )
    return np.array([mean]), user_bias, item_bias


def _als(spec: RecSpec, matrix: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Implicit-feedback ALS (Hu, Koren & Volinsky) from the ``implicit`` library, on one BLAS thread as
    its authors advise (its own threads do the parallel work)."""
    from implicit.cpu.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, "blas"):  # checked when the model is built, not only when it fits
        als = AlternatingLeastSquares(
            factors=spec.factors,
            regularization=spec.regularization,
            alpha=spec.alpha,
            iterations=spec.iterations,
            random_state=spec.seed,
            calculate_training_loss=False,
        )
        als.fit(matrix, show_progress=False)
    return np.ascontiguousarray(als.user_factors), np.ascontiguousarray(als.item_factors)


def _svd(spec: RecSpec, matrix: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """PureSVD (Cremonesi et al. 2010): item factors from a truncated SVD, users folded in as R V, so a
    score is a sum over the user's own items and explains itself."""
    from sklearn.decomposition import TruncatedSVD

    factors = min(spec.factors, min(matrix.shape) - 1)
    svd = TruncatedSVD(n_components=factors, n_iter=spec.iterations, random_state=spec.seed)
    svd.fit(matrix)
    item_factors = np.ascontiguousarray(svd.components_.T, dtype=np.float32)
    return np.asarray(matrix @ item_factors, dtype=np.float32), item_factors
