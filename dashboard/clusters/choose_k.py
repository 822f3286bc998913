"""Choosing k and eps: the sweep's scores at each k, the suggested k, and DBSCAN's k-distance curve
with its knee."""

from __future__ import annotations

from typing import Any

from dashboard.clusters.clustering import ClusterSpec, estimator, sample_rows, score
from model_store.lazy import lazy_module

np = lazy_module("numpy")


def k_distance(Z: np.ndarray, min_samples: int, seed: int, metric: str = "euclidean") -> dict[str, Any]:
    """Sorted distance of each (sampled) point to its min_samples-th neighbour, with the knee as suggested eps."""
    from sklearn.neighbors import NearestNeighbors

    take = sample_rows(len(Z), 5_000, seed)
    neighbours = NearestNeighbors(n_neighbors=min(min_samples, len(take) - 1), metric=metric).fit(Z[take])
    distances = np.sort(neighbours.kneighbors(Z[take])[0][:, -1])
    knee = _knee(distances)
    return {"distance": distances, "suggested_eps": float(distances[knee]), "knee": int(knee)}


def _knee(curve: np.ndarray) -> int:
    """The point furthest from the chord between the curve's ends (a simple 'kneedle')."""
    n = len(curve)
    if n < 3:
        return n - 1
    x = np.linspace(0, 1, n)
    span = curve[-1] - curve[0]
    y = (curve - curve[0]) / span if span else np.zeros(n)
    return int(np.argmax(np.abs(x - y)))


def sweep_point(spec: ClusterSpec, k: int, Z: np.ndarray) -> dict[str, float | None]:
    """Fit one k on prepared rows and score it."""
    clusterer = estimator(spec.model_copy(update={"k": k}), len(Z))
    labels = np.asarray(clusterer.fit_predict(Z))
    out = score(Z, labels, spec.seed)
    out["inertia"] = float(clusterer.inertia_) if hasattr(clusterer, "inertia_") else None
    return out


def suggest_k(ks: list[int], silhouette: list[float | None], inertia: list[float | None]) -> tuple[int, str]:
    """The k with the highest silhouette; the inertia elbow is reported beside it."""
    scored = [(s, k) for k, s in zip(ks, silhouette, strict=True) if s is not None]
    if not scored:
        return ks[0], "no k gave two or more clusters to score"
    best_score, best = max(scored)
    reason = f"k = {best} has the highest silhouette ({best_score:.3f})"
    if all(v is not None for v in inertia) and len(ks) >= 3:
        elbow = ks[_knee(-np.asarray(inertia, dtype=float))]
        reason += "; the inertia elbow is " + ("at the same k" if elbow == best else f"at k = {elbow}")
    return best, reason
