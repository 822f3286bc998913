"""The model store: versioned scikit-learn pipelines with model cards and safe (skops) artifacts.

from model_store import ModelStore
store = ModelStore("var/models")
version = store.save(pipeline, "titanic-rf", X_sample=X.head(200), y=y, metrics={"accuracy": 0.82})
loaded = store.load("titanic-rf", alias="production")
"""

from model_store.errors import (
    CorruptModelError,
    InvalidModelNameError,
    ModelNotFoundError,
    ModelStoreError,
    SchemaError,
    UnsafeArtifactError,
)
from model_store.schema import infer_schema
from model_store.store import ModelStore
from model_store.validation import check_records
from model_store.versions import DEFAULT_ALIAS, Choice, LoadedModel, ModelVersion

__all__ = [
    "DEFAULT_ALIAS",
    "Choice",
    "CorruptModelError",
    "InvalidModelNameError",
    "LoadedModel",
    "ModelNotFoundError",
    "ModelStore",
    "ModelStoreError",
    "ModelVersion",
    "SchemaError",
    "UnsafeArtifactError",
    "check_records",
    "infer_schema",
]
