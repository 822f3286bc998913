"""The runs table.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("token", sa.String(255), nullable=False, unique=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("group_token", sa.String(255)),
        sa.Column("dataset", sa.String(200), nullable=False),
        sa.Column("fingerprint", sa.String(128), nullable=False),
        sa.Column("target", sa.String(200)),
        sa.Column("task", sa.String(16)),
        sa.Column("model", sa.String(64)),
        sa.Column("spec", sa.JSON, nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("metrics", sa.JSON),
        sa.Column("folds", sa.JSON),
        sa.Column("metric", sa.String(32)),
        sa.Column("score", sa.Float),
        sa.Column("higher_is_better", sa.Boolean),
        sa.Column("fit_seconds", sa.Float),
        sa.Column("predict_ms_per_row", sa.Float),
        sa.Column("rows", sa.Integer),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("progress", sa.Integer, nullable=False, server_default="0"),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("heartbeat_at", sa.Float, nullable=False),
        sa.Column("finished_at", sa.Float),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("link", sa.String(4000)),
        sa.Column("search_text", sa.Text, nullable=False, server_default=""),
        sa.Column("revision", sa.Integer, nullable=False, server_default="1"),
    )
    op.create_index("ix_runs_created", "runs", ["created_at"])
    op.create_index("ix_runs_board", "runs", ["dataset", "target", "score"])
    op.create_index("ix_runs_kind_status", "runs", ["kind", "status"])
    op.create_index("ix_runs_group", "runs", ["group_token"])


def downgrade() -> None:
    op.drop_table("runs")
