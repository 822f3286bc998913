"""Alembic's environment for the runs database: always given a connection by ``database.migrate``."""

from alembic import context

from dashboard.runs.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
