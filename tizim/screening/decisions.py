"""Remembered decisions: an analyst's "not a match" for (subject, listed entity).

A dismissal records who decided, when and why, and the listed cluster's content hash; it
suppresses the pair only while the listing is unchanged, so an amended designation (new
alias, new date of birth) alerts again, and only for TIZIM_DISMISSAL_DAYS (default 365)
after it was decided: then the pair alerts again and someone decides anew.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select

from tizim.errors import InputError
from tizim.screening.tables import screening_decisions as t
from tizim.settings import get_settings
from tizim.store import transaction

# Called inside the transaction that stores a dismissal, with the stored row: monitoring puts
# it on its audit chain (screening sits upstream of monitoring and does not import it).
_recorders: list[Callable[[Connection, dict[str, Any]], None]] = []


def on_dismissal(recorder: Callable[[Connection, dict[str, Any]], None]) -> None:
    if recorder not in _recorders:
        _recorders.append(recorder)


def in_force_since() -> datetime:
    """Dismissals decided before this moment have lapsed (TIZIM_DISMISSAL_DAYS)."""
    return datetime.now(UTC) - timedelta(days=get_settings().dismissal_days)


def record_dismissal(url: str | None, subject_key: str, entity_id: str, content_hash: str,
                     user: str, reason: str) -> dict[str, Any]:
    if not user:
        raise InputError("a dismissal needs the user who decided", field="user")
    if not reason:
        raise InputError("a dismissal needs a reason", field="reason")
    now = datetime.now(UTC)
    row: dict[str, Any] = {
        "subject_key": subject_key,
        "entity_id": entity_id,
        "content_hash": content_hash,
        "decision": "not_match",
        "user": user,
        "reason": reason,
        "decided_at": now,
    }
    with transaction(url) as conn:
        new_id = conn.execute(insert(t).values(**row).returning(t.c.id)).scalar_one()
        for recorder in _recorders:
            recorder(conn, {**row, "id": new_id})
    return {**row, "id": new_id, "decided_at": now.isoformat()}


def dismissals_for(url: str | None, subject_key: str) -> dict[str, str]:
    """entity id -> content hash of the newest dismissal for each entity of a subject."""
    with transaction(url) as conn:
        rows = conn.execute(
            select(t.c.entity_id, t.c.content_hash)
            .where(t.c.subject_key == subject_key, t.c.decision == "not_match", t.c.decided_at >= in_force_since())
            .order_by(t.c.id)
        ).all()
    return {r.entity_id: r.content_hash for r in rows}


def decisions(url: str | None = None, subject_key: str | None = None) -> list[dict[str, Any]]:
    query = select(t).order_by(t.c.id)
    if subject_key:
        query = query.where(t.c.subject_key == subject_key)
    with transaction(url) as conn:
        return [
            {**dict(r._mapping), "decided_at": str(r.decided_at)}
            for r in conn.execute(query)
        ]
