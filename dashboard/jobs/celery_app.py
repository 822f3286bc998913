"""The one Celery app: Dash's ``CeleryManager`` runs every background callback on it, and the REST
API's jobs run on it as the ``dashboard.api_job`` task. Redis is broker and result store.

Workers import ``worker.py`` (repo root), which builds the same app with the same settings, so each
background callback's task (named by Dash from the callback's source) exists on both sides.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable

from celery import Celery
from celery.signals import worker_process_init

from dashboard.settings import Settings

API_JOB_TASK = "dashboard.api_job"


def make_celery(settings: Settings) -> Celery:
    celery = Celery("dashboard", broker=settings.redis_url, backend=settings.redis_url, set_as_current=False)
    celery.conf.update(
        # JSON only: nothing a client puts on the queue is ever unpickled by a worker.
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        # A worker killed mid-task (OOM, kill -9) puts the task back for another worker.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # long tasks: a busy worker does not hoard queued ones
        task_track_started=True,
        result_expires=settings.job_ttl_seconds,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )
    return celery


@worker_process_init.connect(weak=False)
def _allow_fold_processes(**_) -> None:
    """Prefork pool processes are flagged daemonic, and joblib then fits CV folds one at a time
    ("Loky-backed parallel loops cannot be called in a multiprocessing"), halving CV speed on a worker.
    Loky starts its own worker processes (which exit when their parent dies), so the flag is cleared."""
    multiprocessing.current_process()._config["daemon"] = False


class CeleryExecutor:
    """Runs API jobs as Celery tasks whose id is the job id (so a revoke names the job)."""

    durable = redelivers = True

    def __init__(self, celery: Celery, run: Callable[[str], None]) -> None:
        self.celery = celery

        @celery.task(name=API_JOB_TASK, ignore_result=True)
        def api_job(job_id: str) -> None:
            run(job_id)

        self.task = api_job

    def submit(self, job_id: str) -> None:
        self.task.apply_async(args=[job_id], task_id=job_id)

    def revoke(self, job_id: str) -> None:
        # Not terminate: a running job stops at its next cancellation check and records why.
        self.celery.control.revoke(job_id)
