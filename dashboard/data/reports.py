"""Saved reports: a title and an ordered list of pinned views (a permalink and a note each), kept on the server
so a report is shared by its link. One JSON file per report in an owner-only folder of the data dir, written
whole by rename (a crash leaves the old file or the new one, never half of one). Every edit carries the version
it was made on; an edit made on an older version is refused (two editors never silently undo each other).

A report stores permalinks, not results: exporting it draws each view from the app's cached results, as
``GET /api/export?url=`` does for one view."""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from dashboard.errors import FieldError
from dashboard.files import atomic_write_bytes
from dashboard.safety import private_dir

MAX_TITLE = 200
MAX_NOTE = 4000
MAX_VIEWS = 50
MAX_REPORTS = 2000
ID = re.compile(r"^[A-Za-z0-9_-]{8,32}$")
logger = logging.getLogger(__name__)


class ReportNotFound(LookupError):
    pass


class StaleReport(ValueError):
    """The report changed since the version the edit was made on."""


@dataclass
class PinnedView:
    url: str  # a permalink: path and query of a view of this app
    note: str = ""


@dataclass
class Report:
    id: str
    title: str
    owner: str
    created: float
    updated: float
    version: int = 1
    views: list[PinnedView] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_title(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FieldError("title", "give the report a title (text)")
    if len(value) > MAX_TITLE:
        raise FieldError("title", f"at most {MAX_TITLE} characters, not {len(value):,}")
    return value.strip()


def check_note(value: Any, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FieldError(where, "a note is text")
    if len(value) > MAX_NOTE:
        raise FieldError(where, f"at most {MAX_NOTE} characters, not {len(value):,}")
    return value


class ReportStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, report_id: Any) -> Path:
        if not isinstance(report_id, str) or not ID.match(report_id):
            raise ReportNotFound(str(report_id)[:40])
        return private_dir(self.folder) / f"{report_id}.json"

    def create(self, title: str, owner: str, views: list[PinnedView] | None = None) -> Report:
        if len(self.list()) >= MAX_REPORTS:
            raise FieldError("reports", f"this app keeps at most {MAX_REPORTS:,} reports: delete some first")
        now = time.time()
        report = Report(secrets.token_urlsafe(9), check_title(title), owner, now, now, 1, list(views or []))
        _check_count(report.views)
        self._write(report)
        return report

    def get(self, report_id: Any) -> Report:
        path = self._path(report_id)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            views = [PinnedView(**v) for v in raw.pop("views", [])]
            return Report(**raw, views=views)
        except FileNotFoundError:
            raise ReportNotFound(report_id) from None
        except (ValueError, TypeError, AttributeError):  # not a report this app wrote (edited by hand)
            logger.warning("report %s is unreadable and is left out", path)
            raise ReportNotFound(report_id) from None

    def list(self) -> list[Report]:
        if not self.folder.exists():
            return []
        reports = []
        for path in self.folder.glob("*.json"):
            try:
                reports.append(self.get(path.stem))
            except ReportNotFound:  # deleted meanwhile, or not one of ours
                continue
        return sorted(reports, key=lambda r: r.updated, reverse=True)

    def update(
        self,
        report_id: Any,
        *,
        version: int | None,
        title: str | None = None,
        views: list[PinnedView] | None = None,
    ) -> Report:
        """A new title and/or view list (reordered, notes edited, views removed), made on ``version``."""
        with self._locked():
            report = self.get(report_id)
            if version is not None and version != report.version:
                raise StaleReport(
                    f"the report is at version {report.version}; this edit was made on version {version}: reload it"
                )
            if title is not None:
                report.title = check_title(title)
            if views is not None:
                _check_count(views)
                report.views = list(views)
            report.version += 1
            report.updated = time.time()
            self._write(report)
            return report

    def pin(self, report_id: Any, view: PinnedView) -> Report:
        """``view`` added at the end, whatever the version (pins from two pages both land)."""
        with self._locked():
            report = self.get(report_id)
            _check_count([*report.views, view])
            report.views.append(view)
            report.version += 1
            report.updated = time.time()
            self._write(report)
            return report

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One edit at a time across the workers of this machine: read, check the version, write."""
        with open(private_dir(self.folder) / ".lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def delete(self, report_id: Any) -> None:
        path = self._path(report_id)
        try:
            path.unlink()
        except FileNotFoundError:
            raise ReportNotFound(report_id) from None

    def _write(self, report: Report) -> None:
        atomic_write_bytes(self._path(report.id), json.dumps(report.to_dict()).encode())


def _check_count(views: list[PinnedView]) -> None:
    if len(views) > MAX_VIEWS:
        raise FieldError("views", f"a report holds at most {MAX_VIEWS} views, not {len(views)}")
