"""Shared fixtures: a fresh app per test on its own temp dirs, headless Chromium options, and
Dash's page registry reset between apps (it is module-global in dash._pages)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dashboard.settings import Settings


class RendererClient(FlaskClient):
    """Flask's test client posting to Dash's endpoints as dash-renderer does: with the ``_csrf_token``
    cookie of the page it loaded sent back as ``X-CSRFToken`` (it loads ``/`` first if it has none).
    ``forged=True`` posts as another site's page would: no token."""

    def open(self, *args, forged: bool = False, **kwargs):
        request_path = args[0] if args and isinstance(args[0], str) else kwargs.get("path", "")
        method = kwargs.get("method", "GET")
        headers = dict(kwargs.pop("headers", None) or {})
        if not forged and method == "POST" and request_path.startswith("/_dash-") and "X-CSRFToken" not in headers:
            if self.get_cookie("_csrf_token") is None:
                super().open("/")
            cookie = self.get_cookie("_csrf_token")
            if cookie is not None:
                headers["X-CSRFToken"] = cookie.value
        return super().open(*args, headers=headers, **kwargs)


Flask.test_client_class = RendererClient  # every app's test client in this suite


def pytest_setup_options():
    """Options for dash_duo's Chromium (see shared/TESTING.md): headless, no network chatter."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--disable-quic",
        "--no-first-run",
        "--window-size=1280,1000",
    ):
        options.add_argument(flag)
    if Path("/usr/bin/chromium").exists():
        options.binary_location = "/usr/bin/chromium"
    return options


def pytest_configure(config):
    # dash_duo counts ports up from 58050 in every process: give each xdist worker its own range.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    try:
        from dash.testing.application_runners import BaseDashRunner

        BaseDashRunner._next_port = 58050 + 500 * int(worker.removeprefix("gw") or 0)
    except ImportError:  # dash[testing] not installed: unit tests still run
        pass


@pytest.fixture(autouse=True)
def _reset_dash_pages():
    import dash._pages

    dash._pages.PAGE_REGISTRY.clear()
    dash._pages.CONFIG.clear()
    yield
    dash._pages.PAGE_REGISTRY.clear()
    dash._pages.CONFIG.clear()


def make_settings(root: Path, **overrides) -> Settings:
    """Settings with every folder under ``root`` and no background demo training (tests train what they need)."""
    values = {
        "data_dir": root / "data",
        "cache_dir": root / "cache",
        "model_dir": root / "models",
        "demo_models": False,
    }
    return Settings(**{**values, **overrides})


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def app(settings: Settings):
    from dashboard import create_app

    return create_app(settings)


@pytest.fixture
def client(app):
    return app.server.test_client()


@pytest.fixture
def catalog(settings: Settings):
    from dashboard.data.catalog import Catalog

    return Catalog(settings.data_dir, max_upload_bytes=settings.max_upload_bytes, max_columns=settings.max_columns)


@pytest.fixture(scope="session")
def demo_store_template(tmp_path_factory) -> Path:
    """The three demo models, trained once per test process (2-fold CV to keep it quick)."""
    from dashboard.data.catalog import Catalog
    from dashboard.train.demo import DEMO_MODELS, standalone_training, train_demo
    from model_store import ModelStore

    root = tmp_path_factory.mktemp("demo-template")
    catalog = Catalog(root / "data", max_upload_bytes=10**8, max_columns=2000)
    training = standalone_training(catalog, ModelStore(root / "models"), root / "cache")
    for demo in DEMO_MODELS:
        train_demo(demo, training, folds=2)
    return root / "models"


@pytest.fixture
def demo_models(settings: Settings, demo_store_template: Path) -> Path:
    """A private copy of the demo models in this test's model dir."""
    import shutil

    shutil.copytree(demo_store_template, settings.model_dir, dirs_exist_ok=True)
    return settings.model_dir


@pytest.fixture
def store(demo_models: Path):
    from model_store import ModelStore

    return ModelStore(demo_models)
