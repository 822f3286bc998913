"""Parse and validate an uploaded file into an Arrow table, or fail with a named error.

Every failure is an :class:`UploadError` with a stable ``code`` (tests and the API match on it), the
``field`` it concerns, and a sentence a person can act on. An upload is bytes or a file on disk
(:class:`~dashboard.data.upload_source.Source`); a file is read in blocks, never whole into memory.
Nothing here writes to disk except a temp UTF-8 copy of a text file that is not UTF-8.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path, PurePath

from dashboard.data.upload_base import (
    MIB,
    DecodeLimits,
    ParsedUpload,
    UploadError,
    clean_column_names,
    join_chunks,
    to_arrow,
)
from dashboard.data.upload_excel import parse_excel
from dashboard.data.upload_parquet import parse_parquet
from dashboard.data.upload_source import (
    Source,
    TextProblem,
    TextScan,
    control_ratio,
    text_head,
    text_lines,
    utf8_text,
)
from dashboard.errors import logged_reference, user_message
from model_store.lazy import lazy_module

pd = lazy_module("pandas")
pa = lazy_module("pyarrow")
pc = lazy_module("pyarrow.compute")
pacsv = lazy_module("pyarrow.csv")
pq = lazy_module("pyarrow.parquet")

TEXT_FORMATS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
BINARY_FORMATS = {".parquet": "parquet", ".pq": "parquet", ".xlsx": "excel", ".xlsm": "excel"}
INT53 = 2**53  # integers beyond this magnitude are not exact as float64
JSON_CHUNK_ROWS = 50_000  # JSON records held as Python objects at once
BLOCK_SIZE = 4 * MIB  # Arrow's CSV blocks: a file is read a block at a time, never whole
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def refusal(exc: BaseException, filename: object) -> str:
    """What the page shows for a refused upload, naming the file (it said "file: ..." without saying
    which): ``sales.csv: the file is empty (0 bytes)``."""
    text = exc.message if isinstance(exc, UploadError) and exc.field == "file" else None
    text = text or user_message(exc, "file", "reading the file")
    name = str(filename)[:80] if isinstance(filename, str) and filename else ""
    return f"{name}: {text}" if name else text


def detect_format(filename: str, head: bytes) -> str:
    """Format from the extension, with magic bytes as a cross-check for binary formats."""
    suffix = PurePath(filename or "").suffix.lower()
    if head[:4] == b"PAR1":
        return "parquet"
    if suffix in BINARY_FORMATS:
        return BINARY_FORMATS[suffix]
    if suffix in TEXT_FORMATS:
        return TEXT_FORMATS[suffix]
    known = ", ".join(sorted({*TEXT_FORMATS, *BINARY_FORMATS}))
    raise UploadError("unsupported_format", "file", f"'{suffix or filename}' is not a supported type ({known})")


def parse_upload(
    filename: str, content: bytes | Path, *, max_bytes: int, max_columns: int, limits: DecodeLimits | None = None
) -> ParsedUpload:
    """Validate ``content`` (bytes, or a file) and return it as an Arrow table with clean, unique column names."""
    source = Source(content)
    if not source.size:
        raise UploadError("empty_file", "file", "the file is empty (0 bytes)")
    if source.size > max_bytes:
        raise UploadError("too_large", "file", too_large_message(source.size, max_bytes))
    limits = limits or DecodeLimits(max_decoded_bytes=2 * max_bytes)
    fmt = detect_format(filename, source.head(4))
    parsers = {
        "csv": _text_format(_parse_utf8_delimited),
        "jsonl": _text_format(_parse_utf8_json_lines),
        "parquet": parse_parquet,
        "excel": parse_excel,
    }
    parsed = parsers[fmt](source, limits)
    table = parsed.table
    limits.check_cells(table.num_rows, table.num_columns)
    if table.num_columns == 0:
        raise UploadError("no_columns", "file", "no columns were found")
    if table.num_columns > max_columns:
        raise UploadError("too_many_columns", "file", f"{table.num_columns} columns is over the limit of {max_columns}")
    if table.num_rows == 0:
        raise UploadError("no_rows", "file", "the file has a header but no data rows")
    names, renames = clean_column_names([str(n) for n in table.column_names])
    if renames:
        parsed.table = table.rename_columns(names)
        parsed.keep_original = False
        parsed.notices.append("renamed columns: " + ", ".join(f"{old!r} → {new!r}" for old, new in renames))
    return parsed


def too_large_message(size: int | None, limit: int) -> str:
    """``size`` None: the body was cut at the limit, so only "over" is known, not by how much."""
    limit_text = f"the {limit / MIB:,.4g} MiB upload limit"
    return f"the file is over {limit_text}" if size is None else f"{size / MIB:,.1f} MiB is over {limit_text}"


def _text_format(parse: Callable[[Source, TextScan, DecodeLimits], ParsedUpload]):
    """A text format's parser, handed the upload as UTF-8 with its scan (``utf8_text``)."""

    def parse_text(source: Source, limits: DecodeLimits) -> ParsedUpload:
        try:
            with utf8_text(source) as (text, scan):
                return parse(text, scan, limits)
        except TextProblem as exc:
            raise UploadError(exc.code, "file", exc.message) from None

    return parse_text


