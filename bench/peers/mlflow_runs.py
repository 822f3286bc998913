"""Run by the MLflow venv's Python: the same 100,000 runs in MLflow's SQLite tracking store, logged through
its client once (kept in the store folder for the next bench run), then ``mlflow.search_runs`` timed on the
bench's four queries (the first 100 rows each, as the runs grid asks). argv: store folder, number of runs, the
queries as JSON {name: [filter_string, order_by]}, repeats. Prints {name: [seconds...]} as its last line."""

import json
import random
import sqlite3
import sys
import time

import mlflow
from mlflow.entities import Metric, Param, RunTag
from mlflow.tracking import MlflowClient

MODELS = ("logistic_regression", "random_forest", "gradient_boosting", "svm", "knn", "decision_tree")

folder, wanted, queries, repeats = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), int(sys.argv[4])
uri = f"sqlite:///{folder}/mlflow.db"
mlflow.set_tracking_uri(uri)
client = MlflowClient(uri)
experiment = client.get_experiment_by_name("bench-runs")
experiment_id = experiment.experiment_id if experiment else client.create_experiment("bench-runs")
with sqlite3.connect(f"{folder}/mlflow.db") as db:  # search_runs stops at 50,000: count where they are kept
    have = db.execute("SELECT count(*) FROM runs WHERE experiment_id = ?", (experiment_id,)).fetchone()[0]
if have < wanted:
    rng = random.Random(have)
    start = time.perf_counter()
    for i in range(have, wanted):
        run = client.create_run(experiment_id, start_time=1_700_000_000_000 + i, tags={"label": "x"})
        score = round(rng.uniform(0.5, 0.95), 4)
        client.log_batch(
            run.info.run_id,
            metrics=[Metric("score", score, 1_700_000_000_000 + i, 0)],
            params=[Param("model", rng.choice(MODELS)), Param("C", str(round(10 ** rng.uniform(-3, 3), 4)))],
            tags=[RunTag("label", "baseline" if rng.random() < 0.02 else "x")],
        )
        client.set_terminated(run.info.run_id)
        if i % 5000 == 0:
            print(f"logged {i:,} runs in {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
timings = {}
for name, (filter_string, order_by) in queries.items():
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        mlflow.search_runs([experiment_id], filter_string=filter_string, order_by=order_by, max_results=100)
        samples.append(time.perf_counter() - start)
    timings[name] = samples
print(json.dumps(timings))
