"""A small cluster started by the suite itself: redis-server on a free port, two Celery workers, and
two web "machines" (gunicorn A with 2 workers, gunicorn B with 1) sharing the data, model and cache
dirs and Redis, as several machines would share a mount and a Redis server."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.browser.helpers import free_port
from tests.conftest import make_settings

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@dataclass
class Cluster:
    root: Path
    redis_url: str
    env: dict[str, str]
    web: dict[str, str] = field(default_factory=dict)  # name -> base URL
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def settings(self, **overrides):
        return make_settings(
            self.root, job_backend="celery", redis_url=self.redis_url, job_heartbeat_seconds=1, **overrides
        )

    def celery(self):
        from dashboard.tasks import make_celery

        return make_celery(self.settings())

    def active_tasks(self) -> list[dict]:
        replies = self.celery().control.inspect(timeout=2).active() or {}
        return [task for tasks in replies.values() for task in tasks]


def _wait_until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise TimeoutError(f"{what} did not happen within {timeout} s")


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/api/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _log(root: Path, name: str):
    return open(root / f"{name}.log", "wb")


@pytest.fixture(scope="session")
def cluster(tmp_path_factory, demo_store_template):
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is missing: `make test` installs it (apt-get install redis-server)")
    root = tmp_path_factory.mktemp("cluster")
    shutil.copytree(demo_store_template, root / "models")
    port = free_port()
    redis_url = f"redis://127.0.0.1:{port}/0"
    env = {
        **os.environ,
        "DASHBOARD_JOB_BACKEND": "celery",
        "DASHBOARD_REDIS_URL": redis_url,
        "DASHBOARD_DATA_DIR": str(root / "data"),
        "DASHBOARD_CACHE_DIR": str(root / "cache"),
        "DASHBOARD_MODEL_DIR": str(root / "models"),
        "DASHBOARD_DEMO_MODELS": "false",
        "DASHBOARD_JOB_HEARTBEAT_SECONDS": "1",
        "DASHBOARD_LOG_LEVEL": "INFO",
    }
    box = Cluster(root, redis_url, env)
    box.processes["redis"] = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=_log(root, "redis"),
        stderr=subprocess.STDOUT,
    )
    for name in ("worker-a", "worker-b"):
        box.processes[name] = subprocess.Popen(
            [str(BIN / "celery"), "-A", "worker:celery", "worker", "--concurrency=1", "--pool=prefork",
             "--without-mingle", "--without-gossip", "--loglevel=INFO", "-n", f"{name}@%h"],
            cwd=REPO, env=env, stdout=_log(root, name), stderr=subprocess.STDOUT,
        )  # fmt: skip
    for name, workers in (("web-a", 2), ("web-b", 1)):
        web_port = free_port()
        box.processes[name] = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{web_port}", "-t", "120", "app:server"],
            cwd=REPO, env=env, stdout=_log(root, name), stderr=subprocess.STDOUT,
        )  # fmt: skip
        box.web[name] = f"http://127.0.0.1:{web_port}"
    try:
        for name, url in box.web.items():
            _wait_until(lambda url=url: _healthy(url), 90, f"{name} answering /api/health")
        _wait_until(lambda: len(box.celery().control.ping(timeout=1)) == 2, 90, "both Celery workers answering")
        yield box
    finally:
        for process in box.processes.values():
            process.send_signal(signal.SIGTERM)
        for process in box.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def wait_until():
    return _wait_until
