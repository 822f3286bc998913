"""Clusters figures (issue 6), each against raw scikit-learn in the same run.

- k-means on 1,000,000 x 10 through the service (prepare, fit, scores, projection, profile) vs the same
  preprocessing + estimator fitted by scikit-learn directly; the page's result-callback payload.
- Choose-k sweep k = 2..10 on 100,000 rows: seconds, and the cached repeat.
"""

from __future__ import annotations

import io
import tempfile
import time
from pathlib import Path

import pandas as pd
from sklearn.base import clone
from sklearn.datasets import make_blobs

from bench.harness import CallbackClient, Stats, make_app, write_results
from dashboard.clusters import clustering
from dashboard.clusters.clustering import ClusterSpec


def _blobs(catalog, rows: int, name: str) -> tuple[str, tuple[str, ...]]:
    X, _ = make_blobs(rows, n_features=10, centers=6, cluster_std=2.0, random_state=0)
    columns = tuple(f"x{i}" for i in range(10))
    buffer = io.BytesIO()
    pd.DataFrame(X, columns=list(columns)).to_parquet(buffer, index=False)
    info, _ = catalog.add_upload(f"{name}.parquet", buffer.getvalue(), name=name)
    return info.id, columns


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def kmeans_million(app, services, repeats: int = 3) -> dict:
    dataset, columns = _blobs(services.catalog, 1_000_000, "blobs-1m")
    spec = ClusterSpec(dataset=dataset, features=columns, k=6, n_init=3)
    frame = services.catalog.load(dataset)
    ours, raw = [], []
    for _ in range(repeats):
        for key in [k for k in services.jobs.memo.backend.cache.iterkeys() if str(k).startswith("clusters.")]:
            services.jobs.memo.backend.cache.delete(key)  # every repeat fits (the dataset's profile stays cached)
        ours.append(_timed(lambda: services.clusters.run(spec)))
        prepared = clustering.prepare(spec, frame, services.explorer.kinds(dataset))
        estimator = clustering.estimator(spec, len(frame))
        raw.append(
            _timed(lambda p=prepared, e=estimator: clone(e).fit_predict(clone(p.transformer).fit_transform(p.X)))
        )
    token, result, _ = services.clusters.run(spec)
    client = CallbackClient(app)
    key = (
        "..cluster-scores.children...cluster-projection-graph.figure...cluster-silhouette-graph.figure"
        "...cluster-sizes-graph.figure...cluster-profile-graph.figure...cluster-categories.children"
        "...cluster-extra-graph.figure...cluster-export-csv-button.disabled"
        "...cluster-export-dataset-button.disabled...cluster-save-button.disabled.."
    )
    seconds, size, _ = client.call(
        key, {"cluster-result-store.data": {"token": token, "spec": spec.key()}}, "cluster-result-store.data"
    )
    a, b = Stats.of(ours), Stats.of(raw)
    return {
        "estimator": result.algorithm,
        "ours": a,
        "raw_sklearn": b,
        "ratio": a.median / b.median,
        "callback_s": seconds,
        "payload_bytes": size,
    }


def sweep_100k(services) -> dict:
    dataset, columns = _blobs(services.catalog, 100_000, "blobs-100k")
    spec = ClusterSpec(dataset=dataset, features=columns, n_init=3)
    ks = list(range(2, 11))
    first = _timed(lambda: services.clusters.sweep(spec, ks))
    cached = Stats.of([_timed(lambda: services.clusters.sweep(spec, ks)) for _ in range(20)])
    result, _ = services.clusters.sweep(spec, ks)
    return {
        "first_s": first,
        "cached": cached,
        "speedup": first / cached.median,
        "suggested": result.suggested,
        "reason": result.reason,
    }


def run() -> dict:
    print("== clusters ==")
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp), max_upload_mb=500)
        services = app.server.extensions["dashboard"]
        million = kmeans_million(app, services)
        print(
            f"k-means 1,000,000 x 10 ({million['estimator']}): ours {million['ours'].ms()}\n"
            f"   raw scikit-learn (same preprocessing + estimator): {million['raw_sklearn'].ms()}"
            f"   ratio {million['ratio']:.2f}x"
        )
        print(
            f"   result callback {million['callback_s'] * 1e3:.0f} ms, payload {million['payload_bytes'] / 1e6:.2f} MB"
        )
        sweep = sweep_100k(services)
        print(
            f"sweep k=2..10 on 100,000 rows: {sweep['first_s']:.2f} s; cached {sweep['cached'].ms()}"
            f" -> {sweep['speedup']:.0f}x; suggested k = {sweep['suggested']} ({sweep['reason']})"
        )
    results = {"kmeans_million": million, "sweep": sweep}
    print(f"written to {write_results('clusters', results)}")
    return results
