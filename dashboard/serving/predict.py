"""Querying stored models: single records (forms, REST) and batches (CSV, async jobs).

Inputs are checked against the model card's schema first, so a bad field gets a message naming it
instead of a stack trace from inside scikit-learn.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from dashboard.errors import Cancelled, FieldError
from dashboard.recommend import queries
from model_store import LoadedModel, SchemaError, check_records
from model_store.schema import check_frame, range_notices

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BATCH_CHUNK = 20_000


# Estimators whose predict() is defined as classes_[argmax(predict_proba())]: for these one pass gives
# both labels and probabilities. Others (e.g. SVC with probability=True) predict on their own.
ARGMAX_ESTIMATORS = frozenset(
    {
        "RandomForestClassifier",
        "ExtraTreesClassifier",
        "DecisionTreeClassifier",
        "HistGradientBoostingClassifier",
        "GradientBoostingClassifier",
        "LogisticRegression",
        "KNeighborsClassifier",
        "GaussianNB",
        "MultinomialNB",
        "BernoulliNB",
        "ComplementNB",
    }
)


def _classes(loaded: LoadedModel) -> list[Any] | None:
    return loaded.card.get("classes")


def labels_and_probabilities(model: Any, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray | None]:
    """Predicted labels and, when the model has them, class probabilities, in as few passes as possible."""
    if not hasattr(model, "predict_proba"):
        return np.asarray(model.predict(frame)), None
    probabilities = model.predict_proba(frame)
    final = model.steps[-1][1] if hasattr(model, "steps") else model
    if type(final).__name__ in ARGMAX_ESTIMATORS:
        return np.asarray(model.classes_)[probabilities.argmax(axis=1)], probabilities
    return np.asarray(model.predict(frame)), probabilities


def predict_records(loaded: LoadedModel, records: list[dict[str, Any]]) -> dict[str, Any]:
    """Predictions for ``records`` as the API returns them. Raises :class:`SchemaError`."""
    frame, warnings = check_records(loaded.card["schema"], records)
    if loaded.card["task"] == "recommendation":
        return _recommendations(loaded, frame, warnings)
    model = loaded.model
    labels, probabilities = labels_and_probabilities(model, frame)
    result: dict[str, Any] = {
        "model": loaded.name,
        "version": loaded.version,
        "task": loaded.card["task"],
        "predictions": [_plain(v) for v in labels],
        "warnings": loaded.warnings + warnings,
    }
    if loaded.card["task"] == "clustering":  # cluster, its segment name and the distance to its centroid
        segments = loaded.card.get("segments") or {}
        result["segments"] = [segments.get(str(v), "") for v in result["predictions"]]
        if hasattr(model, "transform"):
            result["distances"] = [float(d) for d in np.min(model.transform(frame), axis=1)]
        return result
    classes = _classes(loaded)
    if classes is not None and probabilities is not None:
        result["probabilities"] = [dict(zip(map(str, classes), map(float, row), strict=True)) for row in probabilities]
    elif classes is not None and hasattr(model, "decision_function"):
        scores = np.atleast_2d(model.decision_function(frame))
        if len(classes) == 2:
            scores = scores.reshape(-1, 1)
            result["scores"] = [{str(classes[1]): float(row[0])} for row in scores]
        else:
            result["scores"] = [dict(zip(map(str, classes), map(float, row), strict=True)) for row in scores]
    return result


def _recommendations(loaded: LoadedModel, frame: pd.DataFrame, warnings: list[str]) -> dict[str, Any]:
    """Per record: top-N for a user (popularity fallback for an unknown one) or similar items for an item."""
    answers, errors = [], {}
    for index, record in enumerate(frame.to_dict("records")):
        try:
            answers.append(queries.answer(loaded.model, record))
        except FieldError as exc:
            errors[(f"[{index}]." if len(frame) > 1 else "") + exc.field] = exc.message
    if errors:
        raise SchemaError(errors)
    return {
        "model": loaded.name,
        "version": loaded.version,
        "task": "recommendation",
        "predictions": [[entry["item"] for entry in a["items"]] for a in answers],
        "results": answers,
        "warnings": loaded.warnings + warnings,
    }


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


@dataclass
class BatchInput:
    """A batch checked against a schema: the rows to score and what was wrong with the others."""

    frame: pd.DataFrame  # the schema's columns, coerced
    valid: np.ndarray  # bool per row
    row_errors: dict[int, str] = field(default_factory=dict)  # 1-based data row number -> message
    notices: list[str] = field(default_factory=list)
    inputs: pd.DataFrame | None = None  # the rows as uploaded (all columns), for the output file


def read_batch_csv(content: bytes, schema: dict[str, Any], *, max_rows: int = 1_000_000) -> BatchInput:
    """Parse a CSV and check it against ``schema`` column by column (vectorised).

    Missing schema columns are an error naming them; extra columns are kept in the output but not
    used; bad cells mark their row as bad with the row number (1 = first data row).
    """
    try:
        frame = pd.read_csv(io.BytesIO(content), low_memory=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as exc:
        raise SchemaError({"file": f"not a readable CSV ({' '.join(str(exc).split())[:150]})"}) from None
    if frame.empty:
        raise SchemaError({"file": "the CSV has no data rows"})
    if len(frame) > max_rows:
        raise SchemaError({"file": f"{len(frame):,} rows is over the limit of {max_rows:,}"})
    return check_batch(frame, schema)


def check_batch(frame: pd.DataFrame, schema: dict[str, Any]) -> BatchInput:
    """A table checked by the one validator (``model_store.schema.check_frame``): bad rows are named with
    every bad field, out-of-range values and unused columns become notices."""
    checked = check_frame(schema, frame)
    row_errors = {
        row + 1: "; ".join(f"{name}: {message}" for name, message in fields.items())
        for row, fields in checked.errors.items()
    }
    notices = range_notices(schema, checked)
    if checked.absent:
        notices.insert(0, f"column(s) not in the file, treated as missing: {', '.join(checked.absent[:10])}")
    if checked.unknown:
        notices.insert(0, f"ignored column(s) the model does not use: {', '.join(checked.unknown[:10])}")
    return BatchInput(frame=checked.frame, valid=checked.valid, row_errors=row_errors, notices=notices, inputs=frame)


def score_batch(
    loaded: LoadedModel,
    batch: BatchInput,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    chunk: int = BATCH_CHUNK,
) -> pd.DataFrame:
    """Predictions (and class probabilities) for the valid rows, chunk by chunk; bad rows get an error."""
    model, classes = loaded.model, _classes(loaded)
    if loaded.card["task"] == "recommendation":
        batch = _recommendation_batch(loaded, batch)
        model, classes = _Labels(batch.frame), None
    rows = batch.frame.loc[batch.valid]
    prediction = np.empty(len(batch.frame), dtype=object)
    probability_columns = [f"probability_{c}" for c in classes] if classes and hasattr(model, "predict_proba") else []
    probabilities = np.full((len(batch.frame), len(probability_columns)), np.nan)
    positions = np.flatnonzero(batch.valid)
    for start in range(0, len(rows), chunk):
        if cancelled is not None and cancelled():
            raise Cancelled("cancelled")
        part = rows.iloc[start : start + chunk]
        where = positions[start : start + chunk]
        labels, proba = labels_and_probabilities(model, part)
        prediction[where] = labels
        if probability_columns:
            probabilities[where] = proba
        if progress is not None:
            progress(min(start + chunk, len(rows)), len(rows))
    out = pd.DataFrame({"prediction": prediction}, index=batch.frame.index)
    for i, column in enumerate(probability_columns):
        out[column] = probabilities[:, i]
    out["error"] = ""
    for row_number, message in batch.row_errors.items():
        out.iloc[row_number - 1, out.columns.get_loc("error")] = message
    return out


class _Labels:
    """Stands in for a model whose labels were computed up front (recommendation lists)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def predict(self, part: pd.DataFrame) -> np.ndarray:
        return self.frame.loc[part.index, "_labels"].to_numpy()


