"""What a first visit downloads is compressed where it is safe, and every byte decodes to the original."""

from __future__ import annotations

import gzip
import re

import brotli

from dashboard.web.compression import StaticCache


def _page_files(client) -> list[str]:
    return re.findall(r'(?:src|href)="(/(?:assets|_dash-component-suites)/[^"]+)"', client.get("/data").text)


def test_bundles_and_assets_are_compressed_and_decode_to_the_same_bytes(client):
    files = _page_files(client)
    assert any("dash_renderer" in f for f in files) and any(f.startswith("/assets/") for f in files)
    sent = plain = 0
    for path in files:
        original = client.get(path, headers={"Accept-Encoding": "identity"}).data
        for encoding, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
            packed = client.get(path, headers={"Accept-Encoding": encoding})
            assert packed.headers["Content-Encoding"] == encoding, path
            assert decode(packed.data) == original, path
            assert (
                "immutable" in packed.headers["Cache-Control"] or "max-age=31536000" in packed.headers["Cache-Control"]
            )
        sent += len(client.get(path, headers={"Accept-Encoding": "br"}).data)
        plain += len(original)
    assert sent < plain / 3


def test_callback_json_is_compressed_html_is_not(client):
    page = client.get("/login", headers={"Accept-Encoding": "br, gzip"})
    index = client.get("/data", headers={"Accept-Encoding": "br, gzip"})
    assert "Content-Encoding" not in index.headers and "Content-Encoding" not in page.headers  # BREACH
    layout = client.get("/_dash-layout", headers={"Accept-Encoding": "gzip"})
    assert layout.headers["Content-Encoding"] == "gzip" and gzip.decompress(layout.data).startswith(b"{")


def test_the_cache_keeps_static_files_only_and_stays_bounded():
    cache = StaticCache(limit=10)
    cache.set("br;\0", b"answer")  # each answer is its own: never kept
    assert cache.get("br;\0") is None
    cache.set("br;/assets/a.css?m=1", b"12345678")
    cache.set("br;/assets/b.css?m=1", b"12345")
    assert cache.get("br;/assets/a.css?m=1") is None and cache.get("br;/assets/b.css?m=1") == b"12345"
