"""Screening: remembered "not a match" decisions for (subject, listed entity).

Revision ID: 0002_screening
Revises: 0001_registry
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_screening"
down_revision = "0001_registry"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screening_decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("subject_key", sa.String(256), nullable=False),
        sa.Column("entity_id", sa.String(128), nullable=False),
        sa.Column("content_hash", sa.String(40), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("user", sa.String(128), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_screening_decisions_subject", "screening_decisions", ["subject_key", "entity_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_screening_decisions_subject", table_name="screening_decisions")
    op.drop_table("screening_decisions")
