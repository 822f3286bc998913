"""Customer segmentation: prepare features, fit a clusterer, score it, describe the clusters.

Pure functions over a DataFrame; the :class:`~dashboard.clusters.service.ClusterService` adds the
catalog, the disk cache and the model store. Anything quadratic in rows (agglomerative, silhouette) runs
on a bounded sample and says so.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dashboard.data.columns import model_inputs
from dashboard.errors import FieldError, shown
from model_store.lazy import lazy_module

np = lazy_module("numpy")
pd = lazy_module("pandas")

if TYPE_CHECKING:  # scikit-learn is imported where it is used: the app starts without it
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline

MINIBATCH_ROWS = 200_000  # k-means switches to MiniBatchKMeans above this, and the page says so
AGGLOMERATIVE_MAX_ROWS = 20_000  # memory grows with rows²
DBSCAN_MAX_ROWS = 200_000
SCORE_ROWS = 200_000  # Davies-Bouldin / Calinski-Harabasz on a seeded sample above this
SCORE_SAMPLE = 4_000  # silhouette is O(n²) (10,000 rows take ~2.4 s): a seeded sample above this
PROJECTION_POINTS = 5_000
MAX_CATEGORIES = 50


class ClusterSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    dataset: str
    features: tuple[str, ...]
    scale: Literal["standard", "robust", "none"] = "standard"
    log: tuple[str, ...] = ()  # skewed money columns: log1p before scaling
    algorithm: Literal["kmeans", "agglomerative", "dbscan", "gmm"] = "kmeans"
    k: int = Field(4, ge=2, le=50)
    init: Literal["k-means++", "random"] = "k-means++"
    n_init: int = Field(4, ge=1, le=50)
    seed: int = Field(0, ge=0)
    linkage: Literal["ward", "complete", "average", "single"] = "ward"
    metric: Literal["euclidean", "manhattan"] = "euclidean"
    eps: float = Field(0.5, gt=0, allow_inf_nan=False)
    min_samples: int = Field(5, ge=1, le=1000)
    covariance: Literal["full", "tied", "diag", "spherical"] = "full"
    labels: str | None = None  # a known-label column, for the adjusted Rand index

    def key(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


@dataclass
class Prepared:
    X: pd.DataFrame  # the chosen columns, rows as in the dataset
    numeric: list[str]
    categorical: list[str]
    transformer: ColumnTransformer
    notices: list[str] = field(default_factory=list)


def prepare(spec: ClusterSpec, frame: pd.DataFrame, kinds: dict[str, str]) -> Prepared:
    """Checks the columns and builds impute -> (log) -> scale for numbers, impute -> one-hot for categories."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, RobustScaler, StandardScaler

    features = list(dict.fromkeys(spec.features))
    missing = [f for f in features if f not in frame.columns]
    if missing:
        raise FieldError("features", f"{shown(missing[0])} is not a column of this dataset")
    usable = [f for f in features if kinds.get(f) in ("numeric", "boolean", "categorical")]
    inputs, groups = model_inputs(frame[usable], kinds)
    numeric, categorical = groups["numeric"], groups["categorical"]
    notices = []
    ignored = [f for f in features if f not in numeric and f not in categorical]
    if ignored:
        notices.append(f"not used (identifier, date or text columns): {', '.join(ignored)}")
    if not numeric:
        raise FieldError("features", "choose at least one numeric column: distances need numbers")
    bad_log = [c for c in spec.log if c not in numeric]
    if bad_log:
        raise FieldError("log", f"{shown(bad_log[0])} is not a chosen numeric column")
    negative = [c for c in spec.log if (inputs[c] < 0).any()]
    if negative:
        raise FieldError("log", f"{shown(negative[0])} has negative values; log applies to amounts ≥ 0")
    if spec.labels is not None and spec.labels not in frame.columns:
        raise FieldError("labels", f"{shown(spec.labels)} is not a column of this dataset")
    rows = len(frame)
    if spec.algorithm in ("kmeans", "agglomerative", "gmm") and spec.k >= rows:
        raise FieldError("k", f"k = {spec.k} needs more rows than clusters; the dataset has {rows}")
    if spec.algorithm == "agglomerative" and rows > AGGLOMERATIVE_MAX_ROWS:
        raise FieldError("algorithm", f"agglomerative needs memory in rows²: at most {AGGLOMERATIVE_MAX_ROWS:,} rows")
    if spec.algorithm == "agglomerative" and spec.linkage == "ward" and spec.metric != "euclidean":
        raise FieldError("metric", "ward linkage works only with euclidean distances")
    if spec.algorithm == "dbscan" and rows > DBSCAN_MAX_ROWS:
        raise FieldError("algorithm", f"DBSCAN here takes at most {DBSCAN_MAX_ROWS:,} rows")
    many = [c for c in categorical if inputs[c].nunique() > MAX_CATEGORIES]
    if many:
        raise FieldError("features", f"{shown(many[0])} has more than {MAX_CATEGORIES} categories; leave it out")
    scaler = {"standard": StandardScaler(), "robust": RobustScaler(), "none": "passthrough"}[spec.scale]
    logged = [c for c in numeric if c in spec.log]
    plain = [c for c in numeric if c not in spec.log]
    parts = []
    if plain:
        parts.append(("numeric", make_pipeline(SimpleImputer(strategy="median"), scaler), plain))
    if logged:
        log1p = FunctionTransformer(np.log1p, feature_names_out="one-to-one")
        parts.append(("log", make_pipeline(SimpleImputer(strategy="median"), log1p, _clone(scaler)), logged))
    if categorical:
        encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
        parts.append(("categorical", make_pipeline(SimpleImputer(strategy="most_frequent"), encoder), categorical))
    return Prepared(inputs[[*numeric, *categorical]], numeric, categorical, ColumnTransformer(parts), notices)


