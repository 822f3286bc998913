"""What the store hands out: a saved version, a loaded model (with why it was chosen), the choice of a version by
number, alias or the default rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ModelVersion:
    name: str
    version: int
    path: Path
    card: dict[str, Any]


@dataclass(frozen=True)
class LoadedModel:
    name: str
    version: int
    model: Any
    card: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    alias: str | None = None  # the alias that chose this version, if one did
    chosen_by: str = ""  # why this version answers, in words (see ModelStore.choose)


DEFAULT_ALIAS = "production"


@dataclass(frozen=True)
class Choice:
    """Which version a request gets, and why: ``alias`` is the alias that chose it (None for a number or
    the latest version), ``reason`` says so in words for the page and the API."""

    version: int
    alias: str | None
    reason: str
