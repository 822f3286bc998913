"""The diskcache job backend forks a process per background callback; two things a fork inherits would
hang the child, and are dealt with here.

- **Imports in progress.** Heavy libraries are imported where they are used, so the app starts without
  them. A fork taken while another thread is half-way through importing a module leaves that module's
  import lock held forever in the child. So, just before any fork, the forking thread imports what
  background jobs use: it waits for imports in progress, and the child inherits the modules whole.
- **joblib's worker pool.** Once the parent has run joblib in parallel (the demo models train in the web
  process), a forked child inherits loky's reusable executor without its processes and threads, and its
  first ``Parallel(n_jobs=2)`` waits forever (a Train run polled for 90 s in CI). The child forgets it
  and starts its own, and stops it when its job ends (:func:`release_worker_pool`): a job process that
  just exits leaves loky's resource tracker to warn of "leaked semlock objects" and memmapping folders.
- **At-fork hooks registered during a fork.** A module imported by the before-fork hook may register its
  own hooks (``concurrent.futures.thread``, imported by pandas, does); Python then runs only their
  after-fork halves and releases a lock it never took ("release unlocked lock"). It is imported first.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

# Every module our code imports lazily, and the estimator modules the catalog names by import string.
JOB_MODULES = (
    "numpy",
    "pandas",
    "pyarrow.compute",
    "pyarrow.csv",
    "pyarrow.parquet",
    "joblib",
    "optuna",
    "scipy.cluster.hierarchy",
    "scipy.sparse",
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


def forget_inherited_worker_pool() -> None:
    executor = sys.modules.get("joblib.externals.loky.reusable_executor")
    if executor is not None:
        executor._executor = None  # its processes and threads stayed behind in the parent
        executor._executor_kwargs = None
        executor._executor_lock = threading.RLock()  # a parent thread may have held it at the fork


def release_worker_pool() -> None:
    """Stop the joblib workers this process started and remove their semaphores and temporary folders."""
    executor = sys.modules.get("joblib.externals.loky.reusable_executor")
    pool = getattr(executor, "_executor", None)
    if pool is None:
        return
    if hasattr(pool, "terminate"):  # joblib's memmapping executor: also removes its temporary folders
        pool.terminate(kill_workers=False)
    else:
        pool.shutdown(wait=True)


def releasing_worker_pool(job: Callable[..., Any]) -> Callable[..., Any]:
    """``job`` run in a job process, its worker pool released when it ends (however it ends)."""

    @functools.wraps(job)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return job(*args, **kwargs)
        finally:
            release_worker_pool()

    return run


def install() -> None:
    """Install the hooks once per process (``os.register_at_fork`` hooks cannot be removed)."""
    global _installed
    if not _installed:
        importlib.import_module("concurrent.futures.thread")  # registers at-fork hooks of its own
        os.register_at_fork(before=import_job_modules, after_in_child=forget_inherited_worker_pool)
        _installed = True
