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
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePath

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
MIB = 1024 * 1024
DEFAULT_MAX_CELLS = 25_000_000  # rows × columns: 200 MB of int64 once decoded
DEFAULT_MAX_EXCEL_BYTES = 64 * MIB  # a workbook's decompressed XML; openpyxl holds every cell as an object
INT53 = 2**53  # integers beyond this magnitude are not exact as float64
JSON_CHUNK_ROWS = 50_000  # JSON records held as Python objects at once
BLOCK_SIZE = 4 * MIB  # Arrow's CSV blocks: a file is read a block at a time, never whole
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


class UploadError(ValueError):
    """An upload was refused. ``code`` is stable; ``message`` names the field and the problem."""

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.code, self.field, self.message = code, field, message


def refusal(exc: BaseException, filename: object) -> str:
    """What the page shows for a refused upload, naming the file (it said "file: ..." without saying
    which): ``sales.csv: the file is empty (0 bytes)``."""
    text = exc.message if isinstance(exc, UploadError) and exc.field == "file" else None
    text = text or user_message(exc, "file", "reading the file")
    name = str(filename)[:80] if isinstance(filename, str) and filename else ""
    return f"{name}: {text}" if name else text


@dataclass
class ParsedUpload:
    table: pa.Table
    format: str
    notices: list[str] = field(default_factory=list)
    # True when the upload is a Parquet file that can be stored as it is (nothing renamed or recast).
    keep_original: bool = False


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


@dataclass(frozen=True)
class DecodeLimits:
    """Bounds on what an upload may expand to, checked before or while decoding (a 65 kB Parquet file can
    hold 5,000,000 rows; a small .xlsx can inflate to gigabytes of XML)."""

    max_cells: int = DEFAULT_MAX_CELLS
    max_decoded_bytes: int = 400 * MIB  # Arrow bytes of the decoded table
    max_excel_bytes: int = DEFAULT_MAX_EXCEL_BYTES

    def check_cells(self, rows: int, columns: int, *, estimate: bool = False) -> None:
        if rows * columns > self.max_cells:
            shape = f"{'up to ' if estimate else ''}{rows:,} rows × {columns:,} columns"
            raise UploadError(
                "too_many_cells", "file", f"{shape} is over the limit of {self.max_cells:,} cells (DASHBOARD_MAX_CELLS)"
            )


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
        "parquet": _parse_parquet,
        "excel": _parse_excel,
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


