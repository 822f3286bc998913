"""Uploaded datasets on disk: ``<data_dir>/uploads/<id>.parquet`` plus ``<id>.json`` metadata.

Writes go to a temp file in the same folder and are published with ``os.replace``, Parquet first,
metadata last: a dataset is visible only once both are whole, so a crash or a failed upload never
leaves a half-written dataset and never touches existing ones.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock

from dashboard.errors import NotFound
from dashboard.files import atomic_write_bytes, sha256_file
from dashboard.jobs.locks import LockFactory
from dashboard.safety import UnsafeNameError, child_path, slugify
from model_store.lazy import lazy_module

pa = lazy_module("pyarrow")
pq = lazy_module("pyarrow.parquet")


class DatasetNotFoundError(NotFound):
    """No dataset has this id."""

    def __str__(self) -> str:
        return f"dataset: no dataset named {self.args[0]!r}"


def write_parquet_atomic(path: Path, table: pa.Table, **options) -> None:
    """``table`` at ``path``, visible only once complete (``options`` go to ``pq.write_table``)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".parquet")
    os.close(fd)
    try:
        pq.write_table(table, tmp, **options)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class Staged:
    """A complete file in the uploads folder under a temp name, not yet visible as a dataset."""

    path: Path
    sha256: str


class UploadStore:
    """Uploaded datasets: stage, publish, list, read metadata, delete. Safe for several processes.

    Staging writes the whole file under a temp name (and hashes it in the same pass); publishing
    allocates the id under a file lock and renames, so concurrent uploads never collide.
    """

    def __init__(self, root: Path, *, locks: LockFactory | None = None) -> None:
        """``locks`` is the app's lock service (Redis when scaled out); a file lock in the folder by default."""
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._locks = locks or (lambda _name: FileLock(str(self.root / ".lock")))

    def stage_source(self, content: bytes | Path) -> Staged:
        """A copy of ``content`` (bytes, or a file copied in blocks) under a temp name, hashed in the same pass."""
        digest = hashlib.sha256()
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".tmp-", suffix=".parquet")
        try:
            with os.fdopen(fd, "wb") as fh:
                for block in _blocks(content):
                    digest.update(block)
                    fh.write(block)
                fh.flush()
                os.fsync(fh.fileno())
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return Staged(Path(tmp), digest.hexdigest())

    def stage_table(self, table: pa.Table) -> Staged:
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".tmp-", suffix=".parquet")
        os.close(fd)
        try:
            pq.write_table(table, tmp)
            return Staged(Path(tmp), sha256_file(Path(tmp)))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @staticmethod
    def discard(staged: Staged | None) -> None:
        if staged is not None:
            staged.path.unlink(missing_ok=True)

    def publish(
        self, name: str, staged: Staged, *, rows: int, columns: int, reserved: set[str], meta: dict | None = None
    ) -> dict:
        """Make ``staged`` a dataset under a fresh id derived from ``name``; return its metadata.

        The id is unique: an existing or ``reserved`` id gets ``-2``, ``-3`` ... appended.
        """
        try:
            base = slugify(name, field="name")
            with self._locks("uploads"):
                dataset_id = self._free_id(base, reserved)
                parquet_path = child_path(self.root, dataset_id, ".parquet")
                os.replace(staged.path, parquet_path)
                record = {
                    **(meta or {}),
                    "id": dataset_id,
                    "rows": rows,
                    "columns": columns,
                    "fingerprint": staged.sha256,
                    "bytes": parquet_path.stat().st_size,
                    "mtime_ns": parquet_path.stat().st_mtime_ns,
                    "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                }
                atomic_write_bytes(self._meta_path(dataset_id), json.dumps(record, indent=1).encode())
        except BaseException:
            self.discard(staged)
            raise
        return record

    def _free_id(self, base: str, reserved: set[str]) -> str:
        candidate, n = base, 1
        while candidate in reserved or self._meta_path(candidate).exists():
            n += 1
            candidate = f"{base[:58]}-{n}"
        return candidate

    def _meta_path(self, dataset_id: str) -> Path:
        return child_path(self.root, dataset_id, ".json")

    def list(self) -> list[dict]:
        records = []
        for meta_path in sorted(self.root.glob("*.json")):
            try:
                record = json.loads(meta_path.read_text())
            except (OSError, ValueError):
                continue  # unreadable metadata: not a published dataset
            if (self.root / f"{meta_path.stem}.parquet").exists():
                records.append(record)
        return records

    def meta(self, dataset_id: str) -> dict:
        try:
            return json.loads(self._meta_path(dataset_id).read_text())
        except (OSError, ValueError, UnsafeNameError):
            raise DatasetNotFoundError(dataset_id) from None

    def parquet_path(self, dataset_id: str) -> Path:
        self.meta(dataset_id)
        return child_path(self.root, dataset_id, ".parquet")

    def delete(self, dataset_id: str) -> None:
        with self._locks("uploads"):
            meta_path = self._meta_path(dataset_id)
            if not meta_path.exists():
                raise DatasetNotFoundError(dataset_id)
            meta_path.unlink()  # unpublish first, then remove the data
            child_path(self.root, dataset_id, ".parquet").unlink(missing_ok=True)


def _blocks(content: bytes | Path, size: int = 8 << 20) -> Iterator[bytes | memoryview]:
    if isinstance(content, Path):
        with open(content, "rb") as fh:
            while block := fh.read(size):
                yield block
        return
    view = memoryview(content)
    for offset in range(0, len(view), size):
        yield view[offset : offset + size]
