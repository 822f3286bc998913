"""Serving figures (issue 4), each against its baseline in the same run.

- REST single-row predict on the dev server (``python app.py``): median latency minus the median of
  in-process ``pipeline.predict_proba`` on the same row.
- Requests/s with 2 gunicorn workers (bounded loopback load) vs in-process predictions/s on one core.
- Batch scoring of 100,000 rows (validate + score + formula-safe CSV) vs raw read_csv + predict_proba + to_csv.
- ModelStore.load of the Titanic model, cold (fresh store) and warm (cached).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
import requests

from bench.harness import Stats, free_port, write_results
from bench.peers.compare import compare

PEER_CLIENTS = 8

REPO = Path(__file__).resolve().parents[1]
ROW = {"Pclass": 3, "Sex": "male", "Age": 22, "SibSp": 1, "Parch": 0, "Fare": 7.25, "Embarked": "S"}


def _train(root: Path) -> None:
    from dashboard.data.catalog import Catalog
    from dashboard.train.demo import DEMO_MODELS, standalone_training, train_demo
    from model_store import ModelStore

    catalog = Catalog(root / "data", max_upload_bytes=10**9, max_columns=100)
    train_demo(DEMO_MODELS[0], standalone_training(catalog, ModelStore(root / "models"), root / "bench-cache"), folds=2)


def _env(root: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DASHBOARD_PORT": str(port),
        "DASHBOARD_DATA_DIR": str(root / "data"),
        "DASHBOARD_CACHE_DIR": str(root / "cache"),
        "DASHBOARD_MODEL_DIR": str(root / "models"),
        "DASHBOARD_DEMO_MODELS": "false",
        "DASHBOARD_LOG_LEVEL": "WARNING",
    }


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if requests.get(f"{url}/api/health", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError("server did not become healthy")


def _samples(fn, repeats: int, warmup: int = 20) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def rest_overhead(root: Path, repeats: int = 300) -> dict:
    from model_store import ModelStore

    pipeline = ModelStore(root / "models").load("titanic-survival").model
    frame = pd.DataFrame([ROW])
    inproc = Stats.of(_samples(lambda: pipeline.predict_proba(frame), repeats))
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "app.py"], cwd=REPO, env=_env(root, port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, server)
        session = requests.Session()

        def call():
            response = session.post(f"{url}/api/models/titanic-survival/predict", json=ROW, timeout=10)
            assert response.status_code == 200, response.text

        rest = Stats.of(_samples(call, repeats))
    finally:
        server.terminate()
        server.wait(10)
    return {"rest": rest, "in_process": inproc, "overhead_ms": (rest.median - inproc.median) * 1e3}


def gunicorn_throughput(root: Path, seconds: float = 8.0, clients: int = 4) -> dict:
    from model_store import ModelStore

    pipeline = ModelStore(root / "models").load("titanic-survival").model
    frame = pd.DataFrame([ROW])
    start, done = time.perf_counter(), 0
    while time.perf_counter() - start < 2.0:
        pipeline.predict_proba(frame)
        done += 1
    inproc_rps = done / (time.perf_counter() - start)
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "app:server",
        ],
        cwd=REPO,
        env=_env(root, port),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    counts, errors = [0] * clients, [0] * clients
    try:
        _wait_healthy(url, server)
        for _ in range(20):  # warm both workers' model caches
            requests.post(f"{url}/api/models/titanic-survival/predict", json=ROW, timeout=10)
        stop = time.monotonic() + seconds

        def client(i: int) -> None:
            session = requests.Session()
            while time.monotonic() < stop:
                ok = session.post(f"{url}/api/models/titanic-survival/predict", json=ROW, timeout=10).ok
                counts[i] += ok
                errors[i] += not ok

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait(10)
    rps = sum(counts) / seconds
    return {
        "gunicorn_2_workers_rps": rps,
        "errors": sum(errors),
        "in_process_1_core_rps": inproc_rps,
        "ratio_to_one_core": rps / inproc_rps,
        "clients": clients,
    }


def batch_scoring(root: Path, rows: int = 100_000, repeats: int = 3) -> dict:
    from dashboard.data.catalog import Catalog
    from dashboard.monitoring import PredictionLog
    from dashboard.serving.service import Serving
    from dashboard.serving.tables import read_batch_csv, results_csv
    from model_store import ModelStore

    loaded = ModelStore(root / "models").load("titanic-survival")
    titanic = Catalog(root / "data", max_upload_bytes=10**9, max_columns=100).load("titanic")
    features = ["Pclass", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked"]
    content = titanic[features].sample(n=rows, replace=True, random_state=0).to_csv(index=False).encode()

    def raw():
        frame = pd.read_csv(io.BytesIO(content))
        proba = loaded.model.predict_proba(frame)
        out = frame.assign(**{f"probability_{c}": proba[:, i] for i, c in enumerate(loaded.model.classes_)})
        return out.to_csv(index=False)

    log = PredictionLog(root / "bench-prediction-log")

    def ours():  # the Predict page's batch path: validate, score, log the predictions, write the CSV
        batch = read_batch_csv(content, loaded.card["schema"])
        scored = Serving().score(loaded, batch)
        log.record_table(loaded.name, loaded.version, batch.frame, scored, door="batch", request_id="bench")
        return results_csv(batch.inputs, scored)

    raw_s, ours_s = [], []
    for _ in range(repeats):
        raw_s += _samples(raw, 1, warmup=0)
        ours_s += _samples(ours, 1, warmup=0)
    a, b = Stats.of(ours_s), Stats.of(raw_s)
    return {"ours": a, "raw": b, "ratio": a.median / b.median, "rows": rows}


def store_load(root: Path, repeats: int = 5) -> dict:
    from model_store import ModelStore

    cold = [
        _samples(lambda: ModelStore(root / "models").load("titanic-survival"), 1, warmup=0)[0] for _ in range(repeats)
    ]
    store = ModelStore(root / "models")
    store.load("titanic-survival")
    warm = _samples(lambda: store.load("titanic-survival"), 50, warmup=0)
    return {"cold": Stats.of(cold), "warm": Stats.of(warm)}


def run() -> dict:
    print("== serving ==")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _train(root)
        load = store_load(root)
        print(f"ModelStore.load titanic  cold: {load['cold'].ms()}")
        print(f"                         warm: {load['warm'].ms()}")
        rest = rest_overhead(root)
        print(f"REST predict (dev server): {rest['rest'].ms()}")
        print(f"in-process predict_proba:  {rest['in_process'].ms()}")
        print(f"  median overhead {rest['overhead_ms']:.2f} ms")
        load_test = gunicorn_throughput(root)
        print(
            f"gunicorn -w 2: {load_test['gunicorn_2_workers_rps']:.0f} req/s ({load_test['clients']} clients, "
            f"{load_test['errors']} errors); in-process one core {load_test['in_process_1_core_rps']:.0f}/s; "
            f"ratio {load_test['ratio_to_one_core']:.2f}"
        )
        print(f"same pipeline served three ways, {PEER_CLIENTS} concurrent clients:")
        peers = compare(root, _env(root, 8050), clients=PEER_CLIENTS)
        batch = batch_scoring(root)
        print(f"batch {batch['rows']:,} rows  ours: {batch['ours'].ms()}")
        print(f"    raw read_csv+predict_proba+to_csv: {batch['raw'].ms()}   ratio {batch['ratio']:.2f}x")
    results = {"store_load": load, "rest": rest, "gunicorn": load_test, "batch": batch, "peers": peers}
    print(f"written to {write_results('serving', results)}")
    return results
