"""Asynchronous jobs with tracking ids (the REST API's queue-and-poll pattern).

Each job is a folder ``<root>/<id>/`` holding ``job.json`` (state), its input and its result, on the
storage every process shares. State changes happen under the job's lock (file lock on one machine,
Redis scaled out), so any process on any machine can report on any job. Work runs on an executor:
a thread pool in the serving process by default, Celery workers when configured (``tasks.py``).

A running job beats every ``heartbeat`` seconds. That, not a local PID, is how a dead worker is
noticed: a redelivered task takes over a job silent for 4 beats (up to 3 attempts), and a job silent
for 8 beats is failed with the reason, so no job stays "running" forever.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import socket
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from dashboard.errors import Cancelled, FieldError, NotFound, user_message
from dashboard.files import atomic_write_bytes
from dashboard.jobs.locks import Locks
from dashboard.metrics import JOB_SECONDS
from dashboard.safety import private_dir

log = logging.getLogger(__name__)
JOB_ID = re.compile(r"^[0-9a-f]{32}$")
FINAL = {"succeeded", "failed", "cancelled"}
MAX_ATTEMPTS = 3
TAKE_OVER_BEATS = 4  # a redelivered task takes over a job silent this long
FAIL_BEATS = 8  # a reader fails a job silent this long (later than any take-over)
SWEEP_EVERY_SECONDS = 60


class JobNotFoundError(NotFound):
    def __str__(self) -> str:
        return f"job: no job with id {str(self.args[0])[:40]!r}"


class Executor(Protocol):
    durable: bool  # keeps queued jobs across a restart of the web process (a broker does)
    redelivers: bool  # may hand a job to a second worker after the first died (a broker does)

    def submit(self, job_id: str) -> None: ...
    def revoke(self, job_id: str) -> None: ...


class ThreadExecutor:
    """Embedded executor: a thread pool in the serving process.

    The pool is made in the process that first submits to it: a gunicorn worker forked from a master that
    preloaded the app (and ran a recovered job there) would otherwise inherit a pool that counts threads
    it does not have, and never run anything."""

    durable = redelivers = False

    def __init__(self, run: Callable[[str], None], workers: int) -> None:
        self._run = run
        self._workers = workers
        self._pool: ThreadPoolExecutor | None = None
        self._pool_pid = 0
        self._lock = threading.Lock()

    def _current_pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None or self._pool_pid != os.getpid():
                self._pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="job")
                self._pool_pid = os.getpid()
            return self._pool

    def submit(self, job_id: str) -> None:
        self._current_pool().submit(self._run, job_id)

    def revoke(self, job_id: str) -> None:
        """Nothing to do: a queued job is skipped at claim time, a running one checks its flag."""

    def shutdown(self) -> None:
        if self._pool is not None and self._pool_pid == os.getpid():
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
        self.queue._update(self.job_id, progress={"done": done, "total": total}, heartbeat=time.time())

    def cancel_requested(self) -> bool:
        return bool(self.queue._read(self.job_id).get("cancel_requested"))

    def check_cancelled(self) -> None:
        if self.cancel_requested():
            raise Cancelled

    def file_path(self, name: str) -> Path:
        """Where the job's file ``name`` is (or will be) kept, for a runner that writes it as a stream."""
        return self.queue.folder(self.job_id) / name

    def write_file(self, name: str, data: bytes) -> None:
        atomic_write_bytes(self.queue.folder(self.job_id) / name, data)


Runner = Callable[[JobContext], dict[str, Any]]
ExecutorFactory = Callable[[Callable[[str], None]], Executor]


