"""What to train and how to validate it, checked against the data before anything is fitted.

``prepare(spec, frame, kinds)`` turns a :class:`TrainSpec` into X, y, the task and a pipeline factory,
or raises :class:`FieldError` naming the field: a target with one class, no usable features,
more folds than rows, a non-numeric regression target, a model that cannot take text...
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dashboard.data.columns import infer_task, model_inputs
from dashboard.errors import FieldError, shown
from dashboard.train.catalog import EstimatorSpec, estimator_spec
from model_store.lazy import lazy_module

pd = lazy_module("pandas")

if TYPE_CHECKING:  # scikit-learn is imported where it is used: the app starts without it
    from sklearn.pipeline import Pipeline

Task = Literal["binary", "multiclass", "regression"]
MAX_CLASSES = 50
MISSING_LEVEL = "(missing)"  # what a missing category is one-hot encoded as
CALIBRATION_FOLDS = 3


class CVSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    folds: int = Field(5, ge=2, le=20)
    stratified: bool = True
    shuffle: bool = True
    seed: int = Field(0, ge=0)
    test_fraction: float = Field(0.0, ge=0.0, le=0.5)


class TextSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    analyzer: Literal["word", "char_wb"] = "word"
    ngram_min: int = Field(1, ge=1, le=5)
    ngram_max: int = Field(2, ge=1, le=6)
    stop_words: bool = False
    max_features: int | None = Field(None, ge=10)


class TrainSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    dataset: str
    target: str
    features: tuple[str, ...]
    estimator: str
    params: dict[str, Any] = Field(default_factory=dict)
    task: Literal["auto", "binary", "multiclass", "regression"] = "auto"
    text: TextSpec = TextSpec()
    cv: CVSpec = CVSpec()
    importance: bool = False
    # A classifier's scores recalibrated by CalibratedClassifierCV (3 inner folds of each training part):
    # "sigmoid" (Platt) or "isotonic"; compared with "none" on the same outer folds.
    calibration: Literal["none", "sigmoid", "isotonic"] = "none"

    def key(self) -> dict[str, Any]:
        """Everything that changes the result, for cache keys. Parameters are normalised (defaults filled
        in, 1 and 1.0 alike) so a run from the form, a permalink and a search candidate share one key."""
        key = self.model_dump(mode="json")
        with contextlib.suppress(ValueError):  # invalid: prepare() names the problem, the key is never used
            key["params"] = estimator_spec(self.estimator).checked_params(self.params)
        return key


@dataclass
class Prepared:
    X: pd.DataFrame
    y: pd.Series
    task: Task
    classes: list[Any] | None
    estimator: EstimatorSpec
    columns: dict[str, list[str]]  # kind group -> columns
    build: Callable[[], Pipeline]
    notices: list[str] = field(default_factory=list)


def prepare(spec: TrainSpec, frame: pd.DataFrame, kinds: dict[str, str]) -> Prepared:
    if not spec.target:
        raise FieldError("target", "choose the column to predict")
    if spec.target not in frame.columns:
        raise FieldError("target", f"{shown(spec.target)} is not a column of this dataset")
    notices: list[str] = []
    if spec.target in spec.features:
        notices.append(f"{spec.target} is the target, so it is not used as a feature")
    features = [f for f in dict.fromkeys(spec.features) if f != spec.target]
    unknown = [f for f in features if f not in frame.columns]
    if unknown:
        raise FieldError("features", f"{shown(unknown[0])} is not a column of this dataset")
    skipped = [f for f in features if kinds.get(f) in ("id", "datetime")]
    if skipped:
        notices.append(f"not used (identifier or date columns): {', '.join(skipped)}")
    features = [f for f in features if f not in skipped]
    empty = [f for f in features if frame[f].isna().all()]
    if empty:
        notices.append(f"not used (no values at all): {', '.join(empty)}")
        features = [f for f in features if f not in empty]
    if not features:
        raise FieldError("features", "choose at least one feature column")
    data = frame[[*features, spec.target]]
    labelled = data[spec.target].notna()
    if not labelled.all():
        notices.append(f"{int((~labelled).sum()):,} rows without a target value were left out")
        data = data.loc[labelled]
    y = data[spec.target]
    task = infer_task(y, kinds.get(spec.target, ""), spec.cv.folds) if spec.task == "auto" else spec.task
    if task != "regression" and spec.cv.stratified:
        data, y = _without_single_rows(data, y, notices)
    if task == "multiclass" and y.nunique() == 2:  # two classes are a binary task, whichever was asked
        task = "binary"
    estimator = estimator_spec(spec.estimator)
    _check_target(y, task, estimator, spec.cv)
    estimator.checked_params(spec.params)  # named errors for bad hyperparameters, before any fit
    if spec.calibration != "none" and task == "regression":
        raise FieldError("calibration", "calibration applies to classifiers; choose none for a regression")
    X, columns = model_inputs(data[features], kinds)
    if columns["text"] and not estimator.sparse_ok:
        raise FieldError("model", f"{estimator.label} cannot take text features; choose a linear model or naive Bayes")
    if spec.text.ngram_min > spec.text.ngram_max:
        raise FieldError("text", "the smallest n-gram is larger than the largest")
    # The order scikit-learn uses for classes_: the positive class of a binary task is classes[1].
    classes = sorted(y.unique().tolist()) if task != "regression" else None
    return Prepared(X, y, task, classes, estimator, columns, lambda: build_pipeline(spec, estimator, columns), notices)


def _without_single_rows(data: pd.DataFrame, y: pd.Series, notices: list[str]) -> tuple[pd.DataFrame, pd.Series]:
    """Rows of classes seen once are left out, with a notice naming them: one example can be neither learned
    nor validated (some training fold would lack it). Only while two classes or more remain."""
    counts = y.value_counts()
    single = counts.index[counts < 2]
    if not len(single) or len(counts) - len(single) < 2:
        return data, y
    named = ", ".join(shown(label) for label in single[:5]) + (" ..." if len(single) > 5 else "")
    notices.append(
        f"{len(single)} class(es) of {y.name} with a single row left out ({named}): one example can be neither "
        "learned nor validated"
    )
    keep = ~y.isin(single)
    return data.loc[keep], y.loc[keep]


def _check_target(y: pd.Series, task: Task, estimator: EstimatorSpec, cv: CVSpec) -> None:
    rows = len(y)
    if rows < cv.folds * 2:
        raise FieldError("cv", f"{cv.folds} folds need at least {cv.folds * 2} labelled rows; there are {rows}")
    numeric = pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y)
    if task == "regression":
        if not numeric:
            raise FieldError("target", f"regression needs a numeric target; {y.name} holds text or categories")
        if estimator.task != "regression":
            raise FieldError("model", f"{estimator.label} is a classifier; choose a regression model")
        return
    counts = y.value_counts()
    as_quantity = "; choose the regression task for a quantity" if numeric else ""
    if len(counts) < 2:
        raise FieldError("target", f"{y.name} has only one value ({shown(counts.index[0])}); nothing to learn")
    if numeric and not bool((y % 1 == 0).all()):
        raise FieldError("task", f"{y.name} holds fractional numbers, not classes{as_quantity}")
    if len(counts) > MAX_CLASSES:
        raise FieldError("target", f"{y.name} has {len(counts)} classes; at most {MAX_CLASSES}{as_quantity}")
    if estimator.task != "classification":
        raise FieldError("model", f"{estimator.label} is a regressor; choose a classification model")
    if cv.stratified and counts.max() < cv.folds:
        raise FieldError(
            "cv",
            f"every class of {y.name} has fewer than {cv.folds} rows; choose at most {max(counts.max(), 2)} folds"
            f"{as_quantity or ' or another target'}",
        )
    # Stratified folds put a class of two rows in two test folds, so every training fold still has it;
    # unstratified folds promise nothing, so there each class needs a row for every fold.
    least = 2 if cv.stratified else cv.folds
    if counts.min() < least:
        rare = counts[counts < least]
        named = ", ".join(
            f"{shown(label)} ({count} row{'s' if count > 1 else ''})" for label, count in rare.head(5).items()
        )
        raise FieldError(
            "target",
            f"{len(rare)} class(es) of {y.name} have too few rows for {cv.folds}-fold cross-validation: {named}; "
            f"each needs at least {least}{as_quantity or '; choose another target or merge the rare classes'}",
        )


def build_pipeline(spec: TrainSpec, estimator: EstimatorSpec, columns: dict[str, list[str]]) -> Pipeline:
    """Numeric: impute + scale; categorical: impute + one-hot (unknowns ignored); text: TF-IDF.

    A column can be all missing in one training fold though not in the data (a few values, all in that
    fold's test rows): the numeric imputer keeps such a column (as 0) and a missing category is a level of
    its own, "(missing)", so every fold's pipeline has the same inputs and none fails for want of a column."""
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, StandardScaler

    scaler = MinMaxScaler() if estimator.needs_nonnegative else StandardScaler()
    dense = not estimator.sparse_ok
    parts = []
    if columns["numeric"]:
        imputer = SimpleImputer(strategy="median", keep_empty_features=True)
        parts.append(("numeric", make_pipeline(imputer, scaler), columns["numeric"]))
    if columns["categorical"]:
        encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=not dense)
        parts.append(
            (
                "categorical",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value=MISSING_LEVEL, keep_empty_features=True), encoder
                ),
                columns["categorical"],
            )
        )
    text = spec.text
    for column in columns["text"]:
        vectorizer = TfidfVectorizer(
            analyzer=text.analyzer,
            ngram_range=(text.ngram_min, text.ngram_max),
            stop_words="english" if text.stop_words and text.analyzer == "word" else None,
            max_features=text.max_features,
            sublinear_tf=True,
            min_df=2,
        )
        parts.append((f"text_{column}", vectorizer, column))
    prep = ColumnTransformer(parts, sparse_threshold=0.0 if dense else 0.3)
    model = estimator.build(spec.params)
    if spec.calibration != "none":
        from sklearn.calibration import CalibratedClassifierCV

        model = CalibratedClassifierCV(model, method=spec.calibration, cv=CALIBRATION_FOLDS)
    return Pipeline([("prep", prep), ("model", model)])
