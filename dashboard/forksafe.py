"""Heavy libraries are imported where they are used, so the app starts without them. One catch: the
diskcache job backend forks a process per background callback, and a fork taken while another thread is
half-way through importing a module leaves that module's import lock held forever in the child, which
then hangs on its first ``import sklearn...`` (a Train run polled for 70 s under load). So, just before
any fork, the forking thread imports what background jobs use: it waits for any import in progress in
other threads, and the child inherits the modules whole. The first fork pays the imports once."""

from __future__ import annotations

import importlib
import os

# Every module our code imports lazily, and the estimator modules the catalog names by import string.
JOB_MODULES = (
    "joblib",
    "scipy.cluster.hierarchy",
    "scipy.stats",
    "skops.io",
    "sklearn.base",
    "sklearn.calibration",
    "sklearn.cluster",
    "sklearn.compose",
    "sklearn.decomposition",
    "sklearn.ensemble",
    "sklearn.feature_extraction.text",
    "sklearn.impute",
    "sklearn.inspection",
    "sklearn.linear_model",
    "sklearn.metrics",
    "sklearn.mixture",
    "sklearn.model_selection",
    "sklearn.naive_bayes",
    "sklearn.neighbors",
    "sklearn.pipeline",
    "sklearn.preprocessing",
    "sklearn.svm",
    "sklearn.tree",
    "sklearn.utils",
)
_installed = False


def import_job_modules() -> None:
    for name in JOB_MODULES:
        importlib.import_module(name)


def import_before_fork() -> None:
    """Install the hook once per process (``os.register_at_fork`` hooks cannot be removed)."""
    global _installed
    if not _installed:
        os.register_at_fork(before=import_job_modules)
        _installed = True
