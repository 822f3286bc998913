"""A throwaway PostgreSQL for the tests (Debian's ``postgresql`` package): initdb into a temporary folder,
the server on a free loopback port and a socket in that folder, stopped by PID. ``make test`` installs the
package; a machine without it fails the tests that need it rather than skipping them."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest


def _binary(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if found is None:
        pytest.fail(f"PostgreSQL's {name} is not installed: apt-get install postgresql (make test does)")
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _unprivileged_user() -> str | None:
    """initdb refuses root: as root, the cluster runs as ``postgres`` (made by the package) or ``nobody``."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    pytest.fail("no unprivileged user to run PostgreSQL as")


def start_postgres() -> tuple[subprocess.Popen, str]:
    """(the server process, its SQLAlchemy URL); the database ``postgres``, user ``runs``, trusted locally.
    Its folder is a fresh one under the system's temp dir (pytest's is the root user's alone), removed by
    :func:`stop_postgres`."""
    import psycopg

    root = Path(tempfile.mkdtemp(prefix="dashboard-pg-"))
    user = _unprivileged_user()
    if user:
        shutil.chown(root, user=user)
    as_user = ["runuser", "-u", user, "--"] if user else []
    data, port = root / "pgdata", _free_port()
    subprocess.run(
        [*as_user, _binary("initdb"), "-D", str(data), "-U", "runs", "--auth=trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    server = subprocess.Popen(
        [*as_user, _binary("postgres"), "-D", str(data), "-p", str(port), "-k", str(root)]
        + ["-c", "listen_addresses=127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            psycopg.connect(f"host=127.0.0.1 port={port} user=runs dbname=postgres", connect_timeout=2).close()
            server.folder = root
            return server, f"postgresql+psycopg://runs@127.0.0.1:{port}/postgres"
        except psycopg.OperationalError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("PostgreSQL did not start")
            time.sleep(0.2)


def stop_postgres(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
    shutil.rmtree(server.folder, ignore_errors=True)
