"""The runs database's tables (SQLAlchemy Core). Changing them means a new migration in ``migrations/``.

Times are UNIX seconds (floats): one type that sorts and compares the same in SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Float, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # The cache key of the result: a repeat of the same run finds its row instead of adding one.
    Column("token", String(255), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),  # cv, candidate
    Column("group_token", String(255)),  # the search a candidate belongs to
    Column("dataset", String(200), nullable=False),
    Column("fingerprint", String(128), nullable=False),
    Column("target", String(200)),
    Column("task", String(16)),
    Column("model", String(64)),
    Column("spec", JSON, nullable=False),  # everything that changes the result (model, params, features, folds, seed)
    Column("params", JSON, nullable=False),
    Column("metrics", JSON),  # {name: {"mean", "std"}}
    Column("folds", JSON),  # [{name: value}] per fold
    Column("metric", String(32)),  # the primary metric, and its mean (sortable)
    Column("score", Float),
    Column("higher_is_better", Boolean),
    Column("fit_seconds", Float),  # mean per fold
    Column("predict_ms_per_row", Float),
    Column("rows", Integer),
    Column("status", String(16), nullable=False),  # running, finished, failed, cancelled, pruned
    Column("reason", Text),
    Column("progress", Integer, nullable=False, default=0),  # folds done
    Column("actor", String(100), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("heartbeat_at", Float, nullable=False),
    Column("finished_at", Float),
    Column("tags", JSON, nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("link", String(4000)),  # the page that reopens the cached result
    Column("search_text", Text, nullable=False, default=""),  # lower-cased words a quick search matches
    Column("revision", Integer, nullable=False, default=1),  # bumped by every edit of tags or note
    Column("promoted", JSON),  # [{"model", "version"}]: saved to the model store from this run (migration 0002)
    Index("ix_runs_created", "created_at"),
    Index("ix_runs_board", "dataset", "target", "score"),
    Index("ix_runs_kind_status", "kind", "status"),
    Index("ix_runs_group", "group_token"),
)
