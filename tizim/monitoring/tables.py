"""Monitoring tables (SQLAlchemy Core on tizim.store.metadata); created by migrations 0004, 0006 and 0008."""

from __future__ import annotations

import sqlalchemy as sa

from tizim.store import metadata

# One row per payment id: the payment and its one decision. The primary key is what makes a
# second decision for the same id impossible, whatever the number of concurrent clients.
payments = sa.Table(
    "mon_payments",
    metadata,
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
    # sha256 of the normalized payment (migration 0008): the same id replays only the same
    # content; another content under a known id is stored as "<id>#<digest[:12]>", linked
    # to the id it reused by original_id.
    sa.Column("digest", sa.String(64)),
    sa.Column("original_id", sa.String(200)),
)
sa.Index("ix_mon_payments_original", payments.c.original_id)
sa.Index("ix_mon_payments_status", payments.c.status)
sa.Index("ix_mon_payments_debtor", payments.c.debtor_key, payments.c.ts)
sa.Index("ix_mon_payments_creditor", payments.c.creditor_key, payments.c.ts)
sa.Index("ix_mon_payments_decided", payments.c.decided_at)

rejected = sa.Table(
    "mon_rejected",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # sha256 of source + record + reason: a re-run does not store the same rejection twice.
    sa.Column("key", sa.String(64), nullable=False, unique=True),
    sa.Column("source", sa.Text),
    sa.Column("line", sa.Integer),
    sa.Column("record", sa.Text),
    sa.Column("format", sa.String(16)),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("raw", sa.Text),
    sa.Column("received_at", sa.String(40), nullable=False),
)

cases = sa.Table(
    "mon_cases",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("party_key", sa.String(300), nullable=False),
    sa.Column("party_name", sa.Text),
    sa.Column("severity", sa.String(8), nullable=False),  # OBSERVE or FREEZE
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("assignee", sa.String(128)),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("sla_due", sa.String(40), nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
    sa.Column("release_requested_by", sa.String(128)),
    sa.Column("release_requested_at", sa.String(40)),
    # Four eyes on dismissing a case that holds a designated match (migration 0008).
    sa.Column("dismiss_requested_by", sa.String(128)),
    sa.Column("dismiss_requested_at", sa.String(40)),
    sa.Column("closed_at", sa.String(40)),
    sa.Column("str_report", sa.JSON),
)
sa.Index("ix_mon_cases_party", cases.c.party_key, cases.c.status)

alerts = sa.Table(
    "mon_alerts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("mon_cases.id"), nullable=False),
    sa.Column("payment_id", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # match, text, rule, rescreen
    sa.Column("code", sa.String(64), nullable=False),
    sa.Column("role", sa.String(32)),
    sa.Column("entity_id", sa.String(128)),
    sa.Column("score", sa.Float),
    sa.Column("detail", sa.JSON, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
)
sa.Index("ix_mon_alerts_case", alerts.c.case_id)
sa.Index("ix_mon_alerts_payment", alerts.c.payment_id)

audit_log = sa.Table(
    "mon_audit_log",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(128), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("object_type", sa.String(32), nullable=False),
    sa.Column("object_id", sa.String(200), nullable=False),
    # Canonical JSON text, exactly what was hashed (a JSON column could re-serialize it).
    sa.Column("before", sa.Text, nullable=False),
    sa.Column("after", sa.Text, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)
sa.Index("ix_mon_audit_object", audit_log.c.object_type, audit_log.c.object_id)

# One row: the chain's head. Appenders lock it (PostgreSQL FOR UPDATE) so the chain cannot fork.
audit_head = sa.Table(
    "mon_audit_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

# One row per list version rescreened (migration 0006): a re-run skips these versions.
rescreens = sa.Table(
    "mon_rescreens",
    metadata,
    sa.Column("list_name", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("rescreened_at", sa.String(40), nullable=False),
    sa.Column("new_entries", sa.Integer, nullable=False),
    sa.Column("parties_screened", sa.Integer, nullable=False),
    sa.Column("alerts", sa.Integer, nullable=False),
    sa.Column("held_payments", sa.Integer, nullable=False),
    sa.Column("seconds", sa.Float, nullable=False),
)
