"""Recommendation figures (issue 7), each next to a peer in the same run.

- Fit on MovieLens (100,004 ratings) per model, target <= 3 s; peers: the same work done with the
  library directly (``implicit`` ALS, scikit-learn ``TruncatedSVD``, scikit-learn ``cosine_similarity``
  with the same top-n per row).
- Top-10 for one user: through the service (cached model) and through ``POST /api/models/<name>/predict``
  (stored model); target p95 <= 20 ms.
- A generated 1,000,000-interaction set (50,000 users, 20,000 items, Zipf popularity): build, fit every
  model and evaluate them, each in a fresh process so its peak RSS is its own. A dense users x items
  float32 matrix would take 4 GB.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from bench.harness import Stats, make_app, write_results
from dashboard.recommend.evaluation import HoldoutSpec, evaluate
from dashboard.recommend.interactions import Mapping, build
from dashboard.recommend.models import KINDS, RecSpec, fit

MOVIELENS = Mapping(
    dataset="movielens", user="userId", item="movieId", value="rating", timestamp="timestamp", title="title"
)


def _median_seconds(fn, repeats: int = 3) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return float(np.median(samples))


def _peer(kind: str, matrix: sp.csr_matrix, spec: RecSpec):
    """The library call our model wraps, or the obvious scikit-learn way to get the same neighbours."""
    if kind == "als":
        from implicit.cpu.als import AlternatingLeastSquares
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1, "blas"):
            AlternatingLeastSquares(
                factors=spec.factors,
                regularization=spec.regularization,
                alpha=spec.alpha,
                iterations=spec.iterations,
                random_state=0,
                calculate_training_loss=False,
            ).fit(matrix, show_progress=False)
    elif kind == "svd":
        from sklearn.decomposition import TruncatedSVD

        TruncatedSVD(spec.factors, n_iter=spec.iterations, random_state=0).fit(matrix)
    elif kind in ("item_knn", "user_knn"):
        from sklearn.metrics.pairwise import cosine_similarity

        rows = matrix.T.tocsr() if kind == "item_knn" else matrix
        similarity = cosine_similarity(rows, dense_output=False).tocsr()
        similarity.setdiag(0)
        for i in range(similarity.shape[0]):  # top-n per row, as our model keeps
            start, end = similarity.indptr[i], similarity.indptr[i + 1]
            if end - start > spec.neighbours:
                np.argpartition(-similarity.data[start:end], spec.neighbours - 1)


def movielens_fits() -> dict:
    from dashboard.data.builtin import load_movielens

    inter = build(load_movielens(), MOVIELENS)
    out = {}
    for kind in KINDS:
        spec = RecSpec(kind=kind)
        ours = _median_seconds(
            lambda spec=spec: fit(spec, inter.matrix, users=inter.users, items=inter.items, explicit=True)
        )
        if kind == "popularity":  # a bincount: no peer worth timing
            out[kind] = {"seconds": ours}
            print(f"  fit {kind:10s} {ours:6.2f} s   (target <= 3 s)")
            continue
        peer = _median_seconds(lambda kind=kind, spec=spec: _peer(kind, inter.matrix, spec))
        out[kind] = {"seconds": ours, "peer_seconds": peer, "ratio": ours / peer}
        print(f"  fit {kind:10s} {ours:6.2f} s   peer {peer:6.2f} s   ratio {ours / peer:.2f}x   (target <= 3 s)")
    return out


def top10_latency(root: Path, requests: int = 200) -> dict:
    app = make_app(root)
    services = app.server.extensions["dashboard"]
    client = app.server.test_client()
    users = np.random.default_rng(0).choice(np.arange(1, 672), size=requests)
    out = {}
    for kind in ("item_knn", "als", "svd"):
        spec = RecSpec(kind=kind)
        services.recommend.model(MOVIELENS, spec)  # fitted and cached once
        service_times, api_times = [], []
        for user in users:
            start = time.perf_counter()
            services.recommend.recommend(MOVIELENS, spec, str(user), 10, history=0)
            service_times.append(time.perf_counter() - start)
        services.recommend.save(MOVIELENS, spec, f"bench-{kind.replace('_', '-')}")
        name = f"bench-{kind.replace('_', '-')}"
        client.post(f"/api/models/{name}/predict", json={"user": 1, "k": 10})  # loads the artifact once
        for user in users:
            start = time.perf_counter()
            response = client.post(f"/api/models/{name}/predict", json={"user": int(user), "k": 10})
            api_times.append(time.perf_counter() - start)
            assert response.status_code == 200 and len(response.json["predictions"][0]) == 10
        out[kind] = {"service": Stats.of(service_times), "api": Stats.of(api_times)}
        print(f"  top-10 {kind:9s} service {out[kind]['service'].ms()}")
        print(f"  top-10 {kind:9s} REST    {out[kind]['api'].ms()}   (target p95 <= 20 ms)")
    return out


def generated(users: int = 50_000, items: int = 20_000, interactions: int = 1_000_000, seed: int = 0) -> pd.DataFrame:
    """Zipf-like item popularity and user activity, with timestamps; duplicates count as repeat plays."""
    rng = np.random.default_rng(seed)
    item_weight = 1.0 / np.arange(1, items + 1) ** 0.9
    user_weight = 1.0 / np.arange(1, users + 1) ** 0.5
    return pd.DataFrame(
        {
            "user": rng.choice(users, size=interactions, p=user_weight / user_weight.sum()),
            "item": rng.choice(items, size=interactions, p=item_weight / item_weight.sum()),
            "plays": rng.integers(1, 20, size=interactions),
            "time": rng.integers(1_500_000_000, 1_700_000_000, size=interactions),
        }
    )


def _rss_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (peak since the last reset) from /proc, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _in_child(task: str, kind: str | None, queue) -> None:
    frame = generated()
    mapping = Mapping(
        dataset="generated", user="user", item="item", value="plays", timestamp="time", feedback="implicit"
    )
    start = time.perf_counter()
    inter = build(frame, mapping)
    built = time.perf_counter() - start
    del frame
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak: what follows is the task's own
    before = _rss_mb("VmRSS")
    start = time.perf_counter()
    if task == "fit":
        fit(RecSpec(kind=kind), inter.matrix, users=inter.users, items=inter.items)
        extra = {}
    else:
        result = evaluate(inter, [RecSpec(kind=k) for k in KINDS if k != "popularity"], HoldoutSpec(n=5, k=10))
        extra = {
            r["spec"]["kind"]: {"ndcg": r["ndcg"], "fit_s": r["fit_seconds"], "eval_s": r["eval_seconds"]}
            for r in result.rows
        }
        extra["users_evaluated"] = result.users
    seconds = time.perf_counter() - start
    queue.put(
        {
            "build_seconds": built,
            "seconds": seconds,
            "rss_before_mb": before,
            "peak_rss_mb": _rss_mb("VmHWM"),
            "shape": inter.matrix.shape,
            "nnz": int(inter.matrix.nnz),
            **extra,
        }
    )


def million() -> dict:
    context = mp.get_context("spawn")  # a fresh process: its peak RSS belongs to this task alone
    queue = context.Queue()
    out = {}
    for task, kind in [("fit", k) for k in KINDS] + [("evaluate", None)]:
        process = context.Process(target=_in_child, args=(task, kind, queue))
        process.start()
        result = queue.get()
        process.join()
        label = kind or "evaluate all"
        out[label] = result
        print(
            f"  1M {label:12s} {result['seconds']:6.1f} s  (build {result['build_seconds']:.1f} s)"
            f"  RSS {result['rss_before_mb']:,.0f} MB before, peak {result['peak_rss_mb']:,.0f} MB"
            f"  matrix {result['shape']} nnz {result['nnz']:,}"
        )
    return out


def run() -> None:
    print("Recommendations (issue 7)")
    with tempfile.TemporaryDirectory() as tmp:
        payload = {
            "movielens_fit": movielens_fits(),
            "top10": top10_latency(Path(tmp)),
            "generated_1m": million(),
        }
    print(f"  results: {write_results('recommend', payload)}")
