"""Re-verify a stored classifier or regressor on labelled rows it has not seen.

The rows are checked by the model's input schema (the same validator every serving door uses), scored
the way a cross-validation fold is scored (``dashboard.train.cv.predict_rows``) and measured with the
same metric code, so "the metrics now" and the card's CV metrics mean the same thing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from dashboard.errors import FieldError, NotEnoughData
from dashboard.serving.tables import check_batch
from dashboard.train.cv import metrics_for, predict_rows
from model_store import LoadedModel
from model_store.lazy import lazy_module

np = lazy_module("numpy")
pd = lazy_module("pandas")

VERIFIABLE_TASKS = ("binary", "multiclass", "regression")
MIN_ROWS = 2


def labels_as_classes(labels: pd.Series, card: dict[str, Any]) -> tuple[pd.Series, list[str]]:
    """Labels in the model's own type: a class sent back as "1" (text, or JSON text from feedback) is the
    class 1 when the model's classes are numbers. Labels that are no class of the model are left out."""
    notices: list[str] = []
    if card["task"] == "regression":
        values = pd.to_numeric(labels, errors="coerce")
        if values.isna().any():
            notices.append(f"{int(values.isna().sum()):,} labels are not numbers and were left out")
        return values, notices
    by_text = {_text(c): c for c in card["classes"]}
    mapped = labels.map(lambda v: by_text.get(_text(v), _UNKNOWN))
    unknown = mapped.map(lambda v: v is _UNKNOWN)
    if unknown.any():
        notices.append(f"{int(unknown.sum()):,} labels are not classes of this model and were left out")
    return mapped.where(~unknown, None), notices


_UNKNOWN = object()


def _text(value: Any) -> str:
    """One spelling for a label: 1, 1.0, "1" and the JSON text '1' are all "1"."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def reverify(loaded: LoadedModel, inputs: pd.DataFrame, labels: pd.Series) -> dict[str, Any]:
    """The version's metrics on ``inputs`` against ``labels``, beside its card's CV metrics."""
    card = loaded.card
    scored = score_labelled(loaded, inputs, labels)
    now = metrics_for(card["task"], scored.y, scored.y_pred, scored.scores, card.get("classes"))
    cv = card.get("cv", {}).get("scores", {})
    rows = [
        {
            "metric": name,
            "cv_mean": cv.get(name, {}).get("mean"),
            "cv_std": cv.get(name, {}).get("std"),
            "now": value,
            "delta": value - cv[name]["mean"] if name in cv else None,
        }
        for name, value in now.items()
    ]
    return {"rows": len(scored.y), "metrics": now, "comparison": rows, "notices": scored.notices}


@dataclass
class Scored:
    """Labelled rows that fit the schema, as the model answered them."""

    positions: np.ndarray  # which rows of the inputs were usable
    y: np.ndarray
    y_pred: np.ndarray
    scores: np.ndarray | None
    notices: list[str]


def score_labelled(loaded: LoadedModel, inputs: pd.DataFrame, labels: pd.Series) -> Scored:
    """Check the rows by the model's schema, keep those with a label of the model's, and score them as a
    cross-validation fold is scored."""
    card = loaded.card
    if card["task"] not in VERIFIABLE_TASKS:
        raise FieldError("model", f"{card['task']} models have no labels to verify against")
    truth, notices = labels_as_classes(labels.reset_index(drop=True), card)
    batch = check_batch(inputs.reset_index(drop=True), card["schema"])
    usable = batch.valid & truth.notna().to_numpy()
    if (~batch.valid).any():
        notices.append(f"{int((~batch.valid).sum()):,} rows do not fit the model's schema and were left out")
    if usable.sum() < MIN_ROWS:
        raise NotEnoughData("data", f"{int(usable.sum())} usable labelled rows; at least {MIN_ROWS} are needed")
    X, y = batch.frame.loc[usable], truth[usable].to_numpy()
    if card["task"] != "regression":
        y = np.asarray(y, dtype=object if any(isinstance(c, str) for c in card["classes"]) else None)
    y_pred, scores, _ = predict_rows(loaded.model, X, card["task"])
    return Scored(np.flatnonzero(usable), y, y_pred, scores, notices)
