"""The run records: written as a run starts, beats and ends (one row per result, found again by its cache
key), read back as filtered, sorted pages, and edited (tags and a note) by users."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, select, true, update
from sqlalchemy.exc import IntegrityError

from dashboard.actors import current_actor
from dashboard.errors import FieldError, NotApplicable, NotFound
from dashboard.runs.database import Database
from dashboard.runs.query import RunQuery, conditions, ordering
from dashboard.runs.schema import runs

# A running run beats at every fold; silent this long, it was cancelled or its process stopped.
STALE_SECONDS = 15 * 60
MAX_TAGS, MAX_TAG_CHARS, MAX_NOTE_CHARS = 20, 40, 4000
FINISHED_FACTS = ("metrics", "folds", "metric", "score", "higher_is_better", "fit_seconds", "predict_ms_per_row")
STARTED_FACTS = ("kind", "group_token", "dataset", "fingerprint", "target", "task", "model", "spec", "params", "link")


@dataclass(frozen=True)
class RunPage:
    rows: list[dict[str, Any]]
    total: int


class RunStore:
    def __init__(self, database: Database, clock: Callable[[], float] = time.time) -> None:
        self.database, self.clock = database, clock

    # -- written by the services that compute runs -------------------------------------------------

    def started(self, token: str, facts: dict[str, Any]) -> None:
        """A run begins: a new row, or the row of an earlier attempt that did not finish, set running."""
        now = self.clock()
        values = {k: facts.get(k) for k in STARTED_FACTS} | {
            "status": "running",
            "reason": None,
            "progress": 0,
            "actor": current_actor(),
            "heartbeat_at": now,
            "rows": facts.get("rows"),
        }
        with self.database.writing() as connection:
            row = connection.execute(select(runs.c.id, runs.c.status).where(runs.c.token == token)).first()
            if row is None:
                self._insert(connection, token, values, now)
            elif row.status != "finished":
                connection.execute(update(runs).where(runs.c.id == row.id).values(**values, created_at=now))

    def beat(self, token: str, progress: int) -> None:
        with self.database.writing() as connection:
            connection.execute(
                update(runs)
                .where(runs.c.token == token, runs.c.status == "running")
                .values(heartbeat_at=self.clock(), progress=int(progress))
            )

    def finished(self, token: str, facts: dict[str, Any]) -> None:
        """The run's result: written whether or not it was seen starting (a result cached before runs were
        kept, or computed by another process); a finished row is never written twice."""
        with self.database.engine.connect() as connection:  # a cached repeat: one read, no write lock taken
            done = connection.execute(select(runs.c.status).where(runs.c.token == token)).scalar() == "finished"
        if done:
            return
        now = self.clock()
        values = {k: facts.get(k) for k in (*STARTED_FACTS, *FINISHED_FACTS)} | {
            "status": facts.get("status", "finished"),
            "reason": facts.get("reason"),
            "rows": facts.get("rows"),
            "progress": len(facts.get("folds") or []),
            "heartbeat_at": now,
            "finished_at": now,
        }
        with self.database.writing() as connection:
            row = connection.execute(
                select(runs.c.id, runs.c.status, runs.c.actor).where(runs.c.token == token)
            ).first()
            if row is None:
                self._insert(connection, token, values | {"actor": current_actor()}, now)
            elif row.status != "finished":
                connection.execute(update(runs).where(runs.c.id == row.id).values(**values))

    def ended(self, token: str, status: str, reason: str) -> None:
        """A run that stopped without a result: ``failed`` (with the named reason) or ``cancelled``."""
        with self.database.writing() as connection:
            connection.execute(
                update(runs)
                .where(runs.c.token == token, runs.c.status != "finished")
                .values(status=status, reason=reason[:2000], heartbeat_at=self.clock(), finished_at=self.clock())
            )

    def _insert(self, connection, token: str, values: dict[str, Any], now: float) -> None:
        row = {
            "token": token,
            "created_at": now,
            "tags": [],
            "note": "",
            "revision": 1,
            **values,
        }
        row["search_text"] = search_text(row)
        try:
            with connection.begin_nested():
                connection.execute(runs.insert().values(**row))
        except IntegrityError:  # another process recorded the same run a moment ago: keep theirs
            pass

    # -- read ----------------------------------------------------------------------------------------

    def page(self, query: RunQuery) -> RunPage:
        where = and_(true(), *conditions(query, now=self.clock(), stale_seconds=STALE_SECONDS))
        with self.database.engine.connect() as connection:
            total = connection.execute(select(func.count()).select_from(runs).where(where)).scalar_one()
            rows = connection.execute(
                select(runs).where(where).order_by(*ordering(query)).limit(query.limit).offset(query.offset)
            ).all()
        return RunPage([self._public(row._mapping) for row in rows], int(total))

    def best_per_model(self, dataset: str, target: str, fingerprint: str) -> tuple[list[dict[str, Any]], int]:
        """The best finished run of each model family on this data as it is now (its fingerprint), best
        first, with how many runs each family had; and how many finished runs were on older data."""
        on_data = and_(
            runs.c.dataset == dataset,
            runs.c.target == target,
            runs.c.status == "finished",
            runs.c.score.is_not(None),
        )
        with self.database.engine.connect() as connection:
            higher = connection.execute(
                select(runs.c.higher_is_better).where(on_data).order_by(runs.c.id.desc()).limit(1)
            ).scalar()
            descending = higher is not False  # rmse and log loss: lower is better
            better = runs.c.score.desc() if descending else runs.c.score.asc()
            ranked = (
                select(
                    runs,
                    func.row_number()
                    .over(partition_by=runs.c.model, order_by=(better, runs.c.fit_seconds))
                    .label("rank"),
                    func.count().over(partition_by=runs.c.model).label("tried"),
                )
                .where(on_data, runs.c.fingerprint == fingerprint)
                .subquery()
            )
            best = connection.execute(
                select(ranked)
                .where(ranked.c.rank == 1)
                .order_by(ranked.c.score.desc() if descending else ranked.c.score.asc())
            ).all()
            older = connection.execute(
                select(func.count()).select_from(runs).where(on_data, runs.c.fingerprint != fingerprint)
            ).scalar_one()
        rows = []
        for row in best:
            record = dict(row._mapping)
            tried = record.pop("tried")
            record.pop("rank")
            rows.append(self._public(record) | {"tried": int(tried)})
        return rows, int(older)

    def get(self, run_id: int) -> dict[str, Any]:
        with self.database.engine.connect() as connection:
            row = connection.execute(select(runs).where(runs.c.id == _run_id(run_id))).first()
        if row is None:
            raise NotFound(f"run: no run {run_id}")
        return self._public(row._mapping)

    def many(self, run_ids: Iterable[int]) -> list[dict[str, Any]]:
        """The runs named, in the order named (unknown ids are skipped)."""
        wanted = [_run_id(i) for i in run_ids]
        with self.database.engine.connect() as connection:
            found = {row.id: row for row in connection.execute(select(runs).where(runs.c.id.in_(wanted)))}
        return [self._public(found[i]._mapping) for i in wanted if i in found]

    def by_token(self, token: str) -> dict[str, Any] | None:
        with self.database.engine.connect() as connection:
            row = connection.execute(select(runs).where(runs.c.token == token)).first()
        return self._public(row._mapping) if row is not None else None

    def _public(self, mapping) -> dict[str, Any]:
        """A row as the API and the pages read it (times as ISO text, a silent run as stopped)."""
        record = dict(mapping)
        if record["status"] == "running" and self.clock() - record["heartbeat_at"] > STALE_SECONDS:
            record["status"] = "stopped"  # cancelled from its page, or its process ended without a word
            record["reason"] = "no progress for 15 minutes: cancelled, or its worker stopped"
        record.pop("search_text", None)
        record["group"] = record.pop("group_token")
        for key in ("created_at", "finished_at", "heartbeat_at"):
            if record[key] is not None:
                record[key] = datetime.fromtimestamp(record[key], UTC).isoformat(timespec="seconds")
        return record

    # -- edited by users -----------------------------------------------------------------------------

    def edit(
        self,
        run_id: int,
        *,
        tags: list[str] | None = None,
        add_tags: list[str] = (),
        remove_tags: list[str] = (),
        note: str | None = None,
        revision: int | None = None,
    ) -> dict[str, Any]:
        """Replace the tags, or add and remove some (two people tagging at once both keep theirs), and set
        the note. With ``revision``, an edit of a run changed since that revision is refused (409), not
        silently overwritten; without it the last write wins."""
        run_id = _run_id(run_id)
        new_tags = None if tags is None else clean_tags(tags, "tags")
        add, remove = clean_tags(add_tags, "add_tags"), set(clean_tags(remove_tags, "remove_tags"))
        if note is not None and (not isinstance(note, str) or len(note) > MAX_NOTE_CHARS):
            raise FieldError("note", f"a note is text of at most {MAX_NOTE_CHARS} characters")
        with self.database.writing() as connection:
            query = select(runs).where(runs.c.id == run_id)
            if connection.dialect.name != "sqlite":
                query = query.with_for_update()  # SQLite: the write transaction itself is exclusive
            row = connection.execute(query).first()
            if row is None:
                raise NotFound(f"run: no run {run_id}")
            if revision is not None and revision != row.revision:
                raise StaleRun(f"revision: run {run_id} was edited since (now revision {row.revision}); reload it")
            current = list(row.tags or []) if new_tags is None else new_tags
            merged = [t for t in dict.fromkeys([*current, *add]) if t not in remove]
            if len(merged) > MAX_TAGS:
                raise NotApplicable("tags", f"a run has at most {MAX_TAGS} tags; remove some first")
            record = dict(row._mapping) | {"tags": merged, "note": row.note if note is None else note}
            connection.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(
                    tags=merged,
                    note=record["note"],
                    search_text=search_text(record),
                    revision=row.revision + 1,
                )
            )
        return self.get(run_id)

    def promoted(self, run_id: int, model: str, version: int) -> dict[str, Any]:
        """Remember that this run was saved as ``model`` v``version`` (its card names the run back)."""
        with self.database.writing() as connection:
            row = connection.execute(select(runs.c.promoted).where(runs.c.id == _run_id(run_id))).first()
            if row is None:
                raise NotFound(f"run: no run {run_id}")
            saved = [*(row.promoted or []), {"model": model, "version": int(version)}]
            connection.execute(update(runs).where(runs.c.id == run_id).values(promoted=saved))
        return self.get(run_id)


class StaleRun(FieldError):
    """An edit made against an older revision of a run (the REST API answers 409)."""

    def __init__(self, message: str) -> None:
        super().__init__("revision", message.partition(": ")[2])


def clean_tags(tags: object, field: str) -> list[str]:
    if not isinstance(tags, (list, tuple)) or not all(isinstance(t, str) for t in tags):
        raise FieldError(field, "give a list of tags (text)")
    cleaned = []
    for tag in tags:
        if any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in tag):
            raise FieldError(field, f"a tag holds no control characters (got {tag[:50]!r})")
        tag = " ".join(tag.split())  # runs of spaces are one space
        if not tag or len(tag) > MAX_TAG_CHARS:
            raise FieldError(field, f"a tag is 1 to {MAX_TAG_CHARS} characters, not only spaces (got {tag[:50]!r})")
        cleaned.append(tag)
    return list(dict.fromkeys(cleaned))


def search_text(record: dict[str, Any]) -> str:
    """What a quick search matches: names, tags, the note and every parameter as ``name=value``."""
    params = " ".join(f"{k}={v}" for k, v in (record.get("params") or {}).items())
    words = [record.get(k) or "" for k in ("kind", "model", "dataset", "target", "actor", "note")]
    return " ".join([*words, *(record.get("tags") or []), params]).lower()


def _run_id(value: object) -> int:
    try:
        run_id = int(value)
    except (TypeError, ValueError):
        raise FieldError("run", f"a run id is a whole number (got {str(value)[:40]!r})") from None
    if not 0 < run_id < 2**62:  # ids start at 1 and never reach this: no such run
        raise NotFound(f"run: no run {str(value)[:40]}")
    return run_id
