"""Serving the same pipeline three ways under the same load (issue 15): ours (``gunicorn -w 2 app:server``),
a minimal Flask endpoint (the floor: nothing but ``predict_proba``), and MLflow's ``models serve -w 2``
when it can be installed (in a venv of its own that this bench creates: ``var/bench-mlflow-venv``).

Per server: single-client latency (median of sequential requests), throughput with concurrent clients
for a fixed time, and the resident memory of each worker after the load. Every server must return the
same probabilities for the same row."""

from __future__ import annotations

import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import requests

from bench.harness import free_port

REPO = Path(__file__).resolve().parents[2]
MLFLOW_VENV = REPO / "var" / "bench-mlflow-venv"
ROW = {"Pclass": 3, "Sex": "male", "Age": 22, "SibSp": 1, "Parch": 0, "Fare": 7.25, "Embarked": "S"}


def _versions() -> list[str]:
    import numpy
    import pandas
    import scipy
    import sklearn

    return [f"scikit-learn=={sklearn.__version__}", f"pandas=={pandas.__version__}", f"numpy=={numpy.__version__}",
            f"scipy=={scipy.__version__}"]  # fmt: skip


def mlflow_python() -> Path | None:
    """The MLflow venv's Python, created on first use with the same scikit-learn, pandas and numpy as ours."""
    python = MLFLOW_VENV / "bin" / "python"
    if python.exists():
        return python
    print(f"  creating {MLFLOW_VENV} with mlflow (once; a minute or two) ...")
    made = subprocess.run([sys.executable, "-m", "venv", str(MLFLOW_VENV)], capture_output=True)
    pip = MLFLOW_VENV / "bin" / "pip"
    if made.returncode == 0:
        made = subprocess.run([str(pip), "install", "-q", "mlflow", *_versions()], capture_output=True, text=True)
    if made.returncode != 0:
        print(f"  MLflow row skipped: could not install mlflow ({(made.stderr or '')[-300:]!r})")
        subprocess.run(["rm", "-rf", str(MLFLOW_VENV)])
        return None
    return python


class Server:
    def __init__(self, name: str, command: list[str], env: dict[str, str], url: str, call: Callable) -> None:
        self.name, self.command, self.env, self.url, self.call = name, command, env, url, call
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(
            self.command, cwd=REPO, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        session = requests.Session()
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}")
            try:
                self.call(session)
                return self
            except (requests.RequestException, AssertionError):
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer")

    def __exit__(self, *exc) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)

    def worker_memory_mb(self) -> list[dict[str, float]]:
        """Memory of each process serving requests (the workers; the master only when alone): resident (RSS),
        proportional (PSS: shared pages split between their sharers) and private (USS)."""
        parents: dict[int, int] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                parents[int(stat.parent.name)] = int(fields[1])
            except (OSError, ValueError, IndexError):
                continue
        family, frontier = {self.process.pid}, [self.process.pid]
        while frontier:
            children = [pid for pid, parent in parents.items() if parent in frontier]
            family.update(children)
            frontier = children
        leaves = [pid for pid in family if not any(parents.get(other) == pid for other in family)] or list(family)
        return sorted((_memory_mb(pid) for pid in leaves), key=lambda m: m["rss"])


def _memory_mb(pid: int) -> dict[str, float]:
    kib = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, value = line.split(":", 1)
        kib[key] = int(value.split()[0])
    return {
        "rss": kib["Rss"] / 1024,
        "pss": kib["Pss"] / 1024,
        "uss": (kib["Private_Clean"] + kib["Private_Dirty"]) / 1024,
    }


def latency_ms(server: Server, repeats: int = 300, rows: list[dict] | None = None) -> float:
    session = requests.Session()
    for _ in range(30):
        server.call(session, rows)
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        server.call(session, rows)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1e3


def throughput(server: Server, clients: int, seconds: float) -> tuple[float, int]:
    counts, errors = [0] * clients, [0] * clients
    stop = time.monotonic() + seconds

    def client(i: int) -> None:
        session = requests.Session()
        while time.monotonic() < stop:
            try:
                server.call(session)
                counts[i] += 1
            except (requests.RequestException, AssertionError):
                errors[i] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds, sum(errors)


def _ours(root: Path, env: dict[str, str], *, preload: bool = False) -> Server:
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    def call(session, rows=None):
        body = {"instances": rows} if rows else ROW
        response = session.post(f"{url}/api/models/titanic-survival/predict", json=body, timeout=30)
        assert response.status_code == 200, response.text
        return (
            [list(p.values()) for p in response.json()["probabilities"]]
            if rows
            else list(response.json()["probabilities"][0].values())
        )

    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    env = {**env, "DASHBOARD_PORT": str(port), "DASHBOARD_PRELOAD": str(preload).lower()}  # see gunicorn.conf.py
    command = [gunicorn, "-w", "2", "-b", f"127.0.0.1:{port}", "app:server"]
    return Server("ours --preload" if preload else "ours", command, env, url, call)


