"""The one input validator: every query of a stored model (the Predict form, REST predict, batch CSV, async
jobs, monitoring's re-verification) is checked here against the model card's schema, so a value gets the same
verdict whichever door it came through, and the frame it builds is the frame the pipeline saw in training.

Missing values are represented as training read them, for every kind: NaN in numbers, flags and categories
(a pandas text column holds NaN, and the fitted imputers count NaN, not None, as missing: a None category
was one-hot encoded as "no level at all" instead of being imputed), and "" in free text (training fills a
missing document with ""). ``MISSING`` below is that table.

Each schema column is checked as a whole, by one checker per kind. A typed column (a CSV's numbers,
booleans) takes a vectorised path; any other column is checked cell by cell with the same rules:
  missing     None, NaN, or text that is blank after stripping; "is required" unless the field is nullable
  numeric     numbers and numeric text; not booleans, not infinities, not beyond float32 (trees' limit);
              outside the training range is a warning, not an error
  boolean     true/false, t/f, yes/no, y/n, 1/0 (any case: ``model_store.schema.TRUTH``)
  categorical the value's text; a whole number (3, 3.0 or "3.0") is also its integer text "3"
  identifier  text (stripped, at most 200 characters) or a number (15.0 is "15"), kept as text
  text        text, or a number kept as its text
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from model_store.errors import SchemaError
from model_store.lazy import lazy_module
from model_store.schema import MAX_MAGNITUDE, TRUTH

np = lazy_module("numpy")
pd = lazy_module("pandas")

# How each kind represents a missing value in the frame handed to a pipeline (see the module docstring).
MISSING = {"numeric": math.nan, "boolean": math.nan, "categorical": math.nan, "identifier": math.nan, "text": ""}


@dataclass
class CheckedInput:
    """Inputs checked against a schema: the coerced columns, and what was wrong, row by row."""

    frame: pd.DataFrame  # the schema's columns, in order, coerced to their kind
    errors: dict[int, dict[str, str]] = field(default_factory=dict)  # row position -> field -> message
    out_of_range: dict[str, list[int]] = field(default_factory=dict)  # numeric field -> row positions
    unknown: list[str] = field(default_factory=list)  # inputs the schema does not use
    absent: list[str] = field(default_factory=list)  # nullable columns a table did not have

    @property
    def valid(self) -> np.ndarray:
        mask = np.ones(len(self.frame), dtype=bool)
        mask[list(self.errors)] = False
        return mask


def check_columns(schema: dict[str, Any], columns: dict[str, Any], n_rows: int, unknown=()) -> CheckedInput:
    """Check ``columns`` (field name -> a sequence of ``n_rows`` values; an absent field is all missing)."""
    data: dict[str, Any] = {}
    checked = CheckedInput(frame=pd.DataFrame(), unknown=[str(u) for u in unknown])
    for spec in schema["fields"]:
        name = spec["name"]
        raw = columns.get(name)
        values = np.full(n_rows, None, dtype=object) if raw is None else _as_array(raw)
        coerced, problems, outside = _CHECKERS[spec["kind"]](values, spec)
        data[name] = coerced
        for position, message in problems.items():
            checked.errors.setdefault(position, {})[name] = message
        if outside:
            checked.out_of_range[name] = outside
    # object columns stay object (pandas would infer a string dtype and turn None into NaN)
    checked.frame = pd.DataFrame(
        {name: pd.Series(values, dtype=values.dtype, copy=False) for name, values in data.items()},
        columns=[f["name"] for f in schema["fields"]],
    )
    checked.errors = dict(sorted(checked.errors.items()))
    return checked


def check_frame(schema: dict[str, Any], frame: pd.DataFrame) -> CheckedInput:
    """Check a table (a batch CSV, a job's records). An absent column is missing in every row, as an absent
    key is in a record: an error naming it when the field is required, else fine (``absent`` lists it)."""
    names = [f["name"] for f in schema["fields"]]
    absent = [f for f in schema["fields"] if f["name"] not in frame.columns]
    missing = [f["name"] for f in absent if not (f.get("nullable") or f.get("optional"))]
    if missing:
        raise SchemaError({"columns": "missing required column(s): " + ", ".join(missing)})
    columns = {name: frame[name].to_numpy() for name in names if name in frame.columns}
    checked = check_columns(schema, columns, len(frame), unknown=[c for c in frame.columns if c not in names])
    checked.absent = [f["name"] for f in absent if not f.get("optional")]
    return checked


def check_records(schema: dict[str, Any], records: list[dict[str, Any]]) -> tuple[pd.DataFrame, list[str]]:
    """Coerce ``records`` to the schema's columns. Returns the frame and warnings (values outside the
    observed range); raises :class:`SchemaError` naming each bad field (``[row].field`` for batches)."""
    if not isinstance(records, list) or not records:
        raise SchemaError({"instances": "send at least one record"})
    message = "each record must be an object of field: value"
    not_objects = {f"[{i}]": message for i, record in enumerate(records) if not isinstance(record, dict)}
    if not_objects:
        raise SchemaError(not_objects)
    names = [f["name"] for f in schema["fields"]]
    columns = {name: [record.get(name) for record in records] for name in names}
    known = set(names)
    unknown = sorted({str(key) for record in records for key in record if key not in known})
    checked = check_columns(schema, columns, len(records), unknown=unknown)
    prefix = (lambda row: f"[{row}].") if len(records) > 1 else (lambda row: "")
    if checked.errors:
        raise SchemaError(
            {prefix(row) + name: message for row, fields in checked.errors.items() for name, message in fields.items()}
        )
    return checked.frame, record_warnings(schema, checked, prefix)


def record_warnings(schema: dict[str, Any], checked: CheckedInput, prefix=lambda row: "") -> list[str]:
    """One warning per value outside its training range, and one for inputs the model does not use."""
    specs = {f["name"]: f for f in schema["fields"]}
    warnings = []
    for name, rows in checked.out_of_range.items():
        low, high = specs[name]["min"], specs[name]["max"]
        for row in rows:
            number = checked.frame[name].iat[row]
            warnings.append(f"{prefix(row)}{name}: {number:g} is outside the training range {low:g} to {high:g}")
    if checked.unknown:
        warnings.append("ignored unknown fields: " + ", ".join(u[:40] for u in checked.unknown[:10]))
    return warnings


def range_notices(schema: dict[str, Any], checked: CheckedInput) -> list[str]:
    """Out-of-range values summarised per field, for batches (row numbers count data rows from 1)."""
    specs = {f["name"]: f for f in schema["fields"]}
    notices = []
    for name, rows in checked.out_of_range.items():
        low, high = specs[name]["min"], specs[name]["max"]
        first = ", ".join(str(r + 1) for r in rows[:5]) + (" ..." if len(rows) > 5 else "")
        notices.append(f"{name}: {len(rows):,} value(s) outside the training range {low:g} to {high:g} (rows {first})")
    return notices


def _as_array(values: Any) -> np.ndarray:
    if not isinstance(values, np.ndarray):  # fromiter keeps a list of lists one-dimensional
        return np.fromiter(values, dtype=object, count=len(values))
    return values if values.dtype.kind in "biufO" else values.astype(object)  # strings etc.: cell by cell


def _plain_cell(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return True
    return isinstance(value, str) and not value.strip()


def _shown(value: Any) -> str:
    return repr(str(value)[:40]) if isinstance(value, str) else str(value)[:40]


def _cellwise(
    values: np.ndarray, spec: dict[str, Any], coerce, fill: Any, accepted: np.ndarray | None = None
) -> tuple[np.ndarray, dict[int, str]]:
    """Apply ``coerce(value) -> (value, error)`` to every present cell; missing cells get ``fill``.
    Cells marked ``accepted`` (already valid as they are, found by a vectorised test) are kept."""
    out = values.astype(object, copy=True)
    problems: dict[int, str] = {}
    positions = range(len(values)) if accepted is None else np.flatnonzero(~accepted).tolist()
    for position in positions:
        value = _plain_cell(values[position])
        if _is_missing(value):
            out[position] = fill
            if not spec["nullable"]:
                problems[position] = "is required"
            continue
        out[position], error = coerce(value)
        if error:
            problems[position] = error
    return out, problems


def _required(spec: dict[str, Any], absent: np.ndarray) -> dict[int, str]:
    return {} if spec["nullable"] else dict.fromkeys(np.flatnonzero(absent).tolist(), "is required")


def _number(value: Any) -> tuple[float, str | None]:
    if isinstance(value, bool):
        return math.nan, f"expected a number, got {value}"
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return math.nan, f"expected a number, got {_shown(value)}"
    if not math.isfinite(number):
        return math.nan, f"expected a number, got {_shown(value)}"
    return number, None


def _check_numeric(values: np.ndarray, spec: dict[str, Any]):
    if values.dtype.kind in "iuf":
        numbers = values.astype("float64")
        absent = np.isnan(numbers)
        problems = _required(spec, absent)
        for position in np.flatnonzero(np.isinf(numbers)).tolist():
            problems[position] = f"expected a number, got {numbers[position]}"
    elif values.dtype.kind == "b":
        numbers = np.full(len(values), math.nan)
        problems = {position: f"expected a number, got {bool(v)}" for position, v in enumerate(values)}
    else:
        cells, problems = _cellwise(values, spec, _number, MISSING["numeric"])
        numbers = cells.astype("float64")
    finite = np.isfinite(numbers)
    for position in np.flatnonzero(finite & (np.abs(numbers) > MAX_MAGNITUDE)).tolist():
        problems[position] = f"{numbers[position]:g} is too large to score"
        numbers[position] = math.nan
    outside: list[int] = []
    if spec.get("min") is not None:
        with np.errstate(invalid="ignore"):
            beyond = finite & ((numbers < spec["min"]) | (numbers > spec["max"]))
        outside = [p for p in np.flatnonzero(beyond).tolist() if p not in problems]
    return numbers, problems, outside


def _flag(value: Any) -> tuple[bool | None, str | None]:
    if isinstance(value, bool):
        return value, None
    flag = TRUTH.get(str(value).strip().lower())
    return (flag, None) if flag is not None else (None, f"expected true or false, got {_shown(value)}")


def _check_boolean(values: np.ndarray, spec: dict[str, Any]):
    if values.dtype.kind == "b":
        return values.astype(object), {}, []
    flags, problems = _cellwise(values, spec, _flag, MISSING["boolean"])
    return flags, problems, []


def _whole_text(value: Any) -> str | None:
    """A whole number's text ("3" for 3 and 3.0), else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return None


