"""Monitoring: payments with their one decision, rejected messages, cases, alerts, audit chain.

Revision ID: 0004_monitoring
Revises: 0001_registry
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_monitoring"
down_revision = "0001_registry"
branch_labels = ("monitoring",)
depends_on = None

GENESIS = "0" * 64


def upgrade() -> None:
    op.create_table(
        "mon_payments",
        sa.Column("payment_id", sa.String(200), primary_key=True),
        sa.Column("msg_id", sa.String(200)),
        sa.Column("e2e_id", sa.String(200)),
        sa.Column("uetr", sa.String(64)),
        sa.Column("instr_id", sa.String(200)),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("source", sa.Text),
        sa.Column("record", sa.Text),
        sa.Column("amount", sa.String(40), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_local", sa.Float),
        sa.Column("value_date", sa.String(10)),
        sa.Column("ts", sa.Float, nullable=False),
        sa.Column("debtor_key", sa.String(300)),
        sa.Column("creditor_key", sa.String(300)),
        sa.Column("debtor_name", sa.Text),
        sa.Column("creditor_name", sa.Text),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("matches", sa.JSON, nullable=False),
        sa.Column("decided_at", sa.String(40), nullable=False),
        sa.Column("decided_by", sa.String(128), nullable=False),
        sa.Column("hold", sa.String(16)),
        sa.Column("hold_changed_at", sa.String(40)),
    )
    op.create_index("ix_mon_payments_status", "mon_payments", ["status"])
    op.create_index("ix_mon_payments_debtor", "mon_payments", ["debtor_key", "ts"])
    op.create_index("ix_mon_payments_creditor", "mon_payments", ["creditor_key", "ts"])
    op.create_index("ix_mon_payments_decided", "mon_payments", ["decided_at"])
    op.create_table(
        "mon_rejected",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("source", sa.Text),
        sa.Column("line", sa.Integer),
        sa.Column("record", sa.Text),
        sa.Column("format", sa.String(16)),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("raw", sa.Text),
        sa.Column("received_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "mon_cases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("party_key", sa.String(300), nullable=False),
        sa.Column("party_name", sa.Text),
        sa.Column("severity", sa.String(8), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("assignee", sa.String(128)),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("sla_due", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("release_requested_by", sa.String(128)),
        sa.Column("release_requested_at", sa.String(40)),
        sa.Column("closed_at", sa.String(40)),
        sa.Column("str_report", sa.JSON),
    )
    op.create_index("ix_mon_cases_party", "mon_cases", ["party_key", "status"])
    op.create_table(
        "mon_alerts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("mon_cases.id"), nullable=False),
        sa.Column("payment_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("role", sa.String(32)),
        sa.Column("entity_id", sa.String(128)),
        sa.Column("score", sa.Float),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_mon_alerts_case", "mon_alerts", ["case_id"])
    op.create_index("ix_mon_alerts_payment", "mon_alerts", ["payment_id"])
    op.create_table(
        "mon_audit_log",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("object_type", sa.String(32), nullable=False),
        sa.Column("object_id", sa.String(200), nullable=False),
        sa.Column("before", sa.Text, nullable=False),
        sa.Column("after", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_mon_audit_object", "mon_audit_log", ["object_type", "object_id"])
    head = op.create_table(
        "mon_audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    # The head row exists from the start, so appenders only ever lock and update it.
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS}])
    op.create_table(
        "mon_rescreen_state",
        sa.Column("list_name", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    for table in ("mon_rescreen_state", "mon_audit_head", "mon_audit_log", "mon_alerts", "mon_cases",
                  "mon_rejected", "mon_payments"):
        op.drop_table(table)
