"""Named locks that every process of the app agrees on: the seam between one machine and several.

On one machine a lock is a file lock under the owner-only cache dir (the OS releases it when its
holder dies). Scaled out, a file lock on a network filesystem is not reliable, so locks live in Redis:
a key with a short TTL that the holder keeps renewing from a thread, so a holder killed with -9 frees
it within ``ttl`` seconds instead of never.

Used for dataset-id and model-version allocation and for stampede protection of the memo.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

from filelock import FileLock

from dashboard.files import expire_files
from dashboard.safety import private_dir

LockFactory = Callable[[str], AbstractContextManager]


class Locks(Protocol):
    def __call__(self, name: str, expire_after: float | None = None) -> AbstractContextManager:
        """A context manager holding the lock ``name`` (blocks until it is free). ``expire_after``: how soon a
        holder that died frees it (a lock held only for a moment can say less than the default)."""

    def sweep(self, older_than_seconds: float) -> int:
        """Forget locks unused for this long (retention); returns how many."""


class FileLocks:
    """Cross-process locks on one machine: one lock file per name (hashed: names may be long)."""

    def __init__(self, directory: Path) -> None:
        self.directory = private_dir(Path(directory))

    def path(self, name: str) -> Path:
        return self.directory / f"{hashlib.sha256(name.encode()).hexdigest()[:40]}.lock"

    def __call__(self, name: str, expire_after: float | None = None) -> AbstractContextManager:
        return FileLock(str(self.path(name)))  # the OS frees a dead process's file lock at once

    def sweep(self, older_than_seconds: float) -> int:
        # A lock file is touched at every acquire, so an old one is not held (jobs beat, memo fills end).
        return expire_files(self.directory, older_than_seconds, "*.lock")


class RedisLocks:
    """Locks across machines in Redis, renewed while held so a dead holder frees them within ``ttl``."""

    def __init__(self, client, *, prefix: str = "dashboard:lock:", ttl: float = 30.0, poll: float = 0.05) -> None:
        self.client, self.prefix, self.ttl, self.poll = client, prefix, ttl, poll

    def sweep(self, older_than_seconds: float) -> int:
        return 0  # Redis locks expire by themselves

    @contextlib.contextmanager
    def __call__(self, name: str, expire_after: float | None = None) -> Iterator[None]:
        ttl = expire_after or self.ttl
        lock = self.client.lock(
            self.prefix + hashlib.sha256(name.encode()).hexdigest()[:40],
            timeout=ttl,
            sleep=self.poll,
            thread_local=False,  # the renewing thread must see the token
        )
        lock.acquire(blocking=True)
        stop = threading.Event()

        def renew() -> None:
            while not stop.wait(ttl / 3):
                with contextlib.suppress(Exception):  # a lost lock shows up at release
                    lock.reacquire()

        renewer = threading.Thread(target=renew, name="lock-renew", daemon=True)
        renewer.start()
        try:
            yield
        finally:
            stop.set()
            renewer.join()
            with contextlib.suppress(Exception):  # expired meanwhile: nothing left to release
                lock.release()
