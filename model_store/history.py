"""The registry's history: every save, alias move and delete of a model, as one JSON line each in the model's
folder (``history.jsonl``), appended under the model's lock. It lives beside the versions, so every machine
sharing the store reads the same history and it survives restarts; a version's deletion keeps its events."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HISTORY_NAME = "history.jsonl"
EVENTS = ("saved", "alias_set", "alias_removed", "deleted")


class History:
    def __init__(self, actor: Callable[[], str] | None = None) -> None:
        """``actor()`` names who acts (the app passes the requester; a notebook records ``local``)."""
        self.actor = actor or (lambda: "local")

    def record(self, model_dir: Path, event: str, **fields: Any) -> None:
        """Append one event; called with the model's lock held, so events are in the order they happened."""
        line = {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "actor": str(self.actor())[:100],
            "event": event,
            **fields,
        }
        data = (json.dumps(line, sort_keys=True) + "\n").encode()
        with open(model_dir / HISTORY_NAME, "ab+") as handle:
            if handle.seek(0, os.SEEK_END) and (handle.seek(-1, os.SEEK_END), handle.read(1))[1] != b"\n":
                data = b"\n" + data  # a line cut short by a crash stays alone: this event is not glued to it
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())  # an event said done is on disk

    @staticmethod
    def read(model_dir: Path) -> list[dict[str, Any]]:
        """Newest first. A line cut short by a crash mid-write is skipped, never the rest."""
        try:
            text = (model_dir / HISTORY_NAME).read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        events = []
        for raw in text.splitlines():
            try:
                event = json.loads(raw)
            except ValueError:
                continue
            if isinstance(event, dict) and event.get("event") in EVENTS:
                events.append(event)
        return events[::-1]
