"""Batches as tables: a CSV (or records) checked into rows to score, and the scored rows written back as
a CSV a spreadsheet can open safely."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

from dashboard.errors import logged_reference
from dashboard.serving.adapters import plain
from model_store import SchemaError
from model_store.lazy import lazy_module
from model_store.validation import check_frame, range_notices

np = lazy_module("numpy")
pd = lazy_module("pandas")

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class BatchInput:
    """A batch checked against a schema: the rows to score and what was wrong with the others."""

    frame: pd.DataFrame  # the schema's columns, coerced
    valid: np.ndarray  # bool per row
    row_errors: dict[int, str] = field(default_factory=dict)  # 1-based data row number -> message
    notices: list[str] = field(default_factory=list)
    inputs: pd.DataFrame | None = None  # the rows as uploaded (all columns), for the output file


def read_batch_csv(content: bytes, schema: dict[str, Any], *, max_rows: int = 1_000_000) -> BatchInput:
    """Parse a CSV and check it against ``schema`` column by column (vectorised).

    A missing required column is an error naming it (a missing nullable one is missing in every row,
    with a notice); extra columns are kept in the output but not used; bad cells mark their row as bad
    with the row number (1 = first data row).
    """
    try:
        frame = pd.read_csv(io.BytesIO(content), low_memory=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as exc:
        raise SchemaError({"file": csv_problem(exc)}) from None
    if frame.empty:
        raise SchemaError({"file": "the CSV has no data rows"})
    if len(frame) > max_rows:
        raise SchemaError({"file": f"{len(frame):,} rows is over the limit of {max_rows:,}"})
    return check_batch(frame, schema)


_FIELD_COUNT = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_ARROW_COLUMNS = re.compile(r"Expected (\d+) columns, got (\d+)")


def csv_problem(exc: Exception) -> str:
    """Why pandas could not read a CSV, in the app's words (its own text goes to the log)."""
    text = str(exc)
    if isinstance(exc, UnicodeDecodeError) or "invalid UTF8" in text:  # pandas' and Arrow's words for it
        return "not a readable CSV: it is not UTF-8 text; save it as CSV (UTF-8)"
    if isinstance(exc, pd.errors.EmptyDataError) or "Empty CSV file" in text:
        return "not a readable CSV: the file has no columns"
    counts = _FIELD_COUNT.search(str(exc))
    if counts:
        return f"not a readable CSV: line {counts[2]} has {counts[3]} fields where the first row has {counts[1]}"
    columns = _ARROW_COLUMNS.search(str(exc))  # Arrow's reader names the row's text, not its line
    if columns:
        return f"not a readable CSV: a row has {columns[2]} fields where the first row has {columns[1]}"
    return f"not a readable CSV ({logged_reference(exc, 'reading a CSV')})"


def check_batch(frame: pd.DataFrame, schema: dict[str, Any]) -> BatchInput:
    """A table checked by the one validator (``model_store.schema.check_frame``): bad rows are named with
    every bad field, out-of-range values and unused columns become notices."""
    checked = check_frame(schema, frame)
    row_errors = {
        row + 1: "; ".join(f"{name}: {message}" for name, message in fields.items())
        for row, fields in checked.errors.items()
    }
    notices = range_notices(schema, checked)
    if checked.absent:
        notices.insert(0, f"column(s) not in the file, treated as missing: {', '.join(checked.absent[:10])}")
    if checked.unknown:
        notices.insert(0, f"ignored column(s) the model does not use: {', '.join(checked.unknown[:10])}")
    return BatchInput(frame=checked.frame, valid=checked.valid, row_errors=row_errors, notices=notices, inputs=frame)


def results_csv(inputs: pd.DataFrame, scored: pd.DataFrame) -> bytes:
    """Inputs + predictions + probabilities as CSV, with formula-like text cells neutralised."""
    combined = pd.concat([inputs.reset_index(drop=True), scored.reset_index(drop=True)], axis=1)
    return neutralise_formulas(combined).to_csv(index=False).encode()


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula (= + - @ tab CR) with a quote.
    Numbers are left alone: -3.5 in a numeric column is data, not a formula."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        text = series.astype(object)
        risky = text.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_PREFIXES))
        if risky.any():
            out[column] = text.where(~risky, "'" + text.astype(str))
    header = [("'" + c) if isinstance(c, str) and c.startswith(FORMULA_PREFIXES) else c for c in out.columns]
    out.columns = header
    return out


INLINE_ROWS = 1000  # a batch this small also answers its predictions in its result
SHOWN_ERRORS = 100


@dataclass
class Totals:
    """What a finished batch reports (counts, the first bad rows, the predictions when few), gathered chunk
    by chunk: a streamed job adds each chunk with the number of its first row."""

    inline_rows: int = INLINE_ROWS
    rows: int = 0
    scored: int = 0
    bad_rows: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    predictions: list[Any] = field(default_factory=list)

    def add(self, batch: BatchInput, scored: pd.DataFrame, first_row: int) -> None:
        self.rows += len(scored)
        self.scored += int(batch.valid.sum())
        self.bad_rows += len(batch.row_errors)
        for row, message in batch.row_errors.items():
            if len(self.errors) < SHOWN_ERRORS:
                self.errors[str(first_row + row)] = message
        self.notices.extend(n for n in batch.notices if n not in self.notices)
        if self.rows <= self.inline_rows:
            self.predictions.extend(plain(v) for v in scored["prediction"])

    def summary(self) -> dict[str, Any]:
        out = {"rows": self.rows, "scored": self.scored, "bad_rows": self.bad_rows, "errors": self.errors}
        out["notices"] = self.notices
        if self.rows <= self.inline_rows:
            out["predictions"] = self.predictions
        return out


def batch_summary(batch: BatchInput, scored: pd.DataFrame, inline_rows: int = INLINE_ROWS) -> dict[str, Any]:
    """What a batch scored at once reports."""
    totals = Totals(inline_rows=inline_rows)
    totals.add(batch, scored, 0)
    return totals.summary()
