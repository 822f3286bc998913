"""Parsed artifacts kept in memory: parsing a model is the slow part of a load, and versions never change."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

Key = tuple[str, int, str]  # (model, version, artifact sha256): a changed artifact is never served from here


class ParsedModels:
    """Up to ``size`` parsed models, the least recently used first out. One parse at a time: concurrent
    first requests for a model parse it once (``read_artifact`` also serialises parses across stores:
    CPython 3.11's AST is not thread-safe)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._models: OrderedDict[Key, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._parse_lock = threading.Lock()

    def get(self, key: Key, parse: Callable[[], Any]) -> Any:
        model = self._recent(key)
        if model is not None:
            return model
        with self._parse_lock:
            model = self._recent(key)
            if model is None:
                model = parse()
                with self._lock:
                    self._models[key] = model
                    while len(self._models) > self.size:
                        self._models.popitem(last=False)
        return model

    def forget(self, name: str, version: int) -> None:
        with self._lock:
            for key in [k for k in self._models if k[:2] == (name, version)]:
                del self._models[key]

    def _recent(self, key: Key) -> Any:
        with self._lock:
            model = self._models.get(key)
            if model is not None:
                self._models.move_to_end(key)
            return model