def _recommendation_batch(loaded: LoadedModel, batch: BatchInput) -> BatchInput:
    """Each valid row's answer as space-separated item ids; a row the model cannot answer (unknown item,
    bad k) becomes a bad row with the reason, like a schema error."""
    labels = pd.Series("", index=batch.frame.index, dtype=object)
    valid, row_errors = batch.valid.copy(), dict(batch.row_errors)
    for position in np.flatnonzero(valid):
        record = batch.frame.iloc[position].to_dict()
        try:
            labels.iloc[position] = " ".join(e["item"] for e in queries.answer(loaded.model, record)["items"])
        except FieldError as exc:
            valid[position] = False
            row_errors[int(position) + 1] = f"{exc.field}: {exc.message}"
    frame = batch.frame.assign(_labels=labels)
    return BatchInput(frame, valid, dict(sorted(row_errors.items())), batch.notices, batch.inputs)


def results_csv(inputs: pd.DataFrame, scored: pd.DataFrame) -> bytes:
    """Inputs + predictions + probabilities as CSV, with formula-like text cells neutralised."""
    combined = pd.concat([inputs.reset_index(drop=True), scored.reset_index(drop=True)], axis=1)
    return neutralise_formulas(combined).to_csv(index=False).encode()


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula (= + - @ tab CR) with a quote.
    Numbers are left alone: -3.5 in a numeric column is data, not a formula."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        text = series.astype(object)
        risky = text.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_PREFIXES))
        if risky.any():
            out[column] = text.where(~risky, "'" + text.astype(str))
    header = [("'" + c) if isinstance(c, str) and c.startswith(FORMULA_PREFIXES) else c for c in out.columns]
    out.columns = header
    return out


def batch_summary(batch: BatchInput, scored: pd.DataFrame, inline_rows: int = 1000) -> dict[str, Any]:
    """What a finished batch reports: counts, the first bad rows, and the predictions when small."""
    summary: dict[str, Any] = {
        "rows": len(scored),
        "scored": int(batch.valid.sum()),
        "bad_rows": len(batch.row_errors),
        "errors": {str(k): v for k, v in list(batch.row_errors.items())[:100]},
        "notices": batch.notices,
    }
    if len(scored) <= inline_rows:
        summary["predictions"] = [_plain(v) for v in scored["prediction"]]
    return summary
