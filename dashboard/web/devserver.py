"""The development server's request handler (``python app.py``): it names no versions."""

from werkzeug.serving import WSGIRequestHandler


class QuietRequestHandler(WSGIRequestHandler):
    def version_string(self) -> str:
        return "dashboard"  # not "Werkzeug/x Python/y": no versions for an attacker to match
