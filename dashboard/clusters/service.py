"""Cluster service: fit (cached by dataset fingerprint + spec), the choose-k sweep, the k-distance plot,
RFM as a derived dataset, label export, and saving a k-means clusterer to the model store."""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Callable
from typing import Any

from dashboard.clusters import choose_k, clustering
from dashboard.clusters.clustering import ClusterResult, ClusterSpec, SweepResult
from dashboard.clusters.rfm import rfm
from dashboard.data.catalog import Catalog
from dashboard.data.explorer import ExplorerService
from dashboard.errors import Cancelled, FieldError, ResultExpired
from dashboard.jobs.layer import Memo
from dashboard.journal import NoJournal
from model_store import ModelStore, ModelVersion
from model_store.lazy import lazy_module

pd = lazy_module("pandas")

FIT, SWEEP, KDIST = "clusters.fit", "clusters.sweep", "clusters.kdistance"
SAVEABLE = ("KMeans", "MiniBatchKMeans")


class ClusterService:
    def __init__(
        self, catalog: Catalog, explorer: ExplorerService, memo: Memo, store: ModelStore, journal: Any = None
    ) -> None:
        self.catalog, self.explorer, self.memo, self.store = catalog, explorer, memo, store
        self.journal = journal or NoJournal()  # told of every clustering fitted (dashboard.runs.journal)

    def _frame(self, dataset: str) -> pd.DataFrame:
        if not self.catalog.exists(dataset):
            raise FieldError("dataset", f"no dataset named {str(dataset)[:64]!r}")
        return self.catalog.load(dataset)

    def prepare(self, spec: ClusterSpec) -> tuple[clustering.Prepared, pd.DataFrame]:
        frame = self._frame(spec.dataset)
        return clustering.prepare(spec, frame, self.explorer.kinds(spec.dataset)), frame

    def _key(self, namespace: str, spec: ClusterSpec, *extra: Any) -> str:
        return self.memo.key_for(namespace, (self.catalog.fingerprint(spec.dataset), spec.key(), *extra))

    def run(self, spec: ClusterSpec) -> tuple[str, ClusterResult, bool]:
        """(token, result, was_cached)."""
        self._frame(spec.dataset)
        token = self._key(FIT, spec)
        fingerprint = self.catalog.fingerprint(spec.dataset)

        def compute() -> ClusterResult:
            self.journal.started(token, spec, fingerprint)
            try:
                prepared, frame = self.prepare(spec)
                return clustering.fit(spec, prepared, frame)[1]
            except BaseException as exc:
                self.journal.stopped(token, exc)
                raise

        result, computed = self.memo.compute_once(token, compute)
        self.journal.finished(token, spec, fingerprint, result)  # a cached repeat finds its run
        return token, result, not computed

    def cached_token(self, spec: ClusterSpec) -> str | None:
        """The token of this exact clustering when it is cached (permalinks and embeds open on it)."""
        if not self.catalog.exists(spec.dataset):
            return None
        token = self._key(FIT, spec)
        return token if self.memo.get(token) is not None else None

    def result(self, token: str) -> ClusterResult:
        hit = self.memo.get(token) if isinstance(token, str) and token.startswith(FIT + ":") else None
        if hit is None:
            raise ResultExpired("result: this clustering is no longer cached; run it again")
        return hit

    def sweep(
        self,
        spec: ClusterSpec,
        ks: list[int],
        *,
        on_k: Callable[[dict[str, Any], int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> tuple[SweepResult, bool]:
        """Fit and score each k (k-means, GMM or agglomerative), reporting each as it finishes."""
        if spec.algorithm == "dbscan":
            raise FieldError("algorithm", "DBSCAN has no k; use the k-distance plot to choose eps")
        ks = sorted(set(ks))
        if not ks or ks[0] < 2:
            raise FieldError("k", "sweep k from 2 upwards")
        self._frame(spec.dataset)
        key = self._key(SWEEP, spec.model_copy(update={"k": 2}), ks)
        fingerprint = self.catalog.fingerprint(spec.dataset)

        def compute() -> SweepResult:
            self.journal.started(key, spec, fingerprint, kind="cluster_sweep")
            try:
                return self._sweep(spec, ks, on_k, cancelled)
            except BaseException as exc:
                self.journal.stopped(key, exc)
                raise

        result, computed = self.memo.compute_once(key, compute)
        self.journal.finished(key, spec, fingerprint, result, kind="cluster_sweep")  # a cached repeat finds its run
        return result, not computed

    def _sweep(self, spec: ClusterSpec, ks: list[int], on_k, cancelled) -> SweepResult:
        prepared, frame = self.prepare(spec.model_copy(update={"k": 2}))
        if ks[-1] >= len(frame):
            raise FieldError("k", f"k = {ks[-1]} needs more rows than clusters; the dataset has {len(frame)}")
        start = time.perf_counter()
        Z = prepared.transformer.fit_transform(prepared.X)
        points: dict[str, list] = {"inertia": [], "silhouette": [], "davies_bouldin": [], "calinski_harabasz": []}
        for done, k in enumerate(ks, start=1):
            point = choose_k.sweep_point(spec, k, Z)
            for name in points:
                points[name].append(point.get(name))
            if on_k is not None:
                on_k({"ks": ks[:done], **points}, done)
            if cancelled is not None and cancelled():
                raise Cancelled("cancelled")
        suggested, reason = choose_k.suggest_k(ks, points["silhouette"], points["inertia"])
        return SweepResult(ks, **points, suggested=suggested, reason=reason, seconds=time.perf_counter() - start)

    def k_distance(self, spec: ClusterSpec) -> dict[str, Any]:
        key = self._key(KDIST, spec.model_copy(update={"algorithm": "dbscan", "eps": 0.5}))
        hit = self.memo.get(key)
        if hit is None:
            prepared, _ = self.prepare(spec.model_copy(update={"algorithm": "dbscan"}))
            Z = prepared.transformer.fit_transform(prepared.X)
            hit = choose_k.k_distance(Z, spec.min_samples, spec.seed, spec.metric)
            self.memo.set(key, hit)
        return hit

    def derive_rfm(self, dataset: str, customer: str, date: str, amount: str):
        """RFM per customer as a derived dataset (named after its source and mapping; built once)."""
        frame = self._frame(dataset)
        digest = hashlib.sha256(f"{self.catalog.fingerprint(dataset)}|{customer}|{date}|{amount}".encode())
        name = f"{dataset}-rfm-{digest.hexdigest()[:6]}"
        if self.catalog.exists(name):
            return self.catalog.info(name)
        table = rfm(frame, customer, date, amount)
        info, _ = self.catalog.add_upload(f"{name}.parquet", _parquet(table), name=name)
        return info

    def labelled(self, token: str, spec: ClusterSpec) -> pd.DataFrame:
        """The dataset's rows with their cluster and segment name, for export."""
        result = self.result(token)
        frame = self._frame(spec.dataset)
        return frame.assign(cluster=result.labels, segment=[result.names.get(int(c), "") for c in result.labels])

    def export_dataset(self, token: str, spec: ClusterSpec):
        table = self.labelled(token, spec)
        name = f"{spec.dataset}-segments-{token.rsplit(':', 1)[-1][:6]}"
        if self.catalog.exists(name):
            return self.catalog.info(name)
        info, _ = self.catalog.add_upload(f"{name}.parquet", _parquet(table), name=name)
        return info

    def save(self, spec: ClusterSpec, token: str, name: str, description: str = "") -> ModelVersion:
        """Refit (same seed: same labels) and store the pipeline; the card carries segment names and scores."""
        result = self.result(token)
        if result.algorithm not in SAVEABLE:
            raise FieldError(
                "algorithm", f"{result.algorithm} cannot assign new rows to clusters; save a k-means clustering"
            )
        prepared, frame = self.prepare(spec)
        model = clustering.pipeline(spec, prepared).fit(prepared.X)  # same seed: the same labels, no re-scoring
        return self.store.save(
            model,
            name,
            X_sample=prepared.X,
            task="clustering",
            metrics={k: v for k, v in result.scores.items() if v is not None},
            params=spec.key(),
            dataset={
                "id": spec.dataset,
                "fingerprint": self.catalog.fingerprint(spec.dataset),
                "rows": int(len(frame)),
            },
            description=description or f"{result.algorithm} with k = {spec.k} on {spec.dataset}",
            extra={
                "segments": {str(k): v for k, v in result.names.items()},
                "sizes": {str(k): v for k, v in result.sizes.items()},
            },
        )


def _parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()
