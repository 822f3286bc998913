"""Timing statistics and a client that calls Dash callbacks through the real HTTP endpoint."""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import requests

RESULTS = Path(__file__).parent / "results"
REPO = Path(__file__).resolve().parents[1]


@dataclass
class Stats:
    median: float
    p95: float
    min: float
    max: float
    n: int

    @classmethod
    def of(cls, samples: list[float]) -> Stats:
        ordered = sorted(samples)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        return cls(statistics.median(ordered), p95, ordered[0], ordered[-1], len(ordered))

    def ms(self) -> str:
        parts = [
            f"{label} {value * 1e3:8.1f}"
            for label, value in (("median", self.median), ("p95", self.p95), ("min", self.min), ("max", self.max))
        ]
        return "  ".join(parts) + " ms"


class CallbackClient:
    """Posts to ``/_dash-update-component`` as the browser would; returns seconds and response bytes."""

    def __init__(self, app) -> None:
        self.app = app
        self.client = app.server.test_client()
        self.client.get("/")  # first request: Dash finishes its setup, and the page's CSRF cookie
        self.headers = {"X-CSRFToken": self.client.get_cookie("_csrf_token").value}  # as dash-renderer sends it

    def call(self, output_key: str, values: dict[str, Any], changed: str) -> tuple[float, int, dict]:
        spec = self.app.callback_map[output_key]

        def filled(items):
            return [{**item, "value": values.get(f"{item['id']}.{item['property']}")} for item in items]

        outputs = spec["output"] if isinstance(spec["output"], list) else [spec["output"]]
        body = {
            "output": output_key,
            "outputs": [{"id": o.component_id, "property": o.component_property} for o in outputs]
            if isinstance(spec["output"], list)
            else {"id": outputs[0].component_id, "property": outputs[0].component_property},
            "inputs": filled(spec["inputs"]),
            "state": filled(spec["state"]),
            "changedPropIds": [changed],
        }
        start = time.perf_counter()
        response = self.client.post("/_dash-update-component", json=body, headers=self.headers)
        elapsed = time.perf_counter() - start
        if response.status_code not in (200, 204):
            raise RuntimeError(f"{output_key}: HTTP {response.status_code} {response.data[:300]!r}")
        return elapsed, len(response.data), (json.loads(response.data) if response.data else {})


def browser_session(base: str) -> requests.Session:
    """A ``requests`` session holding what a browser has after loading the app's page: its cookies, and
    the CSRF token sent back as ``X-CSRFToken`` on the UI's writes."""
    session = requests.Session()
    session.get(f"{base}/", timeout=60)
    session.headers["X-CSRFToken"] = session.cookies["_csrf_token"]
    return session


def write_results(suite: str, payload: dict) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{suite}.json"
    path.write_text(
        json.dumps(payload, indent=1, default=lambda o: asdict(o) if hasattr(o, "__dataclass_fields__") else str(o))
    )
    return path


def make_app(root: Path, **overrides: Any):
    """A dashboard app on folders under ``root``, without demo-model training, quiet logs."""
    from dashboard import create_app
    from dashboard.settings import Settings

    values = {
        "data_dir": root / "data",
        "cache_dir": root / "cache",
        "model_dir": root / "models",
        "demo_models": False,
        "log_level": "WARNING",
    }
    return create_app(Settings(**{**values, **overrides}))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_app(root: Path, tree: Path | None = None, **settings: str) -> tuple[subprocess.Popen, str]:
    """A real ``python app.py`` on a free loopback port with its dirs under ``root`` (no demo models),
    warmed with its first page and layout; ``settings`` are extra ``DASHBOARD_*`` variables; ``tree``:
    another checkout's app (its own packages come first on the path), for before/after figures."""
    port = free_port()
    env = {
        **os.environ,
        "DASHBOARD_DATA_DIR": str(root / "data"),
        "DASHBOARD_CACHE_DIR": str(root / "cache"),
        "DASHBOARD_MODEL_DIR": str(root / "models"),
        "DASHBOARD_DEMO_MODELS": "false",
        "DASHBOARD_PORT": str(port),
        "DASHBOARD_LOG_LEVEL": "WARNING",
        **{f"DASHBOARD_{key.upper()}": value for key, value in settings.items()},
    }
    process = subprocess.Popen([sys.executable, "app.py"], cwd=tree or REPO, env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if requests.get(f"{base}/", timeout=2).status_code == 200:
                requests.get(f"{base}/_dash-layout", timeout=10)
                return process, base
        except requests.ConnectionError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the app did not start")
