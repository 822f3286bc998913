"""The REST API's request and response shapes as pydantic models: the OpenAPI document is generated from
these (``dashboard/api/openapi.py``), and tests check real responses against them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dashboard.data.catalog import DatasetInfo  # the catalog's own dataclass: one definition of a dataset


class ErrorDetail(BaseModel):
    code: str = Field(description="stable machine-readable code, e.g. invalid_input, not_found, too_large")
    field: str = Field(description="the field, parameter or part of the request to fix")
    message: str
    request_id: str | None = Field(None, description="the request's id, as in X-Request-ID and the server's log")
    fields: dict[str, str] = Field(
        default_factory=dict, description="every bad field with its message (invalid_input only)"
    )


class Error(BaseModel):
    error: ErrorDetail


class Health(BaseModel):
    status: Literal["ok"]
    code_version: str
    datasets: int
    job_backend: Literal["diskcache", "celery"]
    package: str


class DatasetList(BaseModel):
    datasets: list[DatasetInfo]


class DatasetCreated(BaseModel):
    dataset: DatasetInfo
    notices: list[str] = Field(description="what was changed on the way in (renamed headers, kept big integers)")


class ModelSummary(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str
    status: Literal["ok", "corrupt"]
    default_version: int | None = Field(
        None, description="what answers when no version or alias is named: production's, else the latest"
    )
    default_reason: str = Field("", description="why that version answers by default, in words")
    error: str = Field("", description="why a corrupt model cannot be read (status corrupt only)")


class ModelList(BaseModel):
    models: list[ModelSummary]


class ModelCard(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str
    version: int
    task: str
    schema_: dict[str, Any] = Field(alias="schema", description="the input schema: fields with kind and ranges")
    metrics: dict[str, Any]
    artifact: dict[str, Any]


class Explanation(BaseModel):
    """``base + sum(contributions) == output`` for the row."""

    class_: Any = Field(None, alias="class", description="the class explained (binary: the positive one)")
    output: float = Field(description="the model's output for the row, in the unit of output_kind")
    output_kind: Literal["probability", "log-odds", "decision", "prediction"]
    base: float = Field(description="the expected output over the reference data")
    explainer: Literal["tree", "linear", "kernel"]
    contributions: dict[str, float] = Field(description="per input column, largest first")


class Prediction(BaseModel):
    model: str
    version: int = Field(description="the version that answered")
    alias: str | None = Field(None, description="the alias that chose it (``production`` by default), if one did")
    chosen_by: str = Field(
        "",
        description="why this version answered: the version or alias asked for, else the production alias, "
        "else the latest version",
    )
    task: str
    predictions: list[Any] = Field(description="one per record: a label, a number, a cluster or a list of items")
    probabilities: list[dict[str, float]] = Field(default_factory=list, description="classifiers with probabilities")
    scores: list[dict[str, float]] = Field(default_factory=list, description="classifiers with decision scores")
    segments: list[str] = Field(default_factory=list, description="clusterers: each cluster's segment name")
    distances: list[float] = Field(default_factory=list, description="k-means: distance to the cluster's centre")
    results: list[dict[str, Any]] = Field(default_factory=list, description="recommenders: items, scores, reasons")
    explanations: list[Explanation] = Field(default_factory=list, description="with ?explain=true: one per record")
    warnings: list[str]


class JobAccepted(BaseModel):
    job_id: str
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    status_url: str


class JobProgress(BaseModel):
    done: int
    total: int | None


class Job(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    kind: str
    params: dict[str, Any]
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    created_at: str
    updated_at: str
    progress: JobProgress
    attempts: int
    result: dict[str, Any] | None = Field(
        description="a finished batch: counts, errors, predictions, result_csv; a retrain: the new version and "
        "its metrics beside the version in use",
    )
    error: str | dict[str, str] | None = Field(
        description="why a job failed: a sentence, or for input that did not fit the model, field -> problem"
    )


class ColumnDrift(BaseModel):
    """One column's drift between the version's training sample and the recent data, on bins fixed by the
    training sample (numeric: deciles; categorical: its categories, then ``(other)``; then ``(missing)``)."""

    column: str
    kind: Literal["numeric", "categorical"]
    psi: float = Field(description="population stability index over the bins (an empty bin counts as 1e-4)")
    level: Literal["stable", "moderate", "major"] = Field(description="PSI below 0.1, to 0.25, above")
    test: Literal["ks", "chi2"] = Field(description="two-sample Kolmogorov-Smirnov, or Pearson's chi² of the counts")
    statistic: float | None = Field(description="null when a side has no values")
    p_value: float | None
    bins: list[str]
    reference: list[float] = Field(description="share of the training sample in each bin")
    current: list[float] = Field(description="share of the recent data in each bin")
    reference_rows: int
    current_rows: int


class DriftReport(BaseModel):
    model: str
    version: int
    reference: str = Field(description="what the reference side is (the training sample saved with the version)")
    current: str = Field(description="what the recent side is (the prediction log or a dataset)")
    columns: list[ColumnDrift] = Field(description="the model's input columns, most drifted (highest PSI) first")
    prediction: ColumnDrift | None = Field(description="drift of the model's answers (probability or prediction)")
    warnings: list[str]


class MetricComparison(BaseModel):
    metric: str
    cv_mean: float | None = Field(description="the card's cross-validated mean")
    cv_std: float | None
    now: float | None = Field(description="on the evaluated rows, measured by the same code as training")
    delta: float | None = Field(description="now - cv_mean")


class Evaluation(BaseModel):
    model_config = ConfigDict(extra="allow")
    evaluated_at: str
    rows: int = Field(description="labelled rows that fit the model's schema and were scored")
    metrics: dict[str, float | None]
    comparison: list[MetricComparison]
    notices: list[str] = Field(description="rows or labels left out, and why")
    source: dict[str, Any] = Field(description="the data evaluated on: its id, label and dataset fingerprint")


class EvaluationList(BaseModel):
    model: str
    version: int
    evaluations: list[Evaluation] = Field(description="oldest first")


RESPONSE_MODELS = (
    Error,
    Health,
    DatasetList,
    DatasetCreated,
    ModelList,
    ModelCard,
    Prediction,
    JobAccepted,
    Job,
    DriftReport,
    Evaluation,
    EvaluationList,
)
