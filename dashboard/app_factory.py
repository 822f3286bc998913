"""``create_app(settings)``: the one place that turns settings into a running Dash app."""

from __future__ import annotations

import contextvars
import functools
import logging
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dash
from flask import Flask, g, jsonify, request

import callbacks
import layouts
from dashboard.actors import LOCAL, acting_as, current_actor
from dashboard.api import models as api_models
from dashboard.api import monitoring as api_monitoring
from dashboard.api import routes as api
from dashboard.api import runs as api_runs
from dashboard.api.http import FiniteJSONProvider
from dashboard.jobs import forksafe
from dashboard.jobs.layer import JobLayer
from dashboard.reports import routes as reports_routes
from dashboard.services import build_services
from dashboard.settings import Settings
from dashboard.startup import start_background_work
from dashboard.web import (
    auth,
    callback_guard,
    callback_values,
    compression,
    not_found,
    observability,
    origin_guard,
    page_upload,
)
from layouts.shell_ids import ShellIds

REPO_ROOT = Path(__file__).resolve().parents[1]
ASSETS = REPO_ROOT / "assets"
TITLE = "Analytics & Prediction Dashboard"


def create_app(settings: Settings | None = None, *, background_work: bool = True) -> dash.Dash:
    """Build a fresh app. Reads the environment only when ``settings`` is not given. A Celery worker
    builds it too (for the callbacks' tasks) with ``background_work=False``: it serves no pages."""
    settings = settings or Settings.from_env()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    services = build_services(settings)
    server = Flask(__name__)
    server.json = FiniteJSONProvider(server)
    server.extensions["dashboard"] = services
    app = dash.Dash(
        __name__,
        server=server,
        use_pages=True,
        pages_folder="",
        assets_folder=str(ASSETS),
        title=TITLE,
        update_title=None,
        suppress_callback_exceptions=True,
        background_callback_manager=_background_manager(services.jobs),
        on_error=_callback_failed,
        serve_locally=True,
        external_stylesheets=[],
        # Dash's page meta tags put request.url (so the Host header) into every page: static tags instead.
        include_pages_meta=False,
        meta_tags=[
            {"name": "viewport", "content": "width=device-width, initial-scale=1"},
            {"name": "description", "content": "Explore data, train and query models"},
            {"property": "og:title", "content": TITLE},
        ],
    )
    app.index_string = app.index_string.replace("<html>", '<html lang="en">', 1)  # screen readers' language
    layouts.register_pages()
    app.layout = layouts.shell.layout
    callbacks.register(app, services)
    server.register_blueprint(api_models.create_models_blueprint())
    server.register_blueprint(api_monitoring.create_monitoring_blueprint())
    server.register_blueprint(reports_routes.create_reports_blueprint())
    server.register_blueprint(api_runs.create_runs_blueprint())
    server.register_blueprint(api.create_blueprint())  # last: its catch-all answers unknown /api paths
    _install_headers(app, settings)
    not_found.install(server, lambda: {page["path"] for page in dash.page_registry.values()})
    compression.install(server)
    _install_error_pages(server)
    observability.install(server, lambda: {page["path"] for page in dash.page_registry.values()}, settings.log_level)
    origin_guard.install(server, settings)  # before login: another host or site is refused whoever asks
    auth.install(server, settings, lambda: auth.write_callbacks(app.callback_map, callbacks.WRITE_CONTROLS))
    # Files arrive as raw or multipart bodies (the page's and the API's uploads): the limit plus form overhead.
    callback_guard.install(server, lambda: app.callback_map, _page_controls(app), settings.max_upload_bytes + 2 * 2**20)
    page_upload.install(server, services.incoming, settings.max_upload_bytes)
    if background_work:
        start_background_work(services)
    return app


def _page_controls(app: dash.Dash) -> Callable[[], dict[str, Any]]:
    """The controls of the shell and every page by id, built at the first callback request and kept: ids
    and component types do not change while serving. Built outside that request (a fresh context with only
    the app's), so the pages are drawn as for an editor whoever asks first: a viewer's pages leave out the
    write controls, which would then go unchecked."""
    built: dict[str, Any] = {}
    tried = []

    def draw_pages() -> None:
        with app.server.app_context():
            pages = [page["layout"]() for page in dash.page_registry.values()]
            shell = app.layout() if callable(app.layout) else app.layout
            built.update(callback_values.controls([shell, *pages]))

    def controls() -> dict[str, Any]:
        if not tried:
            tried.append(True)
            try:
                contextvars.Context().run(draw_pages)
            except Exception:  # a page that cannot be drawn now must not stop every callback: values unchecked
                logging.getLogger(__name__).exception("the pages' controls could not be listed")
        return built

    return controls


def _background_manager(jobs: JobLayer) -> dash.CeleryManager | dash.DiskcacheManager:
    """Background callbacks on the job layer's engine: Celery workers, or processes sharing a diskcache."""
    if jobs.celery is not None:
        return _CeleryJobs(jobs.celery, expire=jobs.expire_seconds)
    forksafe.install()  # the diskcache manager forks a process per job: see dashboard/jobs/forksafe.py
    return _JobProcesses(jobs.callback_cache, expire=jobs.expire_seconds)


