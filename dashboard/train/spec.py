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

from dashboard.errors import FieldError
from dashboard.train.catalog import EstimatorSpec, estimator_spec
from model_store.lazy import lazy_module

pd = lazy_module("pandas")

if TYPE_CHECKING:  # scikit-learn is imported where it is used: the app starts without it
    from sklearn.pipeline import Pipeline

Task = Literal["binary", "multiclass", "regression"]
NUMERIC_KINDS = {"numeric", "boolean"}
MAX_CLASSES = 50


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


def infer_task(y: pd.Series, kind: str) -> Task:
    if kind == "numeric" and y.nunique() > 20:
        return "regression"
    return "binary" if y.nunique() == 2 else "multiclass"


def prepare(spec: TrainSpec, frame: pd.DataFrame, kinds: dict[str, str]) -> Prepared:
    if spec.target not in frame.columns:
        raise FieldError("target", f"{spec.target!r} is not a column of this dataset")
    notices: list[str] = []
    features = [f for f in dict.fromkeys(spec.features) if f != spec.target]
    unknown = [f for f in features if f not in frame.columns]
    if unknown:
        raise FieldError("features", f"{unknown[0]!r} is not a column of this dataset")
    skipped = [f for f in features if kinds.get(f) in ("id", "datetime")]
    if skipped:
        notices.append(f"not used (identifier or date columns): {', '.join(skipped)}")
    features = [f for f in features if f not in skipped]
    if not features:
        raise FieldError("features", "choose at least one feature column")
    data = frame[[*features, spec.target]]
    labelled = data[spec.target].notna()
    if not labelled.all():
        notices.append(f"{int((~labelled).sum()):,} rows without a target value were left out")
        data = data.loc[labelled]
    y = data[spec.target]
    task = infer_task(y, kinds.get(spec.target, "")) if spec.task == "auto" else spec.task
    estimator = estimator_spec(spec.estimator)
    _check_target(y, task, estimator, spec.cv)
    estimator.checked_params(spec.params)  # named errors for bad hyperparameters, before any fit
    columns = {
        "numeric": [f for f in features if kinds.get(f) in NUMERIC_KINDS],
        "categorical": [f for f in features if kinds.get(f) == "categorical"],
        "text": [f for f in features if kinds.get(f) == "text"],
    }
    if columns["text"] and not estimator.sparse_ok:
        raise FieldError("model", f"{estimator.label} cannot take text features; choose a linear model or naive Bayes")
    if spec.text.ngram_min > spec.text.ngram_max:
        raise FieldError("text", "the smallest n-gram is larger than the largest")
    X = data[features]
    if columns["text"]:  # a missing document is an empty one (TF-IDF refuses NaN)
        X = X.assign(**{c: X[c].fillna("").astype(str) for c in columns["text"]})
    # The order scikit-learn uses for classes_: the positive class of a binary task is classes[1].
    classes = sorted(y.unique().tolist()) if task != "regression" else None
    return Prepared(X, y, task, classes, estimator, columns, lambda: build_pipeline(spec, estimator, columns), notices)


def _check_target(y: pd.Series, task: Task, estimator: EstimatorSpec, cv: CVSpec) -> None:
    rows = len(y)
    if rows < cv.folds * 2:
        raise FieldError("cv", f"{cv.folds} folds need at least {cv.folds * 2} labelled rows; there are {rows}")
    if task == "regression":
        if not pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y):
            raise FieldError("target", f"regression needs a numeric target; {y.name!r} holds {y.dtype} values")
        if estimator.task != "regression":
            raise FieldError("model", f"{estimator.label} is a classifier; choose a regression model")
        return
    counts = y.value_counts()
    if len(counts) < 2:
        raise FieldError("target", f"{y.name!r} has only one class ({counts.index[0]!r}); nothing to learn")
    if len(counts) > MAX_CLASSES:
        raise FieldError("target", f"{y.name!r} has {len(counts)} classes; at most {MAX_CLASSES} (is it numeric?)")
    if estimator.task != "classification":
        raise FieldError("model", f"{estimator.label} is a regressor; choose a classification model")
    if cv.stratified and counts.min() < cv.folds:
        raise FieldError("cv", f"class {counts.index[-1]!r} has {counts.min()} rows, fewer than {cv.folds} folds")


def build_pipeline(spec: TrainSpec, estimator: EstimatorSpec, columns: dict[str, list[str]]) -> Pipeline:
    """Numeric: impute + scale; categorical: impute + one-hot (unknowns ignored); text: TF-IDF."""
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, StandardScaler

    scaler = MinMaxScaler() if estimator.needs_nonnegative else StandardScaler()
    dense = not estimator.sparse_ok
    parts = []
    if columns["numeric"]:
        parts.append(("numeric", make_pipeline(SimpleImputer(strategy="median"), scaler), columns["numeric"]))
    if columns["categorical"]:
        encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=not dense)
        parts.append(
            ("categorical", make_pipeline(SimpleImputer(strategy="most_frequent"), encoder), columns["categorical"])
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
    return Pipeline([("prep", prep), ("model", estimator.build(spec.params))])
