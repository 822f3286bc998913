"""Scale-out figures (issue 12), each against its baseline in the same run, on real processes:
redis-server and 1 or 2 Celery workers (concurrency 1) started here, on loopback.

- 5-fold CV through a Celery worker (broker, Redis memo, JSON results) vs the same service in-process
  with the local diskcache memo, the single-machine path (target <= 1.15x).
- Submit -> first progress: an API job until a worker has claimed it (status "running"), and a CV until
  its first fold reaches Redis (vs the first fold in-process).
- API job throughput and CV wall time with 2 workers vs 1 (ratio).
"""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from pathlib import Path

import redis

from bench.harness import Stats, write_results
from dashboard.jobs.layer import Memo
from dashboard.services import build_services
from dashboard.settings import Settings
from dashboard.train.spec import CVSpec, TrainSpec
from tests.scaleout.cluster import cluster_env, start_redis, start_worker, stop, wait_until

CARAVAN = ("MOSTYPE", "MAANTHUI", "MGEMOMV", "MGEMLEEF", "MOSHOOFD", "MGODRK", "MGODPR", "MRELGE", "PPERSAUT")
ROWS = "3,male,22,1,0,7.25,S"


def cv_spec(seed: int, trees: int = 200) -> TrainSpec:
    return TrainSpec(
        dataset="caravan",
        target="Purchase",
        features=CARAVAN,
        estimator="random_forest",
        params={"n_estimators": trees, "min_samples_leaf": 3},
        cv=CVSpec(folds=5, seed=seed),
    )


def settings_for(root: Path, redis_url: str, **overrides) -> Settings:
    values = dict(data_dir=root / "data", cache_dir=root / "cache", model_dir=root / "models", demo_models=False)
    return Settings(job_backend="celery", redis_url=redis_url, log_level="WARNING", **{**values, **overrides})


def flush_memo(url: str) -> None:
    client = redis.Redis.from_url(url)
    for key in client.scan_iter("dashboard:memo:*"):
        client.delete(key)


class Workers:
    def __init__(self, root: Path, redis_url: str, count: int, n_jobs: int) -> None:
        env = cluster_env(root, redis_url, DASHBOARD_TRAIN_N_JOBS=str(n_jobs), DASHBOARD_LOG_LEVEL="WARNING")
        self.processes = [start_worker(root, env, f"bench-{i}", "bench.scaleout_worker:celery") for i in range(count)]
        self.celery = build_services(settings_for(root, redis_url)).jobs.celery
        wait_until(lambda: len(self.celery.control.ping(timeout=1)) == count, 120, f"{count} workers answering")

    def cv(self, spec: TrainSpec):
        key = f"bench:progress:{uuid.uuid4().hex}"
        return self.celery.send_task("bench.cv", args=[spec.model_dump(mode="json"), key]), key

    def close(self) -> None:
        stop(self.processes)


def overhead_and_latency(root: Path, url: str, services, repeats: int) -> dict:
    """1 worker with 2 fold processes, as the in-process path: the Celery path's cost and first-event times."""
    local_root = root / "local"
    workers = Workers(root, url, 1, n_jobs=2)
    client = redis.Redis.from_url(url)
    local, remote, first_local, first_remote, claim = [], [], [], [], []
    try:
        for i in [-1, *range(repeats)]:  # -1: warm-up of both paths (loky's fold processes start), not counted
            spec = cv_spec(seed=i + 1)
            shutil.rmtree(local_root, ignore_errors=True)
            services.training.memo = Memo.local(local_root, 10**9)  # the single-machine memo, empty
            start, first = time.perf_counter(), []

            def on_fold(*_, first=first, start=start):
                if not first:
                    first.append(time.perf_counter() - start)

            services.training.run(spec, on_fold=on_fold)
            if i >= 0:
                local.append(time.perf_counter() - start)
                first_local.append(first[0])
            flush_memo(url)
            start, first = time.perf_counter(), None
            task, key = workers.cv(spec)
            while not task.ready():
                if first is None and client.get(key) is not None:
                    first = time.perf_counter() - start
                time.sleep(0.005)
            assert task.get()["cached"] is False
            if i >= 0:
                remote.append(time.perf_counter() - start)
                first_remote.append(first if first is not None else remote[-1])
        # submit -> a worker has claimed the API job
        for _ in range(10):
            start = time.perf_counter()
            job = services.queue.submit("batch_predict", {"model": "titanic-survival", "version": 1}, csv(100))
            while services.queue.get(job["id"])["status"] == "queued":
                time.sleep(0.002)
            claim.append(time.perf_counter() - start)
            wait_until(lambda j=job: services.queue.get(j["id"])["status"] == "succeeded", 60, "job done")
    finally:
        workers.close()
    return {
        "cv_local_s": Stats.of(local),
        "cv_celery_s": Stats.of(remote),
        "cv_ratio": Stats.of(remote).median / Stats.of(local).median,
        "first_fold_local_s": Stats.of(first_local),
        "first_fold_celery_s": Stats.of(first_remote),
        "api_job_claimed_s": Stats.of(claim),
    }


