"""Start and stop real cluster processes on loopback: redis-server, Celery workers, gunicorn servers.
Used by the scale-out tests and by ``bench/scaleout.py``."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise TimeoutError(f"{what} did not happen within {timeout} s")


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/api/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def cluster_env(root: Path, redis_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DASHBOARD_JOB_BACKEND": "celery",
        "DASHBOARD_REDIS_URL": redis_url,
        "DASHBOARD_DATA_DIR": str(root / "data"),
        "DASHBOARD_CACHE_DIR": str(root / "cache"),
        "DASHBOARD_MODEL_DIR": str(root / "models"),
        "DASHBOARD_DEMO_MODELS": "false",
        "DASHBOARD_LOG_LEVEL": "INFO",
        **extra,
    }


def _log(root: Path, name: str):
    return open(root / f"{name}.log", "wb")


def start_redis(root: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=_log(root, "redis"),
        stderr=subprocess.STDOUT,
    )
    return process, f"redis://127.0.0.1:{port}/0"


def start_worker(root: Path, env: dict[str, str], name: str, app: str = "worker:celery") -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "celery"), "-A", app, "worker", "--concurrency=1", "--pool=prefork",
         "--without-mingle", "--without-gossip", "--loglevel=INFO", "-n", f"{name}@%h"],
        cwd=REPO, env=env, stdout=_log(root, name), stderr=subprocess.STDOUT,
    )  # fmt: skip


def start_web(
    root: Path, env: dict[str, str], name: str, workers: int, *, preload: bool = False
) -> tuple[subprocess.Popen, str]:
    port = free_port()
    options = ["--preload"] if preload else []
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}", "-t", "120", *options, "app:server"],
        cwd=REPO, env=env, stdout=_log(root, name), stderr=subprocess.STDOUT,
    )  # fmt: skip
    return process, f"http://127.0.0.1:{port}"


def stop(processes) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
