"""An address that is no page answers 404 with a page that says so, not the app's shell with Dash's
client-side "404" inside a 200 (a link checker, a report's iframe and a search engine would take it for a
page)."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import escape

CATCH_ALL = "/<path:path>"  # Dash's index route for every path its pages might own
PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>No such page</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; margin: 3rem">
<h1>No page at {path}</h1><p><a href="/">Go to Home</a> to see every page and dataset.</p>
</body></html>"""


def install(server, page_paths: Callable[[], set[str]]) -> None:
    """Refuse, before Dash's index answers, any path of its catch-all route that no page registered.
    ``/favicon.ico``, which browsers ask for on their own, leads to Dash's icon."""
    from flask import redirect, request

    server.add_url_rule("/favicon.ico", "favicon", lambda: redirect("/_favicon.ico", code=301))

    @server.before_request
    def _refuse_unknown_page():
        rule = request.url_rule.rule if request.url_rule is not None else None
        if rule == CATCH_ALL and request.path.rstrip("/") not in page_paths():
            body = PAGE.format(path=escape(request.path[:200]))
            return body, 404, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}
        return None
