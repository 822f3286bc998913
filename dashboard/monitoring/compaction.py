"""Merging a log folder's small Parquet partitions into one, while other processes read and write it.

Form and REST predictions are written a buffer (500 records) at a time, so a busy day leaves thousands of small
files, and each costs a file open and a schema read: a million rows in 2,000 partitions took 8 s to read, in one
file a fraction of that. A full read that meets a folder with ``COMPACT_AT`` or more partitions merges them
first. The merged file names the files it merged in its Parquet metadata, and readers skip a named file that
is still there, so a reader sees every row exactly once at any instant: the sources before the merged file is
published, the merged file after (the sources are deleted next). A partition written meanwhile is not named
and stays as it is. A lock keeps two processes from merging one folder at the same time, and a reader whose
file was deleted under it lists the folder again.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from pathlib import Path

from dashboard.data.store import write_parquet_atomic
from dashboard.monitoring.log_format import to_arrow
from model_store.lazy import lazy_module

pa = lazy_module("pyarrow")
pq = lazy_module("pyarrow.parquet")
pd = lazy_module("pandas")

COMPACT_AT = 64  # published partitions in one folder before a full read merges them
MERGED_FROM = b"dashboard.merged_from"
MARK = "-merged-"
READ_THREADS = 4
ROW_GROUP_ROWS = 10_000  # a merged file holds its rows oldest first: the newest are read from its last groups
LEGACY_COLUMN = "inputs"  # the log's first, JSON-row format: left as it is


def published(paths: Iterable[Path]) -> list[Path]:
    """The partitions to read: not a ``.tmp-`` file still being written (pathlib's glob matches dot files),
    nor a file a merged one already holds."""
    files = [p for p in paths if not p.name.startswith(".")]
    merged: set[str] = set()
    for path in files:
        if MARK in path.name:
            merged.update(merged_from(path))
    return [p for p in files if p.name not in merged]


def stamp(name: str) -> int:
    """The nanosecond time a partition's name starts with (0 for a name that does not)."""
    head = name.split("-", 1)[0]
    return int(head) if head.isascii() and head.isdigit() else 0


def merged_from(path: Path) -> list[str]:
    metadata = pq.read_schema(path).metadata or {}
    return json.loads(metadata.get(MERGED_FROM, b"[]"))


def compact(folder: Path, lock: AbstractContextManager) -> int:
    """Merge ``folder``'s published columnar partitions into one file; how many were merged (0: too few)."""
    with lock:
        oldest_first = sorted(published(folder.glob("*.parquet")), key=lambda p: stamp(p.name))
        with ThreadPoolExecutor(READ_THREADS) as pool:  # Arrow reads release the GIL: file opens overlap
            tables = dict(zip(oldest_first, pool.map(pq.read_table, oldest_first), strict=True))
        tables = {path: t for path, t in tables.items() if LEGACY_COLUMN not in t.column_names}
        if len(tables) < COMPACT_AT:
            return 0
        plain = [t.replace_schema_metadata(None) for t in tables.values()]  # each file's pandas metadata differs
        try:
            merged = pa.concat_tables(plain, promote_options="permissive")  # a missing column: nulls
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # a column that is text in one file, numbers in another
            merged = to_arrow(pd.concat([t.to_pandas() for t in plain], ignore_index=True))
        names = sorted(path.name for path in tables)
        merged = merged.replace_schema_metadata({MERGED_FROM: json.dumps(names).encode()})
        newest = max(stamp(name) for name in names)  # keeps "newest first by name" true
        path = folder / f"{newest}{MARK}{uuid.uuid4().hex[:8]}.parquet"
        write_parquet_atomic(path, merged, row_group_size=ROW_GROUP_ROWS)
        for path in tables:
            path.unlink(missing_ok=True)
        return len(tables)


def tail(path: Path, rows: int) -> pd.DataFrame:
    """At least the last ``rows`` rows of a partition: of a merged one, only the row groups holding them."""
    parquet = pq.ParquetFile(path)
    groups, count = [], 0
    for group in reversed(range(parquet.num_row_groups)):
        groups.insert(0, group)
        count += parquet.metadata.row_group(group).num_rows
        if count >= rows:
            break
    return parquet.read_row_groups(groups).to_pandas()
