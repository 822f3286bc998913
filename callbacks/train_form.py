"""The Train form as the callbacks read it: its controls (States, in order) and the TrainSpec they make."""

from __future__ import annotations

from dash import ALL, State
from pydantic import ValidationError

from dashboard.errors import FieldError
from dashboard.train.spec import CVSpec, TextSpec, TrainSpec
from layouts.train_ids import TrainIds

SPEC_STATES = (
    State(TrainIds.DATASET_DROPDOWN, "value"),
    State(TrainIds.TARGET_DROPDOWN, "value"),
    State(TrainIds.TASK_RADIO, "value"),
    State(TrainIds.FEATURES_DROPDOWN, "value"),
    State(TrainIds.MODEL_DROPDOWN, "value"),
    State(TrainIds.param(ALL), "value"),
    State(TrainIds.param(ALL), "id"),
    State(TrainIds.TEXT_ANALYZER, "value"),
    State(TrainIds.TEXT_NGRAM, "value"),
    State(TrainIds.FOLDS_INPUT, "value"),
    State(TrainIds.SEED_INPUT, "value"),
    State(TrainIds.TEST_FRACTION_INPUT, "value"),
    State(TrainIds.OPTIONS_CHECKLIST, "value"),
)


def spec_from_controls(
    dataset,
    target,
    task,
    features,
    model,
    param_values,
    param_ids,
    analyzer,
    ngram,
    folds,
    seed,
    test_fraction,
    options,
) -> TrainSpec:
    """The controls' values as a TrainSpec; a malformed value raises FieldError naming the control."""
    params = {pid["name"]: value for pid, value in zip(param_ids, param_values, strict=True) if value is not None}
    if folds is None:  # the browser reports an out-of-range or empty number as no value
        raise FieldError("cv.folds", "enter a whole number of folds from 2 to 20")
    try:
        return TrainSpec(
            dataset=dataset or "",
            target=target or "",
            features=tuple(features or ()),
            estimator=model or "",
            params=params,
            task=task or "auto",
            text=TextSpec(
                analyzer=analyzer or "word",
                ngram_min=(ngram or [1, 2])[0],
                ngram_max=(ngram or [1, 2])[1],
                stop_words="stopwords" in (options or []),
            ),
            cv=CVSpec(
                folds=folds,
                seed=seed or 0,
                test_fraction=test_fraction or 0,
                stratified="stratified" in (options or []),
                shuffle="shuffle" in (options or []),
            ),
            importance="importance" in (options or []),
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"]) or "spec"
        raise FieldError(field, error["msg"]) from None
