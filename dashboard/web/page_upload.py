"""``POST /_dash-upload?purpose=<p>&filename=<name>``: the page's file uploads, the raw file as the body.

The body is streamed to disk in 1 MiB blocks (``dashboard/data/incoming.py``) and answered with a token
that the page hands to its callback. It sits under ``/_dash-`` so it needs a session like every callback
(401 without one), and it is a POST, so with login on it needs the CSRF header as well; the browser
code is ``assets/file_drop.js``.

An upload is a write: its purpose names the role it needs (a dataset or labels: editor; a batch to score:
viewer, who may predict) and the formats it may be, checked from the name before a byte is stored; the
callback that takes it names the same purpose. A user's files not yet taken are bounded (twice the upload
limit), so nobody fills the disk with files no callback reads.
"""

from __future__ import annotations

from flask import Flask, jsonify, request

from dashboard.data.incoming import IncomingFiles
from dashboard.data.upload_base import UploadError
from dashboard.data.uploads import detect_format, too_large_message
from dashboard.web.auth import api_error, identity

UPLOAD_PATH = "/_dash-upload"
# purpose -> (role needed, formats accepted; None: every upload format)
PURPOSES: dict[str, tuple[str, frozenset[str] | None]] = {
    "dataset": ("editor", None),
    "labels": ("editor", frozenset({"csv"})),
    "score": ("viewer", frozenset({"csv"})),
}


def install(server: Flask, incoming: IncomingFiles, limit: int) -> None:
    @server.post(UPLOAD_PATH)
    def receive_page_upload():
        purpose = request.args.get("purpose", "dataset")
        if purpose not in PURPOSES:
            return api_error(400, "bad_purpose", "purpose", f"expected one of {', '.join(PURPOSES)}")
        role, formats = PURPOSES[purpose]
        user = identity().user
        if not user.may(role):
            return api_error(
                403, "forbidden", "role", f"this upload needs the {role} role; {user.name} is a {user.role}"
            )
        filename = request.args.get("filename", "")
        try:
            kind = detect_format(filename, b"")
        except UploadError as exc:
            return api_error(415, exc.code, exc.field, exc.message)
        if formats is not None and kind not in formats:
            return api_error(415, "unsupported_format", "file", f"expected a {' or '.join(sorted(formats))} file here")
        if request.content_length is not None and request.content_length > limit:
            return api_error(413, "too_large", "file", too_large_message(request.content_length, limit))
        try:
            received = incoming.receive(request.stream, filename, limit, owner=user.name, purpose=purpose)
        except UploadError as exc:
            status = {"too_large": 413, "too_many_waiting": 429}.get(exc.code, 400)
            return api_error(status, exc.code, exc.field, exc.message)
        return jsonify({"token": received.token, "filename": received.filename, "size": received.size}), 201
