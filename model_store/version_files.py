"""What a version's folder holds and how it is written: the card read and checked, JSON and samples written
atomically (fsync'd), the libraries a model was saved with, its task told from the model."""

from __future__ import annotations

import functools
import json
import os
import platform
from pathlib import Path
from typing import Any

from model_store.errors import CorruptModelError
from model_store.files import atomic_write_bytes, sha256_file
from model_store.lazy import lazy_module

np = lazy_module("numpy")
pd = lazy_module("pandas")

TRACKED_LIBRARIES = ("sklearn", "numpy", "scipy", "pandas", "skops")


def library_versions() -> dict[str, str]:
    """Versions of the libraries a model depends on (a copy: callers may keep it in a card)."""
    return dict(cached_library_versions())


@functools.cache
def cached_library_versions() -> dict[str, str]:
    import importlib

    versions = {"python": platform.python_version()}
    for name in TRACKED_LIBRARIES:
        versions[name] = getattr(importlib.import_module(name), "__version__", "?")
    return versions


def jsonable(value: Any) -> Any:
    """Best-effort JSON form of params and metrics (estimators become their class name)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return type(value).__name__ if hasattr(value, "get_params") else repr(value)


def infer_task(model: Any, y: Any) -> tuple[str, list[Any] | None]:
    classes = getattr(model, "classes_", None)
    if classes is not None:
        classes = [jsonable(c) for c in classes]
        return ("binary" if len(classes) == 2 else "multiclass"), classes
    if y is not None:
        target = pd.Series(np.asarray(y))
        if pd.api.types.is_numeric_dtype(target) and target.nunique() > 20:
            return "regression", None
    return ("regression" if hasattr(model, "predict") else "unknown"), None


REQUIRED_CARD_KEYS = ("name", "version", "task", "schema", "artifact", "created_at")


def read_card(path: Path, label: str) -> dict[str, Any]:
    """A stored card, or CorruptModelError naming it (relative to the store: no absolute paths)."""
    try:
        card = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError):
        raise CorruptModelError(f"model: {label} is damaged and cannot be read") from None
    missing = [key for key in REQUIRED_CARD_KEYS if not isinstance(card, dict) or key not in card]
    if missing or not isinstance(card.get("artifact"), dict) or "sha256" not in card["artifact"]:
        raise CorruptModelError(f"model: {label} lacks {', '.join(missing) or 'artifact.sha256'}")
    return card


def final_step(model: Any) -> Any:
    steps = getattr(model, "steps", None)
    return steps[-1][1] if steps else model


def final_params(model: Any) -> dict[str, Any]:
    step = final_step(model)
    return step.get_params(deep=False) if hasattr(step, "get_params") else {}


def version_warnings(card: dict[str, Any]) -> list[str]:
    saved = card.get("library_versions", {})
    current = library_versions()
    return [
        f"saved with {lib} {saved[lib]}, running {current[lib]}: predictions may differ"
        for lib in TRACKED_LIBRARIES
        if lib in saved and saved[lib] != current.get(lib)
    ]


def atomic_json(path: Path, payload: Any) -> None:
    atomic_write_bytes(path, json.dumps(payload, indent=1).encode())


def write_sample(X_sample: pd.DataFrame | None, path: Path, rows: int, *, random: bool = False) -> dict | None:
    """Up to ``rows`` rows of the inputs (the first, or a seeded random sample) as Parquet; None when there
    are none or they cannot be stored as plain columns (the model is saved either way)."""
    if X_sample is None or not len(X_sample):
        return None
    import pyarrow as pa

    sample = X_sample.sample(n=rows, random_state=0) if random and len(X_sample) > rows else X_sample.head(rows)
    try:
        sample.reset_index(drop=True).to_parquet(path, index=False)
    except (ValueError, TypeError, pa.ArrowException):
        path.unlink(missing_ok=True)
        return None
    return {"file": path.name, "sha256": sha256_file(path), "rows": len(sample)}


def fsync_dir_files(folder: Path) -> None:
    for path in folder.iterdir():
        with open(path, "rb") as fh:
            os.fsync(fh.fileno())


def described(model: Any, *, metrics=None, cv=None, params=None, dataset=None, evaluation=None) -> dict[str, Any]:
    """A card's account of how ``model`` was made and scored: its final step and parameters (read from the
    model unless ``params`` is given), metrics, folds, dataset and the libraries it was saved with."""
    return {
        "metrics": jsonable(metrics or {}),
        "cv": jsonable(cv or {}),
        "params": jsonable(params if params is not None else final_params(model)),
        "dataset": jsonable(dataset or {}),
        "evaluation": jsonable(evaluation or {}),
        "estimator": type(final_step(model)).__name__,
        "library_versions": library_versions(),
    }
