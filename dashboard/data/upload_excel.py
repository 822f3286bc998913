"""Excel uploads (.xlsx, .xlsm): the workbook's size checked before it is inflated, its first sheet read in
chunks, formulas refused unless their values were saved."""

from __future__ import annotations

import zipfile

from dashboard.data.upload_base import (
    MIB,
    DecodeLimits,
    ParsedUpload,
    UploadError,
    clean_column_names,
    join_chunks,
    to_arrow,
)
from dashboard.data.upload_source import (
    Source,
)
from dashboard.errors import logged_reference
from model_store.lazy import lazy_module

pd = lazy_module("pandas")
pa = lazy_module("pyarrow")
pc = lazy_module("pyarrow.compute")
pq = lazy_module("pyarrow.parquet")

EXCEL_CHUNK_ROWS = 20_000  # rows held as Python objects at once while a sheet is read


def parse_excel(source: Source, limits: DecodeLimits) -> ParsedUpload:
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

    _read_sheets_as_a_stream()
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
                chunks.append(to_arrow(pd.DataFrame.from_records(chunk, columns=names)))
                chunk = []
        if chunk or not chunks:
            limits.check_cells(count + len(chunk), len(names))
            chunks.append(to_arrow(pd.DataFrame.from_records(chunk, columns=names)))
        return join_chunks(chunks)
    finally:
        book.close()


def _read_sheets_as_a_stream() -> None:
    """Two fixes to openpyxl 3.1's read-only reader, whose memory otherwise grows with the sheet (+85 MiB per
    million rows before a row is kept, and as much again to size a sheet):

    - it sizes a sheet by looking for ``<dimension>`` up to ``<sheetData>``, but waits for sheetData's *end*
      event, so a sheet without ``<dimension>`` (legal; scripts write them) is parsed whole first. Stopping at
      sheetData's start finds the same dimension when there is one (the size is otherwise unknown, which
      openpyxl allows);
    - it clears each row element once read but leaves it in the tree (80 bytes a row). A row is now removed
      from its parent once openpyxl has read it, the usual streaming idiom, so the tree holds one row.

    Only reading changes; the cells read are the same (tests)."""
    from openpyxl.worksheet import _reader

    if getattr(_reader.iterparse, "drops_read_rows", False):
        return
    iterparse = _reader.iterparse

    def rows_dropped_once_read(source, events=None, **kwargs):
        if events is not None:
            yield from iterparse(source, events=events, **kwargs)
            return
        open_elements = []
        for event, element in iterparse(source, events=("start", "end"), **kwargs):
            if event == "start":
                open_elements.append(element)
                continue
            open_elements.pop()
            yield event, element  # openpyxl reads the row here...
            if element.tag == _reader.ROW_TAG and open_elements:
                open_elements[-1].remove(element)  # ...and it is dropped when openpyxl asks for the next

    def parse_dimensions(self):
        for _event, element in iterparse(self.source, events=("start",)):
            if element.tag == _reader.DIMENSION_TAG:
                return _reader.SheetDimension.from_tree(element).boundaries
            if element.tag == _reader.DATA_TAG:
                return None
        return None

    rows_dropped_once_read.drops_read_rows = True
    _reader.iterparse = rows_dropped_once_read
    _reader.WorkSheetParser.parse_dimensions = parse_dimensions


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