def redis_up(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url).ping())
    except redis.ConnectionError:
        return False


def csv(rows: int) -> bytes:
    return "\n".join(["Pclass,Sex,Age,SibSp,Parch,Fare,Embarked"] + [ROWS] * rows).encode()


def throughput(root: Path, url: str, services, count: int, jobs: int = 16, cvs: int = 4) -> dict:
    workers = Workers(root, url, count, n_jobs=1)  # the workers are the parallelism here
    try:
        start = time.perf_counter()
        ids = [
            services.queue.submit("batch_predict", {"model": "titanic-survival", "version": 1}, csv(5_000))["id"]
            for _ in range(jobs)
        ]
        wait_until(lambda: all(services.queue.get(i)["status"] == "succeeded" for i in ids), 600, "jobs done")
        api_seconds = time.perf_counter() - start
        flush_memo(url)
        start = time.perf_counter()
        tasks = [workers.cv(cv_spec(seed=100 + i, trees=100))[0] for i in range(cvs)]
        for task in tasks:
            task.get(timeout=600)
        cv_seconds = time.perf_counter() - start
    finally:
        workers.close()
    return {"api_jobs_per_s": jobs / api_seconds, "api_seconds": api_seconds, "cv_wall_s": cv_seconds}


def run(repeats: int = 5) -> dict:
    from dashboard.data.catalog import Catalog
    from dashboard.train.demo import DEMO_MODELS, standalone_training, train_demo
    from model_store import ModelStore

    root = Path(tempfile.mkdtemp(prefix="bench-scaleout-"))
    redis_process, url = start_redis(root)
    try:
        wait_until(lambda: redis_up(url), 30, "redis answering")
        services = build_services(settings_for(root, url))
        catalog = Catalog(root / "data", max_upload_bytes=10**8, max_columns=2000)
        training = standalone_training(catalog, ModelStore(root / "models"), root / "bench-cache")
        train_demo(DEMO_MODELS[0], training, folds=2)
        catalog.load("caravan")  # materialised once, outside every timing
        results = {"overhead": overhead_and_latency(root, url, services, repeats)}
        results["one_worker"] = throughput(root, url, services, 1)
        results["two_workers"] = throughput(root, url, services, 2)
    finally:
        stop([redis_process])
        shutil.rmtree(root, ignore_errors=True)
    one, two, over = results["one_worker"], results["two_workers"], results["overhead"]
    results["api_throughput_ratio"] = two["api_jobs_per_s"] / one["api_jobs_per_s"]
    results["cv_wall_ratio"] = one["cv_wall_s"] / two["cv_wall_s"]
    print("\nscale-out (redis-server + Celery workers on this machine)")
    print(f"  5-fold CV, Caravan RF(200), n_jobs=2: in-process {over['cv_local_s'].ms()}")
    print(f"                                        Celery     {over['cv_celery_s'].ms()}")
    print(f"  Celery / in-process (median)        : {over['cv_ratio']:.3f}x  (target <= 1.15x)")
    print(f"  first fold: in-process {over['first_fold_local_s'].ms()}")
    print(f"              Celery     {over['first_fold_celery_s'].ms()}")
    print(f"  API job submit -> claimed by a worker: {over['api_job_claimed_s'].ms()}  (target <= 1 s)")
    print(
        f"  API jobs (16 x 5,000 rows): 1 worker {one['api_jobs_per_s']:.2f}/s, 2 workers {two['api_jobs_per_s']:.2f}/s"
    )
    print(f"    -> {results['api_throughput_ratio']:.2f}x")
    print(f"  4 CVs at once: 1 worker {one['cv_wall_s']:.1f} s, 2 workers {two['cv_wall_s']:.1f} s")
    print(f"    -> {results['cv_wall_ratio']:.2f}x faster")
    write_results("scaleout", results)
    return results
