"""How a logged row is written and read back: one columnar shape for every door (``input:<field>``,
``prediction`` or ``prediction_json``, ``probability_<class>`` / ``score_<class>``), the API's row shape with
JSON text, and the log's first (JSON-row) format."""

from __future__ import annotations

import json
from typing import Any

from model_store.lazy import lazy_module

pa = lazy_module("pyarrow")
pd = lazy_module("pandas")

OUTPUT_PREFIX = {"probabilities": "probability_", "scores": "score_"}


def to_arrow(frame: pd.DataFrame) -> pa.Table:
    """A column of mixed types (an Age sent as 22 in one request and "22" in the next) or of whole numbers
    beyond 64 bits (a client sent 2**70) is kept as text, exactly; readers convert by the model's schema.
    Such a number used to stop the flush, and with it the log, until the process ended."""
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        mixed = [c for c in frame.columns if frame[c].dtype == object]
        text = frame.astype({c: str for c in mixed}).mask(frame.isna(), None)
        return pa.Table.from_pandas(text, preserve_index=False)


def as_records(frame: pd.DataFrame) -> pd.DataFrame:
    """A columnar partition in the API's row shape: inputs, prediction and output as JSON text."""
    inputs = [c for c in frame.columns if c.startswith("input:")]
    outputs = {kind: [c for c in frame.columns if c.startswith(prefix)] for kind, prefix in OUTPUT_PREFIX.items()}
    out = frame[["time", "request_id", "door", "row", "version"]].copy()
    out["inputs"] = [
        json.dumps({c[6:]: plain(v) for c, v in zip(inputs, values, strict=True)})
        for values in frame[inputs].itertuples(index=False)
    ]
    structured = frame["prediction_json"] if "prediction_json" in frame.columns else [None] * len(frame)
    out["prediction"] = [
        j if isinstance(j, str) else json.dumps(plain(p)) for p, j in zip(frame["prediction"], structured, strict=True)
    ]
    out["output"] = [
        json.dumps(
            {
                kind: {c.removeprefix(OUTPUT_PREFIX[kind]): plain(row[c]) for c in columns if pd.notna(row[c])}
                for kind, columns in outputs.items()
                if columns
            }
        )
        for row in frame[outputs["probabilities"] + outputs["scores"]].to_dict("records")
    ]
    return out


def expanded(frame: pd.DataFrame, fields: list[str]) -> pd.DataFrame:
    """A partition in the log's first (row, JSON) format, as the columnar table reads it."""
    inputs = pd.DataFrame([json.loads(text) for text in frame["inputs"]], columns=fields)
    outputs = pd.DataFrame(
        [
            {f"probability_{k}": v for k, v in json.loads(text).get("probabilities", {}).items()}
            for text in frame["output"]
        ]
    )
    prediction = [json.loads(text) for text in frame["prediction"]]
    return pd.concat([inputs, frame[["request_id", "row"]], outputs], axis=1).assign(prediction=prediction)


def cell(value: Any) -> Any:
    """A loggable scalar: numpy scalars as Python values; anything structured as JSON text."""
    value = value.item() if hasattr(value, "item") and not isinstance(value, list | dict) else value
    return json.dumps(value, default=str) if isinstance(value, list | dict | tuple) else value


def plain(value: Any) -> Any:
    """A JSON-ready cell: NaN and None as null, numpy scalars as Python numbers."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value
