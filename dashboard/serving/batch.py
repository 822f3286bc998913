"""The ``batch_predict`` job: score a CSV (or JSON records) with a stored model, in the job queue."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dashboard.files import atomic_write_bytes, expire_files
from dashboard.jobs.queue import JobContext, Runner
from dashboard.serving import stream
from dashboard.serving.service import Serving
from dashboard.serving.tables import batch_summary, read_batch_csv, results_csv
from model_store import ModelStore, SchemaError
from model_store.lazy import lazy_module

if TYPE_CHECKING:  # serving knows no feature; the log is handed in by the wiring
    from dashboard.monitoring import PredictionLog

pd = lazy_module("pandas")


def make_batch_runner(store: ModelStore, serving: Serving, log: PredictionLog | None = None) -> Runner:
    """The job: its rows checked, scored, written and logged a chunk at a time (``dashboard.serving.stream``),
    so a job's memory is bounded by a chunk whatever the size of its file."""

    def run(context: JobContext) -> dict[str, Any]:
        params = context.params
        loaded = store.load(params["model"], params.get("version"))
        schema = loaded.card["schema"]
        if params.get("format") == "json":  # a JSON body is bounded by the API's JSON limit (10 MiB)
            records = json.loads(context.input_path.read_bytes())
            if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
                raise SchemaError({"instances": "expected a list of records"})
            # Like a synchronous predict, an absent key in a JSON record means "missing", not a missing column.
            frame = pd.DataFrame.from_records(records)
            schema_columns = [f["name"] for f in schema["fields"]]
            frame = frame.reindex(columns=list(dict.fromkeys([*schema_columns, *frame.columns])))
            chunks, total = stream.frame_chunks(frame), len(frame)
        else:
            total = stream.count_csv_rows(context.input_path, stream.MAX_ROWS)
            chunks = stream.csv_chunks(context.input_path)
        context.check_cancelled()

        def logged(batch, scored, first_row: int) -> None:  # labels come back by the job id and each row
            log.record_table(
                loaded.name,
                loaded.version,
                batch.frame,
                scored,
                door="job",
                request_id=context.job_id,
                first_row=first_row,
            )

        summary = stream.score_in_chunks(
            chunks,
            schema,
            lambda batch: serving.score(loaded, batch, cancelled=context.cancel_requested),
            context.file_path("result.csv"),
            total=total,
            logged=logged if log is not None else None,
            progress=context.progress,
            cancelled=context.cancel_requested,
        )
        return {
            **summary,
            "model": loaded.name,
            "version": loaded.version,
            "alias": params.get("alias"),  # chosen when the job was accepted: it scores that version throughout
            "chosen_by": params.get("chosen_by", loaded.chosen_by),
            "result_csv": f"/api/jobs/{context.job_id}/result.csv",
        }

    return run


def score_upload(
    serving: Serving,
    store: ModelStore,
    name: str,
    version: str | None,
    alias: str | None,
    content: bytes,
    out_dir,
    progress=None,
    *,
    ttl_seconds: float,
    log: PredictionLog | None = None,
) -> tuple[dict[str, Any], str]:
    """Score an uploaded CSV for the Predict page. Writes the result CSV under ``out_dir`` named by a
    token (sha256 of model version + input), so a repeat of the same batch is found again; results
    older than ``ttl_seconds`` are deleted."""
    loaded = store.load(name, version, alias=alias)
    token = hashlib.sha256(f"{loaded.name}:{loaded.version}:".encode() + content).hexdigest()
    batch = read_batch_csv(content, loaded.card["schema"])
    scored = serving.score(loaded, batch, progress=progress)
    if log is not None:  # the request id of a page batch is its result's token
        log.record_table(loaded.name, loaded.version, batch.frame, scored, door="batch", request_id=token[:32])
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    atomic_write_bytes(out / f"{token}.csv", results_csv(batch.inputs, scored), fsync=False)
    expire_files(out, ttl_seconds, "*.csv")
    answer = {"model": loaded.name, "version": loaded.version, "alias": loaded.alias, "chosen_by": loaded.chosen_by}
    return {**batch_summary(batch, scored, inline_rows=0), **answer}, token
