"""The job layer: Dash's background-callback manager, the memo of derived results, and shared locks.

One machine (``DASHBOARD_JOB_BACKEND=diskcache``, the default): background callbacks run in forked
processes through ``DiskcacheManager``, the memo is a size-limited diskcache and locks are file locks,
all under the owner-only cache dir. Several machines (``celery``): background callbacks and API jobs
run on Celery workers (``dashboard/jobs/celery_app.py``), and the memo and locks live in Redis, so no SQLite or
file lock has to work over a network filesystem. Pages only see ``JobLayer``: switching the backend
is a change here, not in pages.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import pickle  # memo values are our own derived results; Redis copies are HMAC-checked before loading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

import diskcache

from dashboard.jobs.locks import FileLocks, Locks, RedisLocks
from dashboard.metrics import MEMO_LOOKUPS
from dashboard.safety import private_dir, shared_secret
from dashboard.settings import MB, Settings

log = logging.getLogger(__name__)
T = TypeVar("T")

# Bump when a derived-result format or algorithm changes: old cache entries stop matching.
CODE_VERSION = "2026.12.2"
MEMO_TTL_SECONDS = 7 * 24 * 3600  # Redis memo entries unused this long expire (diskcache evicts by size)


def cache_key(namespace: str, *parts: Any) -> str:
    """Stable key for ``parts`` (JSON-able; other objects by ``repr``) within ``namespace``."""
    payload = json.dumps([namespace, CODE_VERSION, parts], sort_keys=True, default=repr)
    return f"{namespace}:{hashlib.sha256(payload.encode()).hexdigest()}"


class MemoBackend(Protocol):
    def get(self, key: str) -> Any | None: ...
    def set(self, key: str, value: Any) -> None: ...


class DiskMemo:
    """diskcache with a size limit and LRU eviction. Values are pickled by diskcache, which is safe only
    because nobody but this app can write the owner-only folder."""

    def __init__(self, directory: Path, size_limit_bytes: int) -> None:
        self.cache = diskcache.Cache(
            str(private_dir(Path(directory))), size_limit=size_limit_bytes, eviction_policy="least-recently-used"
        )

    def get(self, key: str) -> Any | None:
        return self.cache.get(key, default=None)

    def set(self, key: str, value: Any) -> None:
        self.cache.set(key, value)


class RedisMemo:
    """The memo in Redis, shared by every machine. Each value is signed with HMAC-SHA256 under a key
    Redis never sees, and a value whose signature does not match is ignored, never unpickled."""

    def __init__(self, client, secret: bytes, *, prefix: str = "dashboard:memo:", ttl: int = MEMO_TTL_SECONDS):
        self.client, self.secret, self.prefix, self.ttl = client, secret, prefix, ttl

    def _sign(self, blob: bytes) -> bytes:
        return hmac.new(self.secret, blob, hashlib.sha256).digest()

    def get(self, key: str) -> Any | None:
        stored = self.client.getex(self.prefix + key, ex=self.ttl)  # reading keeps an entry alive
        if stored is None or len(stored) < 32:
            return None
        signature, blob = stored[:32], stored[32:]
        if not hmac.compare_digest(signature, self._sign(blob)):
            log.warning("memo: ignoring an entry with a bad signature (%s)", key[:40])
            return None
        return pickle.loads(blob)  # noqa: S301 - signed by this app above

    def set(self, key: str, value: Any) -> None:
        blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        self.client.set(self.prefix + key, self._sign(blob) + blob, ex=self.ttl)


class Memo:
    """Memoize derived results keyed by ``(namespace, dataset fingerprint, parameters, CODE_VERSION)``.

    Values must be derived data (summaries, curves, scores, fitted helpers), never user-supplied
    objects. :meth:`compute_once` adds stampede protection: identical requests at the same time, in
    any process on any machine, compute once while the others wait for that result.
    """

    def __init__(self, backend: MemoBackend, locks: Locks) -> None:
        self.backend, self.locks = backend, locks

    @classmethod
    def local(cls, directory: Path, size_limit_bytes: int) -> Memo:
        directory = private_dir(Path(directory))
        return cls(DiskMemo(directory, size_limit_bytes), FileLocks(directory / "locks"))

    def key_for(self, namespace: str, parts: tuple[Any, ...]) -> str:
        return cache_key(namespace, *parts)

    def get(self, key: str, default: Any = None) -> Any:
        value = self.backend.get(key)
        return default if value is None else value

    def set(self, key: str, value: Any) -> None:
        self.backend.set(key, value)

    def compute_once(self, key: str, compute: Callable[[], T]) -> tuple[T, bool]:
        """``(value, computed)``: the cached value, or ``compute()``'s, computed by one caller at a time."""
        hit = self.backend.get(key)
        if hit is not None:
            MEMO_LOOKUPS.labels("hit").inc()
            return hit, False
        with self.locks(f"memo:{key}"):
            hit = self.backend.get(key)  # the caller we waited for has stored it
            if hit is not None:
                MEMO_LOOKUPS.labels("hit").inc()
                return hit, False
            MEMO_LOOKUPS.labels("miss").inc()
            value = compute()
            self.backend.set(key, value)
            return value, True

    def get_or_compute(self, namespace: str, parts: tuple[Any, ...], compute: Callable[[], T]) -> T:
        return self.compute_once(cache_key(namespace, *parts), compute)[0]


@dataclass(frozen=True)
class JobLayer:
    """What pages and services need for long work: the memo, shared locks, and where background callbacks
    run: the Celery app when there is one, else a diskcache store for Dash's DiskcacheManager (the app
    factory builds the Dash manager from these, so nothing here imports Dash)."""

    memo: Memo
    locks: Locks
    celery: Any = None
    callback_cache: Any = None
    expire_seconds: int = 0


def create_job_layer(settings: Settings) -> JobLayer:
    """Build the job layer for ``settings.job_backend`` on the shared cache dir."""
    root = private_dir(Path(settings.cache_dir))
    if settings.job_backend == "celery":
        import redis

        from dashboard.jobs.celery_app import make_celery

        client = redis.Redis.from_url(settings.redis_url)
        locks: Locks = RedisLocks(client)
        memo = Memo(RedisMemo(client, memo_secret(root)), locks)
        log.debug("job layer: celery at %s", settings.redis_url)
        return JobLayer(memo, locks, celery=make_celery(settings), expire_seconds=settings.job_ttl_seconds)
    locks = FileLocks(root / "locks")  # one folder for every lock file, swept with the jobs
    memo = Memo(DiskMemo(root / "memo", settings.cache_size_limit_mb * MB), locks)
    callbacks = diskcache.Cache(str(private_dir(root / "jobs")))
    log.debug("job layer: diskcache at %s", root)
    return JobLayer(memo, locks, callback_cache=callbacks, expire_seconds=settings.job_ttl_seconds)


def memo_secret(cache_dir: Path) -> bytes:
    """The memo's signing key: ``<cache dir>/memo.key`` (0600), made by whichever process comes first.
    Every machine shares the cache dir, so they agree on it; Redis alone cannot forge an entry."""
    return shared_secret(Path(cache_dir) / "memo.key")
