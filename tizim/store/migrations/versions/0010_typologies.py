"""Typologies: trained risk models (`tizim typologies train`), the latest one scores.

Revision ID: 0010_typologies
Revises: 0001_registry
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_typologies"
down_revision = "0001_registry"
branch_labels = ("typologies",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "typ_models",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("trained_at", sa.String(40), nullable=False),
        sa.Column("trained_by", sa.String(128), nullable=False),
        sa.Column("labels_file", sa.Text),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("metrics", sa.JSON, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("typ_models")
