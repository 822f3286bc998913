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
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock

from dashboard.safety import UnsafeNameError, child_path, slugify


class DatasetNotFoundError(KeyError):
    """No dataset has this id."""

    def __str__(self) -> str:
        return f"dataset: no dataset named {self.args[0]!r}"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never a part."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_parquet_atomic(path: Path, table: pa.Table) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".parquet")
    os.close(fd)
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class UploadStore:
    """Uploaded datasets: save, list, read metadata, delete. Safe for several processes."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(self.root / ".lock"))

    def save(
        self,
        name: str,
        table: pa.Table,
        *,
        reserved: set[str],
        original_parquet: bytes | None = None,
        meta: dict | None = None,
    ) -> dict:
        """Store ``table`` under a fresh id derived from ``name``; return its metadata.

        The id is unique: an existing or ``reserved`` id gets ``-2``, ``-3`` ... appended.
        """
        base = slugify(name, field="name")
        with self._lock:
            dataset_id = self._free_id(base, reserved)
            parquet_path = child_path(self.root, dataset_id, ".parquet")
            if original_parquet is not None:
                atomic_write_bytes(parquet_path, original_parquet)
            else:
                write_parquet_atomic(parquet_path, table)
            record = {
                **(meta or {}),
                "id": dataset_id,
                "rows": table.num_rows,
                "columns": table.num_columns,
                "fingerprint": sha256_file(parquet_path),
                "bytes": parquet_path.stat().st_size,
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            atomic_write_bytes(child_path(self.root, dataset_id, ".json"), json.dumps(record, indent=1).encode())
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
        with self._lock:
            meta_path = self._meta_path(dataset_id)
            if not meta_path.exists():
                raise DatasetNotFoundError(dataset_id)
            meta_path.unlink()  # unpublish first, then remove the data
            child_path(self.root, dataset_id, ".parquet").unlink(missing_ok=True)
