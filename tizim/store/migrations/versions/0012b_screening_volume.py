"""Screening volume: names screened per hour and way in (API, workspace, CLI, customer
screening), summed across processes for the dashboard (tizim/screening/volume.py).

Revision ID: 0012b_screening_volume
Revises: 0002_screening
"""

import sqlalchemy as sa
from alembic import op

revision = "0012b_screening_volume"
down_revision = "0002_screening"
branch_labels = ("screening_volume",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screening_volume",
        sa.Column("hour", sa.String(13), primary_key=True),  # UTC, YYYY-MM-DDTHH
        sa.Column("source", sa.String(16), primary_key=True),
        sa.Column("count", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("screening_volume")
