"""Cases: alerts on one party grouped, worked by analysts, released under four eyes.

Actions: assign, comment, escalate, confirm (keep held, draft an STR), dismiss (false
positive, remembered by the screening engine), approve-dismiss, release, approve-release,
reopen. Four eyes on every way out of a freeze: a case holding frozen payments is released
in two steps by two different users, the second a supervisor; dismissing a case whose alerts
include a designated match at or above the freeze threshold (or that holds funds) is only a
request until a supervisor other than the requester approves it (until then the party stays
frozen and its payments FREEZE; approval releases what the case holds and remembers the
false positive). A closed case offers nothing but reopen. `allowed_actions` says what a user
may do on a case (the pages and the API offer only that). Every action is one transaction
that also appends to the audit chain (who, when, before, after).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, case, func, or_, select, update

from tizim.customers.freezes import (
    case_customer,
    confirm_hits,
    frozen_account_counts,
    held_accounts,
    release_accounts,
)
from tizim.errors import InputError, NotFound, TizimError
from tizim.monitoring import audit
from tizim.monitoring import tables as t
from tizim.settings import get_settings
from tizim.store import transaction

ACTIONS = ("assign", "comment", "escalate", "confirm", "dismiss", "approve-dismiss", "release",
           "approve-release", "reopen")
ROLE_ORDER = ("viewer", "screener", "analyst", "supervisor", "admin")
CLOSED = ("confirmed", "dismissed", "released")
STATUSES = ("open", "escalated", "release_requested", "dismiss_requested", *CLOSED)
# approval -> (the status it completes, the column naming the requester)
APPROVALS = {"approve-release": ("release_requested", "release_requested_by"),
             "approve-dismiss": ("dismiss_requested", "dismiss_requested_by")}


def allowed_actions(case: dict[str, Any], user: str, role: str | None) -> list[str]:
    """The actions `user` holding `role` may take on `case` (a `Cases.show`/`list_cases`
    row), in ACTIONS order: a closed case only reopens; a pending request is approved by a
    supervisor who is not its requester (the requester is never offered the approval)."""
    if _rank(role) < _rank("analyst"):
        return []
    status = case["status"]
    if status in CLOSED:
        return ["reopen"]
    allowed = ["assign", "comment"]
    if status == "open":
        allowed.append("escalate")
    if status in ("open", "escalated"):
        allowed += ["confirm", "dismiss", "release"]
    for action, (pending, by) in APPROVALS.items():
        if status == pending and _rank(role) >= _rank("supervisor") and case.get(by) != user:
            allowed.append(action)
    return [a for a in ACTIONS if a in allowed]


def _iso_day(value: str | None, name: str) -> str | None:
    """A date filter as YYYY-MM-DD, or an error naming the option (1957/07/30 is not one)."""
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()).isoformat() if len(value.strip()) == 10 else _bad_day(value, name)
    except ValueError:
        return _bad_day(value, name)


def _bad_day(value: str, name: str) -> str:
    raise InputError(f"{name} {value!r} is not a date like 2025-03-10", field=name)


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
        "dismiss_requested_by": row.dismiss_requested_by,
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
                # outer: a customer case's alerts are on the customer, not on a payment
                .outerjoin(t.payments, t.payments.c.payment_id == t.alerts.c.payment_id)
                .where(t.alerts.c.case_id.in_(chunk))
            ).all()
            seen: set[tuple[int, str]] = set()
            for case_id, pid, hold in pairs:
                alerts[case_id] = alerts.get(case_id, 0) + 1
                if hold == "held" and (case_id, pid) not in seen:
                    held[case_id] = held.get(case_id, 0) + 1
                seen.add((case_id, pid))
        return alerts, held

    def list_cases(self, status: str | None = None, limit: int | None = None, *, offset: int = 0,
                   severity: str | None = None, list_name: str | None = None, assignee: str | None = None,
                   party: str | None = None, since: str | None = None, until: str | None = None
                   ) -> list[dict[str, Any]]:
        """The queue: FREEZE before OBSERVE, then the SLA clock (soonest due first), then the
        largest amount; filtered by status ('all' or none: every status), severity, list,
        assignee, party (name part or key) and creation date (ISO dates, inclusive)."""
        if status and status != "all" and status not in STATUSES:
            raise InputError(f"unknown status {status!r} (one of all, {', '.join(STATUSES)})", field="status")
        if severity and severity.upper() not in ("FREEZE", "OBSERVE"):
            raise InputError(f"unknown severity {severity!r} (FREEZE or OBSERVE)", field="severity")
        if limit is not None and limit < 1 or offset < 0:
            raise InputError("limit must be 1 or more and offset 0 or more", field="limit")
        day_from, day_to = _iso_day(since, "since"), _iso_day(until, "until")
        amount = (select(t.alerts.c.case_id, func.max(t.payments.c.amount_local).label("amount"))
                  .join(t.payments, t.payments.c.payment_id == t.alerts.c.payment_id)
                  .group_by(t.alerts.c.case_id).subquery())
        query = (select(t.cases).outerjoin(amount, amount.c.case_id == t.cases.c.id)
                 .order_by(case((t.cases.c.severity == "FREEZE", 0), else_=1), t.cases.c.sla_due,
                           amount.c.amount.desc().nulls_last(), t.cases.c.id))
        if status and status != "all":
            query = query.where(t.cases.c.status == status)
        if severity:
            query = query.where(t.cases.c.severity == severity.upper())
        if assignee:
            query = query.where(t.cases.c.assignee == assignee)
        if party:
            query = query.where(or_(t.cases.c.party_key == party,
                                    func.lower(t.cases.c.party_name).contains(party.lower(), autoescape=True)))
        if day_from:
            query = query.where(t.cases.c.created_at >= day_from)
        if day_to:
            query = query.where(t.cases.c.created_at < day_to + "T99")  # the whole day, inclusive
        with transaction(self.url) as conn:
            if list_name:
                from tizim.registry import tables as rt

                if conn.execute(select(rt.lists.c.name).where(rt.lists.c.name == list_name)).first() is None:
                    known = ", ".join(conn.execute(select(rt.lists.c.name).order_by(rt.lists.c.name)).scalars())
                    raise InputError(f"no list named {list_name!r} (known: {known})", field="list")
                query = query.where(t.cases.c.id.in_(self._cases_on_list(conn, list_name)))
            if offset:
                query = query.offset(offset)
            if limit:
                query = query.limit(limit)
            rows = conn.execute(query).all()
            alerts, held = self._counts(conn, [r.id for r in rows])
            frozen = frozen_account_counts(conn, [r.id for r in rows])
        return [{**_case_dict(r, alerts.get(r.id, 0), held.get(r.id, 0)), "frozen_accounts": frozen.get(r.id, 0)}
                for r in rows]

    @staticmethod
    def _cases_on_list(conn: Connection, list_name: str) -> list[int]:
        """Cases with a match alert on an entry of `list_name` (the listed party may sit on
        several lists: the alert's references name them all)."""
        from tizim.registry import tables as rt

        on_list = select(rt.entities.c.id).where(rt.entities.c.list_name == list_name)
        found = set(conn.execute(select(t.alerts.c.case_id).where(t.alerts.c.entity_id.in_(on_list))).scalars())
        for case_id, detail in conn.execute(select(t.alerts.c.case_id, t.alerts.c.detail)
                                            .where(t.alerts.c.kind.in_(("match", "rescreen", "text")))):
            if case_id not in found and list_name in ((detail or {}).get("refs") or {}):
                found.add(case_id)
        return sorted(found)

    @staticmethod
    def allowed_actions(case: dict[str, Any], user: str, role: str | None) -> list[str]:
        return allowed_actions(case, user, role)

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
        need = "supervisor" if action in APPROVALS else "analyst"
        if _rank(role) < _rank(need):
            raise Forbidden(f"{action} needs role {need} or higher; {user!r} has {role or 'no role'}")
        dismissed: list[tuple[str, str]] = []
        message: str | None = None
        reason: str | None = None
        with transaction(self.url) as conn:
            audit.lock_head(conn)
            row = self._get(conn, case_id)
            before = {"status": row.status, "assignee": row.assignee,
                      "release_requested_by": row.release_requested_by,
                      "dismiss_requested_by": row.dismiss_requested_by}
            now = audit.now_iso()
            values: dict[str, Any] = {"updated_at": now}
            payment_entries: list[audit.Entry] = []
            if action not in allowed_actions(_case_dict(row), user, role):
                self._refuse(row, action, user)
            if action == "reopen":
                values.update(status="open", closed_at=None, release_requested_by=None,
                              release_requested_at=None, dismiss_requested_by=None, dismiss_requested_at=None)
            elif action == "assign":
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
                holds = self._holds(conn, case_id)
                if holds or self._designated(conn, case_id):
                    # four eyes: a request; the party stays frozen until a supervisor approves
                    values.update(status="dismiss_requested", dismiss_requested_by=user, dismiss_requested_at=now)
                    message = ("dismissal requested: the case holds a designated match at or above the freeze "
                               f"threshold{' and ' + holds if holds else ''}; what it holds stays held and the "
                               f"party frozen until a supervisor other than {user} approves (approve-dismiss), "
                               "which releases it")
                else:
                    values["status"] = "dismissed"
                    values["closed_at"] = now
                    dismissed = self._matched(conn, row)
            elif action == "approve-dismiss":
                values["status"] = "dismissed"
                values["closed_at"] = now
                dismissed = self._matched(conn, row)
                # remembered with the request's why, and who asked and who approved
                asked = next((h["after"].get("note") for h in reversed(audit.history(conn, "case", str(case_id)))
                              if h["action"] == "dismiss"), None)
                reason = "; ".join(x for x in (asked, f"requested by {row.dismiss_requested_by}, approved by "
                                               f"{user}" + (f": {note}" if note else "")) if x)
                payment_entries += self._release(conn, case_id, user, now, row.dismiss_requested_by, "dismissed")
            elif action == "release":
                # closing without a freeze: four eyes when it holds something or a designated match
                if self._holds(conn, case_id) or self._designated(conn, case_id):
                    values["status"] = "release_requested"
                    values["release_requested_by"] = user
                    values["release_requested_at"] = now
                else:
                    values["status"] = "released"
                    values["closed_at"] = now
            elif action == "approve-release":
                values["status"] = "released"
                values["closed_at"] = now
                payment_entries += self._release(conn, case_id, user, now, row.release_requested_by)
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
            if message:
                details["message"] = message
            entries = [audit.Entry(user, action, "case", str(case_id), before, details), *payment_entries]
            audit.append(conn, entries)
        # After the commit: the engine remembers the false positive for this party.
        if dismissed:
            engine = self._screener
            if engine is None:
                from tizim.screening import get_screener

                engine = get_screener()
            for subject_key, entity_id in dismissed:
                engine.dismiss(subject_key, entity_id, user, reason or note or f"dismissed in case {case_id}")
        shown = self.show(case_id)
        if message:
            shown["message"] = message
        return shown

    @staticmethod
    def _refuse(row: Any, action: str, user: str) -> None:
        """Why `action` is not possible on this case (Forbidden for four eyes, else InputError)."""
        if row.status in CLOSED:
            raise InputError(f"case {row.id} is {row.status} (closed); only reopen is possible")
        if action in APPROVALS:
            pending, by = APPROVALS[action]
            what = pending.split("_")[0]
            if row.status != pending:
                raise InputError(f"case {row.id} has no pending {what} request (status {row.status})")
            if getattr(row, by) == user:
                raise Forbidden(f"four eyes: {user!r} requested this {what} and cannot also approve it")
        raise InputError(f"case {row.id} is {row.status}: {action} is not possible now")

    @staticmethod
    def _designated(conn: Connection, case_id: int) -> bool:
        """Whether the case's alerts include a designated match at or above the freeze threshold."""
        threshold = get_settings().freeze_threshold
        for code, kind, score, detail in conn.execute(
            select(t.alerts.c.code, t.alerts.c.kind, t.alerts.c.score, t.alerts.c.detail)
            .where(t.alerts.c.case_id == case_id, t.alerts.c.kind.in_(("match", "rescreen")))
        ):
            if code == "designated_match" and (score is None or score >= threshold):
                return True
            if kind == "rescreen" and (detail or {}).get("freeze"):
                return True
        return False

    @staticmethod
    def _matched(conn: Connection, row: Any) -> list[tuple[str, str]]:
        """(party, listed entity) of the case's match alerts: the false positives to remember."""
        return [
            (row.party_key, eid) for (eid,) in conn.execute(
                select(t.alerts.c.entity_id).where(t.alerts.c.case_id == row.id,
                                                    t.alerts.c.kind.in_(("match", "rescreen")),
                                                    t.alerts.c.entity_id.is_not(None)).distinct()
            )
        ]

    def _holds(self, conn: Connection, case_id: int) -> str:
        """What the case holds, said in words ('' when nothing): held payments, frozen accounts."""
        payments, accounts = len(self._held(conn, case_id)), len(held_accounts(conn, case_id))
        parts = [f"{payments} held payment(s)" if payments else "", f"{accounts} frozen account(s)" if accounts else ""]
        return " and ".join(p for p in parts if p)

    def _release(self, conn: Connection, case_id: int, user: str, now: str,
                 requested_by: str | None, outcome: str = "released") -> list[audit.Entry]:
        """Release what the case holds (the second step of four eyes); its audit entries."""
        entries = []
        for pid in self._held(conn, case_id):
            conn.execute(update(t.payments).where(t.payments.c.payment_id == pid)
                         .values(hold="released", hold_changed_at=now))
            entries.append(audit.Entry(user, "release_funds", "payment", pid, {"hold": "held"},
                                       {"hold": "released", "case": case_id, "requested_by": requested_by}))
        # a customer case: the accounts it froze are unfrozen by the same approval
        entries += release_accounts(conn, case_id, user, requested_by, now, outcome)
        return entries

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
