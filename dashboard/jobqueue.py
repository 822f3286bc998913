"""Asynchronous jobs with tracking ids (the REST API's queue-and-poll pattern).

Each job is a folder ``<root>/<id>/`` holding ``job.json`` (state), its input and its result. State
changes happen under a per-job file lock, so any worker process can report on any job and a restart
never loses one silently: ``recover()`` re-runs queued jobs and marks jobs whose process died as
failed, with the reason. Work runs on an :class:`Executor`; the embedded default is a thread pool,
and a Celery-backed executor can implement the same one-method interface.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import traceback
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from filelock import FileLock

from dashboard.files import atomic_write_bytes
from dashboard.safety import private_dir

log = logging.getLogger(__name__)
JOB_ID = re.compile(r"^[0-9a-f]{32}$")
FINAL = {"succeeded", "failed", "cancelled"}


class JobNotFoundError(KeyError):
    def __str__(self) -> str:
        return f"job: no job with id {str(self.args[0])[:40]!r}"


class JobCancelled(Exception):
    """Raised inside a runner when the job was cancelled."""


class Executor(Protocol):
    def submit(self, fn: Callable[[str], None], job_id: str) -> None: ...


class ThreadExecutor:
    """Embedded executor: a thread pool in the serving process."""

    def __init__(self, workers: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="job")

    def submit(self, fn: Callable[[str], None], job_id: str) -> None:
        self._pool.submit(fn, job_id)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)


@dataclass
class JobContext:
    """What a runner sees: its parameters and input, and ways to report progress and results."""

    queue: JobQueue
    job_id: str
    params: dict[str, Any]

    @property
    def input_path(self) -> Path:
        return self.queue.folder(self.job_id) / "input.bin"

    def progress(self, done: int, total: int) -> None:
        self.queue._update(self.job_id, progress={"done": done, "total": total})

    def check_cancelled(self) -> None:
        if self.queue.get(self.job_id).get("cancel_requested"):
            raise JobCancelled

    def write_file(self, name: str, data: bytes) -> None:
        atomic_write_bytes(self.queue.folder(self.job_id) / name, data)


Runner = Callable[[JobContext], dict[str, Any]]


class JobQueue:
    def __init__(self, root: Path, runners: dict[str, Runner], executor: Executor) -> None:
        self.root = private_dir(Path(root))
        self.runners = runners
        self.executor = executor

    # -- ids and files -------------------------------------------------------------------------
    def folder(self, job_id: str) -> Path:
        if not isinstance(job_id, str) or not JOB_ID.match(job_id):
            raise JobNotFoundError(job_id)
        return self.root / job_id

    def _lock(self, job_id: str) -> FileLock:
        return FileLock(str(self.folder(job_id) / ".lock"))

    def _write(self, job_id: str, record: dict[str, Any]) -> None:
        # Progress updates are frequent and cheap to lose: no fsync for job state.
        atomic_write_bytes(self.folder(job_id) / "job.json", json.dumps(record).encode(), fsync=False)

    def _update(self, job_id: str, **changes: Any) -> dict[str, Any]:
        with self._lock(job_id):
            record = self.get(job_id)
            record.update(changes, updated_at=_now())
            self._write(job_id, record)
            return record

    # -- public ----------------------------------------------------------------------------------
    def submit(self, kind: str, params: dict[str, Any], payload: bytes) -> dict[str, Any]:
        if kind not in self.runners:
            raise ValueError(f"kind: unknown job kind {kind!r}")
        job_id = uuid.uuid4().hex
        folder = self.folder(job_id)
        folder.mkdir()
        (folder / "input.bin").write_bytes(payload)
        record = {
            "id": job_id,
            "kind": kind,
            "params": params,
            "status": "queued",
            "created_at": _now(),
            "updated_at": _now(),
            "progress": {"done": 0, "total": None},
            "result": None,
            "error": None,
        }
        self._write(job_id, record)
        self.executor.submit(self._run, job_id)
        return record

    def get(self, job_id: str) -> dict[str, Any]:
        try:
            return json.loads((self.folder(job_id) / "job.json").read_text())
        except (FileNotFoundError, ValueError):
            raise JobNotFoundError(job_id) from None

    def cancel(self, job_id: str) -> dict[str, Any]:
        with self._lock(job_id):
            record = self.get(job_id)
            if record["status"] in FINAL:
                return record
            if record["status"] == "queued":
                record.update(status="cancelled", error="cancelled before it started")
            record.update(cancel_requested=True, updated_at=_now())
            self._write(job_id, record)
            return record

    def result_file(self, job_id: str, name: str) -> Path:
        path = self.folder(job_id) / name
        if not path.is_file():
            raise JobNotFoundError(job_id)
        return path

    def delete(self, job_id: str) -> None:
        shutil.rmtree(self.folder(job_id), ignore_errors=True)

    def recover(self) -> dict[str, int]:
        """After a restart: re-run queued jobs; fail running jobs whose process is gone, saying why."""
        counts = {"requeued": 0, "failed": 0}
        for folder in self.root.iterdir():
            if not JOB_ID.match(folder.name) or not (folder / "job.json").exists():
                continue
            with self._lock(folder.name):
                record = self.get(folder.name)
                if record["status"] == "running" and not _alive(record.get("owner_pid")):
                    record.update(
                        status="failed",
                        updated_at=_now(),
                        error="interrupted: the server stopped while this job was running; submit it again",
                    )
                    self._write(folder.name, record)
                    counts["failed"] += 1
                    continue
            if record["status"] == "queued":
                self.executor.submit(self._run, folder.name)
                counts["requeued"] += 1
        return counts

    # -- running ---------------------------------------------------------------------------------
    def _claim(self, job_id: str) -> dict[str, Any] | None:
        with self._lock(job_id):
            record = self.get(job_id)
            if record["status"] != "queued":
                return None  # cancelled, or another worker took it
            record.update(status="running", owner_pid=os.getpid(), started_at=_now(), updated_at=_now())
            self._write(job_id, record)
            return record

    def _run(self, job_id: str) -> None:
        record = self._claim(job_id)
        if record is None:
            return
        context = JobContext(self, job_id, record["params"])
        try:
            result = self.runners[record["kind"]](context)
        except JobCancelled:
            self._update(job_id, status="cancelled", error="cancelled while running")
        except Exception as exc:  # the job fails with its message; the server keeps serving
            message = getattr(exc, "errors", None) or str(exc) or type(exc).__name__
            log.warning("job %s failed: %s\n%s", job_id, message, traceback.format_exc(limit=5))
            self._update(job_id, status="failed", error=message)
        else:
            self._update(job_id, status="succeeded", result=result, finished_at=_now())


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _alive(pid: object) -> bool:
    """Is the job's owner process still running? Called at start-up, when no job runs in this process
    yet, so our own pid means an earlier process that had the same pid (common in containers)."""
    if not isinstance(pid, int) or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
