"""The prediction log: what each model version answered, and the ground truth that came back later.

Every served prediction (the Predict form, ``POST .../predict``, batch jobs) is recorded per model version
with its request id, time, door, inputs and answer; ``sample`` keeps that share of them. Records are
buffered per process and written as small Parquet partitions through the same atomic write as uploaded
datasets, ``<data dir>/predictions/<model>/v<version>/<date>/<time>-<pid>-<random>.parquet``: never one
growing file, readable from every worker and machine sharing the data dir. A process writes its buffer
after ``flush_rows`` records or ``flush_seconds`` (and when read or stopped), so a crash loses at most
that. Labels posted later by request id go to ``<model>/feedback/``. A model's log can be switched off.
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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dashboard.data.store import write_parquet_atomic
from dashboard.errors import FieldError
from dashboard.safety import private_dir
from model_store.files import is_name
from model_store.lazy import lazy_module

np = lazy_module("numpy")
pa = lazy_module("pyarrow")
pd = lazy_module("pandas")

COLUMNS = ("time", "request_id", "door", "row", "version", "inputs", "prediction", "output")
MAX_FEEDBACK = 10_000  # labels in one request
MAX_ROW = 10**9  # a record's position in its request (Parquet stores it as a 64-bit integer)


class PredictionLog:
    def __init__(self, root: Path, *, sample: float = 1.0, flush_rows: int = 500, flush_seconds: float = 5.0) -> None:
        self.root = Path(root)
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
        """One logged row per record of a prediction answer (the Serving service's shape)."""
        model, version = answer["model"], int(answer["version"])
        if not self.enabled(model):
            return
        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        rows = []
        for i, record in enumerate(records):
            if self.sample < 1.0 and random.random() >= self.sample:  # noqa: S311 - sampling, not secrecy
                continue
            output = {k: answer[k][i] for k in ("probabilities", "scores") if answer.get(k)}
            rows.append(
                {
                    "time": now,
                    "request_id": request_id,
                    "door": door,
                    "row": i,
                    "version": version,
                    "inputs": json.dumps(record, default=str),
                    "prediction": json.dumps(answer["predictions"][i], default=str),
                    "output": json.dumps(output, default=str),
                }
            )
        with self._lock:
            self._buffer.setdefault((model, version), []).extend(rows)
            due = sum(map(len, self._buffer.values())) >= self.flush_rows
            due = due or time.monotonic() - self._since >= self.flush_seconds
        if due:
            self.flush()

    def record_table(
        self, model: str, version: int, inputs: pd.DataFrame, scored: pd.DataFrame, *, door: str, request_id: str
    ) -> None:
        """A scored batch (the Serving service's ``score`` output beside its typed inputs), written at once as
        one columnar partition: inputs as ``input:<column>``, the prediction and its probability columns. No
        per-row encoding, so logging a 100,000-row job costs one Parquet write."""
        if not self.enabled(model) or scored.empty:
            return
        keep = (scored["error"] == "").to_numpy()
        if self.sample < 1.0:
            keep &= np.random.default_rng().random(len(scored)) < self.sample
        if not keep.any():
            return
        table = inputs.loc[keep].reset_index(drop=True).add_prefix("input:")
        outputs = scored.loc[keep].reset_index(drop=True).drop(columns=["error"])
        outputs["prediction"] = outputs["prediction"].astype(str)
        head = pd.DataFrame(
            {
                "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "request_id": request_id,
                "door": door,
                "row": np.flatnonzero(keep),
                "version": int(version),
            }
        )
        frame = pd.concat([head, outputs, table], axis=1)
        folder = private_dir(self._model_dir(model) / f"v{int(version)}" / frame["time"].iloc[0][:10])
        name = f"{time.time_ns()}-{os.getpid()}-{uuid.uuid4().hex[:8]}.parquet"
        try:
            arrow = pa.Table.from_pandas(frame, preserve_index=False)
        except (pa.ArrowException, TypeError, ValueError):  # a column of mixed types: keep it as text
            arrow = pa.Table.from_pandas(frame.astype({c: str for c in table.columns}), preserve_index=False)
        write_parquet_atomic(folder / name, arrow)

    def _flush_at_exit(self) -> None:
        with contextlib.suppress(OSError):  # the data dir is gone (a test's temp dir): nothing to keep
            self.flush()

    def flush(self) -> None:
        with self._lock:
            buffered, self._buffer, self._since = self._buffer, {}, time.monotonic()
        for (model, version), rows in buffered.items():
            if not rows:
                continue
            day = rows[0]["time"][:10]
            folder = private_dir(self._model_dir(model) / f"v{version}" / day)
            name = f"{time.time_ns()}-{os.getpid()}-{uuid.uuid4().hex[:8]}.parquet"
            write_parquet_atomic(folder / name, pa.Table.from_pylist(rows))

    # -- reading -------------------------------------------------------------------------------------
    def _partitions(self, model: str, pattern: str) -> list[Path]:
        """Published partitions only: a ``.tmp-`` file is one being written right now (pathlib's glob
        matches dot files)."""
        return [p for p in self._model_dir(model).glob(pattern) if not p.name.startswith(".")]

    def rows(self, model: str, version: int | None = None, limit: int = 1000) -> pd.DataFrame:
        """The newest ``limit`` logged rows of a model (one version or all), newest first."""
        self.flush()
        pattern = f"v{version}/*/*.parquet" if version is not None else "v*/*/*.parquet"
        files = sorted(self._partitions(model, pattern), key=lambda p: p.name, reverse=True)
        frames, count = [], 0
        for path in files:
            frame = pd.read_parquet(path)
            frames.append(frame if "inputs" in frame.columns else _as_records(frame.head(limit)))
            count += len(frame)
            if count >= limit:
                break
        if not frames:
            return pd.DataFrame(columns=list(COLUMNS))
        out = pd.concat(frames, ignore_index=True).sort_values(["time", "row"], ascending=[False, True])
        return out.head(limit).reset_index(drop=True)

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
        for path in self._partitions(model, "v*/*/*.parquet"):
            frame = pd.read_parquet(path, columns=["request_id", "row"])
            frame = frame[frame["request_id"].isin(request_ids)]
            keys.update(zip(frame["request_id"], frame["row"].astype(int), strict=True))
        return keys

    def feedback(self, model: str) -> pd.DataFrame:
        files = sorted((self._model_dir(model) / "feedback").glob("*.parquet"))
        if not files:
            return pd.DataFrame(columns=["time", "request_id", "row", "label"])
        return pd.concat([pd.read_parquet(p) for p in files], ignore_index=True)


def _as_records(frame: pd.DataFrame) -> pd.DataFrame:
    """A columnar batch partition in the log's row shape (inputs, prediction and output as JSON)."""
    inputs = [c for c in frame.columns if c.startswith("input:")]
    probabilities = [c for c in frame.columns if c.startswith("probability_")]
    out = frame[["time", "request_id", "door", "row", "version"]].copy()
    out["inputs"] = [
        json.dumps({c[6:]: v for c, v in zip(inputs, values, strict=True)})
        for values in frame[inputs].itertuples(index=False)
    ]
    out["prediction"] = [json.dumps(p) for p in frame["prediction"]]
    out["output"] = [
        json.dumps(
            {
                "probabilities": {
                    c.removeprefix("probability_"): float(v) for c, v in zip(probabilities, values, strict=True)
                }
            }
            if probabilities
            else {}
        )
        for values in frame[probabilities].itertuples(index=False)
    ]
    return out


def _plain(value: Any) -> Any:
    """A JSON-ready cell: NaN and None as null, numpy scalars as Python numbers."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value
