"""The runs database: an engine for the configured URL, brought to the newest schema by Alembic once per
process (under the app's lock, so two workers starting together do not both create the tables)."""

from __future__ import annotations

import logging
import os
import threading
import weakref
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from sqlalchemy import Engine, create_engine, event

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_MS = 15_000  # several processes write one SQLite file: wait for the writer instead of failing
WRITING = "dashboard_writing"  # the execution option of write transactions (SQLite: BEGIN IMMEDIATE)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # readers never wait for the writer; the writer waits its turn
            dbapi_connection.isolation_level = None  # transactions begin where SQLAlchemy says (below), not later
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            # WAL's recommended durability: a commit is not fsynced (a power cut may lose the last records,
            # never corrupt the file), so a run's record costs its fit nothing measurable
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection):
            # A write reads then writes (a tag added to the tags read): it takes the write lock first, so two
            # writers queue instead of both reading the old tags and the second overwriting the first's.
            immediate = connection.get_execution_options().get(WRITING)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=4)


def migrate(engine: Engine) -> None:
    """Upgrade the database to the newest revision (a no-op when it is there)."""
    from alembic import command
    from alembic.config import Config

    logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines say nothing a reader needs
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class Database:
    """The engine, made and migrated on first use: importing the app or starting a worker costs nothing."""

    def __init__(self, url: str, lock: Callable[[str], AbstractContextManager] | None = None) -> None:
        self.url = url
        self._lock = lock or (lambda _name: nullcontext())
        self._engine: Engine | None = None
        self._guard = threading.Lock()

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            with self._guard:
                if self._engine is None:
                    engine = make_engine(self.url)
                    with self._lock("runs-database-migration"):
                        migrate(engine)
                    self._engine = engine
                    # A job process forked from this one must not share its connections: it opens its own.
                    database = weakref.ref(self)
                    os.register_at_fork(after_in_child=lambda: (db := database()) is not None and db.dispose())
        return self._engine

    def writing(self):
        """A write transaction: on SQLite it holds the write lock from its first read; PostgreSQL locks rows
        itself (``SELECT ... FOR UPDATE`` where a write depends on what it read)."""
        return self.engine.execution_options(**{WRITING: True}).begin()

    def dispose(self) -> None:
        """After a fork: the child opens its own connections."""
        if self._engine is not None:
            self._engine.dispose(close=False)