def clean_column_names(names: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Blank names become ``column_<n>``; repeats get ``_2``, ``_3``. Returns names and renames."""
    cleaned: list[str] = []
    renames: list[tuple[str, str]] = []
    taken: set[str] = set()
    for position, raw in enumerate(names, start=1):
        base = raw.strip() or f"column_{position}"
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}_{n}"
        taken.add(name)
        cleaned.append(name)
        if name != raw:
            renames.append((raw, name))
    return cleaned, renames


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
            chunks.append(_to_arrow(pd.DataFrame.from_records(records)))
            records = []
    if records:
        chunks.append(_to_arrow(pd.DataFrame.from_records(records)))
    if not chunks:
        raise UploadError("no_rows", "file", "no JSON records were found")
    return ParsedUpload(_join_chunks(chunks), "jsonl", list(scan.encoding_notes))


def _join_chunks(chunks: list[pa.Table]) -> pa.Table:
    """One table from chunks read separately: a column missing from a chunk is null there, integers and
    decimals make decimals, and a column that is numbers in one chunk and text in another is text (as a
    column mixing both in one chunk is)."""
    if len(chunks) == 1:
        return chunks[0]
    chunks = [chunk.replace_schema_metadata(None) for chunk in chunks]
    try:
        return pa.concat_tables(chunks, promote_options="permissive")
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        kinds: dict[str, set] = {}
        for chunk in chunks:
            for column in chunk.schema:
                if not pa.types.is_null(column.type):
                    kinds.setdefault(column.name, set()).add(column.type)
        numeric = (pa.types.is_integer, pa.types.is_floating)
        mixed = {
            name
            for name, types in kinds.items()
            if len(types) > 1 and not all(any(test(t) for test in numeric) for t in types)
        }
        chunks = [_as_text(chunk, mixed) for chunk in chunks]
        return pa.concat_tables(chunks, promote_options="permissive")


def _parse_parquet(source: Source, limits: DecodeLimits) -> ParsedUpload:
    try:
        # ParquetFile, not read_table: the dataset reader refuses repeated column names, which are renamed.
        parquet = pq.ParquetFile(source.arrow_input())
        schema = parquet.schema_arrow
        _check_parquet_types(schema)  # before decoding any data
        limits.check_cells(parquet.metadata.num_rows, len(schema))
        # Text stays dictionary-encoded while it is measured: a repeated long string decodes to gigabytes.
        text = [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
        if text:
            parquet = pq.ParquetFile(source.arrow_input(), read_dictionary=text)
        # One decoding thread: the catalog writes and hashes the same bytes on the other core meanwhile.
        table = parquet.read(use_threads=False)
        table = _decode_text_columns(table, text, limits.max_decoded_bytes)
    except (pa.ArrowException, OSError, ValueError) as exc:
        if isinstance(exc, UploadError):
            raise
        if "deeply nested" in str(exc):
            raise UploadError(
                "unsupported_column_type", "file", "a column is nested more than 100 levels deep; flatten it"
            ) from None
        raise UploadError(
            "corrupt_parquet",
            "file",
            f"not a readable Parquet file: damaged, or not Parquet; write it again "
            f"({logged_reference(exc, 'Parquet upload')})",
        ) from None
    notices: list[str] = []
    original = True
    if table.schema.metadata and b"pandas" in table.schema.metadata:
        try:
            table.slice(0, 0).to_pandas()
        except Exception:  # noqa: BLE001 - any failure means every later read would fail the same way
            table, original = table.replace_schema_metadata(None), False
            notices.append("the file's pandas metadata does not match its columns and was ignored")
    uint = [f.name for f in table.schema if pa.types.is_uint64(f.type)]
    for name in uint:
        column = table.column(name)
        if (pc.max(column).as_py() or 0) > 2**63 - 1:
            table = table.set_column(table.column_names.index(name), name, pc.cast(column, pa.string()))
            original = False
            notices.append(f"{name}: integers beyond the int64 range kept exactly, as text")
    return ParsedUpload(table, "parquet", notices, keep_original=original)


def _decode_text_columns(table: pa.Table, text: list[str], limit: int) -> pa.Table:
    """Refuse before expanding when the decoded table would pass ``limit`` bytes; else plain strings."""
    size = 0
    for position, column in enumerate(table.columns):
        if table.schema.field(position).name in text and pa.types.is_dictionary(column.type):
            for chunk in column.chunks:
                lengths = pc.binary_length(chunk.dictionary)
                size += (pc.sum(pc.take(lengths, chunk.indices)).as_py() or 0) + 4 * len(chunk)
        else:
            size += column.nbytes
        if size > limit:
            raise UploadError(
                "too_large_decoded",
                "file",
                f"the table decodes to over {limit / MIB:,.4g} MiB (twice the upload limit); split the file",
            )
    for position, field_ in enumerate(table.schema):
        if pa.types.is_dictionary(field_.type) and field_.name in text:
            table = table.set_column(position, field_.name, pc.cast(table.column(position), field_.type.value_type))
    return table


def _as_text(chunk: pa.Table, names: set[str]) -> pa.Table:
    """``names`` as text the way a column mixing types in one chunk becomes text (pandas' str: True, 6.5).
    A chunk's integers with a gap were made decimals by pandas: whole ones are written as integers again
    (JSON integers are far more common than a written ``7.0``)."""
    for position, name in enumerate(chunk.column_names):
        if name in names:
            values = chunk.column(name).to_pandas()
            if pd.api.types.is_float_dtype(values):
                values = values.map(lambda v: v if pd.isna(v) else (str(int(v)) if v.is_integer() else str(v)))
            text = values.astype("string")
            chunk = chunk.set_column(position, name, pa.array(text, type=pa.large_string()))
    return chunk


def _check_parquet_types(schema: pa.Schema) -> None:
    """Columns holding lists, structs, maps, raw bytes or durations have no view here: refused by name."""
    for column in schema:
        kind = column.type
        if pa.types.is_dictionary(kind):
            kind = kind.value_type
        nested = pa.types.is_nested(kind)
        if nested or pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_fixed_size_binary(kind):
            what = "nested values (lists, structs or maps)" if nested else "raw bytes"
        elif pa.types.is_duration(kind) or pa.types.is_interval(kind):
            what = "durations"
        else:
            continue
        raise UploadError(
            "unsupported_column_type",
            str(column.name)[:64],
            f"column {str(column.name)[:64]!r} holds {what} ({str(kind)[:60]}); flatten it or convert it to "
            "numbers, text or dates",
        )


EXCEL_CHUNK_ROWS = 20_000  # rows held as Python objects at once while a sheet is read


def _parse_excel(source: Source, limits: DecodeLimits) -> ParsedUpload:
    """The first sheet, read row by row by openpyxl's streaming reader and turned into Arrow a chunk at a
    time: a small workbook inflating to 60 MB of XML cost +407 MB as one DataFrame of Python objects."""
    _check_excel_size(source, limits.max_excel_bytes)
    notices = ["read the first sheet only"]
    try:
        with source.open() as fh:
            table = _excel_table(fh, limits, notices)
    except UploadError:
        raise
    except Exception as exc:  # openpyxl raises many unrelated types for a broken workbook
        raise _corrupt_excel(exc) from None
    if any(column.null_count for column in table.columns):  # only then can a formula have lost its value
        _check_formula_values(source)
    return ParsedUpload(table, "excel", notices)


def _excel_table(fh, limits: DecodeLimits, notices: list[str]) -> pa.Table:
    import openpyxl

    book = openpyxl.load_workbook(fh, read_only=True, data_only=True, keep_links=False)
    try:
        sheet = book.worksheets[0]
        if sheet.max_row and sheet.max_column:  # the sheet's declared size, when it states one
            limits.check_cells(sheet.max_row, sheet.max_column, estimate=True)
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise UploadError("no_rows", "file", "the first sheet is empty")
        while header and header[-1] is None:  # formatted but empty cells right of the table
            header = header[:-1]
        names, renames = clean_column_names(["" if h is None else str(h) for h in header])
        if renames:
            notices.append("renamed columns: " + ", ".join(f"{old!r} → {new!r}" for old, new in renames))
        chunks, chunk, blank_run, count = [], [], 0, 0
        for number, row in enumerate(rows, start=2):
            if all(value is None for value in row):
                blank_run += 1  # kept only if data follows (trailing blank rows are formatting)
                continue
            if any(value is not None for value in row[len(names) :]):
                raise UploadError("ragged_rows", "file", f"row {number} has values right of the header's last column")
            chunk.extend([(None,) * len(names)] * blank_run)
            blank_run = 0
            chunk.append(tuple(row[: len(names)]) + (None,) * (len(names) - len(row)))
            if len(chunk) >= EXCEL_CHUNK_ROWS:
                count += len(chunk)
                limits.check_cells(count, len(names))
                chunks.append(_to_arrow(pd.DataFrame.from_records(chunk, columns=names)))
                chunk = []
        if chunk or not chunks:
            limits.check_cells(count + len(chunk), len(names))
            chunks.append(_to_arrow(pd.DataFrame.from_records(chunk, columns=names)))
        return _join_chunks(chunks)
    finally:
        book.close()


def _corrupt_excel(exc: Exception) -> UploadError:
    return UploadError(
        "corrupt_excel",
        "file",
        "not a readable .xlsx workbook: damaged, encrypted or not a workbook; save it again "
        f"({logged_reference(exc, 'Excel upload')})",
    )


def _check_excel_size(source: Source, limit: int) -> None:
    """An .xlsx is a zip: its members' declared sizes bound what zipfile will inflate (it stops there)."""
    try:
        with source.open() as fh, zipfile.ZipFile(fh) as archive:
            inflated = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _corrupt_excel(exc) from None
    if inflated > limit:
        raise UploadError(
            "too_large_decompressed",
            "file",
            f"the workbook inflates to {inflated / MIB:,.1f} MiB, over the {limit / MIB:,.4g} MiB limit for "
            "Excel files (DASHBOARD_MAX_EXCEL_MB); save it as CSV or Parquet",
        )


def _check_formula_values(source: Source) -> None:
    """A workbook written by a program that does not calculate (a script, some exporters) stores formulas
    without their results, and they would read as empty cells: refused, naming the first such cell."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    formulas = openpyxl.load_workbook(source.open(), read_only=True, data_only=False).worksheets[0]
    values = openpyxl.load_workbook(source.open(), read_only=True, data_only=True).worksheets[0]
    for row, (formula_row, value_row) in enumerate(
        zip(formulas.iter_rows(values_only=True), values.iter_rows(values_only=True), strict=False), start=1
    ):
        for column, (formula, value) in enumerate(zip(formula_row, value_row, strict=False), start=1):
            if value is None and isinstance(formula, str) and formula.startswith("="):
                cell = f"{get_column_letter(column)}{row}"
                raise UploadError(
                    "formulas_without_values",
                    "file",
                    f"cell {cell} holds a formula ({formula[:40]}) saved without its value; open and save the "
                    "workbook in a spreadsheet program, or export it as values",
                )


def _to_arrow(frame: pd.DataFrame) -> pa.Table:
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowException, ValueError, OverflowError):
        # Mixed-type object columns (numbers and text in one JSON field, integers beyond int64) are kept
        # as text, which is exact.
        mixed = {c: frame[c].astype("string") for c in frame.columns if frame[c].dtype == object}
        return pa.Table.from_pandas(frame.assign(**mixed), preserve_index=False)
