"""The Train form as data: its controls, the States the callbacks read, the TrainSpec they make."""

from __future__ import annotations

from dash import ALL, State
from pydantic import ValidationError

from callbacks.widgets import QueryField
from dashboard.errors import FieldError
from dashboard.train.spec import CVSpec, TextSpec, TrainSpec
from layouts.train_ids import TrainIds

# The Train form, declared once: what the callbacks read (SPEC_STATES, in this order, then the model's
# parameter controls) and what the permalink writes (with the threshold and the comparison, in train.py).
TRAIN_FORM = (
    QueryField("dataset", TrainIds.DATASET_DROPDOWN),
    QueryField("target", TrainIds.TARGET_DROPDOWN),
    QueryField("task", TrainIds.TASK_RADIO),
    QueryField("features", TrainIds.FEATURES_DROPDOWN),
    QueryField("model", TrainIds.MODEL_DROPDOWN),
    QueryField("text", TrainIds.TEXT_ANALYZER),
    QueryField("ngram", TrainIds.TEXT_NGRAM, join="-"),
    QueryField("folds", TrainIds.FOLDS_INPUT),
    QueryField("seed", TrainIds.SEED_INPUT),
    QueryField("test", TrainIds.TEST_FRACTION_INPUT),
    QueryField("opts", TrainIds.OPTIONS_CHECKLIST),
    QueryField("calib", TrainIds.CALIBRATION_DROPDOWN),
)
PARAM_CONTROLS = TrainIds.param(ALL)  # the chosen model's parameters, one control each (p_<name> in a query)
SPEC_STATES = (
    *(State(field.component_id, field.prop) for field in TRAIN_FORM),
    State(PARAM_CONTROLS, "value"),
    State(PARAM_CONTROLS, "id"),
)


def spec_from_controls(*values) -> TrainSpec:
    """The values of SPEC_STATES as a TrainSpec; a malformed value raises FieldError naming the control."""
    form = dict(zip((field.key for field in TRAIN_FORM), values[: len(TRAIN_FORM)], strict=True))
    param_values, param_ids = values[len(TRAIN_FORM) :]
    params = {pid["name"]: value for pid, value in zip(param_ids, param_values, strict=True) if value is not None}
    options, ngram, folds = form["opts"] or [], form["ngram"] or [1, 2], form["folds"]
    if folds is None:  # the browser reports an out-of-range or empty number as no value
        raise FieldError("cv.folds", "enter a whole number of folds from 2 to 20")
    try:
        return TrainSpec(
            dataset=form["dataset"] or "",
            target=form["target"] or "",
            features=tuple(form["features"] or ()),
            estimator=form["model"] or "",
            params=params,
            task=form["task"] or "auto",
            text=TextSpec(
                analyzer=form["text"] or "word",
                ngram_min=ngram[0],
                ngram_max=ngram[1],
                stop_words="stopwords" in options,
            ),
            cv=CVSpec(
                folds=folds,
                seed=form["seed"] or 0,
                test_fraction=form["test"] or 0,
                stratified="stratified" in options,
                shuffle="shuffle" in options,
            ),
            importance="importance" in options,
            calibration=form["calib"] or "none",
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"]) or "spec"
        raise FieldError(field, error["msg"]) from None