def _clone(step):
    from sklearn.base import clone

    return step if isinstance(step, str) else clone(step)


def estimator(spec: ClusterSpec, rows: int):
    """The clusterer for ``spec``; k-means becomes MiniBatchKMeans above MINIBATCH_ROWS."""
    from sklearn.cluster import DBSCAN, AgglomerativeClustering, KMeans, MiniBatchKMeans
    from sklearn.mixture import GaussianMixture

    if spec.algorithm == "kmeans":
        if rows > MINIBATCH_ROWS:
            return MiniBatchKMeans(spec.k, init=spec.init, n_init=spec.n_init, random_state=spec.seed, batch_size=4096)
        return KMeans(spec.k, init=spec.init, n_init=spec.n_init, random_state=spec.seed)
    if spec.algorithm == "agglomerative":
        return AgglomerativeClustering(spec.k, linkage=spec.linkage, metric=spec.metric)
    if spec.algorithm == "dbscan":
        return DBSCAN(eps=spec.eps, min_samples=spec.min_samples, metric=spec.metric)
    return GaussianMixture(spec.k, covariance_type=spec.covariance, random_state=spec.seed, n_init=1)


@dataclass
class ClusterResult:
    labels: np.ndarray  # one per row; -1 is DBSCAN noise
    algorithm: str  # the estimator actually used, e.g. "MiniBatchKMeans"
    scores: dict[str, float | None]  # silhouette, davies_bouldin, calinski_harabasz, inertia, ari
    sizes: dict[int, int]
    projection: dict[str, Any]  # x, y, label (sampled), centroids, explained variance
    silhouette: dict[int, list[float]]  # per cluster, sorted sample silhouettes
    profile: dict[str, Any]  # clusters, features, z (standardised means), means, top categories
    names: dict[int, str]  # readable segment names
    notices: list[str]
    fit_seconds: float
    dendrogram: dict[str, Any] | None = None  # agglomerative: SciPy linkage on a bounded sample


def pipeline(spec: ClusterSpec, prepared: Prepared) -> Pipeline:
    """Preparation + clusterer as one Pipeline (what the model store keeps)."""
    from sklearn.pipeline import Pipeline

    return Pipeline([("prep", prepared.transformer), ("cluster", estimator(spec, len(prepared.X)))])


