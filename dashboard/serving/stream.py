"""A batch job scored a chunk of rows at a time, so its memory is bounded by the chunk, not the file.

Before, a job held the CSV's bytes, its parsed frame, the checked frame, the scores, their concatenation and
the output CSV's text at once: a 19 MiB CSV cost 439 MB. Now a first pass with Arrow's streaming reader counts
the rows and finds a ragged line before anything is scored (a file that breaks at row 40 million fails
whole: nothing is scored, logged or published), then pandas reads ``CHUNK_ROWS`` rows at a time; each chunk
is checked by the one validator, scored, appended to the result file and logged with its rows' numbers in
the whole batch. The result is published with one rename when every chunk is done.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from dashboard.errors import Cancelled
from dashboard.serving.tables import BatchInput, Totals, check_batch, csv_problem, neutralise_formulas
from model_store import SchemaError
from model_store.lazy import lazy_module

pd = lazy_module("pandas")
pa = lazy_module("pyarrow")
pacsv = lazy_module("pyarrow.csv")

CHUNK_ROWS = 20_000  # the scoring chunk of Serving.score too; about 40 MB of transient objects per chunk
MAX_ROWS = 1_000_000


def count_csv_rows(path: Path, max_rows: int) -> int:
    """The data rows of a CSV, read as text by Arrow in blocks; a ragged line or broken quoting is a
    SchemaError naming it, before anything is scored."""
    # one thread and small blocks: the count's memory stays a few blocks (Arrow's pool keeps what it used)
    small = pacsv.ReadOptions(use_threads=False, block_size=256 * 1024)
    try:
        with pacsv.open_csv(str(path), read_options=small) as probe:
            names = probe.schema.names
        as_text = pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()))
        rows = 0
        with pacsv.open_csv(str(path), read_options=small, convert_options=as_text) as reader:
            for batch in reader:
                rows += batch.num_rows
                if rows > max_rows:
                    raise SchemaError({"file": f"over the limit of {max_rows:,} rows"})
    except pa.ArrowInvalid as exc:
        raise SchemaError({"file": csv_problem(exc)}) from None
    if rows == 0:
        raise SchemaError({"file": "the CSV has no data rows"})
    return rows


def csv_chunks(path: Path) -> Iterator[pd.DataFrame]:
    try:
        yield from pd.read_csv(path, chunksize=CHUNK_ROWS, low_memory=False)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise SchemaError({"file": csv_problem(exc)}) from None


def frame_chunks(frame: pd.DataFrame) -> Iterator[pd.DataFrame]:
    for start in range(0, len(frame), CHUNK_ROWS):
        yield frame.iloc[start : start + CHUNK_ROWS].reset_index(drop=True)


def score_in_chunks(
    chunks: Iterator[pd.DataFrame],
    schema: dict[str, Any],
    score: Callable[[BatchInput], pd.DataFrame],
    out_path: Path,
    *,
    total: int,
    logged: Callable[[BatchInput, pd.DataFrame, int], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> dict[str, Any]:
    """Check, score and write each chunk; publish ``out_path`` (inputs, predictions, probabilities, errors)
    when all are done; return the batch's totals. A failure or a cancel publishes no result file (the
    prediction log keeps the chunks answered before it, as it keeps any answer given)."""
    totals = Totals()
    partial = out_path.with_name(f".{out_path.name}.part")
    try:
        with partial.open("w", newline="", encoding="utf-8") as out:
            for chunk in chunks:
                if cancelled is not None and cancelled():
                    raise Cancelled("cancelled")
                batch = check_batch(chunk, schema)
                scored = score(batch)
                combined = pd.concat([batch.inputs.reset_index(drop=True), scored.reset_index(drop=True)], axis=1)
                neutralise_formulas(combined).to_csv(out, index=False, header=totals.rows == 0)
                if logged is not None:
                    logged(batch, scored, totals.rows)
                totals.add(batch, scored, totals.rows)
                if progress is not None:
                    progress(totals.rows, total)
        os.replace(partial, out_path)
    finally:
        partial.unlink(missing_ok=True)
    return totals.summary()
