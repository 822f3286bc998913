"""A runs database made by an older release is upgraded in place when the app opens it, its runs kept."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text

from dashboard.runs.database import MIGRATIONS, Database, make_engine, sqlite_url
from dashboard.runs.query import RunQuery
from dashboard.runs.store import RunStore


def test_a_database_at_the_first_revision_is_upgraded_and_keeps_its_runs(tmp_path):
    url = sqlite_url(tmp_path / "runs.sqlite3")
    engine = make_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(
            text(
                "INSERT INTO runs (token, kind, dataset, fingerprint, spec, params, status, progress, actor, "
                "created_at, heartbeat_at, tags, note, search_text, revision) VALUES ('t', 'cv', 'titanic', 'f', "
                "'{}', '{}', 'finished', 5, 'ed', 1, 1, '[]', '', '', 1)"
            )
        )
    assert "promoted" not in {c["name"] for c in inspect(engine).get_columns("runs")}
    engine.dispose()

    store = RunStore(Database(url))  # the app opens it: upgraded to the newest revision
    (run,) = store.page(RunQuery()).rows
    assert (run["actor"], run["promoted"]) == ("ed", None)
    assert store.promoted(run["id"], "churn", 1)["promoted"] == [{"model": "churn", "version": 1}]
