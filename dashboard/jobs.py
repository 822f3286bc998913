"""Background-job manager and the on-disk memo for derived results.

Both live under the configured cache dir (owner-only, never a shared /tmp default) so every
gunicorn worker and every background process sees the same jobs and the same cached results.
Pages only ever receive ``JobLayer.manager`` and ``JobLayer.memo``: switching the backend is a
change here, not in pages.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import diskcache

from dashboard.safety import private_dir
from dashboard.settings import MB, Settings

log = logging.getLogger(__name__)
T = TypeVar("T")

# Bump when a derived-result format or algorithm changes: old cache entries stop matching.
CODE_VERSION = "2026.11.2"


def cache_key(namespace: str, *parts: Any) -> str:
    """Stable key for ``parts`` (JSON-able; other objects by ``repr``) within ``namespace``."""
    payload = json.dumps([namespace, CODE_VERSION, parts], sort_keys=True, default=repr)
    return f"{namespace}:{hashlib.sha256(payload.encode()).hexdigest()}"


class Memo:
    """Memoize derived results on disk with a size limit and least-recently-used eviction.

    Keys are ``(namespace, dataset fingerprint, parameters, CODE_VERSION)``; values must be
    derived data (summaries, curves, scores), never user-supplied objects: diskcache pickles
    them, which is safe only because nobody but this app writes the owner-only folder.
    """

    def __init__(self, directory: Path, size_limit_bytes: int) -> None:
        self.cache = diskcache.Cache(
            str(private_dir(directory)),
            size_limit=size_limit_bytes,
            eviction_policy="least-recently-used",
        )

    def get_or_compute(self, namespace: str, parts: tuple[Any, ...], compute: Callable[[], T]) -> T:
        key = cache_key(namespace, *parts)
        hit = self.cache.get(key, default=_MISSING)
        if hit is not _MISSING:
            return hit  # type: ignore[return-value]
        value = compute()
        self.cache.set(key, value)
        return value

    def key_for(self, namespace: str, parts: tuple[Any, ...]) -> str:
        return cache_key(namespace, *parts)

    def get(self, key: str, default: Any = None) -> Any:
        return self.cache.get(key, default=default)

    def set(self, key: str, value: Any) -> None:
        self.cache.set(key, value)

    def __contains__(self, parts: tuple[str, tuple[Any, ...]]) -> bool:
        namespace, key_parts = parts
        return cache_key(namespace, *key_parts) in self.cache

    def clear(self) -> None:
        self.cache.clear()


_MISSING = object()


@dataclass(frozen=True)
class JobLayer:
    """What pages need for long work: a Dash background manager and the memo."""

    manager: Any
    memo: Memo


def create_job_layer(settings: Settings) -> JobLayer:
    """Build the job layer for ``settings.job_backend`` on the shared cache dir."""
    root = private_dir(Path(settings.cache_dir))
    memo = Memo(root / "memo", settings.cache_size_limit_mb * MB)
    if settings.job_backend == "diskcache":
        from dash import DiskcacheManager

        jobs_cache = diskcache.Cache(str(private_dir(root / "jobs")))
        manager = DiskcacheManager(jobs_cache, expire=24 * 3600)
    else:  # pragma: no cover - Settings restricts the values
        raise ValueError(f"DASHBOARD_JOB_BACKEND: unknown backend {settings.job_backend!r}")
    log.debug("job layer: %s at %s", settings.job_backend, root)
    return JobLayer(manager=manager, memo=memo)
