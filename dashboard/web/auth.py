"""Who is asking, and may they: login for the UI (Flask-Login), roles on the UI's write callbacks, CSRF
tokens on every UI request (Flask-WTF), and per-user API keys for the REST API.

Two modes. **Local** (no ``DASHBOARD_USERS_FILE``; settings allow it on a loopback host only): no login,
everyone is an editor, and the page says so; its writes (write callbacks, page uploads) still need the page's
CSRF token, so another site's page cannot make them with the user's browser. **Login**: every page and
callback needs a session; a viewer's write callbacks answer 403 before they run; the API needs an
``X-API-Key`` of a user.
Dash's renderer sends the ``_csrf_token`` cookie back as an ``X-CSRFToken`` header, which is exactly what
Flask-WTF checks, so the UI's callbacks carry CSRF tokens without any client code.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import flask_login
from flask import (
    Flask,
    current_app,
    has_request_context,
    jsonify,
    redirect,
    render_template_string,
    request,
    session,
)
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf

from dashboard.actors import LOCAL, set_actor
from dashboard.safety import shared_secret
from dashboard.settings import Settings
from dashboard.web import sessions
from dashboard.web.users import User, UserDirectory

LOCAL_USER = User("local", "editor")
CSRF_COOKIE = "_csrf_token"  # the name dash-renderer reads
UPDATE_PATH = "/_dash-update-component"
# Reachable without a session: the login page, static files (no data in them) and the REST API, which
# checks its own keys.
PUBLIC_PREFIXES = ("/login", "/assets/", "/_dash-component-suites/", "/_favicon.ico", "/api/")


@dataclass(frozen=True)
class Identity:
    """What a page shows about who is looking."""

    user: User
    login_required: bool
    csrf_token: str = ""

    @property
    def can_write(self) -> bool:
        return self.user.may("editor")


class _SessionUser(flask_login.UserMixin):
    def __init__(self, user: User) -> None:
        self.user = user

    def get_id(self) -> str:
        return self.user.name


class Access:
    """The app's users (None in local mode) and the legacy single API key."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.directory = UserDirectory(settings.users_file) if settings.users_file else None

    @property
    def login_required(self) -> bool:
        return self.directory is not None

    def session_user(self) -> User | None:
        if self.directory is None:
            return LOCAL_USER
        current = flask_login.current_user
        return current.user if current and current.is_authenticated else None

    def api_user(self, key: str) -> User | None:
        """The user an API key belongs to. ``DASHBOARD_API_KEY`` counts as an editor's key."""
        legacy = self.settings.api_key
        if legacy and key and hmac.compare_digest(key.encode(), legacy.encode()):
            return User("api-key", "editor")
        return self.directory.by_api_key(key) if self.directory and key else None


def access() -> Access:
    return current_app.extensions["dashboard_access"]


def identity() -> Identity:
    """The current request's identity; outside a request (Dash validating layouts) the local editor."""
    if not has_request_context() or "dashboard_access" not in current_app.extensions:
        return Identity(LOCAL_USER, login_required=False)
    gate = access()
    user = gate.session_user() or User("anonymous", "viewer")
    return Identity(user, gate.login_required, generate_csrf() if gate.login_required else "")


def api_error(status: int, code: str, field: str, message: str):
    return jsonify({"error": {"code": code, "field": field, "message": message}}), status


