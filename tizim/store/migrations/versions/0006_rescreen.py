"""Monitoring: one row per list version rescreened (replaces the per-list high-water mark).

Revision ID: 0006_rescreen
Revises: 0004_monitoring
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_rescreen"
down_revision = "0004_monitoring"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mon_rescreens",
        sa.Column("list_name", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("rescreened_at", sa.String(40), nullable=False),
        sa.Column("new_entries", sa.Integer, nullable=False),
        sa.Column("parties_screened", sa.Integer, nullable=False),
        sa.Column("alerts", sa.Integer, nullable=False),
        sa.Column("held_payments", sa.Integer, nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
    )
    # Versions up to the old high-water mark count as rescreened.
    op.execute(
        "INSERT INTO mon_rescreens (list_name, version, rescreened_at, new_entries, parties_screened, "
        "alerts, held_payments, seconds) "
        "SELECT v.list_name, v.seq, s.at, 0, 0, 0, 0, 0 FROM list_versions v "
        "JOIN mon_rescreen_state s ON s.list_name = v.list_name WHERE v.seq <= s.version"
    )
    op.drop_table("mon_rescreen_state")


def downgrade() -> None:
    op.create_table(
        "mon_rescreen_state",
        sa.Column("list_name", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
    )
    op.execute(
        "INSERT INTO mon_rescreen_state (list_name, version, at) "
        "SELECT list_name, MAX(version), MAX(rescreened_at) FROM mon_rescreens GROUP BY list_name"
    )
    op.drop_table("mon_rescreens")
