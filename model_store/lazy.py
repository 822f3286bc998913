"""Heavy libraries bound at module level but imported on first use.

``pd = lazy_module("pandas")`` reads like ``import pandas as pd``; pandas (with numpy and pyarrow, about
0.3 s) is imported the first time an attribute of ``pd`` is read, not when the module naming it is
imported. That keeps them off the start-up path of every process that only routes requests, and the
code that uses them unchanged. The import itself is ``importlib.import_module``, whose per-module locks
make a first use from two threads at once safe (the standard ``importlib.util.LazyLoader`` is not, before
Python 3.12). Annotations stay plain ``pd.DataFrame``: every module using this postpones them.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    __slots__ = ("_name", "_module")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        module = self._module
        if module is None:
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attribute)

    def __repr__(self) -> str:
        state = "imported" if self._module is not None else "not imported yet"
        return f"<lazy module {self._name!r}, {state}>"


def lazy_module(name: str) -> Any:
    """A stand-in for ``import name`` that imports on first attribute access."""
    return LazyModule(name)
