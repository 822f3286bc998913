"""What every upload format's parser shares: the named refusal, the parsed result, the decoding limits, clean
column names and Arrow tables assembled from chunks."""

from __future__ import annotations

from dataclasses import dataclass, field

from model_store.lazy import lazy_module

pd = lazy_module("pandas")
pa = lazy_module("pyarrow")
pc = lazy_module("pyarrow.compute")
pq = lazy_module("pyarrow.parquet")

MIB = 1024 * 1024
DEFAULT_MAX_CELLS = 25_000_000  # rows × columns: 200 MB of int64 once decoded
DEFAULT_MAX_EXCEL_BYTES = 64 * MIB  # a workbook's decompressed XML; openpyxl holds every cell as an object


class UploadError(ValueError):
    """An upload was refused. ``code`` is stable; ``message`` names the field and the problem."""

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.code, self.field, self.message = code, field, message


@dataclass
class ParsedUpload:
    table: pa.Table
    format: str
    notices: list[str] = field(default_factory=list)
    # True when the upload is a Parquet file that can be stored as it is (nothing renamed or recast).
    keep_original: bool = False


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


def join_chunks(chunks: list[pa.Table]) -> pa.Table:
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


def to_arrow(frame: pd.DataFrame) -> pa.Table:
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowException, ValueError, OverflowError):
        # Mixed-type object columns (numbers and text in one JSON field, integers beyond int64) are kept
        # as text, which is exact.
        mixed = {c: frame[c].astype("string") for c in frame.columns if frame[c].dtype == object}
        return pa.Table.from_pandas(frame.assign(**mixed), preserve_index=False)


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
