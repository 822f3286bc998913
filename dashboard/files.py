"""File helpers shared by every store: content hashes and atomic writes (one implementation, the model
store's, which stands alone), and retention."""

from __future__ import annotations

import time
from pathlib import Path

from model_store.files import atomic_write_bytes, sha256_file

__all__ = ["atomic_write_bytes", "expire_files", "sha256_file"]


def expire_files(folder: Path, ttl_seconds: float, pattern: str = "*", now: float | None = None) -> int:
    """Delete files in ``folder`` matching ``pattern`` last modified over ``ttl_seconds`` ago (retention)."""
    cutoff = (now or time.time()) - ttl_seconds
    removed = 0
    for path in Path(folder).glob(pattern):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another process expired it first
            pass
    return removed
