"""Input schemas: inferred from a sample of the training inputs, used to build forms and to check
records before they reach a model."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from model_store.errors import SchemaError

MAX_CATEGORIES = 200
# Estimators such as trees compute in float32: a larger magnitude is "infinite" to them.
MAX_MAGNITUDE = float(np.finfo(np.float32).max)
TEXT_MIN_MEAN_LENGTH = 30


def infer_schema(X_sample: pd.DataFrame) -> dict[str, Any]:
    """``{"fields": [...], "example": {...}}``: one field per column with its kind
    (numeric / categorical / boolean / text), categories, observed range and whether it may be missing."""
    if not isinstance(X_sample, pd.DataFrame) or X_sample.shape[1] == 0:
        raise SchemaError({"X_sample": "a pandas DataFrame with at least one column is required"})
    fields = [_field(str(name), X_sample[name]) for name in X_sample.columns]
    example_row = X_sample.dropna().head(1)
    if example_row.empty:
        example_row = X_sample.head(1)
    example = {f["name"]: _plain(example_row.iloc[0][f["name"]]) for f in fields}
    return {"fields": fields, "example": example}


def _field(name: str, series: pd.Series) -> dict[str, Any]:
    values = series.dropna()
    field: dict[str, Any] = {"name": name, "nullable": bool(series.isna().any()), "dtype": str(series.dtype)}
    if pd.api.types.is_bool_dtype(series):
        return {**field, "kind": "boolean"}
    if pd.api.types.is_numeric_dtype(series):
        integer = pd.api.types.is_integer_dtype(series) or bool(len(values) and (values % 1 == 0).all())
        low, high = (float(values.min()), float(values.max())) if len(values) else (None, None)
        return {**field, "kind": "numeric", "integer": integer, "min": low, "max": high}
    text = values.astype(str)
    if len(text) and (text.str.len().mean() >= TEXT_MIN_MEAN_LENGTH or text.nunique() > MAX_CATEGORIES):
        return {**field, "kind": "text"}
    return {**field, "kind": "categorical", "categories": sorted(text.unique().tolist())}


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def check_records(schema: dict[str, Any], records: list[dict[str, Any]]) -> tuple[pd.DataFrame, list[str]]:
    """Coerce ``records`` to the schema's columns. Returns the frame and warnings (values outside the
    observed range); raises :class:`SchemaError` naming each bad field (``[row].field`` for batches)."""
    if not isinstance(records, list) or not records:
        raise SchemaError({"instances": "send at least one record"})
    errors: dict[str, str] = {}
    warnings: list[str] = []
    rows = []
    for index, record in enumerate(records):
        prefix = f"[{index}]." if len(records) > 1 else ""
        if not isinstance(record, dict):
            errors[f"[{index}]"] = "each record must be an object of field: value"
            continue
        row, row_errors, row_warnings = _check_record(schema, record)
        errors.update({prefix + field: message for field, message in row_errors.items()})
        warnings.extend(prefix + w for w in row_warnings)
        rows.append(row)
    if errors:
        raise SchemaError(errors)
    columns = [f["name"] for f in schema["fields"]]
    frame = pd.DataFrame(rows, columns=columns)
    for field in schema["fields"]:
        if field["kind"] == "numeric":
            frame[field["name"]] = frame[field["name"]].astype("float64")
        elif field["kind"] in ("categorical", "text", "identifier"):
            frame[field["name"]] = frame[field["name"]].astype(object)
    return frame, warnings


def _check_record(schema: dict[str, Any], record: dict[str, Any]) -> tuple[dict, dict[str, str], list[str]]:
    row: dict[str, Any] = {}
    errors: dict[str, str] = {}
    warnings: list[str] = []
    for field in schema["fields"]:
        name, kind = field["name"], field["kind"]
        value = record.get(name)
        if _missing(value):
            if not field["nullable"]:
                errors[name] = "is required"
            row[name] = {"numeric": math.nan, "text": ""}.get(kind)
            continue
        if kind == "numeric":
            number = _as_number(value)
            if number is None:
                errors[name] = f"expected a number, got {str(value)[:40]!r}"
                continue
            if abs(number) > MAX_MAGNITUDE:
                errors[name] = f"{number:g} is too large to score"
                continue
            if field.get("min") is not None and not field["min"] <= number <= field["max"]:
                warnings.append(
                    f"{name}: {number:g} is outside the training range {field['min']:g} to {field['max']:g}"
                )
            row[name] = number
        elif kind == "boolean":
            flag = _as_bool(value)
            if flag is None:
                errors[name] = f"expected true or false, got {str(value)[:40]!r}"
                continue
            row[name] = flag
        elif kind == "categorical":
            text = str(value) if not isinstance(value, float) or not value.is_integer() else str(int(value))
            if text not in field["categories"]:
                shown = ", ".join(field["categories"][:10]) + (" ..." if len(field["categories"]) > 10 else "")
                errors[name] = f"{text[:40]!r} is not one of the categories seen in training ({shown})"
                continue
            row[name] = text
        elif kind == "identifier":  # a user or item id: text or a whole number, kept as text
            text = _as_identifier(value)
            if text is None:
                errors[name] = f"expected an id (text or a whole number), got {str(value)[:40]!r}"
                continue
            row[name] = text
        else:
            if not isinstance(value, str):
                errors[name] = "expected text"
                continue
            row[name] = value
    unknown = sorted(set(record) - {f["name"] for f in schema["fields"]})
    if unknown:
        warnings.append("ignored unknown fields: " + ", ".join(str(u)[:40] for u in unknown[:10]))
    return row, errors, warnings


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _as_identifier(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip()[:200] or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return None


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}.get(text)
