"""Cases: alerts on one party grouped, worked by analysts, released under four eyes.

Actions: assign, comment, escalate, confirm (keep held, draft an STR), dismiss (false
positive, remembered by the screening engine), release, approve-release. A case holding
frozen payments is released in two steps by two different users, the second a supervisor.
Every action is one transaction that also appends to the audit chain (who, when, before,
after).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, update

from tizim.customers.freezes import case_customer, confirm_hits, held_accounts, release_accounts
from tizim.errors import InputError, NotFound, TizimError
from tizim.monitoring import audit
from tizim.monitoring import tables as t
from tizim.store import transaction

ACTIONS = ("assign", "comment", "escalate", "confirm", "dismiss", "release", "approve-release")
ROLE_ORDER = ("viewer", "screener", "analyst", "supervisor", "admin")
CLOSED = ("confirmed", "dismissed", "released")


class Forbidden(TizimError):
    """The acting user may not do this (role too low, or four-eyes)."""


def _rank(role: str | None) -> int:
    return ROLE_ORDER.index(role) if role in ROLE_ORDER else -1


def sla_view(sla_due: str, closed_at: str | None) -> dict[str, Any]:
    due = datetime.fromisoformat(sla_due)
    ref = datetime.fromisoformat(closed_at) if closed_at else datetime.now(UTC)
    left = (due - ref).total_seconds() / 3600
    return {"due": sla_due, "hours_left": round(left, 2), "overdue": left < 0, "stopped": closed_at is not None}


def _case_dict(row: Any, alerts: int = 0, held: int = 0) -> dict[str, Any]:
    return {
        "id": row.id,
        "party": row.party_name,
        "party_key": row.party_key,
        "severity": row.severity,
        "status": row.status,
        "assignee": row.assignee,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "sla": sla_view(row.sla_due, row.closed_at),
        "release_requested_by": row.release_requested_by,
        "alerts": alerts,
        "held_payments": held,
    }


class Cases:
    def __init__(self, url: str | None = None, screener: Any = None) -> None:
        self.url = url
        self._screener = screener

    def _counts(self, conn: Connection, ids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
        alerts: dict[int, int] = {}
        held: dict[int, int] = {}
        if not ids:
            return alerts, held
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            pairs = conn.execute(
                select(t.alerts.c.case_id, t.alerts.c.payment_id, t.payments.c.hold)
                .join(t.payments, t.payments.c.payment_id == t.alerts.c.payment_id)
                .where(t.alerts.c.case_id.in_(chunk))
            ).all()
            seen: set[tuple[int, str]] = set()
            for case_id, pid, hold in pairs:
                alerts[case_id] = alerts.get(case_id, 0) + 1
                if hold == "held" and (case_id, pid) not in seen:
                    held[case_id] = held.get(case_id, 0) + 1
                seen.add((case_id, pid))
        return alerts, held

    def list_cases(self, status: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        query = select(t.cases).order_by(t.cases.c.id)
        if status:
            query = query.where(t.cases.c.status == status)
        if limit:
            query = query.limit(limit)
        with transaction(self.url) as conn:
            rows = conn.execute(query).all()
            alerts, held = self._counts(conn, [r.id for r in rows])
        return [_case_dict(r, alerts.get(r.id, 0), held.get(r.id, 0)) for r in rows]

    def _get(self, conn: Connection, case_id: int) -> Any:
        row = conn.execute(select(t.cases).where(t.cases.c.id == case_id)).first()
        if row is None:
            raise NotFound(f"no case {case_id}")
        return row

    def show(self, case_id: int) -> dict[str, Any]:
        with transaction(self.url) as conn:
            row = self._get(conn, case_id)
            alerts = conn.execute(select(t.alerts).where(t.alerts.c.case_id == case_id).order_by(t.alerts.c.id)).all()
            pids = sorted({a.payment_id for a in alerts})
            payments = {
                p.payment_id: p for p in conn.execute(select(t.payments).where(t.payments.c.payment_id.in_(pids)))
            } if pids else {}
            counts = self._counts(conn, [case_id])
            history = audit.history(conn, "case", str(case_id))
            customer_id = case_customer(conn, case_id)
            frozen = held_accounts(conn, case_id)
        data = _case_dict(row, counts[0].get(case_id, 0), counts[1].get(case_id, 0))
        data["alerts_detail"] = [
            {"id": a.id, "payment_id": a.payment_id, "kind": a.kind, "code": a.code, "role": a.role,
             "entity_id": a.entity_id, "score": a.score, "detail": a.detail, "created_at": a.created_at}
            for a in alerts
        ]
        data["payments"] = [
            {"payment_id": p.payment_id, "message_id": p.msg_id, "end_to_end_id": p.e2e_id, "uetr": p.uetr,
             "status": p.status, "hold": p.hold, "amount": p.amount, "currency": p.currency,
             "debtor": p.debtor_name, "creditor": p.creditor_name, "reasons": p.reasons}
            for p in payments.values()
        ]
        data["history"] = history
        data["str_report"] = row.str_report
        data["frozen_accounts"] = frozen
        if customer_id is not None:
            from tizim.customers.book import CustomerBook

            data["customer"] = CustomerBook(self.url).show(customer_id)
        return data

    # ---- actions ------------------------------------------------------------------------

    def act(self, case_id: int, action: str, user: str, role: str | None, note: str | None = None,
            assignee: str | None = None) -> dict[str, Any]:
        """Apply one action as `user` holding `role`; returns the case afterwards."""
        if action not in ACTIONS:
            raise InputError(f"unknown action {action!r} (one of {', '.join(ACTIONS)})", field="action")
        need = "supervisor" if action == "approve-release" else "analyst"
        if _rank(role) < _rank(need):
            raise Forbidden(f"{action} needs role {need} or higher; {user!r} has {role or 'no role'}")
        dismissed: list[tuple[str, str]] = []
        with transaction(self.url) as conn:
            audit.lock_head(conn)
            row = self._get(conn, case_id)
            before = {"status": row.status, "assignee": row.assignee,
                      "release_requested_by": row.release_requested_by}
            now = audit.now_iso()
            values: dict[str, Any] = {"updated_at": now}
            payment_entries: list[audit.Entry] = []
            if row.status == "released" and action not in ("comment",):
                raise InputError(f"case {case_id} is released (closed); only comments are possible")
            if action == "assign":
                if not assignee:
                    raise InputError("assign needs an assignee", field="assignee")
                values["assignee"] = assignee
            elif action == "comment":
                if not note:
                    raise InputError("a comment needs text", field="note")
            elif action == "escalate":
                values["status"] = "escalated"
            elif action == "confirm":
                values["status"] = "confirmed"
                values["closed_at"] = now
            elif action == "dismiss":
                values["status"] = "dismissed"
                values["closed_at"] = now
                dismissed = [
                    (row.party_key, eid) for (eid,) in conn.execute(
                        select(t.alerts.c.entity_id).where(t.alerts.c.case_id == case_id, t.alerts.c.kind == "match",
                                                            t.alerts.c.entity_id.is_not(None)).distinct()
                    )
                ]
            elif action == "release":
                if self._held(conn, case_id) or held_accounts(conn, case_id):
                    values["status"] = "release_requested"
                    values["release_requested_by"] = user
                    values["release_requested_at"] = now
                else:
                    values["status"] = "released"
                    values["closed_at"] = now
            elif action == "approve-release":
                if row.status != "release_requested":
                    raise InputError(f"case {case_id} has no pending release request (status {row.status})")
                if row.release_requested_by == user:
                    raise Forbidden(f"four eyes: {user!r} requested this release and cannot also approve it")
                values["status"] = "released"
                values["closed_at"] = now
                for pid in self._held(conn, case_id):
                    conn.execute(update(t.payments).where(t.payments.c.payment_id == pid)
                                 .values(hold="released", hold_changed_at=now))
                    payment_entries.append(audit.Entry(user, "release_funds", "payment", pid, {"hold": "held"},
                                                       {"hold": "released", "case": case_id,
                                                        "requested_by": row.release_requested_by}))
                # a customer case: the accounts it froze are unfrozen by the same approval
                payment_entries += release_accounts(conn, case_id, user, row.release_requested_by, now)
            conn.execute(update(t.cases).where(t.cases.c.id == case_id).values(**values))
            if action == "confirm":
                from tizim.monitoring.str_export import build_report

                confirm_hits(conn, case_id)  # a customer case: its hits are true matches

                report = build_report(conn, case_id, user)
                conn.execute(update(t.cases).where(t.cases.c.id == case_id).values(str_report=report))
            after = {k: values.get(k, before.get(k)) for k in before}
            details: dict[str, Any] = {**after}
            if note:
                details["note"] = note
            entries = [audit.Entry(user, action, "case", str(case_id), before, details), *payment_entries]
            audit.append(conn, entries)
        # After the commit: the engine remembers the false positive for this party.
        if dismissed:
            engine = self._screener
            if engine is None:
                from tizim.screening import get_screener

                engine = get_screener()
            for subject_key, entity_id in dismissed:
                engine.dismiss(subject_key, entity_id, user, note or f"dismissed in case {case_id}")
        return self.show(case_id)

    @staticmethod
    def _held(conn: Connection, case_id: int) -> list[str]:
        return sorted(set(conn.execute(
            select(t.payments.c.payment_id)
            .join(t.alerts, t.alerts.c.payment_id == t.payments.c.payment_id)
            .where(t.alerts.c.case_id == case_id, t.payments.c.hold == "held")
        ).scalars()))

    def report(self, case_id: int) -> dict[str, Any]:
        """The STR drafted when the case was confirmed."""
        with transaction(self.url) as conn:
            row = self._get(conn, case_id)
        if row.str_report is None:
            raise InputError(f"case {case_id} is not confirmed (status {row.status}): no STR drafted")
        return dict(row.str_report)
