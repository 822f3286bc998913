"""Fixtures shared by the unit tests: the training and diagnostics services, and a login-mode app with a
viewer and an editor (each with an API key)."""

import shutil

import pytest
from sklearn.pipeline import Pipeline
from werkzeug.security import generate_password_hash

from dashboard import create_app
from dashboard.data.explorer import ExplorerService
from dashboard.jobs.layer import Memo
from dashboard.train.diagnostics import RunDiagnostics
from dashboard.train.service import TrainingService
from dashboard.web.users import new_api_key, write_users
from model_store import ModelStore
from tests.conftest import make_settings


@pytest.fixture
def training(catalog, tmp_path):
    memo = Memo.local(tmp_path / "memo", 10**9)
    return TrainingService(
        catalog, ExplorerService(catalog, memo, point_budget=1000), memo, ModelStore(tmp_path / "models"), n_jobs=2
    )


@pytest.fixture
def diagnostics(training):
    return RunDiagnostics(training)


@pytest.fixture
def fit_calls(monkeypatch, training):
    """Counts Pipeline.fit calls; folds then run in this process (worker processes would not see the patch)."""
    training.n_jobs = 1
    calls = []
    original = Pipeline.fit

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Pipeline, "fit", counting)
    return calls


@pytest.fixture
def users(tmp_path):
    """A users file with a viewer and an editor, each with an API key; returns (path, keys)."""
    keys = {"vera": new_api_key(), "ed": new_api_key()}
    path = tmp_path / "users.json"
    write_users(
        path,
        {
            "vera": {
                "role": "viewer",
                "password": generate_password_hash("viewer-pass"),
                "api_keys": [keys["vera"][1]],
            },
            "ed": {"role": "editor", "password": generate_password_hash("editor-pass"), "api_keys": [keys["ed"][1]]},
        },
    )
    return path, {name: plain for name, (plain, _) in keys.items()}


@pytest.fixture
def login_app(tmp_path, users, demo_store_template):
    settings = make_settings(tmp_path, users_file=users[0])
    shutil.copytree(demo_store_template, settings.model_dir)
    return create_app(settings)
