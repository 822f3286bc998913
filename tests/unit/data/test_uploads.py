"""Upload validation: every malformed file gets its named error; good files of every format load;
a failed upload leaves existing datasets exactly as they were. Every parse here runs twice: from bytes,
and from a file on disk (how the page and the REST API hand uploads over, read in blocks)."""

import io
import json
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from dashboard.data.upload_base import UploadError
from dashboard.data.uploads import parse_upload

LIMIT = 1_000_000
_FROM_FILE = {"on": False}


@pytest.fixture(autouse=True, params=["bytes", "file"])
def _source_kind(request):
    _FROM_FILE["on"] = request.param == "file"
    yield
    _FROM_FILE["on"] = False


def parse(name: str, content: bytes, max_bytes: int = LIMIT, max_columns: int = 2000):
    if not _FROM_FILE["on"]:
        return parse_upload(name, content, max_bytes=max_bytes, max_columns=max_columns)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.bin"
        path.write_bytes(content)
        parsed = parse_upload(name, path, max_bytes=max_bytes, max_columns=max_columns)
        assert sorted(p.name for p in Path(folder).iterdir()) == ["upload.bin"]  # no temp copy left behind
        return parsed


def _xlsx(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    return buffer.getvalue()


def _parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


MALFORMED = [
    ("empty.csv", b"", {}, "empty_file"),
    ("blank.csv", b"   \n\n  ", {}, "empty_file"),
    ("big.csv", b"a,b\n" + b"1,2\n" * 400, {"max_bytes": 1000}, "too_large"),
    ("junk.csv", bytes(range(256)) * 40, {}, "binary_content"),
    ("nul.csv", b"a,b\n1,\x002\n", {}, "binary_content"),
    ("latin.csv", b"name,city\nJos\x81,X\n", {}, "undecodable_text"),
    ("ragged.csv", b"a,b,c\n1,2,3\n4,5,6,7,8\n", {}, "ragged_rows"),
    ("header_only.csv", b"a,b,c\n", {}, "no_rows"),
    (
        "wide.csv",
        (",".join(f"c{i}" for i in range(60)) + "\n" + ",".join("1" * 60) + "\n").encode(),
        {"max_columns": 50},
        "too_many_columns",
    ),
    ("notes.docx", b"PK\x03\x04whatever", {}, "unsupported_format"),
    ("noext", b"a,b\n1,2\n", {}, "unsupported_format"),
    ("broken.parquet", b"PAR1" + b"\x00garbage" * 10, {}, "corrupt_parquet"),
    ("truncated.parquet", _parquet(pd.DataFrame({"a": range(100)}))[:-30], {}, "corrupt_parquet"),
    ("broken.xlsx", b"PK\x03\x04not really a zip", {}, "corrupt_excel"),
    ("bad.jsonl", b'{"a": 1}\n{"a": 2\n', {}, "bad_json"),
    ("array.jsonl", b'{"a": 1}\n[1, 2]\n', {}, "bad_json"),
    ("empty_records.jsonl", b"\n\n", {}, "no_rows"),
    ("empty.parquet", _parquet(pd.DataFrame({"a": pd.Series([], dtype="int64")})), {}, "no_rows"),
]


@pytest.mark.parametrize(("name", "content", "limits", "code"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_upload_is_refused_with_named_error(name, content, limits, code):
    with pytest.raises(UploadError) as info:
        parse(name, content, **limits)
    assert info.value.code == code
    assert info.value.field == "file"
    assert info.value.message  # a sentence a person can act on


def test_csv_delimiter_is_sniffed_and_reported():
    parsed = parse("semi.csv", b"a;b;c\n1;2;3\n4;5;6\n")
    assert parsed.table.column_names == ["a", "b", "c"]
    assert parsed.table.num_rows == 2
    assert any("delimiter" in n for n in parsed.notices)


def test_tsv_with_quoted_fields():
    parsed = parse("x.tsv", b'name\tnote\n"Smith, J"\t"said ""hi"""\n')
    assert parsed.table.to_pandas().iloc[0].tolist() == ["Smith, J", 'said "hi"']


def test_cp1252_fallback_is_stated():
    parsed = parse("euro.csv", "item,price\ncafé,3€\n".encode("cp1252"))
    assert parsed.table.to_pandas()["item"][0] == "café"
    assert any("cp1252" in n for n in parsed.notices)


def test_utf8_bom_and_utf16_are_decoded():
    assert parse("bom.csv", "\ufeffa,b\n1,2\n".encode()).table.column_names == ["a", "b"]
    assert parse("u16.csv", "a,b\n1,2\n".encode("utf-16")).table.column_names == ["a", "b"]


def test_headerless_file_gets_generated_names_with_notice():
    parsed = parse("numbers.csv", b"1,2,3\n4,5,6\n")
    assert parsed.table.column_names == ["column_1", "column_2", "column_3"]
    assert parsed.table.num_rows == 2
    assert any("read as data" in n for n in parsed.notices)


def test_duplicate_and_blank_columns_are_renamed_with_notice():
    parsed = parse("dupes.csv", b"a,a,,b, \n1,2,3,4,5\n")
    assert parsed.table.column_names == ["a", "a_2", "column_3", "b", "column_5"]
    assert any("renamed" in n for n in parsed.notices)


def test_excel_and_parquet_and_jsonl_load():
    frame = pd.DataFrame({"x": [1, 2, 3], "y": ["a", "b", "c"]})
    for name, content in (
        ("f.xlsx", _xlsx(frame)),
        ("f.parquet", _parquet(frame)),
        ("f.jsonl", "\n".join(json.dumps(r) for r in frame.to_dict("records")).encode()),
    ):
        loaded = parse(name, content).table.to_pandas()
        pd.testing.assert_frame_equal(loaded, frame, check_dtype=False, obj=name)


def test_parquet_bytes_are_kept_as_uploaded_when_no_rename_is_needed():
    content = _parquet(pd.DataFrame({"a": [1, 2]}))
    assert parse("f.parquet", content).keep_original


def test_failed_upload_leaves_existing_datasets_untouched(catalog):
    first, _ = catalog.add_upload("sales.csv", b"region,amount\nnorth,10\nsouth,20\n")
    before = (catalog.fingerprint(first.id), catalog.load(first.id).copy())
    listing = [i.id for i in catalog.list()]
    for name, content, limits, _code in MALFORMED:
        if limits:
            continue
        with pytest.raises(UploadError):
            catalog.add_upload(name, content, name="sales")
    assert [i.id for i in catalog.list()] == listing
    assert catalog.fingerprint(first.id) == before[0]
    pd.testing.assert_frame_equal(catalog.load(first.id), before[1])
    leftovers = [p.name for p in catalog.uploads.root.iterdir() if p.name.startswith(".tmp")]
    assert leftovers == []


def test_ragged_row_message_names_the_line():
    with pytest.raises(UploadError, match="line 3 has 5 fields, the header has 3"):
        parse("ragged.csv", b"a,b,c\n1,2,3\n4,5,6,7,8\n")
    with pytest.raises(UploadError, match="line 2 has 4 fields, the header has 2"):
        parse("extra.csv", b"a,b\n1,2,3,4\n")


def test_csv_types_are_inferred():
    table = parse("t.csv", b"n,x,when,flag\n1,1.5,2021-03-04,true\n2,,2021-03-05,false\n").table
    frame = table.to_pandas()
    assert str(frame["n"].dtype) == "int64" and frame["x"].isna().sum() == 1
    assert pd.api.types.is_datetime64_any_dtype(frame["when"]) and frame["flag"].dtype == bool


# -- issue 19: nothing changes silently, every accepted file can be read back --------------------------


def test_integers_beyond_float_precision_are_kept_exactly():
    parsed = parse("ids.csv", b"id,n\n9223372036854775807,1\n9223372036854775808,2\n")
    assert parsed.table.column("id").to_pylist() == ["9223372036854775807", "9223372036854775808"]
    assert any("id: integers beyond the int64 range kept exactly" in n for n in parsed.notices)
    plain = parse("ids.csv", b"id\n9223372036854775807\n-9223372036854775808\n")
    assert plain.table.column("id").to_pylist() == [9223372036854775807, -9223372036854775808]
    decimals = parse("x.csv", b"x\n1.5e300\n2\n")
    assert decimals.table.column("x").to_pylist() == [1.5e300, 2.0] and not decimals.notices


def test_an_unterminated_quote_is_refused_with_its_line():
    with pytest.raises(UploadError) as info:
        parse("q.csv", b'a,b\n1,"hello\n2,3\n4,5\n')
    assert info.value.code == "unterminated_quote" and "line 2" in info.value.message
    ok = parse("q.csv", b'a,b\n1,"say ""hi""\nthere"\n2,3\n')  # doubled quotes and a newline inside a field
    assert ok.table.column("b").to_pylist() == ['say "hi"\nthere', "3"]


def test_a_nul_byte_anywhere_is_refused_not_only_in_the_first_64_kib():
    content = b"a,b\n" + b"1,2\n" * 20_000 + b"3,\x004\n"
    assert len(content) > 65536
    with pytest.raises(UploadError) as info:
        parse("late-nul.csv", content)
    assert info.value.code == "binary_content" and "line 20002" in info.value.message


def test_a_cell_of_3_mb_is_read():
    parsed = parse("long.csv", b"a,b\n1," + b"x" * 3_000_000 + b"\n2,y\n", max_bytes=10_000_000)
    assert [len(v) for v in parsed.table.column("b").to_pylist()] == [3_000_000, 1]


def _parquet_table(table) -> bytes:
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "column",
    [
        [[1, 2], [3]],  # list
        [{"x": 1}, {"x": 2}],  # struct
        [b"\x00\x01", b"\x02"],  # binary
        "map",
        "duration",
        "deep",
    ],
    ids=["list", "struct", "binary", "map", "duration", "nested-200-deep"],
)
def test_parquet_columns_no_view_can_show_are_refused_by_name(column):
    import datetime

    import pyarrow as pa

    if column == "map":
        array = pa.array([[("k", 1)], [("j", 2)]], type=pa.map_(pa.string(), pa.int64()))
    elif column == "duration":
        array = pa.array([datetime.timedelta(seconds=1), datetime.timedelta(seconds=2)])
    elif column == "deep":
        value = 1
        for _ in range(200):
            value = [value]
        array = pa.array([value, value])
    else:
        array = pa.array(column)
    content = _parquet_table(pa.table({"ok": [1, 2], "odd": array}))
    with pytest.raises(UploadError) as info:
        parse("odd.parquet", content)
    assert info.value.code == "unsupported_column_type"
    assert info.value.field == ("file" if column == "deep" else "odd")


@pytest.mark.parametrize(
    "lie", [b'{"index_columns": ["a"], "columns": [], "pandas_version": "2.2.0"}', b"not json"], ids=["index", "junk"]
)
def test_parquet_with_lying_pandas_metadata_is_read_without_it(catalog, lie):
    import pyarrow as pa

    table = pa.table({"a": [1, 2], "b": ["x", "y"]})
    content = _parquet_table(table.replace_schema_metadata({b"pandas": lie}))
    parsed = parse("lie.parquet", content)
    assert "pandas metadata" in " ".join(parsed.notices)
    info, _ = catalog.add_upload("lie.parquet", content)
    assert catalog.load(info.id)["b"].tolist() == ["x", "y"]  # and it reads back


def test_parquet_with_duplicate_column_names_is_renamed():
    import pyarrow as pa

    content = _parquet_table(pa.Table.from_arrays([pa.array([1, 2]), pa.array([3, 4])], names=["a", "a"]))
    parsed = parse("dup.parquet", content)
    assert parsed.table.column_names == ["a", "a_2"] and "renamed" in parsed.notices[-1]


def test_parquet_integers_beyond_int64_are_kept_as_text(catalog):
    import pyarrow as pa

    content = _parquet_table(pa.table({"big": pa.array([2**64 - 1, 1], type=pa.uint64()), "y": [1, 2]}))
    info, notices = catalog.add_upload("big.parquet", content)
    assert catalog.load(info.id)["big"].tolist() == [str(2**64 - 1), "1"]
    assert any("big: integers beyond the int64 range" in n for n in notices)


def test_the_size_limit_message_uses_one_unit():
    with pytest.raises(UploadError) as info:
        parse("big.csv", b"a\n" + b"1\n" * 600_000, max_bytes=1024 * 1024)
    assert info.value.message == "1.1 MiB is over the 1 MiB upload limit"


def test_xlsx_formulas_saved_without_values_are_refused_by_cell():
    import openpyxl

    book = openpyxl.Workbook()  # openpyxl writes formulas but never calculates them
    sheet = book.active
    sheet.append(["a", "b"])
    sheet.append([1, "=A2*2"])
    sheet.append([2, "=A3*2"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(UploadError) as info:
        parse("formulas.xlsx", buffer.getvalue())
    assert info.value.code == "formulas_without_values" and "cell B2" in info.value.message
    with_gaps = _xlsx(pd.DataFrame({"a": [1, None], "b": ["x", "y"]}))  # plain empty cells stay accepted
    assert parse("gaps.xlsx", with_gaps).table.num_rows == 2


def test_cr_only_line_endings_are_read_as_lines():
    parsed = parse("mac.csv", b"a,b\r1,2\r3,4\r")
    assert parsed.table.num_rows == 2 and parsed.table.column("b").to_pylist() == [2, 4]
    assert any("CR only" in n for n in parsed.notices)
    for encoding, note in (("cp1252", "cp1252"), ("utf-16", "UTF-16")):  # decoded first, then split on CR
        parsed = parse("mac.csv", "café,b\r1,2\r3,4\r".encode(encoding))
        assert parsed.table.column_names == ["café", "b"] and parsed.table.column("b").to_pylist() == [2, 4]
        assert any("CR only" in n for n in parsed.notices) and any(note in n for n in parsed.notices)


def test_json_lines_nested_thousands_deep_are_refused_by_line():
    deep = b'{"a": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    with pytest.raises(UploadError) as info:
        parse("deep.jsonl", b'{"a": 1}\n' + deep + b"\n")
    assert info.value.code == "too_deep" and "line 2" in info.value.message


def test_json_lines_read_in_chunks_equal_one_read(monkeypatch):
    """Large JSON lines files become Arrow a chunk of records at a time; the table is the one a single read
    gives: missing fields are null, integers and decimals make decimals, numbers beside text make text."""
    import dashboard.data.uploads as uploads

    rows = [
        {"a": 1, "b": "x", "n": 1},
        {"a": 2, "n": None},
        {"a": 3.5, "c": True, "n": 4},
        {"a": "text", "b": "y", "n": 5},
        {"a": 7, "c": False, "n": 6.5},
        {"b": "z", "n": 7},
    ]
    content = "\n".join(json.dumps(r) for r in rows).encode()
    whole = parse("f.jsonl", content).table
    monkeypatch.setattr(uploads, "JSON_CHUNK_ROWS", 2)
    chunked = parse("f.jsonl", content).table
    assert chunked.to_pydict() == whole.to_pydict()
    assert [f.type for f in chunked.schema] == [f.type for f in whole.schema]