def fit(spec: ClusterSpec, prepared: Prepared, frame: pd.DataFrame) -> tuple[Pipeline, ClusterResult]:
    import time

    from sklearn import metrics
    from sklearn.cluster import MiniBatchKMeans

    rows = len(prepared.X)
    model = pipeline(spec, prepared)
    notices = list(prepared.notices)
    if isinstance(model[-1], MiniBatchKMeans):
        notices.append(f"{rows:,} rows: MiniBatchKMeans (batches of 4,096) instead of KMeans above {MINIBATCH_ROWS:,}")
    start = time.perf_counter()
    Z = model[0].fit_transform(prepared.X)  # the prepared rows are needed for scoring: transform once
    labels = np.asarray(model[-1].fit_predict(Z))
    seconds = time.perf_counter() - start
    clustered = labels >= 0
    found = sorted(set(labels[clustered].tolist()))
    if spec.algorithm == "dbscan" and len(found) < 2:
        noise = int((~clustered).sum())
        raise FieldError(
            "eps",
            f"eps = {spec.eps:g} gives {len(found)} cluster(s) and {noise:,} noise points; "
            "read the k-distance plot for a better eps",
        )
    if not clustered.all():
        notices.append(f"{int((~clustered).sum()):,} rows are noise (label -1) and are left out of the scores")
    # The scores and the views are independent and numpy releases the GIL: compute them side by side.
    with ThreadPoolExecutor(max_workers=2) as pool:
        scored = pool.submit(score, Z, labels, spec.seed, notices)
        profile_ = profile(prepared, labels)
        shown = projection(Z, labels, model[-1], spec.seed)
        silhouettes = silhouette_by_cluster(Z, labels, spec.seed)
        scores = scored.result()
    if hasattr(model[-1], "inertia_"):
        scores["inertia"] = float(model[-1].inertia_)
    if spec.labels is not None:
        known = frame[spec.labels].astype(str).to_numpy()
        keep = frame[spec.labels].notna().to_numpy()
        scores["ari"] = float(metrics.adjusted_rand_score(known[keep], labels[keep]))
    return model, ClusterResult(
        labels=labels,
        algorithm=type(model[-1]).__name__,
        scores=scores,
        sizes={int(c): int((labels == c).sum()) for c in sorted(set(labels.tolist()))},
        projection=shown,
        silhouette=silhouettes,
        profile=profile_,
        names=segment_names(profile_),
        notices=notices,
        fit_seconds=seconds,
        dendrogram=dendrogram(Z, labels, spec) if spec.algorithm == "agglomerative" else None,
    )


DENDROGRAM_POINTS = 300


def dendrogram(Z: np.ndarray, labels: np.ndarray, spec: ClusterSpec) -> dict[str, Any]:
    """SciPy's linkage on a seeded sample (the full tree of 20k rows is unreadable and quadratic)."""
    from scipy.cluster.hierarchy import linkage

    take = sample_rows(len(Z), DENDROGRAM_POINTS, spec.seed)
    method_metric = "cityblock" if spec.metric == "manhattan" else "euclidean"
    tree = linkage(Z[take], method=spec.linkage, metric=method_metric)
    return {"linkage": tree, "labels": [str(int(c)) for c in labels[take]], "rows": len(take)}


def sample_rows(n: int, size: int, seed: int) -> np.ndarray:
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size, replace=False))


def _n_clusters(labels: np.ndarray) -> int:
    return int(np.count_nonzero(np.bincount(labels))) if len(labels) else 0  # labels ≥ 0; no sort


def score(Z: np.ndarray, labels: np.ndarray, seed: int, notices: list[str] | None = None) -> dict[str, float | None]:
    """Silhouette, Davies-Bouldin and Calinski-Harabasz, noise left out. Silhouette is quadratic: a seeded sample
    above SCORE_SAMPLE rows; the other two are linear but still take ~0.5 s on 1M rows: a sample above SCORE_ROWS."""
    from sklearn import metrics

    keep = labels >= 0
    Z, labels = Z[keep], labels[keep]
    if _n_clusters(labels) < 2:
        return {"silhouette": None, "davies_bouldin": None, "calinski_harabasz": None}
    take = sample_rows(len(labels), SCORE_SAMPLE, seed)
    rows = sample_rows(len(labels), SCORE_ROWS, seed)
    if notices is not None and len(take) < len(labels):
        also = f"; Davies-Bouldin and Calinski-Harabasz on {len(rows):,}" if len(rows) < len(labels) else ""
        notices.append(f"silhouette on a seeded sample of {len(take):,} of {len(labels):,} rows{also}")
    sampled = _n_clusters(labels[take]) >= 2
    return {
        "silhouette": float(metrics.silhouette_score(Z[take], labels[take])) if sampled else None,
        "davies_bouldin": float(metrics.davies_bouldin_score(Z[rows], labels[rows])),
        "calinski_harabasz": float(metrics.calinski_harabasz_score(Z[rows], labels[rows])),
    }