def require_api_role(level: str):
    """``read``: open in local mode, any user's key or logged-in browser session with login (a page's links
    to the API, such as "Export this view", are reads). ``viewer`` (predict, jobs) and ``editor`` (writes):
    ``DASHBOARD_API_KEY`` when set in local mode; with login a key of a user in that role."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            gate = access()
            key = request.headers.get("X-API-Key", "")
            if not gate.login_required:
                if level == "read" or not gate.settings.api_key:
                    return view(*args, **kwargs)
                if gate.api_user(key) is None:
                    return api_error(401, "unauthorized", "X-API-Key", "a valid API key is required for this request")
                return view(*args, **kwargs)
            user = gate.api_user(key) or (gate.session_user() if level == "read" and not key else None)
            if user is None:
                return api_error(401, "unauthorized", "X-API-Key", "a valid API key is required for this request")
            needed = "viewer" if level == "read" else level
            if not user.may(needed):
                message = f"this needs the {needed} role; {user.name} is a {user.role}"
                return api_error(403, "forbidden", "X-API-Key", message)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def write_callbacks(callback_map: Mapping[str, Any], write_controls: Iterable[str]) -> set[str]:
    """The keys of the callbacks a write control (an upload, a save or delete button) triggers."""
    controls = set(write_controls)
    return {
        key
        for key, spec in callback_map.items()
        if any(isinstance(item.get("id"), str) and item["id"] in controls for item in spec.get("inputs", []))
    }


def requester_name() -> str:
    """Who sent this request: the API key's user, else the session's (``local`` without login)."""
    gate = access()
    key = request.headers.get("X-API-Key", "")
    user = (gate.api_user(key) if key else None) or gate.session_user()
    return user.name if user is not None else "anonymous"


def install(server: Flask, settings: Settings, write_keys: Callable[[], set[str]]) -> Access:
    gate = Access(settings)
    server.extensions["dashboard_access"] = gate
    server.before_request(lambda: set_actor(requester_name))  # what this request records is theirs
    server.teardown_request(lambda _exc: set_actor(LOCAL))  # and nothing after it, on the same thread
    cross_site = bool(settings.frame_ancestors)  # embedded in another site's page: cookies must say so
    server.config.update(
        SECRET_KEY=settings.secret_key or shared_secret(Path(settings.cache_dir) / "session.key").decode(),
        SESSION_COOKIE_NAME="dashboard_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="None" if cross_site else "Lax",
        SESSION_COOKIE_SECURE=cross_site,
        WTF_CSRF_TIME_LIMIT=None,  # valid as long as the session
        WTF_CSRF_HEADERS=["X-CSRFToken"],
    )
    if not gate.login_required:
        # Local mode has no login, but a page on another site can still post to this one with the user's
        # browser: its UI writes (the write callbacks and page uploads) carry the same CSRF token as login
        # mode's, on top of the origin guard. Only writes: reading needs no cookie, so a view embedded in a
        # report on another site (whose frame gets no cookies) still draws. Cookies stay SameSite, not
        # Secure: local mode is plain HTTP on loopback.
        server.config.update(SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=False, WTF_CSRF_CHECK_DEFAULT=False)
        csrf = _install_csrf(server, gate, cross_site=False)

        @server.before_request
        def _writes_need_the_token():
            if request.method == "POST" and (request.path == "/_dash-upload" or _is_write_callback(write_keys)):
                csrf.protect()

        return gate
    server.config["PERMANENT_SESSION_LIFETIME"] = sessions.ABSOLUTE_SECONDS
    registry, throttle = _session_services(settings)
    logins = flask_login.LoginManager()
    logins.init_app(server)

    @logins.user_loader
    def _load(name: str):
        user = gate.directory.get(name)  # read on every request: a removed user or changed role counts at once
        stamp = gate.directory.password_stamp(name)
        if user is None or not registry.check(session.get("sid"), name, stamp):
            return None  # logged out, expired, or the password changed since: the cookie is worth nothing
        return _SessionUser(user)

    @server.before_request
    def _require_login():
        if request.path.startswith(PUBLIC_PREFIXES):
            return None
        user = gate.session_user()
        if user is None:
            if request.path.startswith("/_dash-"):
                return api_error(401, "login_required", "session", "log in first (your session may have ended)")
            return redirect("/login?" + urlencode({"next": request.full_path.rstrip("?")}))
        if not user.may("editor") and _is_write_callback(write_keys):
            return api_error(403, "forbidden", "role", "this changes saved data and needs the editor role")
        return None

    _install_csrf(server, gate, cross_site)  # after the login check: a stranger gets 401, not a CSRF hint

    @server.route("/login", methods=["GET", "POST"])
    def login():
        if request.method == "GET":
            return _login_page()
        name, address = request.form.get("name", "")[:200], request.remote_addr or "unknown"
        wait = throttle.wait_seconds(name, address)
        if wait:
            page, status = _login_page(f"Too many failed logins: try again in {wait} s.", 429)
            return page, status, {"Retry-After": str(wait)}
        user = gate.directory.authenticate(name, request.form.get("password", ""))
        if user is None:
            throttle.failed(name, address)
            return _login_page("Wrong name or password.", 401)
        throttle.succeeded(name)
        session.clear()  # nothing of a session from before the login carries over
        session.permanent = True
        session["sid"] = registry.open(user.name, gate.directory.password_stamp(user.name))
        flask_login.login_user(_SessionUser(user))
        return redirect(_safe_next(request.form.get("next", "/")))

    @server.post("/logout")
    def logout():
        registry.close(session.get("sid"))  # a copy of the cookie is worth nothing from now on
        flask_login.logout_user()
        session.clear()
        return redirect("/login")

    return gate


def _is_write_callback(write_keys: Callable[[], set[str]]) -> bool:
    """Whether this request runs a callback that changes saved data (an upload, a save, a delete)."""
    if request.path != UPDATE_PATH or request.method != "POST":
        return False
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        return False  # the callback guard answers it
    return isinstance(body, dict) and body.get("output") in write_keys()


def _session_services(settings: Settings) -> tuple[sessions.SessionRegistry, sessions.LoginThrottle]:
    """Session records and login counts where every worker sees them: Redis when scaled out, else the cache
    dir."""
    if settings.job_backend == "celery" and settings.redis_url:
        return sessions.SessionRegistry(sessions.RedisRecords(settings.redis_url)), sessions.LoginThrottle(
            settings.redis_url
        )
    records = sessions.DiskRecords(Path(settings.cache_dir) / "sessions")
    counts = sessions.disk_windows(Path(settings.cache_dir) / "login-failures")
    return sessions.SessionRegistry(records), sessions.LoginThrottle(storage=counts)


def _safe_next(target: object) -> str:
    """Only a path on this site, judged as a browser reads it: browsers drop tabs and line breaks anywhere
    in a URL and read a backslash as a slash, so "/", a tab and "/evil.example" make another host, as do
    ``/\\evil`` and ``//evil``. A target with any control character or white space, or naming a scheme or a
    host, goes home."""
    if (
        not isinstance(target, str)
        or len(target) > 2048
        or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in target)
    ):
        return "/"
    seen = target.replace("\\", "/")
    parts = urlsplit(seen)
    if not seen.startswith("/") or seen.startswith("//") or parts.scheme or parts.netloc:
        return "/"
    return target


LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Log in · Analytics & Prediction Dashboard</title>
<link rel="stylesheet" href="/assets/00-bootstrap.min.css"></head>
<body class="bg-light"><main class="container" style="max-width: 380px; margin-top: 12vh">
<h1 class="h4 mb-3">Analytics &amp; Prediction</h1>
{% if message %}<div class="alert alert-danger py-2 small" id="login-error" role="alert">{{ message }}</div>{% endif %}
<form method="post" action="/login" id="login-form">
<input type="hidden" name="csrf_token" value="{{ csrf_token }}">
<input type="hidden" name="next" value="{{ next }}">
<label class="form-label" for="login-name">Name</label>
<input class="form-control mb-2" id="login-name" name="name" autocomplete="username" required autofocus>
<label class="form-label" for="login-password">Password</label>
<input class="form-control mb-3" id="login-password" name="password" type="password"
 autocomplete="current-password" required>
<button class="btn btn-primary w-100" id="login-button" type="submit">Log in</button>
</form></main></body></html>"""


