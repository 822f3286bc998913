"""Which runs to list and in what order, as the REST query and the runs grid give it, turned into SQL.

Every column a filter or a sort names is on a list: a name that is not gets a named error, never SQL."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import ColumnElement, and_, func, not_, or_

from dashboard.data.grid import NUMBER_OPS
from dashboard.errors import FieldError
from dashboard.runs.schema import runs

MAX_LIMIT = 500
STATUSES = ("running", "stopped", "finished", "failed", "cancelled", "pruned")
TEXT_COLUMNS = ("kind", "dataset", "target", "task", "model", "metric", "actor", "status", "note")
NUMBER_COLUMNS = ("id", "score", "fit_seconds", "predict_ms_per_row", "rows", "created_at", "progress")
SORTABLE = TEXT_COLUMNS + NUMBER_COLUMNS


class RunQuery(BaseModel):
    """A page of runs: equality filters, a quick search over names, tags, notes and parameters, grid
    filters (AG Grid's filter model) and a sort (``score``, ``-created_at``...)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    kind: str | None = None
    dataset: str | None = None
    target: str | None = None
    model: str | None = None
    status: str | None = None
    tag: str | None = None
    q: str | None = Field(None, max_length=200)
    grid_filters: dict[str, Any] = Field(default_factory=dict)
    sort: tuple[str, ...] = ("-created_at",)
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)

    @classmethod
    def parse(cls, values: dict[str, Any]) -> RunQuery:
        """From a REST query or the grid: a bad value names its field."""
        values = {k: v for k, v in values.items() if v not in (None, "")}
        if isinstance(values.get("sort"), str):
            values["sort"] = tuple(s.strip() for s in values["sort"].split(",") if s.strip()) or ("-created_at",)
        try:
            query = cls(**values)
        except ValidationError as exc:
            error = exc.errors()[0]
            field = str(error["loc"][0]) if error["loc"] else "query"
            if error["type"] == "extra_forbidden":
                raise FieldError(field, f"runs are filtered by {', '.join(sorted(cls.model_fields))}") from None
            raise FieldError(field, str(error["msg"]).removeprefix("Value error, ")) from None
        for key in query.sort:
            if key.lstrip("-") not in SORTABLE:
                raise FieldError("sort", f"runs sort by one of {', '.join(SORTABLE)} (- for descending)")
        if query.status is not None and query.status not in STATUSES:
            raise FieldError("status", f"a run's status is one of {', '.join(STATUSES)}")
        return query


def conditions(query: RunQuery, *, now: float, stale_seconds: float) -> list[ColumnElement]:
    where: list[ColumnElement] = []
    for name in ("kind", "dataset", "target", "model"):
        value = getattr(query, name)
        if value is not None:
            where.append(runs.c[name] == value)
    if query.status is not None:
        where.append(_status_is(query.status, now - stale_seconds))
    if query.tag is not None:  # tags are JSON lists; search_text holds them lower-cased, whole words
        where.append(runs.c.search_text.contains(query.tag.lower(), autoescape=True))
    if query.q:
        for word in query.q.lower().split():
            where.append(runs.c.search_text.contains(word, autoescape=True))
    for column, model in query.grid_filters.items():
        where.append(_grid_filter(column, model, now - stale_seconds))
    return where


def ordering(query: RunQuery) -> list[ColumnElement]:
    order = []
    for key in query.sort:
        column = runs.c[key.lstrip("-")]
        order.append(column.desc().nulls_last() if key.startswith("-") else column.asc().nulls_last())
    return [*order, runs.c.id.desc()]  # ties in a stable order: pages never repeat or skip a run


def _status_is(status: str, stale_before: float) -> ColumnElement:
    if status == "running":
        return and_(runs.c.status == "running", runs.c.heartbeat_at >= stale_before)
    if status == "stopped":
        return and_(runs.c.status == "running", runs.c.heartbeat_at < stale_before)
    return runs.c.status == status


_TEXT_OPS = {
    # case-insensitive alike in SQLite and PostgreSQL (whose LIKE is not)
    "contains": lambda c, v: func.lower(c).contains(v.lower(), autoescape=True),
    "notContains": lambda c, v: not_(func.lower(c).contains(v.lower(), autoescape=True)),
    "equals": lambda c, v: c == v,
    "notEqual": lambda c, v: c != v,
    "startsWith": lambda c, v: func.lower(c).startswith(v.lower(), autoescape=True),
    "endsWith": lambda c, v: func.lower(c).endswith(v.lower(), autoescape=True),
}


def _grid_filter(column: str, model: Any, stale_before: float) -> ColumnElement:
    """One column's AG Grid filter (a condition, or two joined by AND/OR)."""
    if column == "tags":
        column = "search_text"  # tags are matched as text within what a quick search reads
    elif column not in SORTABLE:
        raise FieldError("filter", f"runs are filtered on {', '.join(SORTABLE)} and tags")
    if not isinstance(model, dict):
        raise FieldError("filter", f"the filter on {column} is malformed")
    if "conditions" in model:
        parts = [_condition(column, c, stale_before) for c in model["conditions"] or []]
        if not parts:
            raise FieldError("filter", f"the filter on {column} is malformed")
        return or_(*parts) if model.get("operator") == "OR" else and_(*parts)
    return _condition(column, model, stale_before)


def _condition(column: str, condition: Any, stale_before: float) -> ColumnElement:
    if not isinstance(condition, dict):
        raise FieldError("filter", f"the filter on {column} is malformed")
    op, target = condition.get("type"), runs.c[column]
    if op == "blank":
        return target.is_(None)
    if op == "notBlank":
        return target.is_not(None)
    if column in NUMBER_COLUMNS:
        if op not in NUMBER_OPS:
            raise FieldError("filter", f"unsupported number filter {str(op)[:30]!r} on {column}")
        try:
            value = float(condition.get("filter"))
            upper = float(condition["filterTo"]) if op == "inRange" else None
        except (TypeError, ValueError, KeyError):
            raise FieldError("filter", f"the filter on {column} needs a number") from None
        return NUMBER_OPS[op](target, value, upper)
    if op not in _TEXT_OPS:
        raise FieldError("filter", f"unsupported text filter {str(op)[:30]!r} on {column}")
    value = str(condition.get("filter", ""))[:200]
    if column == "status" and op == "equals" and value in ("running", "stopped"):
        return _status_is(value, stale_before)
    return _TEXT_OPS[op](target, value)