class _ResultWaitingCountsAsRunning:
    """A job whose result waits to be fetched counts as running.

    Each poll, Dash reads the job's result, then asks whether the job still runs, and takes "no result and not
    running" for a cancel: it answers no update and the page stops polling. A job that writes its result and
    ends between the two is then never fetched: the run looks finished and shows nothing (a Train run whose
    folds never appeared, in CI). Counting it as running makes the next poll take the result. What a job
    wrote is found from its id through a key stored when it starts, in the manager's shared store, so any
    worker process can answer the poll. A new job first drops what an earlier job left under its key."""

    expire: int | None

    def make_job_fn(self, fn, progress, key=None):
        return super().make_job_fn(_acting_for_requester(fn), progress, key)  # type: ignore[misc]

    def call_job_fn(self, key, job_fn, args, context):
        context = {**context, ACTOR_KEY: current_actor()}  # the job, wherever it runs, acts for this requester
        # A result keyed like this one may be left by a job the page stopped polling (superseded, then
        # finished): dropped first, so the only result a poll can take is this job's.
        for leftover in (key, self._make_progress_key(key), self._make_set_props_key(key)):  # type: ignore[attr-defined]
            self.clear_cache_entry(leftover)  # type: ignore[attr-defined]
        job = super().call_job_fn(key, job_fn, args, context)  # type: ignore[misc]
        self._remember(_job_key(job), key)
        return job

    def job_running(self, job) -> bool:
        if super().job_running(job):  # type: ignore[misc]
            return True
        key = self._recall(_job_key(job)) if job else None
        return bool(key) and self.result_ready(key)  # type: ignore[attr-defined]

    def _remember(self, name: str, key: str) -> None:
        raise NotImplementedError

    def _recall(self, name: str) -> str | None:
        raise NotImplementedError


ACTOR_KEY = "dashboard_actor"


def _acting_for_requester(fn: Callable) -> Callable:
    """A background callback's function, run as the user whose request started the job (Dash hands the
    job the request's callback context, which ``call_job_fn`` gave the requester's name)."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        from dash._callback_context import context_value

        with acting_as(context_value.get().get(ACTOR_KEY) or LOCAL):
            return fn(*args, **kwargs)

    return run


def _job_key(job: Any) -> str:
    return f"dashboard-job-result-key:{job}"


class _JobProcesses(_ResultWaitingCountsAsRunning, dash.DiskcacheManager):
    """Dash's diskcache manager, whose job processes stop the joblib workers they started when they end."""

    def make_job_fn(self, fn, progress, key=None):
        return forksafe.releasing_worker_pool(super().make_job_fn(fn, progress, key))

    def _remember(self, name: str, key: str) -> None:
        self.handle.set(name, key, expire=self.expire)

    def _recall(self, name: str) -> str | None:
        return self.handle.get(name)


class _CeleryJobs(_ResultWaitingCountsAsRunning, dash.CeleryManager):
    """Dash's Celery manager; the job-to-result key is kept in the Celery result backend (Redis)."""

    def _remember(self, name: str, key: str) -> None:
        self.handle.backend.set(name, key)
        if self.expire:
            self.handle.backend.expire(name, self.expire)

    def _recall(self, name: str) -> str | None:
        value = self.handle.backend.get(name)
        return value.decode() if isinstance(value, bytes) else value


def _callback_failed(exc: Exception) -> None:
    """Any exception in a callback (a forged or stale request, a bug) is logged with a reference and shown as
    a notice; the request answers 200 with no updates instead of a 500, and the page keeps working."""
    reference = secrets.token_hex(4)
    logging.getLogger("dashboard.callbacks").error("callback failed [ref %s]", reference, exc_info=exc)
    message = f"This view could not be updated (reference {reference}); the error was logged."
    dash.set_props(ShellIds.ERROR_TOAST, {"children": message, "is_open": True})


def _install_error_pages(server: Flask) -> None:
    """No error shows a traceback or a path: an unknown component-suite file is a 404 (Dash raises), and
    anything unexpected answers a JSON 500 with a reference that is in the log."""

    @server.errorhandler(dash.exceptions.DependencyException)
    def _unknown_asset(_exc):
        return jsonify({"error": {"code": "not_found", "field": "path", "message": "no such file"}}), 404

    @server.errorhandler(500)
    def _internal_error(exc):
        reference = getattr(g, "request_id", None) or secrets.token_hex(4)
        logging.getLogger("dashboard").error("request failed [ref %s] %s %s", reference, request.method, request.path)
        message = f"the server could not answer this request (reference {reference}); the error was logged"
        return jsonify({"error": {"code": "internal_error", "field": "request", "message": message}}), 500


def _install_headers(app: dash.Dash, settings: Settings) -> None:
    ancestors = " ".join(["'self'", *settings.frame_ancestors])
    policy: list[str] = []

    def content_security_policy() -> str:
        # Hashes of Dash's inline scripts (the renderer bootstrap, clientside callbacks), taken at the first
        # response, once every callback is registered. Styles stay 'unsafe-inline': React and Plotly set
        # style attributes and inject <style> elements, which hashes cannot cover.
        if not policy:
            scripts = " ".join(["'self'", *app.csp_hashes()])
            policy.append(
                "; ".join(
                    [
                        "default-src 'self'",
                        f"script-src {scripts}",
                        "style-src 'self' 'unsafe-inline'",
                        "img-src 'self' data: blob:",
                        "font-src 'self' data:",
                        "connect-src 'self'",
                        "worker-src 'self' blob:",
                        "object-src 'none'",
                        "base-uri 'self'",
                        "form-action 'self'",
                        f"frame-ancestors {ancestors}",
                    ]
                )
            )
        return policy[0]

    @app.server.after_request
    def _security_headers(response):
        response.headers["Content-Security-Policy"] = content_security_policy()
        if not settings.frame_ancestors:
            response.headers["X-Frame-Options"] = "SAMEORIGIN"  # for browsers without CSP level 2
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        return response
