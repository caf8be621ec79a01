"""Hardening: the audit chain keyed with HMAC-SHA256 (a key outside the database), and the
remembered dismissals already stored put on it (verify compares them with the chain).

A chain written before (unkeyed SHA-256) is rehashed under the key when it verifies as it
was; one that does not is left as it is, and `tizim audit verify` keeps reporting where.

Revision ID: 0009_hardening
Revises: 0006_rescreen
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0009_hardening"
down_revision = "0006_rescreen"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from tizim.monitoring import audit
    from tizim.monitoring import tables as t
    from tizim.screening.tables import screening_decisions as dismissals

    conn = op.get_bind()
    audit.rekey(conn)
    if not sa.inspect(conn).has_table(dismissals.name):
        return  # a new database: the screening branch is not built yet, and holds nothing
    on_chain = {
        row.object_id
        for row in conn.execute(sa.select(t.audit_log.c.object_id).where(t.audit_log.c.object_type == "dismissal"))
    }
    entries = []
    for row in conn.execute(sa.select(dismissals).order_by(dismissals.c.id)):
        if str(row.id) in on_chain:
            continue
        after = {"subject_key": row.subject_key, "entity_id": row.entity_id, "content_hash": row.content_hash,
                 "decision": row.decision, "user": row.user, "reason": row.reason,
                 "decided_at": json.loads(json.dumps(row.decided_at, default=str))}
        entries.append(audit.Entry("migration 0009_hardening", "remember_dismissal", "dismissal", str(row.id),
                                   None, after))
    if entries:
        audit.append(conn, entries)


def downgrade() -> None:
    # The chain stays keyed: an unkeyed chain is what this migration exists to end.
    pass
