"""Parquet uploads: types checked from the schema, read a row group at a time, text columns decoded within the
limits."""

from __future__ import annotations

from dashboard.data.upload_base import (
    MIB,
    DecodeLimits,
    ParsedUpload,
    UploadError,
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


def parse_parquet(source: Source, limits: DecodeLimits) -> ParsedUpload:
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
