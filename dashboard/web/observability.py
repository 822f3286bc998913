"""What the running app tells an operator about each request: one JSON log line per request, each with a
request id that is also in the response's ``X-Request-ID`` header and in every error body
(``error.request_id``), so a user's report leads to the log line; and the request metrics
(``dashboard.metrics``) by route, page and error code.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlparse

from dashboard.metrics import CALLBACK_SECONDS, ERRORS, REQUEST_SECONDS

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
