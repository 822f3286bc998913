"""Fixtures for the training and search services."""

import pytest
from sklearn.pipeline import Pipeline

from dashboard.data.explorer import ExplorerService
from dashboard.jobs.layer import Memo
from dashboard.train.diagnostics import RunDiagnostics
from dashboard.train.service import TrainingService
from model_store import ModelStore


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
