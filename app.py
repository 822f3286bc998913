"""Entry point: ``python app.py`` serves the dashboard; ``gunicorn app:server`` for production."""

from dashboard import create_app
from dashboard.web.devserver import QuietRequestHandler

app = create_app()
server = app.server

if __name__ == "__main__":
    settings = server.extensions["dashboard"].settings
    app.run(host=settings.host, port=settings.port, debug=settings.debug, request_handler=QuietRequestHandler)