def silhouette_by_cluster(Z: np.ndarray, labels: np.ndarray, seed: int) -> dict[int, list[float]]:
    from sklearn import metrics

    keep = np.flatnonzero(labels >= 0)
    take = keep[sample_rows(len(keep), 2_000, seed)]
    if len(set(labels[take].tolist())) < 2:
        return {}
    values = metrics.silhouette_samples(Z[take], labels[take])
    return {int(c): sorted(values[labels[take] == c].tolist(), reverse=True) for c in sorted(set(labels[take]))}


def projection(Z: np.ndarray, labels: np.ndarray, clusterer, seed: int) -> dict[str, Any]:
    """2-D PCA of the prepared features (fitted on a bounded sample), sampled points and centroids."""
    from sklearn.decomposition import PCA

    take = sample_rows(len(labels), PROJECTION_POINTS, seed)
    fit_rows = sample_rows(len(labels), 50_000, seed)
    pca = PCA(2, random_state=seed).fit(Z[fit_rows]) if Z.shape[1] >= 2 else None
    points = pca.transform(Z[take]) if pca is not None else np.column_stack([Z[take, 0], np.zeros(len(take))])
    centers = getattr(clusterer, "cluster_centers_", getattr(clusterer, "means_", None))
    if centers is None:  # agglomerative / DBSCAN: the mean of each cluster's prepared rows
        found = sorted(c for c in set(labels.tolist()) if c >= 0)
        centers = np.vstack([Z[labels == c].mean(axis=0) for c in found])
    centroids = pca.transform(centers) if pca is not None else np.column_stack([centers[:, 0], np.zeros(len(centers))])
    return {
        "x": points[:, 0],
        "y": points[:, 1],
        "label": labels[take],
        "centroids": centroids,
        "explained": pca.explained_variance_ratio_.tolist() if pca is not None else [1.0, 0.0],
        "sampled": len(take) < len(labels),
        "rows": len(labels),
    }


def profile(prepared: Prepared, labels: np.ndarray) -> dict[str, Any]:
    """Per cluster: each numeric feature's mean in raw units and standardised against all rows; top categories."""
    numbers = prepared.X[prepared.numeric].astype(float)
    overall_mean, overall_std = numbers.mean(), numbers.std(ddof=0).replace(0, 1.0)
    means = numbers.groupby(labels).mean()
    z = (means - overall_mean) / overall_std
    top = {}
    for column in prepared.categorical:
        shares = prepared.X[column].astype(str).groupby(labels).value_counts(normalize=True)
        top[column] = {
            int(c): [(str(k), float(v)) for k, v in shares.loc[c].head(3).items()] for c in means.index if c in shares
        }
    return {
        "clusters": [int(c) for c in means.index],
        "features": list(prepared.numeric),
        "z": z.to_numpy().tolist(),
        "means": means.to_numpy().tolist(),
        "top_categories": top,
    }


RFM_WORDS = {  # below / around / above average; a low recency (days since the last purchase) is good
    "recency_days": ("recent", "mid recency", "lapsed"),
    "frequency": ("occasional", "average frequency", "frequent"),
    "monetary": ("low spend", "average spend", "high spend"),
}


def segment_names(profile_: dict[str, Any], threshold: float = 0.25) -> dict[int, str]:
    """Readable names from standardised means: RFM words when the features are R/F/M, else the two
    features furthest from average ('high Income, low Age')."""
    features = profile_["features"]
    names = {}
    for cluster, row in zip(profile_["clusters"], profile_["z"], strict=True):
        z = dict(zip(features, row, strict=True))
        if cluster < 0:
            names[cluster] = "noise"
        elif set(RFM_WORDS) <= set(features):
            names[cluster] = ", ".join(
                words[0] if z[c] < -threshold else words[2] if z[c] > threshold else words[1]
                for c, words in RFM_WORDS.items()
            )
        else:
            strongest = sorted(z, key=lambda c: -abs(z[c]))[:2]
            parts = [f"{'high' if z[c] > 0 else 'low'} {c}" for c in strongest if abs(z[c]) > threshold]
            names[cluster] = ", ".join(parts) or "average on every feature"
    return names


@dataclass
class SweepResult:
    ks: list[int]
    inertia: list[float | None]
    silhouette: list[float | None]
    davies_bouldin: list[float | None]
    calinski_harabasz: list[float | None]
    suggested: int
    reason: str
    seconds: float
