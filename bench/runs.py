"""Issue 32 figures (``python -m bench runs``):

- 100,000 runs in the runs store (SQLite, and PostgreSQL: a throwaway cluster, or ``BENCH_POSTGRES_URL``): server
  time of the /runs grid's first page, a sort by score, a filter (model starts with "random", score above 0.8) and
  a quick search, each p95 of 20, through the same ``grid_query`` the page's callback uses; side by side with
  ``mlflow.search_runs`` over the same 100,000 runs in MLflow's SQLite tracking store (a venv of its own:
  ``BENCH_MLFLOW_PYTHON``, default ``/tmp/mlvenv/bin/python``; its 100,000 runs are logged once and kept in
  ``var/bench-mlflow``);
- what recording a run adds to a 5-fold CV on Titanic: the same CV with and without the journal, alternated,
  each a new seed (nothing cached);
- "Try every model" on Caravan within a 2-minute budget: families tried and the best ROC AUC, against one TPE
  search of a random forest on the same folds (``BENCH_RUNS_CARAVAN=0`` leaves it out).

The 100,000 runs are written in bulk (the bench's data, not a figure): each a real run's row shape with random
models, scores, tags and parameters."""

from __future__ import annotations

import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.harness import REPO, Stats, make_app, serve_app, write_results
from callbacks.runs import grid_query, grid_row
from dashboard.errors import Cancelled
from dashboard.runs.database import Database, sqlite_url
from dashboard.runs.schema import runs as runs_table
from dashboard.runs.store import RunStore, search_text
from dashboard.train.spec import CVSpec, TrainSpec