def _floor(root: Path, env: dict[str, str]) -> Server:
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    def call(session, rows=None):
        response = session.post(f"{url}/predict", json=rows or ROW, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()["probabilities"] if rows else response.json()["probabilities"][0]

    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    command = [gunicorn, "-c", "/dev/null", "-w", "2", "-b", f"127.0.0.1:{port}", "bench.peers.minimal_flask:app"]
    return Server("minimal Flask", command, {**env, "BENCH_MODEL_DIR": str(root / "models")}, url, call)


def _mlflow(root: Path, env: dict[str, str], python: Path) -> Server:
    import skops.io as sio

    from model_store import ModelStore

    pipeline = ModelStore(root / "models").load("titanic-survival").model
    handed_over = root / "pipeline.skops"
    sio.dump(pipeline, handed_over)
    model_path = root / "mlflow-model"
    shutil.rmtree(model_path, ignore_errors=True)
    saved = subprocess.run(
        [str(python), str(REPO / "bench" / "peers" / "mlflow_save.py"), str(handed_over), str(model_path)],
        capture_output=True, text=True,
    )  # fmt: skip
    if saved.returncode != 0:
        raise RuntimeError(f"could not save the MLflow model: {saved.stderr[-500:]}")
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    def call(session, rows=None):
        response = session.post(f"{url}/invocations", json={"dataframe_records": rows or [ROW]}, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()["predictions"] if rows else response.json()["predictions"][0]

    mlflow = str(python.parent / "mlflow")
    command = [mlflow, "models", "serve", "-m", str(model_path), "-h", "127.0.0.1", "-p", str(port), "-w", "2",
               "--env-manager", "local"]  # fmt: skip
    clean_env = {k: v for k, v in env.items() if not k.startswith("VIRTUAL_ENV")}
    clean_env["PATH"] = f"{python.parent}:{clean_env.get('PATH', '')}"  # it execs uvicorn from its venv
    return Server("MLflow models serve", command, clean_env, url, call)


def _hundred_rows(root: Path) -> list[dict]:
    from dashboard.data.catalog import Catalog

    titanic = Catalog(root / "data", max_upload_bytes=10**9, max_columns=100).load("titanic")
    rows = titanic[list(ROW)].sample(n=100, random_state=0)
    return [{k: (None if pd.isna(v) else v) for k, v in row.items()} for row in rows.to_dict("records")]


def compare(root: Path, env: dict[str, str], *, clients: int = 8, seconds: float = 20.0) -> dict:
    servers = [_ours(root, env), _ours(root, env, preload=True), _floor(root, env)]
    python = mlflow_python()
    if python is not None:
        servers.append(_mlflow(root, env, python))
    hundred = _hundred_rows(root)
    rows, answers = {}, {}
    for server in servers:
        with server:
            answers[server.name] = np.array(server.call(requests.Session(), hundred), dtype=float)
            latency = latency_ms(server)
            batch = latency_ms(server, 100, hundred)
            rps, errors = throughput(server, clients, seconds)
            memory = server.worker_memory_mb()
        rows[server.name] = {
            "latency_ms": latency, "batch_100_ms": batch, "rps": rps, "errors": errors, "worker_memory_mb": memory
        }  # fmt: skip
        print(
            f"  {server.name:22s} 1 row {latency:6.2f} ms   100 rows {batch:6.2f} ms   {rps:6.1f} req/s "
            f"({clients} clients, {errors} errors)   worker MB RSS/PSS/USS "
            + ", ".join(f"{m['rss']:.0f}/{m['pss']:.0f}/{m['uss']:.0f}" for m in memory)
        )
    reference = answers["minimal Flask"]
    same = {name: float(np.abs(answer - reference).max()) for name, answer in answers.items()}
    print(f"  largest probability difference from the floor: {same}")
    ours = rows["ours"]
    summary = {
        "latency_vs_floor": ours["latency_ms"] / rows["minimal Flask"]["latency_ms"],
        "batch_100_vs_floor": ours["batch_100_ms"] / rows["minimal Flask"]["batch_100_ms"],
    }
    if "MLflow models serve" in rows:
        summary["throughput_vs_mlflow"] = ours["rps"] / rows["MLflow models serve"]["rps"]
    print("  " + ", ".join(f"{k} {v:.2f}x" for k, v in summary.items()))
    return {"servers": rows, "max_probability_difference": same, **summary, "clients": clients, "seconds": seconds}