def _parse_utf8_delimited(text: Source, scan: TextScan, limits: DecodeLimits) -> ParsedUpload:
    notices = list(scan.encoding_notes)
    if scan.cr_only:
        notices.append("line endings were CR only (old Mac); read as lines")
    head = text_head(text)
    if control_ratio(head) > 0.05:
        raise UploadError("binary_content", "file", "the file looks like binary data, not text")
    if scan.blank:
        raise UploadError("empty_file", "file", "the file has no text in it")
    delimiter = _sniff_delimiter("\n".join(head[:65536].splitlines()[:50]))
    header = next(csv.reader(io.StringIO(head.lstrip("\ufeff\r\n")), delimiter=delimiter), None)
    if header is None:  # a byte-order mark and line breaks: blank to a person, not to the byte scan
        raise UploadError("empty_file", "file", "the file has no text in it (only a byte-order mark)")
    has_header = not all(_NUMBER.match(cell.strip()) for cell in header if cell.strip())
    if not has_header:
        header = [f"column_{i}" for i in range(1, len(header) + 1)]
        notices.append("the first row is all numbers, so it was read as data; columns were named column_1 ...")
    names, renames = clean_column_names(header)
    if renames:
        notices.append("renamed columns: " + ", ".join(f"{old!r} → {new!r}" for old, new in renames))
    if scan.quotes % 2:
        _refuse_open_quote(text)
    # Lines bound the rows from above (a quoted value may span lines): checked before Arrow allocates.
    limits.check_cells(scan.newlines + 1, len(names), estimate=True)
    bad_rows: list[pacsv.InvalidRow] = []

    def refuse(row: pacsv.InvalidRow) -> str:
        bad_rows.append(row)
        return "error"

    def read(column_types: dict[str, pa.DataType] | None = None, block_size: int = BLOCK_SIZE) -> pa.Table:
        # Arrow's reader is strict about field counts (pandas quietly turns extra fields into an index),
        # reads a file in blocks and skips a UTF-8 BOM.
        options = {
            "read_options": pacsv.ReadOptions(
                column_names=names, skip_rows=1 if has_header else 0, block_size=block_size
            ),
            "parse_options": pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, invalid_row_handler=refuse
            ),
            "convert_options": pacsv.ConvertOptions(strings_can_be_null=True, column_types=column_types or {}),
        }
        try:
            # The streaming reader holds the table and one block: about half the peak of read_csv, which
            # keeps every block's parsed fields until it has converted them all.
            with pacsv.open_csv(text.arrow_input(), **options) as reader:
                return pa.Table.from_batches(list(reader), schema=reader.schema)
        except pa.ArrowInvalid as exc:
            if "conversion error" not in str(exc):
                raise
        # It infers types from the first block only; a column that turns from numbers to text later is read
        # whole by read_csv, which infers over every block (rare, and bounded by the upload limit).
        bad_rows.clear()
        return pacsv.read_csv(text.arrow_input(), **options)

    def read_whole(column_types: dict[str, pa.DataType] | None = None) -> pa.Table:
        try:
            return read(column_types)
        except pa.ArrowInvalid as exc:
            if "straddl" not in str(exc):
                raise
            # A value longer than a block: read again as one block (rare: a cell of many MiB).
            return read(column_types, block_size=max(BLOCK_SIZE, text.size + 1))

    try:
        table = _exact_integers(read_whole(), read_whole, notices)
    except pa.ArrowInvalid as exc:
        if bad_rows:
            row = bad_rows[0]
            raise UploadError(
                "ragged_rows",
                "file",
                f"line {_line_number(text, row.text)} has {row.actual_columns} fields, the header has "
                f"{row.expected_columns}",
            ) from None
        raise UploadError(
            "unreadable_csv",
            "file",
            f"could not read the table (its quoting or line structure is broken); export it again as CSV "
            f"({logged_reference(exc, 'CSV upload')})",
        ) from None
    if delimiter != ",":
        notices.append(f"delimiter detected: {delimiter!r}")
        table = _decimal_commas(table, notices)
    return ParsedUpload(_dates_as_timestamps(table), "csv", notices)


def _sniff_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _refuse_open_quote(text: Source) -> None:
    """An odd number of quote characters means a quoted field never closes: Arrow would read the rest
    of the file into that one cell. Doubled quotes inside a field keep the count even."""
    open_line, inside = 0, False
    for number, line in enumerate(text_lines(text), start=1):
        for _ in range(line.count('"') % 2):
            inside = not inside
            if inside:
                open_line = number
    raise UploadError("unterminated_quote", "file", f'line {open_line} opens a quoted field (") that is never closed')