class JobQueue:
    def __init__(
        self,
        root: Path,
        runners: dict[str, Runner],
        executor: ExecutorFactory,
        locks: Locks,
        *,
        heartbeat_seconds: float = 5.0,
        ttl_seconds: float = 24 * 3600,
    ) -> None:
        self.root = private_dir(Path(root))
        self.runners = runners
        self.locks = locks
        self.heartbeat = heartbeat_seconds
        self.ttl = ttl_seconds
        self.executor = executor(self.run)

    # -- ids and files -------------------------------------------------------------------------
    def folder(self, job_id: str) -> Path:
        if not isinstance(job_id, str) or not JOB_ID.match(job_id):
            raise JobNotFoundError(job_id)
        return self.root / job_id

    def _lock(self, job_id: str):
        # Held for a read-modify-write only. A worker killed while holding it must free it well before a
        # redelivered task takes over (TAKE_OVER_BEATS), or a reader would fail the job first (FAIL_BEATS).
        return self.locks(f"job:{job_id}", expire_after=2 * self.heartbeat)

    def _read(self, job_id: str) -> dict[str, Any]:
        try:
            return json.loads((self.folder(job_id) / "job.json").read_text())
        except (FileNotFoundError, NotADirectoryError, ValueError):
            raise JobNotFoundError(job_id) from None

    def _write(self, job_id: str, record: dict[str, Any]) -> None:
        # Progress updates are frequent and cheap to lose: no fsync for job state.
        atomic_write_bytes(self.folder(job_id) / "job.json", json.dumps(record).encode(), fsync=False)

    def _update(self, job_id: str, **changes: Any) -> dict[str, Any]:
        with self._lock(job_id):
            record = self._read(job_id)
            record.update(changes, updated_at=_now())
            self._write(job_id, record)
            return record

    def _silent_for(self, record: dict[str, Any], now: float | None = None) -> float:
        return (now or time.time()) - float(record.get("heartbeat") or 0)

    # -- public ----------------------------------------------------------------------------------
    def submit(self, kind: str, params: dict[str, Any], payload: bytes | Path) -> dict[str, Any]:
        """Queue a job; ``payload`` is its input: bytes, or a file (in this queue's folder, so on its
        filesystem) moved into the job's folder, so a large body is never held in memory."""
        if kind not in self.runners:
            raise FieldError("kind", f"unknown job kind {kind!r}")
        self.maybe_sweep()
        job_id = uuid.uuid4().hex
        folder = self.folder(job_id)
        folder.mkdir()
        if isinstance(payload, bytes):
            (folder / "input.bin").write_bytes(payload)
        else:
            os.replace(payload, folder / "input.bin")
        record = {
            "id": job_id,
            "kind": kind,
            "params": params,
            "status": "queued",
            "created_at": _now(),
            "updated_at": _now(),
            "progress": {"done": 0, "total": None},
            "attempts": 0,
            "result": None,
            "error": None,
        }
        self._write(job_id, record)
        self.executor.submit(job_id)
        return record

    def get(self, job_id: str) -> dict[str, Any]:
        """The job's record; a running job whose worker went silent is failed here, with the reason."""
        record = self._read(job_id)
        if record["status"] == "running" and self._silent_for(record) > FAIL_BEATS * self.heartbeat:
            with self._lock(job_id):
                record = self._read(job_id)
                silent = self._silent_for(record)
                if record["status"] == "running" and silent > FAIL_BEATS * self.heartbeat:
                    record.update(
                        status="failed",
                        updated_at=_now(),
                        error=f"interrupted: the worker running this job stopped (silent for {silent:.0f} s); "
                        "submit it again",
                    )
                    self._write(job_id, record)
        return record

    def cancel(self, job_id: str) -> dict[str, Any]:
        self._read(job_id)  # an unknown id is a 404, and creates nothing
        with self._lock(job_id):
            record = self._read(job_id)
            if record["status"] in FINAL:
                return record
            if record["status"] == "queued":
                record.update(status="cancelled", error="cancelled before it started")
            record.update(cancel_requested=True, updated_at=_now())
            self._write(job_id, record)
        self.executor.revoke(job_id)
        return record

    def result_file(self, job_id: str, name: str) -> Path:
        path = self.folder(job_id) / name
        if not path.is_file():
            raise JobNotFoundError(job_id)
        return path

    def counts(self) -> dict[str, int]:
        """How many jobs are on the shared storage in each status (for the metrics endpoint)."""
        counts = dict.fromkeys(("queued", "running", "succeeded", "failed", "cancelled"), 0)
        for folder in self.root.iterdir():
            if not JOB_ID.match(folder.name):
                continue
            try:
                status = self._read(folder.name)["status"]
            except (JobNotFoundError, KeyError):
                continue  # being written or swept right now
            counts[status] = counts.get(status, 0) + 1
        return counts

    def recover(self) -> dict[str, int]:
        """After a restart of an in-process executor, run the queued jobs it lost. (A broker keeps
        them itself; running jobs whose process died are failed by their silence, on any executor.)"""
        counts = {"requeued": 0}
        if self.executor.durable:
            return counts
        for folder in self.root.iterdir():
            queued = JOB_ID.match(folder.name) and (folder / "job.json").exists()
            if queued and self._read(folder.name)["status"] == "queued":
                self.executor.submit(folder.name)
                counts["requeued"] += 1
        return counts

    def sweep(self, now: float | None = None) -> int:
        """Delete finished jobs (and leftovers of failed submits) older than the retention time."""
        cutoff = (now or time.time()) - self.ttl
        removed = 0
        for folder in list(self.root.iterdir()):
            if folder.name.startswith(".incoming-") and folder.stat().st_mtime < cutoff:
                folder.unlink(missing_ok=True)  # a job body spooled by a process killed before it queued it
                continue
            if not JOB_ID.match(folder.name):
                continue
            try:
                record = self._read(folder.name)
                done = record["status"] in FINAL
                stamp = datetime.fromisoformat(record["updated_at"]).timestamp()
            except (JobNotFoundError, KeyError, ValueError):
                done, stamp = True, folder.stat().st_mtime
            if done and stamp < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        return removed

    def maybe_sweep(self) -> None:
        """Sweep at most once a minute across all processes (a marker file's age says when)."""
        marker = self.root / ".swept"
        try:
            if time.time() - marker.stat().st_mtime < SWEEP_EVERY_SECONDS:
                return
        except FileNotFoundError:
            pass
        marker.touch()
        removed = self.sweep()
        self.locks.sweep(self.ttl)
        if removed:
            log.info("job retention: removed %d finished jobs", removed)

    # -- running ---------------------------------------------------------------------------------
    def _claim(self, job_id: str) -> dict[str, Any] | None:
        """Take the job for this attempt, or ``None`` when it is final or alive elsewhere."""
        deadline = time.time() + (TAKE_OVER_BEATS + 1) * self.heartbeat
        while True:
            with self._lock(job_id):
                record = self._read(job_id)
                status, attempts = record["status"], int(record.get("attempts") or 0)
                alive = status == "running" and self._silent_for(record) <= TAKE_OVER_BEATS * self.heartbeat
                waited_enough = not self.executor.redelivers or time.time() > deadline
                if status in FINAL or (alive and waited_enough):
                    return None  # finished, cancelled, or a duplicate delivery of a job that is running
                if not alive:
                    if attempts >= MAX_ATTEMPTS:
                        record.update(status="failed", error=f"its worker died {attempts} times; submit it again")
                        self._write(job_id, record)
                        return None
                    record.update(
                        status="running",
                        attempts=attempts + 1,
                        worker=f"{socket.gethostname()}:{os.getpid()}",
                        heartbeat=time.time(),
                        progress={"done": 0, "total": None},  # a retry starts over
                        started_at=record.get("started_at") or _now(),
                        updated_at=_now(),
                    )
                    self._write(job_id, record)
                    return record
            time.sleep(self.heartbeat / 2)  # a redelivery right after a kill: wait for the silence

    def run(self, job_id: str) -> None:
        """Run one job to a final state (called by the executor, in whatever process it lives)."""
        record = self._claim(job_id)
        if record is None:
            return
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(self.heartbeat):
                try:
                    self._update(job_id, heartbeat=time.time())
                except Exception:  # noqa: BLE001 - a missed beat is retried on the next one
                    log.debug("heartbeat of job %s failed", job_id, exc_info=True)

        beater = threading.Thread(target=beat, name=f"job-beat-{job_id[:8]}", daemon=True)
        beater.start()
        started = time.perf_counter()
        context = JobContext(self, job_id, record["params"])
        try:
            result = self.runners[record["kind"]](context)
        except Cancelled:
            final = {"status": "cancelled", "error": "cancelled while running"}
        except Exception as exc:  # the job fails with its message; the server keeps serving
            # a named error's text (or fields) as it is; a library's only in the log, under a reference
            message = getattr(exc, "errors", None) or user_message(exc, "job", f"the {record['kind']} job")
            log.warning("job %s failed: %s\n%s", job_id, message, traceback.format_exc(limit=5))
            final = {"status": "failed", "error": message}
        else:
            final = {"status": "succeeded", "result": result, "finished_at": _now()}
        finally:
            stop.set()
            beater.join()
        JOB_SECONDS.labels(record["kind"], final["status"]).observe(time.perf_counter() - started)
        self._update(job_id, **final)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
