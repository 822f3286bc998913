"""Decode bombs: files far smaller than the upload limit that expand to gigabytes once decoded are refused
by name before (or while) they are decoded. Peak Arrow memory is read in a fresh process, so it counts
only the parse."""

import io
import json
import subprocess
import sys
import zipfile

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dashboard.data.upload_base import DecodeLimits, UploadError
from dashboard.data.uploads import parse_upload

MIB = 2**20
LIMIT = 200 * MIB  # the default upload limit

PEAK_ARROW_MEMORY = """
import sys, pyarrow as pa
from dashboard.data.uploads import parse_upload
from dashboard.data.upload_base import UploadError
content = open(sys.argv[1], "rb").read()
try:
    parse_upload(sys.argv[2], content, max_bytes=int(sys.argv[3]), max_columns=2000)
    code = "accepted"
except UploadError as exc:
    code = exc.code
print(code, pa.default_memory_pool().max_memory())
"""


def parse_in_fresh_process(tmp_path, name: str, content: bytes) -> tuple[str, int]:
    path = tmp_path / name
    path.write_bytes(content)
    out = subprocess.run(
        [sys.executable, "-c", PEAK_ARROW_MEMORY, str(path), name, str(LIMIT)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return out[0], int(out[1])


def _parquet(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()


def test_a_parquet_file_of_millions_of_rows_is_refused_from_its_footer(tmp_path):
    rows = 5_000_000
    table = pa.table({name: pa.repeat(pa.scalar(1, pa.int64()), rows) for name in "abcdef"})
    content = _parquet(table)
    assert len(content) < MIB  # a decode bomb: 30,000,000 cells in well under a megabyte
    code, peak = parse_in_fresh_process(tmp_path, "rows.parquet", content)
    assert code == "too_many_cells"
    assert peak < 16 * MIB  # nothing was decoded


def test_repeated_long_text_in_parquet_is_measured_while_still_dictionary_encoded(tmp_path):
    rows = 500_000  # × 1,000 characters: 500 MB of text, over twice the 200 MiB limit
    table = pa.table({"note": pa.repeat(pa.scalar("x" * 1000), rows), "n": pa.array(range(rows))})
    content = _parquet(table)
    assert len(content) < 4 * MIB
    code, peak = parse_in_fresh_process(tmp_path, "text.parquet", content)
    assert code == "too_large_decoded"
    assert peak < 64 * MIB  # indices and one dictionary, never the expanded strings


def test_parquet_text_within_the_limit_reads_back_as_plain_strings():
    frame = pd.DataFrame({"city": ["Oslo", "Lima", None] * 1000, "n": range(3000)})
    parsed = parse_upload("ok.parquet", _parquet(pa.Table.from_pandas(frame)), max_bytes=LIMIT, max_columns=10)
    assert parsed.table.schema.field("city").type == pa.string()
    assert parsed.table.to_pandas().equals(frame)
    assert parsed.keep_original


def _xlsx_inflating_to(sheet_bytes: int) -> bytes:
    """A real workbook whose first sheet is replaced by repetitive XML of about ``sheet_bytes``."""
    buffer = io.BytesIO()
    pd.DataFrame({"a": [1]}).to_excel(buffer, index=False)
    row = '<row><c t="n"><v>1</v></c><c t="n"><v>2</v></c></row>'
    sheet = '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    sheet += "<sheetData>" + row * (sheet_bytes // len(row)) + "</sheetData></worksheet>"
    source, out = zipfile.ZipFile(io.BytesIO(buffer.getvalue())), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = sheet.encode() if member.filename == "xl/worksheets/sheet1.xml" else source.read(member)
            target.writestr(member.filename, data)
    return out.getvalue()


def test_an_xlsx_inflating_past_the_excel_limit_is_refused_before_openpyxl_reads_it():
    content = _xlsx_inflating_to(80 * MIB)
    assert len(content) < 2 * MIB
    with pytest.raises(UploadError) as info:
        parse_upload("bomb.xlsx", content, max_bytes=LIMIT, max_columns=10)
    assert info.value.code == "too_large_decompressed"
    assert "DASHBOARD_MAX_EXCEL_MB" in info.value.message and "MiB" in info.value.message


def test_an_xlsx_under_the_excel_limit_still_reads():
    parsed = parse_upload("small.xlsx", _xlsx_inflating_to(200_000), max_bytes=LIMIT, max_columns=10)
    assert parsed.table.num_columns == 2 and parsed.table.num_rows > 1000


def test_an_xlsx_sheet_is_read_as_a_stream_whether_or_not_it_states_its_size():
    """openpyxl alone keeps every read row in its XML tree and, for a sheet without ``<dimension>``, parses
    the whole sheet once more to size it: 80 bytes a row each, +60 MiB here before a row is kept."""
    import tracemalloc

    rows = 390_000  # a 20 MiB sheet of rows "1, 2", the first of them read as the header
    content = _xlsx_inflating_to(rows * len('<row><c t="n"><v>1</v></c><c t="n"><v>2</v></c></row>'))
    tracemalloc.start()
    try:
        parsed = parse_upload("rows.xlsx", content, max_bytes=LIMIT, max_columns=10)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert parsed.table.num_rows == rows - 1 and parsed.table.column("2").to_pylist()[-3:] == [2, 2, 2]
    assert peak < 16 * MIB  # one chunk of rows and the Arrow table's copy, not the sheet


def test_a_workbook_without_a_dimension_reads_the_same_cells():
    frame = pd.DataFrame(
        {
            "n": [1, 2, None, 4],
            "x": [0.5, None, 2.25, -1.0],
            "s": ["a", None, "c", "d"],
            "when": pd.to_datetime(["2024-01-02", "2024-02-03", None, "2024-04-05"]),
        }
    )
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    stated = buffer.getvalue()
    source, out = zipfile.ZipFile(io.BytesIO(stated)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                assert b"<dimension " in data
                start = data.index(b"<dimension ")
                data = data[:start] + data[data.index(b"/>", start) + 2 :]
            target.writestr(member.filename, data)
    for name, content in (("stated.xlsx", stated), ("unstated.xlsx", out.getvalue())):
        read = parse_upload(name, content, max_bytes=LIMIT, max_columns=10).table.to_pandas()
        pd.testing.assert_frame_equal(read, frame, check_dtype=False, obj=name)


def test_csv_rows_times_columns_over_the_cell_limit_is_refused_before_arrow_reads_it():
    content = b"a,b,c\n" + b"1,2,3\n" * 400
    with pytest.raises(UploadError) as info:
        parse_upload("c.csv", content, max_bytes=LIMIT, max_columns=10, limits=DecodeLimits(max_cells=1000))
    assert info.value.code == "too_many_cells" and "3 columns" in info.value.message
    parsed = parse_upload("c.csv", content, max_bytes=LIMIT, max_columns=10, limits=DecodeLimits(max_cells=1300))
    assert parsed.table.num_rows == 400


def test_json_lines_over_the_cell_limit_name_the_line():
    content = "\n".join(json.dumps({"a": i, "b": i}) for i in range(100)).encode()
    with pytest.raises(UploadError) as info:
        parse_upload("j.jsonl", content, max_bytes=LIMIT, max_columns=10, limits=DecodeLimits(max_cells=50))
    assert info.value.code == "too_many_cells" and "line 26" in info.value.message
