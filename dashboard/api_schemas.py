"""The REST API's request and response shapes as pydantic models: the OpenAPI document is generated from
these (``dashboard/openapi.py``), and tests check real responses against them."""

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
    version: int
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
    result: dict[str, Any] | None = Field(description="a finished batch: counts, errors, predictions, result_csv")
    error: str | None


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
)
