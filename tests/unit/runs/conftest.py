"""The runs database under test: SQLite (the default) and a real PostgreSQL started here (Debian's
``postgresql`` package: a throwaway cluster on a free loopback port, stopped at the end). The same tests run on
both; a machine without PostgreSQL fails them rather than skipping (``make test`` installs it)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from dashboard.runs.database import Database, sqlite_url
from dashboard.runs.store import RunStore
from tests.browser.helpers import free_port


def _pg_bin(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if found is None:
        pytest.fail(f"PostgreSQL's {name} is not installed: apt-get install postgresql (make test does)")
    return found


def _as_postgres_user(command: list[str], user: str | None) -> list[str]:
    return ["runuser", "-u", user, "--", *command] if user else command


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL cluster for this test session; initdb refuses root, so as root it runs as ``postgres``
    (created by the Debian package) or ``nobody``."""
    root = Path(tempfile.mkdtemp(prefix="runs-pg-"))
    user = None
    if os.geteuid() == 0:
        user = next((u for u in ("postgres", "nobody") if _has_user(u)), None)
        shutil.chown(root, user=user)
    data, port = root / "data", free_port()
    subprocess.run(
        _as_postgres_user([_pg_bin("initdb"), "-D", str(data), "-U", "runs", "--auth=trust", "-E", "UTF8"], user),
        check=True,
        capture_output=True,
    )
    server = subprocess.Popen(
        _as_postgres_user(
            [_pg_bin("postgres"), "-D", str(data), "-p", str(port), "-k", str(root)]
            + ["-c", "listen_addresses=127.0.0.1"],
            user,
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"postgresql+psycopg://runs@127.0.0.1:{port}/postgres"
    deadline = time.monotonic() + 60
    import psycopg

    while True:
        try:
            psycopg.connect(f"host=127.0.0.1 port={port} user=runs dbname=postgres", connect_timeout=2).close()
            break
        except psycopg.OperationalError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("PostgreSQL did not start")
            time.sleep(0.2)
    yield url
    server.terminate()
    server.wait(timeout=30)
    shutil.rmtree(root, ignore_errors=True)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


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
