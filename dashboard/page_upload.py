"""``POST /_dash-upload?filename=<name>``: the page's file uploads, the raw file as the body.

The body is streamed to disk in 1 MiB blocks (``dashboard/data/incoming.py``) and answered with a token
that the page hands to its callback. It sits under ``/_dash-`` so it needs a session like every callback
(401 without one), and it is a POST, so with login on it needs the CSRF header as well; the browser
code is ``assets/file_drop.js``.
"""

from __future__ import annotations

from flask import Flask, jsonify, request

from dashboard.auth import api_error
from dashboard.data.incoming import IncomingFiles
from dashboard.data.uploads import UploadError, too_large_message

UPLOAD_PATH = "/_dash-upload"


def install(server: Flask, incoming: IncomingFiles, limit: int) -> None:
    @server.post(UPLOAD_PATH)
    def receive_page_upload():
        if request.content_length is not None and request.content_length > limit:
            return api_error(413, "too_large", "file", too_large_message(request.content_length, limit))
        try:
            received = incoming.receive(request.stream, request.args.get("filename", ""), limit)
        except UploadError as exc:
            return api_error(413 if exc.code == "too_large" else 400, exc.code, exc.field, exc.message)
        return jsonify({"token": received.token, "filename": received.filename, "size": received.size}), 201