def _category_candidates(value: Any) -> list[str]:
    """The texts a value may stand for, exact first: a CSV cannot tell the text "3.0" from the number 3.0,
    so both mean the category "3" unless "3.0" itself is one."""
    if isinstance(value, str):
        try:
            number = float(value)
        except (ValueError, OverflowError):
            return [value]
        return [value, _whole_text(number) or value] if math.isfinite(number) else [value]
    return [text for text in (_whole_text(value), str(value)) if text is not None]


def _check_categorical(values: np.ndarray, spec: dict[str, Any]):
    categories = spec["categories"]
    known = set(categories)
    shown = ", ".join(categories[:10]) + (" ..." if len(categories) > 10 else "")

    def category(value: Any) -> tuple[str | None, str | None]:
        candidates = _category_candidates(value)
        for text in candidates:
            if text in known:
                return text, None
        return None, f"{candidates[0][:40]!r} is not one of the categories seen in training ({shown})"

    exact = pd.Series(values, dtype=object, copy=False).isin(known).to_numpy()  # most cells, in one hash pass
    cells, problems = _cellwise(values, spec, category, MISSING["categorical"], accepted=exact)
    return cells, problems, []


def _identifier(value: Any) -> tuple[str | None, str | None]:
    if isinstance(value, str):
        return value.strip()[:200], None
    if isinstance(value, int | float) and not isinstance(value, bool):  # a CSV reads "15.5" as a number too
        return _whole_text(value) or str(value), None
    return None, f"expected an id (text or a number), got {_shown(value)}"


def _check_identifier(values: np.ndarray, spec: dict[str, Any]):
    cells, problems = _cellwise(values, spec, _identifier, MISSING["identifier"])
    return cells, problems, []


def _text(value: Any) -> tuple[str | None, str | None]:
    if isinstance(value, str):
        return value, None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (_whole_text(value) or str(value)), None
    return None, f"expected text, got {_shown(value)}"


def _check_text(values: np.ndarray, spec: dict[str, Any]):
    cells, problems = _cellwise(values, spec, _text, MISSING["text"])
    return cells, problems, []


_CHECKERS = {
    "numeric": _check_numeric,
    "boolean": _check_boolean,
    "categorical": _check_categorical,
    "identifier": _check_identifier,
    "text": _check_text,
}
