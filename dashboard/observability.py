"""What the running app tells an operator: Prometheus metrics at ``/api/metrics`` and one JSON log line per
request, each with a request id that is also in the response's ``X-Request-ID`` header and in every error
body (``error.request_id``), so a user's report leads to the log line.

Metrics are prometheus-client's, kept per process. Under gunicorn each worker counts its own requests: set
``PROMETHEUS_MULTIPROC_DIR`` to an empty owner-only folder before starting it and ``/api/metrics`` adds up
every worker (prometheus-client's multiprocess mode). Services count what only they see (memo hits and
misses, predictions per model version, job durations) through the counters below.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlparse

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

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")  # a caller's own id is kept when it is this plain
access_log = logging.getLogger("dashboard.access")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the record's ``fields``."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        return json.dumps(entry, default=str)


def _configure_access_log(level: str) -> None:
    access_log.setLevel(level)  # the app's level, whatever the root logger was configured with
    if not any(isinstance(h.formatter, JsonFormatter) for h in access_log.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        access_log.addHandler(handler)
        access_log.propagate = False  # the plain root format would wrap the JSON


def request_id_from(header: str | None) -> str:
    return header if header and REQUEST_ID.match(header) else uuid.uuid4().hex


def install(server, pages: Callable[[], set[str]], log_level: str = "INFO") -> None:
    """Request ids, timing, error bodies and the access log (at ``log_level``) on every request of
    ``server``; ``pages`` gives the page paths callbacks are labelled by (anything else is "other")."""
    from flask import g, request

    _configure_access_log(log_level)

    @server.before_request
    def _start():
        g.request_id = request_id_from(request.headers.get("X-Request-ID"))
        g.started = time.perf_counter()

    @server.after_request
    def _finish(response):
        request_id = getattr(g, "request_id", None) or request_id_from(None)
        seconds = time.perf_counter() - getattr(g, "started", time.perf_counter())
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        status = response.status_code
        REQUEST_SECONDS.labels(request.method, route, str(status)).observe(seconds)
        if route.endswith("_dash-update-component"):
            page = urlparse(request.referrer or "").path or "/"
            CALLBACK_SECONDS.labels(page if page in pages() else "other").observe(seconds)
        if status >= 400:
            code = _tag_error(response, request_id)
            ERRORS.labels(str(status), code).inc()
        response.headers["X-Request-ID"] = request_id
        fields = {
            "request_id": request_id,
            "method": request.method,
            "path": request.path[:200],
            "route": route,
            "status": status,
            "ms": round(seconds * 1e3, 2),
        }
        access_log.info("request", extra={"fields": fields})
        return response


def _tag_error(response, request_id: str) -> str:
    """Put the request id into a JSON error body; the error's code (or "none")."""
    if not response.is_json or response.direct_passthrough:
        return "none"
    body = response.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("error"), dict):
        return "none"
    body["error"]["request_id"] = request_id
    response.set_data(json.dumps(body))
    return str(body["error"].get("code", "none"))[:64]


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
