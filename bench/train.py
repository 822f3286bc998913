"""Train-and-tune figures (issue 5), each against its baseline in the same run.

- Dashboard CV (streaming folds, out-of-fold scores, all metrics) vs raw ``cross_validate`` with the same
  pipeline, splitter and n_jobs (scoring accuracy + ROC AUC + AP, so both compute probabilities).
- Cached repeat vs first run.
- Threshold/cost callback server time on 100,000 out-of-fold scores, through the real Dash endpoint.
- Grid search (candidate x fold streaming, every candidate kept as a CV result) vs ``GridSearchCV`` on the
  same candidates (the catalog defaults included), folds, scoring and n_jobs, without its refit.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV, cross_validate

from bench.harness import CallbackClient, Stats, make_app, write_results
from dashboard.train.cv import run_cv, splitter
from dashboard.train.search import SearchSpec, candidates, run_search
from dashboard.train.spec import CVSpec, TrainSpec

CARAVAN_FEATURES = (
    "MOSTYPE",
    "MAANTHUI",
    "MGEMOMV",
    "MGEMLEEF",
    "MOSHOOFD",
    "MGODRK",
    "MGODPR",
    "MRELGE",
    "MINKGEM",
    "MKOOPKLA",
    "PPERSAUT",
    "PBRAND",
    "APERSAUT",
    "ABRAND",
)


def cv_overhead(training, repeats: int = 3) -> dict:
    spec = TrainSpec(
        dataset="caravan",
        target="Purchase",
        features=CARAVAN_FEATURES,
        estimator="random_forest",
        params={"n_estimators": 200, "min_samples_leaf": 3},
        cv=CVSpec(folds=5, seed=0),
    )
    prepared = training.prepare(spec)
    ours, raw = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        run_cv(prepared, spec.cv, n_jobs=2)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        # 0/1 labels so the baseline's ROC AUC and AP scorers work (Caravan's labels are "No"/"Yes").
        positive = (prepared.y == prepared.classes[1]).astype(int)
        cross_validate(
            prepared.build(),
            prepared.X,
            positive,
            cv=splitter(spec.cv, prepared.task),
            n_jobs=2,
            scoring=["accuracy", "roc_auc", "average_precision"],
            error_score="raise",
        )
        raw.append(time.perf_counter() - start)
    a, b = Stats.of(ours), Stats.of(raw)
    first_start = time.perf_counter()
    training.run(spec)
    first = time.perf_counter() - first_start
    cached = Stats.of([_timed(lambda: training.run(spec)) for _ in range(20)])
    return {
        "ours": a,
        "raw_cross_validate": b,
        "ratio": a.median / b.median,
        "first_run_s": first,
        "cached": cached,
        "cached_speedup": first / cached.median,
    }


def search_overhead(training, repeats: int = 2) -> dict:
    spec = TrainSpec(
        dataset="caravan",
        target="Purchase",
        features=CARAVAN_FEATURES,
        estimator="random_forest",
        params={"n_estimators": 100},
        cv=CVSpec(folds=5, seed=0),
    )
    search = SearchSpec(grid={"min_samples_leaf": [1, 5, 20], "max_features": [0.3, 1.0]}, metric="roc_auc")
    prepared = training.prepare(spec)
    tried = candidates(prepared.estimator, search)
    defaults = {p.name: p.default for p in prepared.estimator.params}
    reference_grid = [
        {f"model__{k}": [v] for k, v in {**spec.params, **(c or defaults), "max_depth": None}.items()} for c in tried
    ]
    positive = (prepared.y == prepared.classes[1]).astype(int)
    ours, raw = [], []
    for _ in range(repeats):
        ours.append(_timed(lambda: run_search(prepared, spec, search, n_jobs=2)))
        raw.append(
            _timed(
                lambda: (
                    GridSearchCV(
                        prepared.build(),
                        reference_grid,
                        cv=splitter(spec.cv, prepared.task),
                        scoring="roc_auc",
                        n_jobs=2,
                    )
                    .set_params(refit=False)
                    .fit(prepared.X, positive)
                )
            )
        )
    a, b = Stats.of(ours), Stats.of(raw)
    return {"ours": a, "raw_grid_search_cv": b, "ratio": a.median / b.median, "candidates": len(tried)}


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def threshold_callback(app, catalog, training, rows: int = 100_000) -> dict:
    X, y = make_classification(n_samples=rows, n_features=10, n_informative=5, weights=[0.9], random_state=0)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(10)]).assign(label=y)
    catalog.add_upload("clicks.parquet", _parquet(frame), name="synthetic-clicks")
    spec = TrainSpec(
        dataset="synthetic-clicks",
        target="label",
        features=tuple(f"x{i}" for i in range(10)),
        estimator="logistic_regression",
        cv=CVSpec(folds=5),
    )
    token, _, _ = training.run(spec)
    client = CallbackClient(app)
    key = "..train-confusion-graph.figure...train-cost-graph.figure.."
    samples, sizes = [], []
    rng = np.random.default_rng(0)
    for i in range(60):
        values = {
            "train-threshold-slider.value": float(rng.uniform(0.05, 0.95)),
            "train-cost-fp-input.value": 1,
            "train-cost-fn-input.value": 5 + i % 3,
            "train-benefit-tp-input.value": 0,
            "train-result-store.data": {"token": token, "task": "binary", "spec": spec.key()},
        }
        seconds, size, _ = client.call(key, values, "train-threshold-slider.value")
        if i >= 5:  # the first calls build the sorted-score view once
            samples.append(seconds)
            sizes.append(size)
    return {"callback": Stats.of(samples), "max_bytes": max(sizes), "rows": rows}


def _parquet(frame: pd.DataFrame) -> bytes:
    import io

    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def run() -> dict:
    print("== train ==")
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp), train_n_jobs=2)
        services = app.server.extensions["dashboard"]
        cv = cv_overhead(services.training)
        print(f"CV 5 folds RF(200) on Caravan, n_jobs=2  ours: {cv['ours'].ms()}")
        print(f"            raw cross_validate: {cv['raw_cross_validate'].ms()}   ratio {cv['ratio']:.2f}x")
        print(f"cached repeat: {cv['cached'].ms()}  vs first {cv['first_run_s']:.2f} s -> {cv['cached_speedup']:.0f}x")
        search = search_overhead(services.training)
        print(
            f"grid search {search['candidates']} candidates x 5 folds RF(100): ours {search['ours'].ms()}"
            f" vs GridSearchCV {search['raw_grid_search_cv'].ms()}  ratio {search['ratio']:.2f}x"
        )
        threshold = threshold_callback(app, services.catalog, services.training)
        print(
            f"threshold/cost callback on {threshold['rows']:,} OOF scores: {threshold['callback'].ms()}, "
            f"response ≤ {threshold['max_bytes'] / 1e3:.0f} kB"
        )
    results = {"cv": cv, "search": search, "threshold": threshold}
    print(f"written to {write_results('train', results)}")
    return results
