"""The runs database under test: SQLite (the default) and a real PostgreSQL started here (Debian's
``postgresql`` package: a throwaway cluster on a free loopback port, stopped at the end). The same tests run on
both; a machine without PostgreSQL fails them rather than skipping (``make test`` installs it)."""

from __future__ import annotations

import pytest

from dashboard.runs.database import Database, sqlite_url
from dashboard.runs.store import RunStore
from tests.postgres import start_postgres, stop_postgres


@pytest.fixture(scope="session")
def postgres_url():
    server, url = start_postgres()
    yield url
    stop_postgres(server)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "runs.sqlite3")
    url = request.getfixturevalue("postgres_url")
    engine = Database(url).engine  # a clean table for each test
    with engine.begin() as connection:
        connection.exec_driver_sql("TRUNCATE runs RESTART IDENTITY")
    engine.dispose()
    return url


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def runs(database_url, clock):
    store = RunStore(Database(database_url), clock=clock)
    yield store
    store.database.engine.dispose()