def _exact_integers(table: pa.Table, read, notices: list[str]) -> pa.Table:
    """Arrow reads a column of integers that outgrow int64 as float64, and every value above 2**53 then
    changes silently (9223372036854775807 and ...808 both become 9.223372036854776e18). Such columns are
    read again as text and kept as int64 when every value fits, else as exact text, with a notice."""
    suspects = []
    for name, column in zip(table.column_names, table.columns, strict=True):
        if pa.types.is_floating(column.type) and column.null_count < len(column):
            magnitude = pc.max(pc.abs(column)).as_py()
            if magnitude is not None and magnitude >= INT53:
                suspects.append(name)
    if not suspects:
        return table
    reread = read({name: pa.string() for name in suspects})
    for name in suspects:
        text = reread.column(name)
        if not pc.all(pc.match_substring_regex(pc.fill_null(text, "0"), r"^\s*[+-]?\d+\s*$")).as_py():
            continue  # real decimals (1.5e300...): float64 is what they are
        try:
            exact = pc.cast(pc.utf8_trim_whitespace(text), pa.int64())
            notices.append(f"{name}: integers beyond float precision kept exact as int64")
        except pa.ArrowInvalid:
            exact = text
            notices.append(f"{name}: integers beyond the int64 range kept exactly, as text")
        table = table.set_column(table.column_names.index(name), name, exact)
    return table


# A number written the European way: decimal comma, thousands grouped by ".", a space or a (narrow)
# no-break space. Only read so in files not separated by commas, where "3,50" cannot be two fields.
_DECIMAL_COMMA = r"^\s*[+-]?(\d{1,3}([. \x{00a0}\x{202f}]\d{3})+|\d+)(,\d+)?\s*$"
_GROUPED = r"[,. \x{00a0}\x{202f}]"


def _decimal_commas(table: pa.Table, notices: list[str]) -> pa.Table:
    """Text columns whose every value is such a number (and at least one has a comma or a group
    separator, which is why Arrow left it as text) become float64, with a notice naming them."""
    converted = []
    for i, (name, column) in enumerate(zip(table.column_names, table.columns, strict=True)):
        if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
            continue
        present = pc.drop_null(column)
        if len(present) == 0 or not pc.all(pc.match_substring_regex(present, _DECIMAL_COMMA)).as_py():
            continue
        if not pc.any(pc.match_substring_regex(present, _GROUPED)).as_py():
            continue
        plain = pc.replace_substring_regex(column, r"[. \x{00a0}\x{202f}]", "")
        number = pc.cast(pc.utf8_trim_whitespace(pc.replace_substring(plain, ",", ".")), pa.float64())
        table = table.set_column(i, name, number)
        converted.append(name)
    if converted:
        shown = ", ".join(converted[:10]) + (f" and {len(converted) - 10} more" if len(converted) > 10 else "")
        notices.append(f"decimal commas read as numbers in: {shown}")
    return table


def _line_number(text: Source, row_text: str) -> str:
    for number, line in enumerate(text_lines(text), start=1):
        if line == row_text:
            return str(number)
    return "?"


def _dates_as_timestamps(table: pa.Table) -> pa.Table:
    for i, column in enumerate(table.schema):
        if pa.types.is_date(column.type):
            table = table.set_column(i, column.name, table.column(i).cast(pa.timestamp("s")))
    return table


def _parse_utf8_json_lines(text: Source, scan: TextScan, limits: DecodeLimits) -> ParsedUpload:
    # Records become Arrow a chunk at a time: a Python dict per row costs ten times its JSON, so holding
    # them all would multiply a large file's memory.
    chunks: list[pa.Table] = []
    records: list[dict] = []
    cells = 0
    for number, line in enumerate(text_lines(text), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UploadError("bad_json", "file", f"line {number} is not valid JSON ({exc.msg})") from None
        except RecursionError:
            raise UploadError("too_deep", "file", f"line {number} is nested too deep to be a table row") from None
        if not isinstance(record, dict):
            raise UploadError("bad_json", "file", f'line {number} is not a JSON object ({{"column": value}})')
        records.append(record)
        cells += len(record)
        if cells > limits.max_cells:
            raise UploadError(
                "too_many_cells",
                "file",
                f"line {number} passes the limit of {limits.max_cells:,} cells (DASHBOARD_MAX_CELLS)",
            )
        if len(records) == JSON_CHUNK_ROWS:
            chunks.append(to_arrow(pd.DataFrame.from_records(records)))
            records = []
    if records:
        chunks.append(to_arrow(pd.DataFrame.from_records(records)))
    if not chunks:
        raise UploadError("no_rows", "file", "no JSON records were found")
    return ParsedUpload(join_chunks(chunks), "jsonl", list(scan.encoding_notes))
