"""Controls: payment content digests (replay only for the same content), four-eyes dismissal
of cases, list kinds (only a sanctions list freezes), list versions kept as history.

Revision ID: 0008_controls
Revises: 0006_rescreen
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_controls"
down_revision = "0006_rescreen"
branch_labels = None
depends_on = None

# Lists tizim imports from official sanctions sources (see tizim/registry/kinds.py).
SANCTIONS = ("un-sc", "us-ofac-sdn", "us-ofac-cons", "eu-fsf", "uk-fcdo", "kz-afm", "kz-supreme-court")


def upgrade() -> None:
    with op.batch_alter_table("mon_payments") as batch:
        batch.add_column(sa.Column("digest", sa.String(64)))
        batch.add_column(sa.Column("original_id", sa.String(200)))
    op.create_index("ix_mon_payments_original", "mon_payments", ["original_id"])
    with op.batch_alter_table("mon_cases") as batch:
        batch.add_column(sa.Column("dismiss_requested_by", sa.String(128)))
        batch.add_column(sa.Column("dismiss_requested_at", sa.String(40)))
    with op.batch_alter_table("lists") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="other"))
    with op.batch_alter_table("list_versions") as batch:
        batch.add_column(sa.Column("history", sa.Integer, nullable=False, server_default="0"))
    names = ", ".join(f"'{n}'" for n in SANCTIONS)
    op.execute(f"UPDATE lists SET kind = 'sanctions' WHERE name IN ({names})")


def downgrade() -> None:
    with op.batch_alter_table("list_versions") as batch:
        batch.drop_column("history")
    with op.batch_alter_table("lists") as batch:
        batch.drop_column("kind")
    with op.batch_alter_table("mon_cases") as batch:
        batch.drop_column("dismiss_requested_at")
        batch.drop_column("dismiss_requested_by")
    op.drop_index("ix_mon_payments_original", "mon_payments")
    with op.batch_alter_table("mon_payments") as batch:
        batch.drop_column("original_id")
        batch.drop_column("digest")
