"""Malformed ``/_dash-update-component`` requests are answered 400 before they reach Dash (whose own
dispatch answers 500 for an unknown output, a missing ``inputs`` or a string where a list belongs), and
request bodies are capped (``MAX_CONTENT_LENGTH``) so nothing larger than an upload is ever read, and a
callback's JSON (which never carries a file: see ``dashboard/web/page_upload.py``) far below that."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import IO, Any

from flask import Flask, Request, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream, get_input_stream

from dashboard.web import callback_values

UPDATE_PATH = "/_dash-update-component"
MAX_CALLBACK_BODY = 32 * 2**20  # the largest state a page sends back (grids, figures) with room to spare


def _problem(body: Any, callbacks: Mapping[str, Any], known: Mapping[str, Any]) -> tuple[str, str] | None:
    """``(field, message)`` for the first thing wrong with a callback request, or None."""
    if not isinstance(body, dict):
        return "body", "expected a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or output not in callbacks:
        return "output", "no callback has this output"
    outputs = body.get("outputs")
    if not isinstance(outputs, dict | list):
        return "outputs", "expected an object or a list"
    if output.startswith(".."):  # several outputs: "..a.children...b.figure.." (Dash's key), one entry each
        count = len(output[2:-2].split("..."))
        if not isinstance(outputs, list) or len(outputs) != count:
            return "outputs", f"this callback has {count} outputs: expected a list of {count}"
    spec = callbacks[output]
    for part in ("inputs", "state"):
        entries = body.get(part, [] if part == "state" else None)
        if not isinstance(entries, list):
            return part, "expected a list"
        if len(entries) != len(spec.get(part, [])):
            return part, f"this callback takes {len(spec.get(part, []))} entries, not {len(entries)}"
        for entry in entries:
            items = entry if isinstance(entry, list) else [entry]  # pattern-matching inputs come as lists
            if not all(isinstance(item, dict) and "id" in item and "property" in item for item in items):
                return part, "each entry needs an id and a property"
        shape = callback_values.problem(entries, known)
        if shape is not None:
            return shape
    if not isinstance(body.get("changedPropIds", []), list):
        return "changedPropIds", "expected a list"
    return None


class CappedStream(LimitedStream):
    """A body without a Content-Length (chunked) read up to the request's limit. Werkzeug's own stream
    ends ``readall`` at the limit as if the body ended there, so a body over the limit was cut and the cut
    used (a CSV job scored 843,874 of the 850,000 rows it was sent, and succeeded). Here reaching the limit
    with bytes still coming is a 413, whichever way the body is read."""

    def readall(self) -> bytes:
        data = super().readall()
        if self.is_exhausted and self._stream.read(1):  # the server ends a finished chunked body: b""
            raise RequestEntityTooLarge()
        return data


class CappedRequest(Request):
    """Flask's request, its body limited by ``max_content_length`` (the app's, or one an endpoint sets
    before reading) whatever the framing: Content-Length over it is refused before reading (Werkzeug), a
    chunked body as soon as it passes it (:class:`CappedStream`)."""

    @property
    def max_content_length(self) -> int | None:
        """The app's limit, an endpoint's own when it set one, and for a callback at most
        ``MAX_CALLBACK_BODY`` from the start: the stream is made with the limit of the first reader (the
        CSRF check reads the form before any view), so a limit set later would come too late."""
        limit = Request.max_content_length.fget(self)
        if self._max_content_length is None and self.path == UPDATE_PATH:
            return MAX_CALLBACK_BODY if limit is None else min(limit, MAX_CALLBACK_BODY)
        return limit

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    @cached_property
    def stream(self) -> IO[bytes]:
        limit = self.max_content_length
        if self.content_length is None and limit is not None and "wsgi.input_terminated" in self.environ:
            return CappedStream(self.environ["wsgi.input"], limit, is_max=True)
        return get_input_stream(self.environ, max_content_length=limit)


def install(
    server: Flask,
    callbacks: Callable[[], Mapping[str, Any]],
    controls: Callable[[], Mapping[str, Any]],
    max_body_bytes: int,
) -> None:
    """``controls``: the pages' components by id (:mod:`dashboard.web.callback_values` checks their values)."""
    server.config["MAX_CONTENT_LENGTH"] = max_body_bytes
    server.request_class = CappedRequest

    @server.errorhandler(413)
    def _too_large(_exc):
        limit = f"{(request.max_content_length or max_body_bytes) / 2**20:,.4g} MiB"
        message = f"the request body is over the {limit} limit"
        return jsonify({"error": {"code": "too_large", "field": "body", "message": message}}), 413

    @server.before_request
    def _check_callback_request():
        if request.path != UPDATE_PATH or request.method != "POST":
            return None
        try:
            body = request.get_json(silent=True)  # cached: Dash reads the same parsed body
        except RecursionError:
            body = None
        problem = (
            _problem(body, callbacks(), controls()) if body is not None else ("body", "the body is not valid JSON")
        )
        if problem is None:
            return None
        field, message = problem
        return jsonify({"error": {"code": "bad_callback_request", "field": field, "message": message}}), 400
