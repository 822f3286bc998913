"""A small cluster started by the suite itself: redis-server and PostgreSQL (the runs database) on free
ports, two Celery workers, and two web "machines" (gunicorn A with 2 workers, gunicorn B with 1) sharing the
data, model and cache dirs, Redis and PostgreSQL, as several machines would share a mount and two services."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import make_settings
from tests.postgres import start_postgres, stop_postgres
from tests.scaleout.cluster import cluster_env, healthy, start_redis, start_web, start_worker, stop, wait_until


@dataclass
class Cluster:
    root: Path
    redis_url: str
    runs_db: str
    env: dict[str, str]
    web: dict[str, str] = field(default_factory=dict)  # name -> base URL
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def settings(self, **overrides):
        return make_settings(
            self.root,
            job_backend="celery",
            redis_url=self.redis_url,
            runs_db=self.runs_db,
            job_heartbeat_seconds=1,
            **overrides,
        )

    def celery(self):
        from dashboard.jobs.celery_app import make_celery

        return make_celery(self.settings())

    def active_tasks(self) -> list[dict]:
        replies = self.celery().control.inspect(timeout=2).active() or {}
        return [task for tasks in replies.values() for task in tasks]


@pytest.fixture(scope="session")
def cluster(tmp_path_factory, demo_store_template):
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is missing: `make test` installs it (apt-get install redis-server)")
    root = tmp_path_factory.mktemp("cluster")
    shutil.copytree(demo_store_template, root / "models")
    redis, redis_url = start_redis(root)
    postgres, runs_db = start_postgres()
    env = cluster_env(root, redis_url, DASHBOARD_JOB_HEARTBEAT_SECONDS="1", DASHBOARD_RUNS_DB=runs_db)
    box = Cluster(root, redis_url, runs_db, env, processes={"redis": redis, "postgres": postgres})
    for name in ("worker-a", "worker-b"):
        box.processes[name] = start_worker(root, env, name)
    for name, workers in (("web-a", 2), ("web-b", 1)):
        box.processes[name], box.web[name] = start_web(root, env, name, workers)
    try:
        for name, url in box.web.items():
            wait_until(lambda url=url: healthy(url), 90, f"{name} answering /api/health")
        wait_until(lambda: len(box.celery().control.ping(timeout=1)) == 2, 90, "both Celery workers answering")
        yield box
    finally:
        stop(process for name, process in box.processes.items() if name != "postgres")
        stop_postgres(postgres)


@pytest.fixture(name="wait_until")
def wait_until_fixture():
    return wait_until
