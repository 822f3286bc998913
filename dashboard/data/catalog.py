"""The dataset catalog: built-in and uploaded datasets behind one interface.

Every dataset is a Parquet file under the data dir (built-ins are materialised there on first use),
so loading, fingerprinting and sharing between workers work the same for all of them. The
fingerprint is the sha256 of that file and keys every derived-result cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from dashboard.data.builtin import BUILTINS, BuiltinDataset
from dashboard.data.store import DatasetNotFoundError, UploadStore, write_parquet_atomic
from dashboard.data.upload_base import DecodeLimits, ParsedUpload, UploadError
from dashboard.data.uploads import parse_upload
from dashboard.files import sha256_file
from dashboard.jobs.locks import LockFactory
from dashboard.safety import UnsafeNameError, child_path
from model_store.lazy import lazy_module

pd = lazy_module("pandas")
pa = lazy_module("pyarrow")

__all__ = ["Catalog", "DatasetInfo", "DatasetNotFoundError", "UploadError"]


@dataclass(frozen=True)
class DatasetInfo:
    id: str
    title: str
    description: str
    task: str
    target: str | None
    source: str
    licence: str
    synthetic: bool
    rows: int
    columns: int
    origin: str  # "builtin" or "upload"

    def to_dict(self) -> dict:
        return asdict(self)


def _builtin_info(entry: BuiltinDataset) -> DatasetInfo:
    return DatasetInfo(
        entry.id,
        entry.title,
        entry.description,
        entry.task,
        entry.target,
        entry.source,
        entry.licence,
        entry.synthetic,
        entry.rows,
        entry.columns,
        "builtin",
    )


def _upload_info(meta: dict) -> DatasetInfo:
    return DatasetInfo(
        meta["id"],
        meta.get("title") or meta["id"],
        meta.get("description", "Uploaded file"),
        meta.get("task", "unknown"),
        meta.get("target"),
        f"upload: {meta.get('filename', '?')}",
        "uploaded by a user",
        False,
        meta["rows"],
        meta["columns"],
        "upload",
    )


class Catalog:
    """Lists, loads, fingerprints, adds and deletes datasets under ``data_dir``.

    Loaded frames are kept in a small per-process LRU keyed by fingerprint; callers must treat
    returned frames as read-only.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        max_upload_bytes: int,
        max_columns: int,
        frames_in_memory: int = 4,
        locks: LockFactory | None = None,
        limits: DecodeLimits | None = None,
    ):
        self.data_dir = Path(data_dir)
        self.builtin_dir = self.data_dir / "builtin"
        self.builtin_dir.mkdir(parents=True, exist_ok=True)
        self.uploads = UploadStore(self.data_dir / "uploads", locks=locks)
        self.max_upload_bytes = max_upload_bytes
        self.max_columns = max_columns
        self.limits = limits or DecodeLimits(max_decoded_bytes=2 * max_upload_bytes)
        self._builtins = {entry.id: entry for entry in BUILTINS}
        self._frames: OrderedDict[str, pd.DataFrame] = OrderedDict()
        self._fingerprints: dict[tuple[str, int, int], str] = {}
        self._frames_in_memory = frames_in_memory
        self._lock = threading.Lock()

    # -- listing -------------------------------------------------------------------------------
    def list(self) -> list[DatasetInfo]:
        return [_builtin_info(e) for e in self._builtins.values()] + [_upload_info(m) for m in self.uploads.list()]

    def ids(self) -> list[str]:
        return [info.id for info in self.list()]

    def info(self, dataset_id: str) -> DatasetInfo:
        if dataset_id in self._builtins:
            return _builtin_info(self._builtins[dataset_id])
        return _upload_info(self.uploads.meta(self._checked(dataset_id)))

    def exists(self, dataset_id: object) -> bool:
        try:
            self.info(dataset_id)  # type: ignore[arg-type]
        except (DatasetNotFoundError, UnsafeNameError, TypeError):
            return False
        return True

    # -- files and fingerprints ----------------------------------------------------------------
    def parquet_path(self, dataset_id: str) -> Path:
        """The dataset's Parquet file, materialising a built-in on first use."""
        if dataset_id in self._builtins:
            path = child_path(self.builtin_dir, dataset_id, ".parquet")
            if not path.exists():
                frame = self._builtins[dataset_id].loader()
                write_parquet_atomic(path, pa.Table.from_pandas(frame, preserve_index=False))
            return path
        return self.uploads.parquet_path(self._checked(dataset_id))

    def fingerprint(self, dataset_id: str) -> str:
        """sha256 of the dataset's stored Parquet bytes (memoised by path, size and mtime)."""
        path = self.parquet_path(dataset_id)
        stat = path.stat()
        key = (str(path), stat.st_size, stat.st_mtime_ns)
        if dataset_id not in self._builtins:
            meta = self.uploads.meta(dataset_id)
            if (meta.get("bytes"), meta.get("mtime_ns")) == (stat.st_size, stat.st_mtime_ns):
                return meta["fingerprint"]  # hashed while the upload was written; the file is unchanged
        with self._lock:
            known = self._fingerprints.get(key)
        if known is None:
            known = sha256_file(path)
            with self._lock:
                self._fingerprints[key] = known
        return known

    def load(self, dataset_id: str) -> pd.DataFrame:
        """The dataset as a DataFrame (read-only by convention; shared between callers)."""
        fingerprint = self.fingerprint(dataset_id)
        with self._lock:
            frame = self._frames.get(fingerprint)
            if frame is not None:
                self._frames.move_to_end(fingerprint)
                return frame
        frame = pd.read_parquet(self.parquet_path(dataset_id))
        with self._lock:
            self._frames[fingerprint] = frame
            while len(self._frames) > self._frames_in_memory:
                self._frames.popitem(last=False)
        return frame

    # -- uploads -------------------------------------------------------------------------------
    def add_upload(
        self, filename: str, content: bytes | Path, *, name: str | None = None
    ) -> tuple[DatasetInfo, list[str]]:
        """Validate and store an upload (bytes, or a file read in blocks). Raises :class:`UploadError`;
        existing datasets are never touched.

        A Parquet upload is staged to disk (copied and hashed) on a second thread while Arrow
        validates it on this one; it is published only if validation passes.
        """
        stem = name or Path(filename or "upload").stem
        staging = None
        with ThreadPoolExecutor(max_workers=1) as pool:
            if _is_parquet(content) and _size(content) <= self.max_upload_bytes:
                staging = pool.submit(self.uploads.stage_source, content)
            try:
                parsed: ParsedUpload = parse_upload(
                    filename, content, max_bytes=self.max_upload_bytes, max_columns=self.max_columns, limits=self.limits
                )
            except BaseException:
                if staging is not None:
                    self.uploads.discard(staging.result())
                raise
            staged = staging.result() if staging is not None else None
        if not parsed.keep_original:  # the table was changed (e.g. renamed columns): write it anew
            self.uploads.discard(staged)
            staged = None
        try:
            staged = staged or self.uploads.stage_table(parsed.table)
            record = self.uploads.publish(
                stem,
                staged,
                rows=parsed.table.num_rows,
                columns=parsed.table.num_columns,
                reserved=set(self._builtins),
                meta={"title": stem[:80], "filename": Path(filename or "").name[:120], "format": parsed.format},
            )
        except UnsafeNameError as exc:
            raise UploadError("bad_name", "name", str(exc).split(": ", 1)[-1]) from None
        notices = list(parsed.notices)
        if record["id"] != stem:
            notices.append(f"stored as '{record['id']}'")
        return _upload_info(record), notices

    def delete(self, dataset_id: str) -> None:
        if dataset_id in self._builtins:
            raise UploadError("builtin_dataset", "dataset", f"'{dataset_id}' is built in and cannot be deleted")
        self.uploads.delete(self._checked(dataset_id))

    @staticmethod
    def _checked(dataset_id: object) -> str:
        if not isinstance(dataset_id, str):
            raise DatasetNotFoundError(str(dataset_id))
        try:
            child_path(Path("."), dataset_id)
        except UnsafeNameError:
            raise DatasetNotFoundError(dataset_id) from None
        return dataset_id


def _size(content: bytes | Path) -> int:
    return content.stat().st_size if isinstance(content, Path) else len(content)


def _is_parquet(content: bytes | Path) -> bool:
    if isinstance(content, Path):
        with open(content, "rb") as fh:
            return fh.read(4) == b"PAR1"
    return content[:4] == b"PAR1"