def _login_page(message: str = "", status: int = 200):
    target = _safe_next(request.values.get("next", "/"))
    page = render_template_string(LOGIN_PAGE, message=message, csrf_token=generate_csrf(), next=target)
    return page, status


def _install_csrf(server: Flask, gate: Access, cross_site: bool) -> CSRFProtect:
    """Flask-WTF on every UI write (callbacks, page uploads); the REST API is exempt (keys, not cookies).
    The token goes out as the cookie dash-renderer sends back as ``X-CSRFToken``."""
    csrf = CSRFProtect(server)
    for blueprint in server.blueprints.values():
        if (blueprint.url_prefix or "").startswith("/api"):
            csrf.exempt(blueprint)  # API keys, not cookies: nothing for a forged request to ride on

    @server.errorhandler(CSRFError)
    def _csrf_failed(exc: CSRFError):
        if request.path == "/login":
            return _login_page("Your login form expired; please try again.", 400)
        return api_error(400, "csrf_failed", "X-CSRFToken", exc.description)

    @server.after_request
    def _csrf_cookie(response):
        if response.mimetype == "text/html" and gate.session_user() is not None:
            response.set_cookie(
                CSRF_COOKIE, generate_csrf(), samesite="None" if cross_site else "Strict", secure=cross_site
            )
        return response

    return csrf
