"""Customers: the book with its history, accounts, screening hits, name words, rescreens.

Revision ID: 0007_customers
Revises: 0006_rescreen
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_customers"
down_revision = "0006_rescreen"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cust_customers",
        sa.Column("customer_id", sa.String(128), primary_key=True),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("content_hash", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("closed_at", sa.String(40)),
        sa.Column("screened_version", sa.Integer),
        sa.Column("screened_at", sa.String(40)),
    )
    op.create_index("ix_cust_customers_status", "cust_customers", ["status"])
    op.create_table(
        "cust_versions",
        sa.Column("customer_id", sa.String(128), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("change", sa.String(16), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("content_hash", sa.String(40), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("source", sa.Text),
    )
    op.create_table(
        "cust_accounts",
        sa.Column("account", sa.String(64), primary_key=True),
        sa.Column("customer_id", sa.String(128), nullable=False),
        sa.Column("frozen", sa.Integer, nullable=False),
        sa.Column("frozen_at", sa.String(40)),
        sa.Column("frozen_case_id", sa.Integer),
        sa.Column("unfrozen_at", sa.String(40)),
        sa.Column("closed", sa.Integer, nullable=False),
    )
    op.create_index("ix_cust_accounts_customer", "cust_accounts", ["customer_id"])
    op.create_table(
        "cust_matches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("customer_id", sa.String(128), nullable=False),
        sa.Column("entity_id", sa.String(128), nullable=False),
        sa.Column("via", sa.String(300), nullable=False),
        sa.Column("caption", sa.Text),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("designated", sa.Integer, nullable=False),
        sa.Column("freeze", sa.Integer, nullable=False),
        sa.Column("lists", sa.JSON, nullable=False),
        sa.Column("refs", sa.JSON, nullable=False),
        sa.Column("explanation", sa.JSON, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("list_name", sa.String(64)),
        sa.Column("list_version", sa.Integer),
        sa.Column("published_at", sa.String(40)),
        sa.Column("found_at", sa.String(40), nullable=False),
        sa.Column("case_id", sa.Integer),
        sa.Column("status", sa.String(16), nullable=False),
        sa.UniqueConstraint("customer_id", "entity_id", "via", name="uq_cust_matches_hit"),
    )
    op.create_index("ix_cust_matches_customer", "cust_matches", ["customer_id"])
    op.create_index("ix_cust_matches_entity", "cust_matches", ["entity_id"])
    op.create_table(
        "cust_tokens",
        sa.Column("fold", sa.String(64), primary_key=True),
        sa.Column("customer_id", sa.String(128), primary_key=True),
    )
    op.create_index("ix_cust_tokens_customer", "cust_tokens", ["customer_id"])
    op.create_table(
        "cust_links",
        sa.Column("customer_id", sa.String(128), primary_key=True),
        sa.Column("ref", sa.String(300), primary_key=True),
        sa.Column("role", sa.String(16), primary_key=True),
        sa.Column("share", sa.Float),
    )
    op.create_index("ix_cust_links_ref", "cust_links", ["ref"])
    op.create_table(
        "cust_rescreens",
        sa.Column("list_name", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("rescreened_at", sa.String(40), nullable=False),
        sa.Column("new_entries", sa.Integer, nullable=False),
        sa.Column("removed_entries", sa.Integer, nullable=False),
        sa.Column("candidates", sa.Integer, nullable=False),
        sa.Column("alerts", sa.Integer, nullable=False),
        sa.Column("frozen", sa.Integer, nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
    )


def downgrade() -> None:
    for table in ("cust_rescreens", "cust_links", "cust_tokens", "cust_matches", "cust_accounts", "cust_versions",
                  "cust_customers"):
        op.drop_table(table)
