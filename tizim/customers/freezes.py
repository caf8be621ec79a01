"""Hits become alerts, cases and freezes; the freeze register and the report for the FIU.

A customer matching a designated entry of a sanctions list at or above the freeze threshold
has every account frozen at once, provisionally, and a FREEZE case opens (the same cases as
payments: assign, confirm, dismiss, four-eyes release). A weaker match opens an OBSERVE case
and freezes nothing. Funds are unfrozen only through the case's four-eyes release (two
people, the second a supervisor), and every freeze and unfreeze is on the audit chain.

The freeze clock: FATF Recommendation 6 asks for a freeze "without delay", read here as within
`TIZIM_SLA_HOURS` (24) of the moment the obligation arose: the later of the list version's
publication (else its import) and the customer's entry in the book.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, insert, literal_column, select, update

from tizim.customers import tables as t
from tizim.monitoring import audit
from tizim.monitoring import tables as mt
from tizim.monitoring.bulk import chunks, in_values, insert_rows
from tizim.settings import get_settings
from tizim.store import transaction

ACTIVE_CASE = ("open", "escalated", "release_requested", "dismiss_requested")
# a match stops counting once it is one of these: the case decided it
SETTLED = ("dismissed", "released", "delisted")


def party_key(customer_id: str) -> str:
    """The case key of a customer (payments' parties are acct:/name: keys)."""
    return f"customer:{customer_id}"


@dataclass
class Hit:
    """One listed entity a customer (or its owner, or director) may be."""

    entity_id: str
    caption: str
    score: float
    designated: bool
    freeze: bool
    lists: list[str]
    refs: dict[str, list[str]]
    explanation: dict[str, Any]
    via: str  # name | owner:<ref> | director:<ref>
    reason: str
    list_name: str | None = None
    list_version: int | None = None
    published_at: str | None = None


@dataclass
class Outcome:
    alerts: int = 0
    frozen_customers: int = 0
    frozen_accounts: int = 0
    cases: set[int] = field(default_factory=set)
    customers: set[str] = field(default_factory=set)

    def merge(self, other: Outcome) -> None:
        self.alerts += other.alerts
        self.frozen_customers += other.frozen_customers
        self.frozen_accounts += other.frozen_accounts
        self.cases |= other.cases
        self.customers |= other.customers


def _due(now: str, hours: float) -> str:
    return (datetime.fromisoformat(now) + timedelta(hours=hours)).isoformat(timespec="microseconds")


def _active_cases(conn: Connection, keys: list[str], *where: Any) -> dict[str, Any]:
    """party key -> its active case (the oldest), for those that have one."""
    active: dict[str, Any] = {}
    for chunk in chunks(conn, keys, 500):
        for row in conn.execute(select(mt.cases.c.id, mt.cases.c.party_key, mt.cases.c.severity)
                                .where(in_values(conn, mt.cases.c.party_key, chunk, "k"),
                                       mt.cases.c.status.in_(ACTIVE_CASE), *where)
                                .order_by(mt.cases.c.id)):
            active.setdefault(row.party_key, row)
    return active


def _cases_for(conn: Connection, wanted: dict[str, str], names: Mapping[str, str | None], now: str,
               actor: str) -> tuple[dict[str, int], dict[str, audit.Entry]]:
    """customer id -> its case for these customers (id -> the severity their hits call for):
    the customer's active case (the oldest), raised to FREEZE when needed, else a new one
    opened (in the order of `wanted`: the ids follow it); and the audit entry each
    customer's case wrote (a raise or an opening; none for a case kept as it was)."""
    keys = {customer_id: party_key(customer_id) for customer_id in wanted}
    active = _active_cases(conn, list(keys.values()))
    case_of: dict[str, int] = {}
    made: dict[str, audit.Entry] = {}
    raised: list[int] = []
    opening: list[str] = []
    for customer_id, severity in wanted.items():
        case = active.get(keys[customer_id])
        if case is None:
            opening.append(customer_id)
            continue
        case_of[customer_id] = int(case.id)
        if severity == "FREEZE" and case.severity != "FREEZE":
            raised.append(int(case.id))
            made[customer_id] = audit.Entry(actor, "raise_severity", "case", str(case.id),
                                            {"severity": case.severity}, {"severity": "FREEZE"})
    if raised:
        conn.execute(update(mt.cases).where(mt.cases.c.id.in_(raised)).values(severity="FREEZE", updated_at=now))
    if opening:
        due = _due(now, get_settings().sla_hours)
        rows = [{"party_key": keys[cid], "party_name": names.get(cid), "severity": wanted[cid], "status": "open",
                 "created_at": now, "sla_due": due, "updated_at": now} for cid in opening]
        # inserted in one go, in the order of `wanted`, then read back: each of these keys had
        # no active case, so the one it has now is the one just opened (an INSERT ... RETURNING
        # that keeps the rows' order runs a statement a row on SQLite)
        insert_rows(conn, mt.cases, rows)
        opened = _active_cases(conn, [keys[cid] for cid in opening], mt.cases.c.created_at == now)
        for customer_id in opening:
            case_id = int(opened[keys[customer_id]].id)
            case_of[customer_id] = case_id
            made[customer_id] = audit.Entry(actor, "open", "case", str(case_id), None, {
                "party_key": keys[customer_id], "party_name": names.get(customer_id),
                "severity": wanted[customer_id], "status": "open", "sla_due": due, "via": "customer screening"})
    return case_of, made


def _case_for(conn: Connection, customer_id: str, name: str | None, severity: str, now: str, actor: str,
              entries: list[audit.Entry]) -> int:
    """The customer's active case, raised to FREEZE when needed; else a new one."""
    case_of, made = _cases_for(conn, {customer_id: severity}, {customer_id: name}, now, actor)
    if customer_id in made:
        entries.append(made[customer_id])
    return case_of[customer_id]


def _match_row(h: Hit) -> dict[str, Any]:
    """What a hit refreshes in its stored match, whatever the match's state."""
    return {"caption": h.caption, "score": h.score, "designated": int(h.designated), "freeze": int(h.freeze),
            "lists": h.lists, "refs": h.refs, "explanation": h.explanation, "reason": h.reason}


def _listing(h: Hit) -> dict[str, Any]:
    return {"list_name": h.list_name, "list_version": h.list_version, "published_at": h.published_at}


def _update_matches(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """One executemany UPDATE of matches by id (`match_id`); every row sets the same columns."""
    if rows:
        conn.execute(update(t.matches).where(t.matches.c.id == bindparam("match_id")), rows)


def record_hits(conn: Connection, hits: dict[str, list[Hit]], names: dict[str, str], now: str, actor: str,
                entries: list[audit.Entry]) -> Outcome:
    """Store hits; a new (or reopened) one is an alert in the customer's case, a freeze-level
    one freezes every account the customer holds. Idempotent: a hit already open is updated.

    Set-based for the whole batch (a handful of statements, not a few per customer): the
    stored matches of every customer in one read, the cases decided before the matches are
    written (a new match is inserted with its case), the alerts in one insert, the accounts
    in one read and one update. The audit entries are those a customer at a time wrote, in
    the same order: per customer (in the order of `hits`) its case's, its alert, its freeze."""
    out = Outcome()
    found_of = {customer_id: found for customer_id, found in hits.items() if found}
    stored: dict[tuple[str, str, str], Any] = {}
    for chunk in chunks(conn, list(found_of), 500):
        for m in conn.execute(select(t.matches.c.id, t.matches.c.customer_id, t.matches.c.entity_id,
                                     t.matches.c.via, t.matches.c.status)
                              .where(in_values(conn, t.matches.c.customer_id, chunk, "c"))):
            stored[(m.customer_id, m.entity_id, m.via)] = m
    # each hit: new (inserted), met again after a release or a delisting (reopened, its new
    # listing), a dismissal the engine forgot (reopened), or still open (its fields refreshed)
    fresh_of: dict[str, list[tuple[Hit, Any]]] = {}
    refreshed: list[dict[str, Any]] = []
    for customer_id, found in found_of.items():
        fresh: list[tuple[Hit, Any]] = []
        for h in found:
            before = stored.get((customer_id, h.entity_id, h.via))
            if before is None or before.status in SETTLED:
                fresh.append((h, before))
            else:
                refreshed.append({"match_id": before.id, **_match_row(h)})
        if fresh:
            fresh_of[customer_id] = fresh
    _update_matches(conn, refreshed)
    if not fresh_of:
        return out
    wanted = {customer_id: "FREEZE" if any(h.freeze for h, _ in fresh) else "OBSERVE"
              for customer_id, fresh in fresh_of.items()}
    case_of, case_entries = _cases_for(conn, wanted, names, now, actor)
    new: list[dict[str, Any]] = []
    reopened: list[dict[str, Any]] = []
    undismissed: list[dict[str, Any]] = []
    alerts: list[dict[str, Any]] = []
    for customer_id, fresh in fresh_of.items():
        case_id = case_of[customer_id]
        for h, before in fresh:
            if before is None:
                new.append({"customer_id": customer_id, "entity_id": h.entity_id, "via": h.via, **_listing(h),
                            "found_at": now, "status": "open", **_match_row(h), "case_id": case_id})
            elif before.status == "dismissed":
                # the engine forgets a dismissal when the listing changes: then it is new again
                undismissed.append({"match_id": before.id, "status": "open", "found_at": now, **_match_row(h),
                                    "case_id": case_id})
            else:
                # released after a false match or a delisting, now met again (a new listing)
                reopened.append({"match_id": before.id, "status": "open", "found_at": now, **_listing(h),
                                 **_match_row(h), "case_id": case_id})
            alerts.append({
                "case_id": case_id, "payment_id": "", "kind": "match",
                "code": "customer_designated_match" if h.freeze else "customer_possible_match",
                "role": h.via.split(":", 1)[0] if h.via != "name" else "customer", "entity_id": h.entity_id,
                "score": h.score, "created_at": now,
                "detail": {"customer_id": customer_id, "caption": h.caption, "refs": h.refs, "reason": h.reason,
                           "via": h.via, "list": h.list_name, "version": h.list_version,
                           "query_name": h.explanation.get("query_name"),
                           "matched_name": h.explanation.get("matched_name")}})
    insert_rows(conn, t.matches, new)
    _update_matches(conn, reopened)
    _update_matches(conn, undismissed)
    insert_rows(conn, mt.alerts, alerts)
    held = _freeze(conn, {cid: case_of[cid] for cid, severity in wanted.items() if severity == "FREEZE"}, now)
    for customer_id, fresh in fresh_of.items():
        case_id = case_of[customer_id]
        out.cases.add(case_id)
        out.customers.add(customer_id)
        out.alerts += len(fresh)
        if customer_id in case_entries:
            entries.append(case_entries[customer_id])
        entries.append(audit.Entry(actor, "alert", "customer", customer_id, None, {
            "case": case_id, "hits": [{"entity_id": h.entity_id, "score": h.score, "via": h.via,
                                       "freeze": h.freeze} for h, _ in fresh]}))
        if wanted[customer_id] == "FREEZE":
            accounts = held.get(customer_id, [])
            entries.append(audit.Entry(actor, "freeze", "customer", customer_id, None, {
                "accounts": accounts, "case": case_id, "reason": next(h.reason for h, _ in fresh if h.freeze)}))
            out.frozen_customers += 1
            out.frozen_accounts += len(accounts)
    return out


def _freeze(conn: Connection, case_of: dict[str, int], now: str) -> dict[str, list[str]]:
    """Freeze every account of these customers not frozen yet, under their case; customer
    id -> the accounts frozen, in the order the table holds them (a customer's own read
    returned them so: its rowid on SQLite, its heap order on PostgreSQL)."""
    held: dict[str, list[str]] = defaultdict(list)
    if not case_of:
        return held
    order = {"sqlite": "rowid", "postgresql": "ctid"}.get(conn.dialect.name)
    for chunk in chunks(conn, list(case_of), 500):
        query = (select(t.accounts.c.customer_id, t.accounts.c.account)
                 .where(in_values(conn, t.accounts.c.customer_id, chunk, "c"), t.accounts.c.frozen == 0)
                 .order_by(t.accounts.c.customer_id))
        for customer_id, account in conn.execute(query.order_by(literal_column(order)) if order else query):
            held[customer_id].append(account)
    rows = [{"b_account": account, "b_case": case_of[cid]} for cid, accounts in held.items() for account in accounts]
    if rows:
        conn.execute(update(t.accounts).where(t.accounts.c.account == bindparam("b_account"))
                     .values(frozen=1, frozen_at=now, frozen_case_id=bindparam("b_case"), unfrozen_at=None), rows)
    return held


def refresh_status(conn: Connection, customer_ids: list[str]) -> None:
    """A customer's status from what it holds: frozen (a frozen account or an open freeze-level
    hit), alert (an open hit), else clear; closed customers stay closed unless frozen."""
    want: dict[str, list[str]] = defaultdict(list)
    for cid, (new, old) in statuses(conn, customer_ids).items():
        if new != old:
            want[new].append(cid)
    for status, ids in want.items():
        for chunk in chunks(conn, ids, 500):
            conn.execute(update(t.customers).where(in_values(conn, t.customers.c.customer_id, chunk, "c"))
                         .values(status=status))


def statuses(conn: Connection, customer_ids: list[str]) -> dict[str, tuple[str, str]]:
    """Each customer's status from what it holds (see refresh_status), and the one stored."""
    out: dict[str, tuple[str, str]] = {}
    for chunk in chunks(conn, sorted(set(customer_ids)), 500):
        frozen = set(conn.execute(select(t.accounts.c.customer_id).where(
            in_values(conn, t.accounts.c.customer_id, chunk, "a"), t.accounts.c.frozen == 1)).scalars())
        open_hits = {(r.customer_id, bool(r.freeze)) for r in conn.execute(
            select(t.matches.c.customer_id, t.matches.c.freeze).where(
                in_values(conn, t.matches.c.customer_id, chunk, "m"), t.matches.c.status == "open"))}
        frozen |= {cid for cid, fr in open_hits if fr}
        alert = {cid for cid, _ in open_hits} - frozen
        rows = conn.execute(select(t.customers.c.customer_id, t.customers.c.status, t.customers.c.closed_at)
                            .where(in_values(conn, t.customers.c.customer_id, chunk, "c"))).all()
        for cid, status, closed_at in rows:
            out[cid] = (("frozen" if cid in frozen else "closed" if closed_at else "alert" if cid in alert
                         else "clear"), status)
    return out


# ---- owners and directors ------------------------------------------------------------------


def owner_hits(conn: Connection, person_ids: list[str] | None = None) -> dict[str, list[Hit]]:
    """Hits for organizations through their owners and directors who are customers with an
    open hit on a designated entry. An owner of more than half passes a freeze on (funds owned
    or controlled by a designated person are frozen too); a director or minority owner alerts."""
    query = (select(t.links.c.customer_id, t.links.c.ref, t.links.c.role, t.links.c.share, t.matches)
             .join(t.matches, t.matches.c.customer_id == t.links.c.ref)
             .where(t.matches.c.status == "open", t.matches.c.designated == 1, t.matches.c.via == "name"))
    if person_ids is not None:
        if not person_ids:
            return {}
        query = query.where(t.links.c.ref.in_(person_ids))
    names = {}
    out: dict[str, list[Hit]] = defaultdict(list)
    rows = conn.execute(query).all()
    refs = sorted({r.ref for r in rows})
    for chunk in chunks(conn, refs, 500):
        names.update(dict(conn.execute(select(t.customers.c.customer_id, t.customers.c.name)
                                       .where(in_values(conn, t.customers.c.customer_id, chunk, "r"))).all()))
    for r in rows:
        majority = r.role == "owner" and (r.share is None or r.share > 50)
        share = f", {r.share:g}%" if r.share is not None else ""
        who = f"{r.role} {r.ref} ({names.get(r.ref, r.ref)}{share})"
        out[r.customer_id].append(Hit(
            entity_id=r.entity_id, caption=r.caption, score=r.score, designated=True,
            freeze=bool(r.freeze) and majority, lists=r.lists, refs=r.refs, explanation=r.explanation,
            via=f"{r.role}:{r.ref}", reason=f"{who} matches designated {r.caption}, score {r.score:.2f}",
            list_name=r.list_name, list_version=r.list_version, published_at=r.published_at))
    return dict(out)


# ---- delisting -----------------------------------------------------------------------------


def review_delisted(conn: Connection, entity_ids: list[str], list_name: str, version: int, now: str,
                    actor: str, entries: list[audit.Entry]) -> int:
    """Open hits on entries a list no longer holds: each customer's case gets a review alert
    (unfreezing still takes the four-eyes release). Returns the customers concerned."""
    if not entity_ids:
        return 0
    rows: list[Any] = []
    for chunk in chunks(conn, entity_ids, 500):
        rows += conn.execute(select(t.matches).where(in_values(conn, t.matches.c.entity_id, chunk, "e"),
                                                     t.matches.c.status == "open")).all()
    by_customer: dict[str, list[Any]] = defaultdict(list)
    for m in rows:
        by_customer[m.customer_id].append(m)
    for customer_id, found in by_customer.items():
        frozen = any(m.freeze for m in found)
        name = conn.execute(select(t.customers.c.name).where(t.customers.c.customer_id == customer_id)).scalar()
        case_id = _case_for(conn, customer_id, name, "FREEZE" if frozen else "OBSERVE", now, actor, entries)
        conn.execute(insert(mt.alerts), [
            {"case_id": case_id, "payment_id": "", "kind": "review", "code": "delisted_review",
             "role": "customer", "entity_id": m.entity_id, "score": m.score, "created_at": now,
             "detail": {"customer_id": customer_id, "caption": m.caption, "list": list_name, "version": version,
                        "reason": f"{m.caption} is no longer on {list_name} (version {version}): review "
                                  f"the {'freeze' if m.freeze else 'alert'}; unfreezing needs two people"}}
            for m in found
        ])
        conn.execute(update(t.matches).where(t.matches.c.id.in_([m.id for m in found]))
                     .values(status="delisted", case_id=case_id))
        entries.append(audit.Entry(actor, "delisted_review", "customer", customer_id, None,
                                   {"case": case_id, "entities": [m.entity_id for m in found], "list": list_name,
                                    "version": version}))
    return len(by_customer)


# ---- the case's side: what a customer case holds, and its release ----------------------------


def held_accounts(conn: Connection, case_id: int) -> list[str]:
    """Accounts frozen under this case (what a release would unfreeze)."""
    return sorted(conn.execute(select(t.accounts.c.account).where(
        t.accounts.c.frozen_case_id == case_id, t.accounts.c.frozen == 1)).scalars())


def frozen_account_counts(conn: Connection, case_ids: list[int]) -> dict[int, int]:
    """case id -> how many accounts it holds frozen (the queue shows it)."""
    from sqlalchemy import func

    out: dict[int, int] = {}
    for start in range(0, len(case_ids), 500):
        chunk = case_ids[start:start + 500]
        out.update(dict(conn.execute(select(t.accounts.c.frozen_case_id, func.count())
                                     .where(t.accounts.c.frozen_case_id.in_(chunk), t.accounts.c.frozen == 1)
                                     .group_by(t.accounts.c.frozen_case_id)).all()))
    return out


def case_customer(conn: Connection, case_id: int) -> str | None:
    key = conn.execute(select(mt.cases.c.party_key).where(mt.cases.c.id == case_id)).scalar()
    return key.split(":", 1)[1] if isinstance(key, str) and key.startswith("customer:") else None


def release_accounts(conn: Connection, case_id: int, user: str, requested_by: str | None, now: str,
                     outcome: str = "released") -> list[audit.Entry]:
    """Unfreeze the accounts a case froze and settle its hits (called by the four-eyes
    approval, inside its transaction). Returns the audit entries to append."""
    accounts = held_accounts(conn, case_id)
    entries: list[audit.Entry] = []
    customer_id = case_customer(conn, case_id)
    if accounts:
        conn.execute(update(t.accounts).where(t.accounts.c.account.in_(accounts)).values(
            frozen=0, unfrozen_at=now))
    if customer_id is not None:
        conn.execute(update(t.matches).where(t.matches.c.case_id == case_id,
                                             t.matches.c.status.in_(("open", "delisted")))
                     .values(status=outcome))
        entries.append(audit.Entry(user, "unfreeze", "customer", customer_id, {"frozen": accounts},
                                   {"frozen": [], "case": case_id, "requested_by": requested_by,
                                    "approved_by": user}))
        refresh_status(conn, [customer_id])
    return entries


def confirm_hits(conn: Connection, case_id: int) -> None:
    """A confirmed case: its hits are true matches and the freeze stands."""
    conn.execute(update(t.matches).where(t.matches.c.case_id == case_id, t.matches.c.status == "open")
                 .values(status="confirmed"))


# ---- the register ---------------------------------------------------------------------------


def _as_utc(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def freeze_register(url: str | None = None, include_released: bool = False) -> list[dict[str, Any]]:
    """Every frozen account: customer, account, entity, list and reference, when the list was
    published, when it was frozen, and the hours between (against the SLA)."""
    sla = get_settings().sla_hours
    with transaction(url) as conn:
        query = select(t.accounts, t.customers.c.name, t.customers.c.created_at.label("customer_since")).join(
            t.customers, t.customers.c.customer_id == t.accounts.c.customer_id)
        query = query.where(t.accounts.c.frozen_at.is_not(None))
        if not include_released:
            query = query.where(t.accounts.c.frozen == 1)
        accts = conn.execute(query.order_by(t.accounts.c.frozen_at, t.accounts.c.account)).all()
        cases = sorted({a.frozen_case_id for a in accts if a.frozen_case_id is not None})
        hits: dict[int, Any] = {}
        for at in range(0, len(cases), 500):
            for hit in conn.execute(select(t.matches).where(t.matches.c.case_id.in_(cases[at:at + 500]),
                                                            t.matches.c.freeze == 1)
                                    .order_by(t.matches.c.score.desc())):
                hits.setdefault(hit.case_id, hit)
    out = []
    for a in accts:
        m = hits.get(a.frozen_case_id)
        published = m.published_at if m is not None else None
        start = max(filter(None, [_as_utc(published), _as_utc(a.customer_since)]), default=None)
        frozen_at = _as_utc(a.frozen_at)
        hours = round((frozen_at - start).total_seconds() / 3600, 2) if frozen_at and start else None
        refs = m.refs if m is not None else {}
        out.append({
            "customer_id": a.customer_id,
            "customer": a.name,
            "account": a.account,
            "frozen": bool(a.frozen),
            "entity_id": m.entity_id if m is not None else None,
            "entity": m.caption if m is not None else None,
            "via": m.via if m is not None else None,
            "list": m.list_name if m is not None else (sorted(refs)[0] if refs else None),
            "references": [f"{lst} {ref}" for lst, vals in sorted((refs or {}).items()) for ref in vals],
            "list_version": m.list_version if m is not None else None,
            "published_at": published,
            "clock_started_at": start.isoformat() if start else None,
            "frozen_at": a.frozen_at,
            "unfrozen_at": a.unfrozen_at,
            "hours_to_freeze": hours,
            "within_sla": hours is not None and hours <= sla,
            "case_id": a.frozen_case_id,
        })
    return out


def open_alerts(url: str | None = None) -> list[dict[str, Any]]:
    """Open hits not frozen (an analyst must decide), with their SLA clock."""
    sla = get_settings().sla_hours
    now = datetime.now(UTC)
    with transaction(url) as conn:
        rows = conn.execute(select(t.matches, t.customers.c.name, t.customers.c.created_at.label("since"))
                            .join(t.customers, t.customers.c.customer_id == t.matches.c.customer_id)
                            .where(t.matches.c.status == "open", t.matches.c.freeze == 0)
                            .order_by(t.matches.c.found_at)).all()
    out = []
    for m in rows:
        start = max(filter(None, [_as_utc(m.published_at), _as_utc(m.since)]), default=_as_utc(m.found_at))
        due = (start or now) + timedelta(hours=sla)
        left = (due - now).total_seconds() / 3600
        out.append({"customer_id": m.customer_id, "customer": m.name, "entity_id": m.entity_id,
                    "entity": m.caption, "score": m.score, "via": m.via, "case_id": m.case_id,
                    "found_at": m.found_at, "due": due.isoformat(), "hours_left": round(left, 2),
                    "overdue": left < 0, "near_limit": 0 <= left < min(4.0, sla / 6)})
    return out


REPORT_COLUMNS = ("customer_id", "customer", "account", "entity_id", "entity", "list", "references",
                  "published_at", "frozen_at", "hours_to_freeze", "within_sla", "case_id")


def csv_cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else ("; ".join(value) if isinstance(value, list) else str(value))
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def freeze_report(fmt: str = "json", url: str | None = None, institution: str | None = None) -> str:
    """The report of frozen assets an institution sends to the FIU (JSON or CSV)."""
    rows = freeze_register(url)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(REPORT_COLUMNS)
        for r in rows:
            writer.writerow([csv_cell(r[c]) for c in REPORT_COLUMNS])
        return buf.getvalue()
    if fmt != "json":
        from tizim.errors import InputError

        raise InputError(f"unknown format {fmt!r} (json or csv)", field="format")
    import json

    report = {
        "report": "frozen assets",
        "institution": institution or get_settings().extra.get("institution") or None,
        "generated_at": audit.now_iso(),
        "sla_hours": get_settings().sla_hours,
        "frozen_accounts": len(rows),
        "customers": len({r["customer_id"] for r in rows}),
        "late": sum(1 for r in rows if r["hours_to_freeze"] is not None and not r["within_sla"]),
        "accounts": [{c: r[c] for c in REPORT_COLUMNS} for r in rows],
    }
    return json.dumps(report, ensure_ascii=False, indent=2)


# ---- payments read the register --------------------------------------------------------------


@dataclass(frozen=True)
class FrozenAccount:
    account: str
    customer_id: str
    customer: str
    case_id: int | None


def frozen_accounts(conn: Connection, accounts: list[str]) -> dict[str, FrozenAccount]:
    """Which of these accounts (as payments write them) are frozen in the book."""
    from tizim.customers.model import normalize_account

    wanted = sorted({normalize_account(a) for a in accounts if a})
    out: dict[str, FrozenAccount] = {}
    for chunk in chunks(conn, wanted, 500):
        rows = conn.execute(select(t.accounts.c.account, t.accounts.c.customer_id, t.accounts.c.frozen_case_id,
                                   t.customers.c.name)
                            .join(t.customers, t.customers.c.customer_id == t.accounts.c.customer_id)
                            .where(in_values(conn, t.accounts.c.account, chunk, "a"), t.accounts.c.frozen == 1))
        for account, customer_id, case_id, name in rows:
            out[account] = FrozenAccount(account, customer_id, name, case_id)
    return out
