"""Issue 17 figures, each against its baseline in the same run (``python -m bench monitoring``).

- Logging overhead on a single-row REST predict at 100 % sampling: the server time of
  ``POST /api/models/titanic-survival/predict`` through Flask's test client with the model's log on,
  interleaved with the same request with its log switched off (goal: at most 5 % more).
- A drift report over 1,000,000 logged rows x 20 features (Caravan's first 20 columns, logged as ten
  100,000-row batches, half of them shifted) through the monitoring service: reading the log's Parquet
  partitions, PSI and KS per column, and the prediction drift (the reference's answers computed now).
  Its baseline is the same statistics with numpy and scipy (`np.histogram`, `ks_2samp`) on arrays already in
  memory (goal: 5 s).
- The same report over the same rows logged as 2,000 partitions of 500 rows, as form and REST requests are
  written: the first report merges them (``dashboard.monitoring.compaction``), the next ones read one file.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from bench.harness import Stats, make_app, write_results
from dashboard.monitoring.compaction import COMPACT_AT

ROW = {"Pclass": 3, "Sex": "male", "Age": 22, "SibSp": 1, "Parch": 0, "Fare": 7.25, "Embarked": "S"}
DRIFT_FEATURE_COUNT = 20
DRIFT_ROWS, DRIFT_BATCH = 1_000_000, 100_000


def logging_overhead(app, requests: int = 3000) -> dict:
    client = app.server.test_client()
    url = "/api/models/titanic-survival/predict"
    switch = "/api/models/titanic-survival/prediction-log"
    for _ in range(200):  # warm both paths
        client.post(url, json=ROW)
    on, off = [], []
    for i in range(requests):  # interleaved in blocks of 50, so drift in machine speed hits both alike
        logged = (i // 50) % 2 == 0
        if i % 50 == 0:
            client.put(switch, json={"enabled": logged})
        start = time.perf_counter()
        client.post(url, json=ROW)
        (on if logged else off).append(time.perf_counter() - start)
    a, b = Stats.of(on), Stats.of(off)
    mean_on, mean_off = float(np.mean(on)), float(np.mean(off))
    return {
        "logged": a,
        "not_logged": b,
        "median_ratio": a.median / b.median,
        "mean_ratio": mean_on / mean_off,  # the mean carries the buffer flushes (one Parquet write per 500)
    }


def drift_report(services, repeats: int = 3, partition_rows: int = DRIFT_BATCH, name: str = "caravan-drift") -> dict:
    """``partition_rows``: the rows per logged partition (a batch job writes one; form and REST requests are
    flushed every 500 records). The first report of a log of many small partitions merges them."""
    from scipy import stats

    from dashboard.monitoring import drift
    from dashboard.monitoring.service import LOG_SOURCE
    from dashboard.train.spec import CVSpec, TrainSpec

    columns = services.catalog.load("caravan").columns
    features = tuple(c for c in columns if c != "Purchase")[:DRIFT_FEATURE_COUNT]
    spec = TrainSpec(
        dataset="caravan",
        target="Purchase",
        features=features,
        estimator="logistic_regression",
        cv=CVSpec(folds=2),
    )
    token, _, _ = services.training.run(spec)
    version = services.training.save(spec, token, name)
    loaded = services.models.load(name, version.version)
    caravan = services.catalog.load("caravan")[list(features)]
    rng = np.random.default_rng(0)
    logged_frames = []
    for batch in range(DRIFT_ROWS // DRIFT_BATCH):
        rows = caravan.sample(n=DRIFT_BATCH, replace=True, random_state=batch).reset_index(drop=True)
        if batch % 2:  # recent customers are older and better educated in half the batches
            rows["MGEMLEEF"] = np.minimum(rows["MGEMLEEF"] + rng.integers(0, 2, DRIFT_BATCH), 6)
            rows["MOPLHOOG"] = np.minimum(rows["MOPLHOOG"] + 1, 9)
        scored = services.serving.score(loaded, _batch(rows, loaded.card["schema"]))
        for start in range(0, DRIFT_BATCH, partition_rows):
            part = slice(start, start + partition_rows)
            services.predictions.record_table(
                loaded.name, loaded.version, rows[part], scored[part], door="batch", request_id="b"
            )
        logged_frames.append(rows.assign(p=scored[f"probability_{loaded.card['classes'][1]}"].to_numpy()))
    partitions = len(list(services.predictions._partitions(name, f"v{version.version}/*/*.parquet")))
    unmerged = _unmerged_report(services, name, version.version) if partitions >= COMPACT_AT else None
    ours = []
    for _ in range(repeats):
        start = time.perf_counter()
        report = services.monitoring.drift(name, version.version, LOG_SOURCE)
        ours.append(time.perf_counter() - start)
    reference = services.models.reference(name, version.version)
    current = np.concatenate([f.to_numpy(dtype=float) for f in logged_frames])
    reference_p = loaded.model.predict_proba(reference)[:, 1]

    def raw():  # the same statistics on arrays in memory: the floor
        results = []
        for i, column in enumerate([*features, "p"]):
            ref = reference_p if column == "p" else reference[column].to_numpy(dtype=float)
            cur = current[:, i]
            edges = np.unique(np.quantile(ref, np.linspace(0, 1, 11)[1:-1]))
            bins = [-np.inf, *edges, np.inf]
            psi = drift.psi(np.histogram(ref, bins)[0] / len(ref), np.histogram(cur, bins)[0] / len(cur))
            results.append((psi, stats.ks_2samp(ref, cur).statistic))
        return results

    baseline = []
    for _ in range(repeats):
        start = time.perf_counter()
        expected = raw()
        baseline.append(time.perf_counter() - start)
    by_column = {c["column"]: c for c in report["columns"]}
    worst = max(abs(by_column[c]["psi"] - expected[i][0]) for i, c in enumerate(features))
    worst_ks = max(abs(by_column[c]["statistic"] - expected[i][1]) for i, c in enumerate(features))
    a, b = Stats.of(ours), Stats.of(baseline)
    return {
        "partitions": partitions,
        "first": ours[0],
        "unmerged": unmerged,
        "ours": a,
        "raw_in_memory": b,
        "ratio": a.median / b.median,
        "rows": DRIFT_ROWS,
        "features": len(features),
        "top": [(c["column"], round(c["psi"], 4)) for c in report["columns"][:3]],
        "prediction_psi": report["prediction"]["psi"],
        "largest_psi_difference": worst,
        "largest_ks_difference": worst_ks,
    }


def _unmerged_report(services, name: str, version: int) -> float:
    """The report as it was before the log merged its partitions: every small file read on its own."""
    from unittest import mock

    from dashboard.monitoring.service import LOG_SOURCE

    with mock.patch("dashboard.monitoring.log.COMPACT_AT", 10**9):
        start = time.perf_counter()
        services.monitoring.drift(name, version, LOG_SOURCE)
        return time.perf_counter() - start


def _batch(frame, schema):
    from dashboard.serving.tables import check_batch

    return check_batch(frame, schema)


def run() -> dict:
    print("== monitoring ==")
    with tempfile.TemporaryDirectory() as tmp:
        from dashboard.train.demo import DEMO_MODELS, train_demo

        app = make_app(Path(tmp), train_n_jobs=2)
        services = app.server.extensions["dashboard"]
        train_demo(DEMO_MODELS[0], services.training, folds=2)
        overhead = logging_overhead(app)
        print(
            f"single-row REST predict, log on: {overhead['logged'].ms()}\n"
            f"                        log off: {overhead['not_logged'].ms()}\n"
            f"   overhead: median {overhead['median_ratio']:.3f}x, mean {overhead['mean_ratio']:.3f}x"
        )
        drifted = drift_report(services)
        _print_drift(drifted)
        crowded = drift_report(services, partition_rows=500, name="caravan-drift-small", repeats=3)
        _print_drift(crowded)
        print(f"   of which the first merged the partitions; without merging: {crowded['unmerged'] * 1000:.0f} ms")
    results = {"logging": overhead, "drift": drifted, "drift_small_partitions": crowded}
    print(f"written to {write_results('monitoring', results)}")
    return results


def _print_drift(drifted: dict) -> None:
    print(
        f"drift report, {drifted['rows']:,} logged rows x {drifted['features']} features in "
        f"{drifted['partitions']:,} partitions: first {drifted['first'] * 1000:.0f} ms, {drifted['ours'].ms()}\n"
        f"   numpy/scipy on arrays in memory: {drifted['raw_in_memory'].ms()}  ratio {drifted['ratio']:.2f}x\n"
        f"   most drifted {drifted['top']}, prediction PSI {drifted['prediction_psi']:.4f}, "
        f"largest difference from the direct computation: PSI {drifted['largest_psi_difference']:.2e}, "
        f"KS {drifted['largest_ks_difference']:.2e}"
    )
