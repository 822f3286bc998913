"""The prediction log: what each model version answered, and the ground truth that came back later.

Every served prediction (the Predict form, ``POST .../predict``, batch jobs) is recorded per model version
with its request id, time, door, inputs and answer; ``sample`` keeps that share of them. Records are
buffered per process and written as small Parquet partitions through the same atomic write as uploaded
datasets, ``<data dir>/predictions/<model>/v<version>/<date>/<time>-<pid>-<random>.parquet``: never one
growing file, readable from every worker and machine sharing the data dir. A process writes its buffer
after ``flush_rows`` records or ``flush_seconds`` (and when read or stopped), so a crash loses at most
that. Labels posted later by request id go to ``<model>/feedback/``. A model's log can be switched off.
A full read merges a folder's many small partitions into one first (``dashboard.monitoring.compaction``).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dashboard.data.store import write_parquet_atomic
from dashboard.errors import FieldError
from dashboard.jobs.locks import FileLocks, Locks
from dashboard.monitoring.compaction import COMPACT_AT, compact, published, stamp, tail
from dashboard.monitoring.log_format import OUTPUT_PREFIX, as_records, cell, expanded, to_arrow
from dashboard.safety import private_dir
from model_store.files import is_name
from model_store.lazy import lazy_module

np = lazy_module("numpy")
pa = lazy_module("pyarrow")
pq = lazy_module("pyarrow.parquet")
pd = lazy_module("pandas")

COLUMNS = ("time", "request_id", "door", "row", "version", "inputs", "prediction", "output")
KEY_COLUMNS = ("request_id", "row", "prediction")
MAX_FEEDBACK = 10_000  # labels in one request
MAX_ROW = 10**9  # a record's position in its request (Parquet stores it as a 64-bit integer)
READ_ATTEMPTS = 3  # a file merged and deleted under a reader: list the folder again


class PredictionLog:
    def __init__(
        self,
        root: Path,
        *,
        sample: float = 1.0,
        flush_rows: int = 500,
        flush_seconds: float = 5.0,
        locks: Locks | None = None,
    ) -> None:
        self.root = Path(root)
        self.locks = locks or FileLocks(self.root / ".locks")
        self.sample, self.flush_rows, self.flush_seconds = sample, flush_rows, flush_seconds
        self._buffer: dict[tuple[str, int], list[dict[str, Any]]] = {}
        self._since = time.monotonic()
        self._lock = threading.Lock()
        atexit.register(self._flush_at_exit)

    # -- switch --------------------------------------------------------------------------------------
    def _model_dir(self, model: str) -> Path:
        if not is_name(model):
            raise FieldError("model", f"{str(model)[:40]!r} is not a model name")
        return self.root / model

    def enabled(self, model: str) -> bool:
        return not (self._model_dir(model) / "logging-off").exists()

    def set_enabled(self, model: str, enabled: bool) -> None:
        marker = private_dir(self._model_dir(model)) / "logging-off"
        if enabled:
            marker.unlink(missing_ok=True)
        else:
            marker.touch()

    # -- writing -------------------------------------------------------------------------------------
    def record(self, answer: dict[str, Any], records: list[dict[str, Any]], *, door: str, request_id: str) -> None:
        """One logged row per record of a prediction answer (the Serving service's shape), buffered and
        written in the same columnar shape as a batch: ``input:<field>``, ``prediction``, ``probability_<c>``."""
        model, version = answer["model"], int(answer["version"])
        if not self.enabled(model):
            return
        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        rows = []
        for i, record in enumerate(records):
            if self.sample < 1.0 and random.random() >= self.sample:  # noqa: S311 - sampling, not secrecy
                continue
            row = {"time": now, "request_id": request_id, "door": door, "row": i, "version": version}
            prediction = answer["predictions"][i]
            row["prediction_json" if isinstance(prediction, list | dict) else "prediction"] = cell(prediction)
            for kind in ("probabilities", "scores"):
                for label, value in ((answer.get(kind) or [{}] * len(records))[i] or {}).items():
                    row[f"{OUTPUT_PREFIX[kind]}{label}"] = value
            row.update({f"input:{k}": cell(v) for k, v in record.items()} if isinstance(record, dict) else {})
            rows.append(row)
        with self._lock:
            self._buffer.setdefault((model, version), []).extend(rows)
            due = sum(map(len, self._buffer.values())) >= self.flush_rows
            due = due or time.monotonic() - self._since >= self.flush_seconds
        if due:
            self.flush()

    def record_table(
        self,
        model: str,
        version: int,
        inputs: pd.DataFrame,
        scored: pd.DataFrame,
        *,
        door: str,
        request_id: str,
        first_row: int = 0,
    ) -> None:
        """A scored batch (the Serving service's ``score`` output beside its typed inputs), written at once as
        one columnar partition: inputs as ``input:<column>``, the prediction and its probability columns. No
        per-row encoding, so logging a 100,000-row job costs one Parquet write. ``first_row``: the position of
        ``inputs``' first row in its batch (a job logs a chunk at a time)."""
        if not self.enabled(model) or scored.empty:
            return
        keep = (scored["error"] == "").to_numpy()
        if self.sample < 1.0:
            keep &= np.random.default_rng().random(len(scored)) < self.sample
        if not keep.any():
            return
        table = inputs.loc[keep].reset_index(drop=True).add_prefix("input:")
        outputs = scored.loc[keep].reset_index(drop=True).drop(columns=["error"])
        outputs["prediction"] = outputs["prediction"].map(cell).infer_objects()
        head = pd.DataFrame(
            {
                "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "request_id": request_id,
                "door": door,
                "row": np.flatnonzero(keep) + first_row,  # the row's number in the whole batch
                "version": int(version),
            }
        )
        self._write(model, int(version), pd.concat([head, outputs, table], axis=1))

    def _write(self, model: str, version: int, frame: pd.DataFrame) -> None:
        """One partition, published atomically."""
        folder = private_dir(self._model_dir(model) / f"v{version}" / frame["time"].iloc[0][:10])
        name = f"{time.time_ns()}-{os.getpid()}-{uuid.uuid4().hex[:8]}.parquet"
        write_parquet_atomic(folder / name, to_arrow(frame))

    def _flush_at_exit(self) -> None:
        with contextlib.suppress(OSError):  # the data dir is gone (a test's temp dir): nothing to keep
            self.flush()

    def flush(self) -> None:
        with self._lock:
            buffered, self._buffer, self._since = self._buffer, {}, time.monotonic()
        for (model, version), rows in buffered.items():
            if rows:
                self._write(model, version, pd.DataFrame.from_records(rows))

    # -- reading -------------------------------------------------------------------------------------
    def _partitions(self, model: str, pattern: str) -> list[Path]:
        """The published partitions (not one being written, nor one a merged file holds)."""
        return published(self._model_dir(model).glob(pattern))

    def _read_all(self, model: str, pattern: str, read: Callable[[Path], Any]) -> list[Any]:
        """``read`` of every partition, after merging any folder grown to ``COMPACT_AT`` partitions."""

        def attempt() -> list[Any]:
            files = self._partitions(model, pattern)
            counts = Counter(path.parent for path in files)
            crowded = [folder for folder, count in counts.items() if count >= COMPACT_AT]
            for folder in crowded:  # the lock is named by the folder's place in the log: alike on every machine
                compact(folder, self.locks(f"prediction-log:{folder.relative_to(self.root)}"))
            return [read(path) for path in (self._partitions(model, pattern) if crowded else files)]

        return _retrying(attempt)

    def rows(self, model: str, version: int | None = None, limit: int = 1000) -> pd.DataFrame:
        """The newest ``limit`` logged rows of a model (one version or all), newest first."""
        self.flush()
        pattern = f"v{version}/*/*.parquet" if version is not None else "v*/*/*.parquet"

        def attempt() -> list[pd.DataFrame]:
            frames, count = [], 0
            for path in sorted(self._partitions(model, pattern), key=lambda p: stamp(p.name), reverse=True):
                frame = tail(path, limit)
                newest = frame.sort_values(["time", "row"], ascending=[False, True]).head(limit)  # merged: many
                frames.append(newest if "inputs" in frame.columns else as_records(newest))
                count += len(frame)
                if count >= limit:
                    break
            return frames

        frames = _retrying(attempt)
        if not frames:
            return pd.DataFrame(columns=list(COLUMNS))
        out = pd.concat(frames, ignore_index=True).sort_values(["time", "row"], ascending=[False, True])
        return out.head(limit).reset_index(drop=True)

    def table(self, model: str, version: int, fields: list[str]) -> pd.DataFrame:
        """Every logged row of one version as a table: ``fields`` (the model's inputs, named as in its
        schema), ``prediction``, any ``probability_<class>`` columns, ``request_id`` and ``row``. Only these
        columns are read from each partition, so a drift report over a million rows reads no JSON."""
        self.flush()
        wanted = {f"input:{f}" for f in fields}
        probability = OUTPUT_PREFIX["probabilities"]

        def read(path: Path) -> pd.DataFrame:
            names = pq.read_schema(path).names
            if "inputs" in names:  # a partition written before the log was columnar
                return expanded(pd.read_parquet(path), fields)
            columns = [c for c in names if c in wanted or c in KEY_COLUMNS or c.startswith(probability)]
            return pd.read_parquet(path, columns=columns).rename(columns=lambda c: c.removeprefix("input:"))

        frames = self._read_all(model, f"v{int(version)}/*/*.parquet", read)
        if not frames:
            return pd.DataFrame(columns=[*fields, *KEY_COLUMNS])
        frame = pd.concat(frames, ignore_index=True)
        return frame.reindex(columns=[*fields, *[c for c in frame.columns if c not in fields]])

    def labelled(self, model: str, version: int, fields: list[str]) -> pd.DataFrame:
        """The logged rows of one version that got a label back (the latest label per request id and row),
        with the label in a ``label`` column (as JSON text: the caller converts it to the model's classes)."""
        labels = self.feedback(model)
        logged = self.table(model, version, fields)
        if labels.empty or logged.empty:
            return logged.head(0).assign(label=pd.Series(dtype=object))
        labels = labels.sort_values("time").drop_duplicates(["request_id", "row"], keep="last")
        logged = logged.astype({"row": "int64"})
        return logged.merge(labels[["request_id", "row", "label"]].astype({"row": "int64"}), on=["request_id", "row"])

    # -- feedback ------------------------------------------------------------------------------------
    def add_feedback(self, model: str, labels: list[dict[str, Any]]) -> dict[str, int]:
        """Ground truth by request id (and row, for several records in one request). Returns how many were
        received and how many match a logged prediction."""
        if not isinstance(labels, list) or not labels:
            raise FieldError("labels", "send a list of {request_id, label} objects (row optional)")
        if len(labels) > MAX_FEEDBACK:
            raise FieldError("labels", f"{len(labels):,} labels is over {MAX_FEEDBACK:,} in one request")
        rows = []
        for i, item in enumerate(labels):
            if not isinstance(item, dict) or not isinstance(item.get("request_id"), str) or "label" not in item:
                raise FieldError(f"labels[{i}]", "needs a request_id (text) and a label")
            row = item.get("row", 0)
            if not isinstance(row, int) or isinstance(row, bool) or not 0 <= row <= MAX_ROW:
                raise FieldError(f"labels[{i}].row", f"must be a whole number from 0 to {MAX_ROW:,}")
            rows.append(
                {
                    "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                    "request_id": item["request_id"][:64],
                    "row": row,
                    "label": json.dumps(item["label"], default=str),
                }
            )
        folder = private_dir(self._model_dir(model) / "feedback")
        write_parquet_atomic(folder / f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.parquet", pa.Table.from_pylist(rows))
        wanted = {r["request_id"] for r in rows}
        matched_keys = self._logged_keys(model, wanted)
        matched = sum((r["request_id"], r["row"]) in matched_keys for r in rows)
        return {"received": len(rows), "matched": matched}

    def _logged_keys(self, model: str, request_ids: set[str]) -> set[tuple[str, int]]:
        """(request id, row) of the logged predictions among ``request_ids``: two columns read per partition."""
        self.flush()
        keys: set[tuple[str, int]] = set()
        key_columns = ["request_id", "row"]
        for frame in self._read_all(model, "v*/*/*.parquet", lambda p: pd.read_parquet(p, columns=key_columns)):
            frame = frame[frame["request_id"].isin(request_ids)]
            keys.update(zip(frame["request_id"], frame["row"].astype(int), strict=True))
        return keys

    def has_feedback(self, model: str) -> bool:
        """Whether any label came back for the model (no file is read)."""
        return bool(self._partitions(model, "feedback/*.parquet"))

    def feedback(self, model: str) -> pd.DataFrame:
        frames = self._read_all(model, "feedback/*.parquet", pd.read_parquet)
        if not frames:
            return pd.DataFrame(columns=["time", "request_id", "row", "label"])
        return pd.concat(frames, ignore_index=True)


def _retrying(read: Callable[[], Any]) -> Any:
    """``read()``, again when a file it listed was merged and deleted by another process meanwhile."""
    for _ in range(READ_ATTEMPTS - 1):
        try:
            return read()
        except FileNotFoundError:
            continue
    return read()
