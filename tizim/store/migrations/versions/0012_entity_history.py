"""Entity history: the fields a list version replaced in each entry it rewrote, with their
values before (tizim/registry/history.py), so a diff shows what changed field by field.

Revision ID: 0012_entity_history
Revises: 0001_registry
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_entity_history"
down_revision = "0001_registry"
branch_labels = ("entity_history",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "entity_history",
        sa.Column("version_id", sa.Integer, sa.ForeignKey("list_versions.id"), primary_key=True),
        sa.Column("entity_id", sa.String(128), primary_key=True),
        sa.Column("previous", sa.JSON, nullable=False),
        sa.Column("previous_hash", sa.String(40), nullable=False),
    )
    op.create_index("ix_entity_history_entity", "entity_history", ["entity_id"])


def downgrade() -> None:
    op.drop_index("ix_entity_history_entity", table_name="entity_history")
    op.drop_table("entity_history")