RUNS = 100_000
MODELS = ("logistic_regression", "random_forest", "gradient_boosting", "svm", "knn", "decision_tree")
DATASETS = ("titanic", "adult", "caravan", "penguins", "wine")
QUERIES = {
    "first page": ({"startRow": 0, "endRow": 100}, ""),
    "sort by score": ({"startRow": 0, "endRow": 100, "sortModel": [{"colId": "score", "sort": "desc"}]}, ""),
    "filter": (
        {
            "startRow": 0,
            "endRow": 100,
            "filterModel": {
                "model": {"filterType": "text", "type": "startsWith", "filter": "random"},
                "score": {"filterType": "number", "type": "greaterThan", "filter": 0.8},
            },
        },
        "",
    ),
    "quick search": ({"startRow": 0, "endRow": 100}, "baseline"),
}
MLFLOW_FILTERS = {
    "first page": ("", ["attributes.start_time DESC"]),
    "sort by score": ("", ["metrics.score DESC"]),
    "filter": ("params.model LIKE 'random%' and metrics.score > 0.8", ["attributes.start_time DESC"]),
    "quick search": ("tags.label = 'baseline'", ["attributes.start_time DESC"]),
}
SPEC = TrainSpec(
    dataset="titanic",
    target="Survived",
    features=("Pclass", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked"),
    estimator="logistic_regression",
    cv=CVSpec(folds=5),
)


def synthetic_runs(n: int, seed: int = 0):
    rng = random.Random(seed)
    for i in range(n):
        model, dataset = rng.choice(MODELS), rng.choice(DATASETS)
        params = {"C": round(10 ** rng.uniform(-3, 3), 4), "max_depth": rng.choice([None, 3, 5, 10])}
        score = round(rng.uniform(0.5, 0.95), 4)
        tags = ["baseline"] if rng.random() < 0.02 else []
        row = {
            "token": f"bench:{i}",
            "kind": "cv" if rng.random() < 0.7 else "candidate",
            "dataset": dataset,
            "fingerprint": "f" * 16,
            "target": "y",
            "task": "binary",
            "model": model,
            "spec": {"estimator": model, "params": params},
            "params": params,
            "metrics": {"roc_auc": {"mean": score, "std": 0.01}},
            "folds": [{"roc_auc": score}] * 5,
            "metric": "roc_auc",
            "score": score,
            "higher_is_better": True,
            "fit_seconds": rng.uniform(0.01, 5),
            "predict_ms_per_row": rng.uniform(0.001, 0.1),
            "rows": 1000,
            "status": "finished",
            "progress": 5,
            "actor": rng.choice(["ed", "ann", "local"]),
            "created_at": 1_700_000_000 + i,
            "heartbeat_at": 1_700_000_000 + i,
            "finished_at": 1_700_000_000 + i,
            "tags": tags,
            "note": "",
            "link": "/train?dataset=" + dataset,
            "revision": 1,
        }
        row["search_text"] = search_text(row)
        yield row


def fill(store: RunStore, n: int) -> float:
    start = time.perf_counter()
    rows = list(synthetic_runs(n))
    with store.database.writing() as connection:
        for chunk in range(0, n, 5000):
            connection.execute(runs_table.insert(), rows[chunk : chunk + 5000])
    return time.perf_counter() - start


def grid_times(store: RunStore, repeats: int = 20) -> dict[str, Stats]:
    times = {}
    for name, (request, search) in QUERIES.items():
        samples = []
        for _ in range(repeats):
            start = time.perf_counter()
            page = store.page(grid_query(request, search, None))
            [grid_row(r | {"reopenable": True, "dataset_state": "present"}) for r in page.rows]
            samples.append(time.perf_counter() - start)
        times[name] = Stats.of(samples)
        print(f"  {name:14s} {times[name].ms()}  ({page.total:,} match)")
    return times


def mlflow_times(repeats: int = 3) -> dict[str, Stats] | None:
    """Fewer repeats than ours: on 100,000 runs a sorted or filtered ``search_runs`` takes minutes a call."""
    python = os.environ.get("BENCH_MLFLOW_PYTHON", "/tmp/mlvenv/bin/python")
    if not Path(python).exists():
        print(f"  mlflow: no Python at {python} (pip install mlflow-skinny sqlalchemy alembic there); skipped")
        return None
    store = REPO / "var" / "bench-mlflow"
    store.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [
            python,
            str(Path(__file__).parent / "peers" / "mlflow_runs.py"),
            str(store),
            str(RUNS),
            json.dumps(MLFLOW_FILTERS),
            str(repeats),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print("  mlflow failed:", done.stderr[-2000:])
        return None
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    return {name: Stats.of(samples) for name, samples in measured.items()}


def recording_overhead(tmp: Path, repeats: int = 7) -> dict[str, float]:
    """The same 5-fold CV, cache cleared each time, with the journal and with none, alternated."""
    app = make_app(tmp / "overhead", train_n_jobs=2)
    training = app.server.extensions["dashboard"].training
    journal = training.journal
    training.run(SPEC)  # warm: imports, the dataset read
    samples: dict[str, list[float]] = {"with": [], "without": []}
    for i in range(2 * repeats):
        which = "with" if i % 2 == 0 else "without"
        training.journal = journal if which == "with" else _no_journal()
        spec = SPEC.model_copy(update={"cv": CVSpec(folds=5, seed=1000 + i)})  # a new run: nothing cached
        start = time.perf_counter()
        training.run(spec)
        samples[which].append(time.perf_counter() - start)
    training.journal = journal
    with_, without = statistics.median(samples["with"]), statistics.median(samples["without"])
    print(
        f"  5-fold CV on Titanic: {without * 1e3:.0f} ms without, {with_ * 1e3:.0f} ms with a run record "
        f"(+{100 * (with_ / without - 1):.1f} %, medians of {repeats})"
    )
    return {"with_ms": with_ * 1e3, "without_ms": without * 1e3, "overhead_pct": 100 * (with_ / without - 1)}


def try_every_model_on_caravan(tmp: Path, budget: float = 120.0, trials: int = 80) -> dict:
    """ "Try every model" on Caravan within ``budget``, against one TPE search (random forest, ``trials``
    candidates, the same folds): models tried, the best ROC AUC, and the seconds each took."""
    from dashboard.runs.leaderboard import leaderboard, starting_spec, try_every_model
    from dashboard.train.search import SearchSpec

    app = make_app(tmp / "caravan", train_n_jobs=2)
    services = app.server.extensions["dashboard"]
    spec = starting_spec(services.training, "caravan", "Purchase")
    start = time.perf_counter()
    done = try_every_model(services.training, spec, budget)
    seconds = time.perf_counter() - start
    board = leaderboard(services.runs, services.catalog, "caravan", "Purchase")
    best = board["models"][0]
    print(
        f"  try every model on Caravan ({budget:.0f} s budget): {len(done['tried'])} families in {seconds:.0f} s, "
        f"skipped {done['skipped']}; best {best['model']} ROC AUC {best['score']:.4f}"
    )
    forest = spec.model_copy(update={"estimator": "random_forest"})
    search = SearchSpec(
        mode="tpe", ranges={"min_samples_leaf": (1.0, 60.0), "max_features": (0.1, 1.0)}, candidates=trials, seed=0
    )
    # The same budget: the search is stopped when it is spent, its best complete candidate so far kept.
    seen: dict[str, Any] = {"best": None, "done": 0}

    def on_result(rows, done, _total):
        complete = [r["mean"] for r in rows if r.get("mean") is not None and not r.get("pruned")]
        seen["best"], seen["done"] = (max(complete) if complete else None), done

    start = time.perf_counter()
    with contextlib.suppress(Cancelled):  # the budget spent
        services.training.search(
            forest, search, on_result=on_result, cancelled=lambda: time.perf_counter() - start > budget
        )
    tpe_seconds = time.perf_counter() - start
    tpe_best = seen["best"]
    print(
        f"  one TPE search (random forest, same folds, the same {budget:.0f} s budget): {seen['done']} trials in "
        f"{tpe_seconds:.0f} s, best ROC AUC {tpe_best:.4f}"
    )
    return {
        "tried": [t["model"] for t in done["tried"]],
        "failed": [t["model"] for t in done["tried"] if t["status"] != "finished"],
        "skipped": done["skipped"],
        "seconds": seconds,
        "best": {"model": best["model"], "roc_auc": best["score"]},
        "tpe": {"trials": seen["done"], "seconds": tpe_seconds, "best_roc_auc": tpe_best},
    }


FIRST_ROW = """
var row = document.querySelector('#runs-grid .ag-center-cols-container [row-index="0"] [col-id="id"]');
return row ? row.textContent.trim() : null;
"""


def chromium_times(tmp: Path, database: Path, repeats: int = 5) -> dict[str, Stats]:
    """The /runs page of a real ``python app.py`` on the 100,000 runs, in headless Chromium: from opening the page
    (a new browser each time) to its first rows drawn; from clicking Score's header to the best run on top; from
    a quick search to its first match on top. Each measured ``repeats`` times, after one visit that warms the
    server."""
    from bench.browser import _chromium, _wait

    app, base = serve_app(tmp / "chromium", runs_db=sqlite_url(database))
    samples: dict[str, list[float]] = {"open": [], "sort by score": [], "quick search": []}
    store = RunStore(Database(sqlite_url(database)))
    best = str(
        store.page(
            grid_query({"startRow": 0, "endRow": 1, "sortModel": [{"colId": "score", "sort": "desc"}]}, "", None)
        ).rows[0]["id"]
    )
    found = str(store.page(grid_query({"startRow": 0, "endRow": 1}, "baseline", None)).rows[0]["id"])
    newest = str(store.page(grid_query({"startRow": 0, "endRow": 1}, "", None)).rows[0]["id"])
    try:
        for attempt in range(repeats + 1):  # the first warms the server (its bundles compressed once): not counted
            driver = _chromium()
            try:
                start = time.perf_counter()
                driver.get(base + "/runs")
                _wait(driver, lambda d=driver: d.execute_script(FIRST_ROW) == newest)
                samples["open"].append(time.perf_counter() - start)
                header = driver.find_element(
                    "css selector", '#runs-grid .ag-header-cell[col-id="score"] .ag-header-cell-label'
                )
                start = time.perf_counter()
                header.click()  # ascending first, then descending: the best on top
                header.click()
                _wait(driver, lambda d=driver: d.execute_script(FIRST_ROW) == best)
                samples["sort by score"].append(time.perf_counter() - start)
                search = driver.find_element("id", "runs-search-input")
                start = time.perf_counter()
                search.send_keys("baseline\n")
                _wait(driver, lambda d=driver: d.execute_script(FIRST_ROW) == found)
                samples["quick search"].append(time.perf_counter() - start)
                if attempt == 0:
                    samples = {name: [] for name in samples}
            finally:
                driver.quit()
    finally:
        app.kill()
        app.wait()
        store.database.engine.dispose()
    times = {name: Stats.of(values) for name, values in samples.items()}
    for name, stats in times.items():
        print(f"  Chromium {name:13s} {stats.ms()}")
    return times


def _no_journal():
    from dashboard.journal import NoJournal

    return NoJournal()


def run() -> dict:
    print("== runs ==")
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        results["recording"] = recording_overhead(tmp_path)
        if os.environ.get("BENCH_RUNS_CARAVAN", "1") == "1":
            results["caravan"] = try_every_model_on_caravan(tmp_path)
        for backend, url in _backends(tmp_path):
            store = RunStore(Database(url))
            print(f"  {backend}: {RUNS:,} runs written in {fill(store, RUNS):.1f} s")
            results[backend] = {k: v.__dict__ for k, v in grid_times(store).items()}
            store.database.engine.dispose()
        results["chromium"] = {k: v.__dict__ for k, v in chromium_times(tmp_path, tmp_path / "runs.sqlite3").items()}
    peer = mlflow_times()
    if peer:
        results["mlflow.search_runs"] = {k: v.__dict__ for k, v in peer.items()}
        for name, stats in peer.items():
            ours = results["sqlite"][name]["p95"]
            print(f"  mlflow {name:14s} {stats.ms()}  (ours p95 / mlflow p95 = {ours / stats.p95:.3f})")
    write_results("runs", results)
    return results


def _backends(tmp: Path):
    """SQLite, then PostgreSQL: ``BENCH_POSTGRES_URL``, or a throwaway cluster as the tests start one."""
    yield "sqlite", sqlite_url(tmp / "runs.sqlite3")
    if os.environ.get("BENCH_POSTGRES_URL"):
        yield "postgresql", os.environ["BENCH_POSTGRES_URL"]
        return
    from tests.postgres import start_postgres, stop_postgres

    server, url = start_postgres()
    try:
        yield "postgresql", url
    finally:
        stop_postgres(server)


if __name__ == "__main__":
    sys.exit(run() and 0)
