"""The app's Prometheus metrics, counted where they happen (requests, callbacks, errors, predictions per
model version, memo hits and misses, job durations) and served at ``/api/metrics``.

Metrics are prometheus-client's, kept per process. Under gunicorn each worker counts its own requests: set
``PROMETHEUS_MULTIPROC_DIR`` to an empty owner-only folder before starting it and ``/api/metrics`` adds up
every worker (prometheus-client's multiprocess mode).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

REQUEST_SECONDS = Histogram(
    "dashboard_request_duration_seconds", "HTTP requests by route and status", ["method", "route", "status"]
)
CALLBACK_SECONDS = Histogram(
    "dashboard_callback_duration_seconds", "Dash callback requests by the page they came from", ["page"]
)
ERRORS = Counter("dashboard_errors_total", "Error answers by HTTP status and error code", ["status", "code"])
PREDICTIONS = Counter("dashboard_predictions_total", "Rows predicted, per model version", ["model", "version"])
MEMO_LOOKUPS = Counter("dashboard_memo_lookups_total", "Memo (result cache) lookups by result", ["result"])
JOB_SECONDS = Histogram("dashboard_job_duration_seconds", "Async API jobs by kind and outcome", ["kind", "status"])


def exposition(queue_counts: Callable[[], dict[str, int]]) -> bytes:
    """The metrics text: this process's (or every worker's, in multiprocess mode) and the job queue's depth,
    read from the shared job folder at scrape time."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        text = generate_latest(registry)
    else:
        from prometheus_client import REGISTRY

        text = generate_latest(REGISTRY)
    depth = CollectorRegistry()
    gauge = Gauge(
        "dashboard_job_queue_jobs", "Async API jobs on the shared storage by status", ["status"], registry=depth
    )
    for status, count in queue_counts().items():
        gauge.labels(status).set(count)
    return text + generate_latest(depth)
