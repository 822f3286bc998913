"""Compressed responses (flask-compress): the JavaScript bundles, CSS and callback JSON a page loads.

A first visit downloaded 8-9 MB uncompressed (plotly.js alone is 4.6 MB); Brotli or gzip makes that a
quarter. What is compressed and what is not, and why:

- **Static files** (``/_dash-component-suites/``, ``/assets/``) are compressed once per encoding and kept
  in a small in-process cache keyed by their URL (fingerprinted: a new version is a new URL), so plotly.js
  is not recompressed for every first visitor.
- **Callback and API JSON** is compressed per response, never cached (each answer is its own).
- **HTML is not compressed:** the login page holds a CSRF token next to a reflected ``next`` parameter,
  the shape BREACH reads secrets from; pages are a few kB anyway.
- **Streamed responses** (CSV results, downloads) are not compressed: they may be ranges, and they are
  the user's data going to disk, where the size is what it is. The app's own ``/assets/`` files are sent as
  streams by Flask; they are small and read whole first, so they are compressed and cached like bundles.
- **Lifetimes:** Dash names its bundles with their version (a year's ``max-age`` already) and stamps each
  asset URL with its file's time (``?m=``): a stamped asset gets the same year, ``immutable``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import Flask, Request, Response, request
from flask_compress import Compress

STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/")
ASSET_READ_LIMIT = 4 * 2**20  # an asset up to this size is read whole to be compressed
YEAR = 31_536_000
UNCACHED = "\0"  # the key of a response that is its own (callbacks, API answers); no URL holds a NUL
CACHE_BYTES = 64 * 2**20  # every bundle the pages load, in two encodings, with room to spare
MIMETYPES = ["application/javascript", "text/javascript", "text/css", "application/json", "image/svg+xml"]


class StaticCache:
    """flask-compress's cache interface (``get``/``set``), holding only static files, least recently used
    out past ``CACHE_BYTES``. flask-compress asks it for every compressed response, so anything that is
    not a static file is neither found nor kept."""

    def __init__(self, limit: int = CACHE_BYTES) -> None:
        self.limit = limit
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        if key.endswith(UNCACHED):
            return None
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def set(self, key: str, value: bytes) -> None:
        if key.endswith(UNCACHED) or len(value) > self.limit:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = value
            self._size += len(value)
            while self._size > self.limit:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)


def cache_key(request: Request) -> str:
    if request.method == "GET" and request.path.startswith(STATIC_PREFIXES):
        return request.full_path
    return UNCACHED


def install(server: Flask) -> None:
    cache = StaticCache()
    server.config.update(
        COMPRESS_MIMETYPES=MIMETYPES,
        COMPRESS_ALGORITHM=["br", "gzip"],  # every browser sends one of them
        COMPRESS_STREAMS=False,
        COMPRESS_CACHE_BACKEND=lambda: cache,
        COMPRESS_CACHE_KEY=cache_key,
    )
    Compress(server)

    @server.after_request  # registered after flask-compress's, so it runs before it
    def _assets_whole_and_long_lived(response: Response) -> Response:
        if request.method != "GET" or not request.path.startswith("/assets/") or response.status_code != 200:
            return response
        if response.is_streamed and (response.content_length or ASSET_READ_LIMIT + 1) <= ASSET_READ_LIMIT:
            response.direct_passthrough = False
            response.set_data(response.get_data())
        if request.args.get("m"):
            response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        return response
