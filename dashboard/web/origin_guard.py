"""Requests a hostile web page can make on the user's behalf are refused before anything runs.

Two doors a browser opens to any site: a form or ``fetch`` posted from another page (cross-site request
forgery), and a page on the attacker's own host name that re-points its DNS at this machine (DNS
rebinding; the browser then calls it same-origin, and sends the attacker's ``Host``). Local mode has no
login, so neither needs a stolen session; login mode has CSRF tokens, and gets the same checks on top.

- **Host**: in local mode only loopback names (and ``DASHBOARD_HOST``) are served; ``DASHBOARD_ALLOWED_HOSTS``
  adds others (and, set, applies in login mode too). Another name is a 400 ``bad_host``.
- **Origin**: a request that can change something (POST, PUT, PATCH, DELETE) from another origin is a 403
  ``cross_origin``: its ``Origin`` names another host or port (or is ``null``: a sandboxed or local file
  page) that is not one of ``DASHBOARD_ALLOWED_HOSTS``, or, without ``Origin``, its ``Sec-Fetch-Site`` says
  ``cross-site`` or ``same-site``. Clients that
  send neither (curl, scripts with API keys) are not browsers carrying someone's cookies, and pass.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, jsonify, request

from dashboard.settings import Settings

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def allowed_hosts(settings: Settings) -> frozenset[str] | None:
    """Host names served (lower case, no port); None: any (login mode without a list)."""
    configured = {h.lower().strip("[]") for h in settings.allowed_hosts}
    if "*" in configured:
        return None
    if settings.login_required and not configured:
        return None
    return frozenset(LOOPBACK_NAMES | {settings.host.lower().strip("[]")} | configured)


def host_name(host: str) -> str:
    """``example.com:8050`` -> ``example.com``; ``[::1]:8050`` -> ``::1``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def cross_origin(
    method: str, host: str, origin: str | None, fetch_site: str | None, named: frozenset[str] = frozenset()
) -> bool:
    """Whether a request that can change something came from a page of another origin. An origin whose host
    is one of the ``named`` hosts (``DASHBOARD_ALLOWED_HOSTS``) is the app's own behind a proxy that rewrites
    ``Host`` (nginx sends the upstream's name by default)."""
    if method not in UNSAFE_METHODS:
        return False
    if origin is not None:
        if origin == "null":
            return True
        try:
            netloc = urlsplit(origin).netloc.lower()
        except ValueError:  # not a URL at all ("http://[::1"): no page of this app sends that
            return True
        return netloc != host.strip().lower() and host_name(netloc) not in named
    return fetch_site in ("cross-site", "same-site")


def install(server: Flask, settings: Settings) -> None:
    hosts = allowed_hosts(settings)
    named = frozenset(h.lower().strip("[]") for h in settings.allowed_hosts if h != "*")

    @server.before_request
    def _refuse_other_hosts_and_origins():
        if hosts is not None and host_name(request.host) not in hosts:
            message = (  # the name is not echoed: it is whatever the caller sent
                "the request's host name is not one this app answers to (a guard against DNS rebinding); "
                "set DASHBOARD_ALLOWED_HOSTS to serve it"
            )
            return jsonify({"error": {"code": "bad_host", "field": "Host", "message": message}}), 400
        origin = request.headers.get("Origin")
        if cross_origin(request.method, request.host, origin, request.headers.get("Sec-Fetch-Site"), named):
            message = f"a {request.method} from another site's page is refused: open the app's own page to do this"
            return jsonify({"error": {"code": "cross_origin", "field": "Origin", "message": message}}), 403
        return None
