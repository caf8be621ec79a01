"""Reading decisions and rejected messages back (CLI and HTTP)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tizim.errors import NotFound
from tizim.monitoring import tables as t
from tizim.monitoring.decide import Decision
from tizim.store import transaction


def list_decisions(status: str | None = None, limit: int | None = None, url: str | None = None) -> list[dict[str, Any]]:
    query = select(t.payments).order_by(t.payments.c.decided_at.desc(), t.payments.c.payment_id)
    if status:
        query = query.where(t.payments.c.status == status)
    if limit:
        query = query.limit(limit)
    with transaction(url) as conn:
        out = []
        for row in conn.execute(query):
            d = Decision.from_row(row).to_dict()
            d.pop("replay")
            out.append(d)
        return out


def get_payment(payment_id: str, url: str | None = None) -> dict[str, Any]:
    """The stored payment, its decision and its alerts."""
    with transaction(url) as conn:
        row = conn.execute(select(t.payments).where(t.payments.c.payment_id == payment_id)).first()
        if row is None and payment_id.lower() != payment_id:
            row = conn.execute(select(t.payments).where(t.payments.c.payment_id == payment_id.lower())).first()
        if row is None:
            raise NotFound(f"no payment with id {payment_id!r}")
        alerts = conn.execute(select(t.alerts).where(t.alerts.c.payment_id == row.payment_id)
                              .order_by(t.alerts.c.id)).all()
    data = Decision.from_row(row).to_dict()
    data.pop("replay")
    data["payment"] = row.data
    data["alerts"] = [{"id": a.id, "case_id": a.case_id, "kind": a.kind, "code": a.code, "role": a.role,
                       "entity_id": a.entity_id, "score": a.score} for a in alerts]
    return data


def list_rejected(limit: int | None = None, url: str | None = None) -> list[dict[str, Any]]:
    query = select(t.rejected).order_by(t.rejected.c.id)
    if limit:
        query = query.limit(limit)
    with transaction(url) as conn:
        return [{"source": r.source, "line": r.line, "record": r.record, "format": r.format, "reason": r.reason,
                 "received_at": r.received_at} for r in conn.execute(query)]
