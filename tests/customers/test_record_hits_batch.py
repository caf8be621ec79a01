"""record_hits writes a batch's hits in a handful of set-based statements: what it stores (matches,
cases, alerts, frozen accounts), the audit entries it makes and its Outcome must be exactly what
the per-customer code it replaced produced. Each call is checked against that code (kept here as
the reference): the reference runs first in a savepoint that is rolled back, then record_hits on
the same state; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Connection, insert, select, text, update

import tizim.customers.rescreen as rescreen_module
import tizim.customers.screen as screen_module
from tests.customers.helpers import BOOK
from tests.monitoring.helpers import load_list
from tizim.customers import tables as t
from tizim.customers.book import CustomerBook
from tizim.customers.freezes import ACTIVE_CASE, SETTLED, Hit, Outcome, _due, party_key, record_hits
from tizim.customers.screen import screen_book
from tizim.monitoring import audit
from tizim.monitoring import tables as mt
from tizim.settings import get_settings
from tizim.store import transaction

# ---- the per-customer code record_hits replaced (HEAD 97934ed), the reference --------------------


def _reference_case_for(conn: Connection, customer_id: str, name: str | None, severity: str, now: str, actor: str,
                        entries: list[audit.Entry]) -> int:
    key = party_key(customer_id)
    case = conn.execute(select(mt.cases).where(mt.cases.c.party_key == key, mt.cases.c.status.in_(ACTIVE_CASE))
                        .order_by(mt.cases.c.id)).first()
    if case is not None:
        if severity == "FREEZE" and case.severity != "FREEZE":
            conn.execute(update(mt.cases).where(mt.cases.c.id == case.id).values(severity="FREEZE", updated_at=now))
            entries.append(audit.Entry(actor, "raise_severity", "case", str(case.id), {"severity": case.severity},
                                       {"severity": "FREEZE"}))
        return int(case.id)
    due = _due(now, get_settings().sla_hours)
    case_id = conn.execute(insert(mt.cases).values(
        party_key=key, party_name=name, severity=severity, status="open", created_at=now, sla_due=due,
        updated_at=now).returning(mt.cases.c.id)).scalar_one()
    entries.append(audit.Entry(actor, "open", "case", str(case_id), None,
                               {"party_key": key, "party_name": name, "severity": severity, "status": "open",
                                "sla_due": due, "via": "customer screening"}))
    return int(case_id)


def reference_record_hits(conn: Connection, hits: dict[str, list[Hit]], names: dict[str, str], now: str,
                          actor: str, entries: list[audit.Entry]) -> Outcome:
    out = Outcome()
    for customer_id, found in hits.items():
        if not found:
            continue
        stored = {(m.entity_id, m.via): m for m in conn.execute(
            select(t.matches).where(t.matches.c.customer_id == customer_id))}
        fresh: list[tuple[Hit, int]] = []
        for h in found:
            values = {"caption": h.caption, "score": h.score, "designated": int(h.designated),
                      "freeze": int(h.freeze), "lists": h.lists, "refs": h.refs, "explanation": h.explanation,
                      "reason": h.reason}
            before = stored.get((h.entity_id, h.via))
            if before is None:
                mid = conn.execute(insert(t.matches).values(
                    customer_id=customer_id, entity_id=h.entity_id, via=h.via, list_name=h.list_name,
                    list_version=h.list_version, published_at=h.published_at, found_at=now, status="open",
                    **values).returning(t.matches.c.id)).scalar_one()
                fresh.append((h, int(mid)))
            elif before.status in SETTLED and before.status != "dismissed":
                conn.execute(update(t.matches).where(t.matches.c.id == before.id).values(
                    status="open", found_at=now, list_name=h.list_name, list_version=h.list_version,
                    published_at=h.published_at, **values))
                fresh.append((h, int(before.id)))
            elif before.status == "dismissed":
                conn.execute(update(t.matches).where(t.matches.c.id == before.id).values(
                    status="open", found_at=now, **values))
                fresh.append((h, int(before.id)))
            else:
                conn.execute(update(t.matches).where(t.matches.c.id == before.id).values(**values))
        if not fresh:
            continue
        freeze = any(h.freeze for h, _ in fresh)
        case_id = _reference_case_for(conn, customer_id, names.get(customer_id), "FREEZE" if freeze else "OBSERVE",
                                      now, actor, entries)
        out.cases.add(case_id)
        out.customers.add(customer_id)
        conn.execute(update(t.matches).where(t.matches.c.id.in_([mid for _, mid in fresh])).values(case_id=case_id))
        conn.execute(insert(mt.alerts), [
            {"case_id": case_id, "payment_id": "", "kind": "match",
             "code": "customer_designated_match" if h.freeze else "customer_possible_match",
             "role": h.via.split(":", 1)[0] if h.via != "name" else "customer", "entity_id": h.entity_id,
             "score": h.score, "created_at": now,
             "detail": {"customer_id": customer_id, "caption": h.caption, "refs": h.refs, "reason": h.reason,
                        "via": h.via, "list": h.list_name, "version": h.list_version,
                        "query_name": h.explanation.get("query_name"),
                        "matched_name": h.explanation.get("matched_name")}}
            for h, _ in fresh
        ])
        out.alerts += len(fresh)
        entries.append(audit.Entry(actor, "alert", "customer", customer_id, None, {
            "case": case_id, "hits": [{"entity_id": h.entity_id, "score": h.score, "via": h.via,
                                       "freeze": h.freeze} for h, _ in fresh]}))
        if freeze:
            accounts = list(conn.execute(select(t.accounts.c.account).where(
                t.accounts.c.customer_id == customer_id, t.accounts.c.frozen == 0)).scalars())
            if accounts:
                conn.execute(update(t.accounts).where(t.accounts.c.account.in_(accounts)).values(
                    frozen=1, frozen_at=now, frozen_case_id=case_id, unfrozen_at=None))
            entries.append(audit.Entry(actor, "freeze", "customer", customer_id, None, {
                "accounts": accounts, "case": case_id, "reason": next(h.reason for h, _ in fresh if h.freeze)}))
            out.frozen_customers += 1
            out.frozen_accounts += len(accounts)
    return out


# ---- the check ---------------------------------------------------------------------------------


def _dump(conn: Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every row record_hits may write, JSON parsed (the bulk insert writes other JSON text)."""
    return {
        "matches": [tuple(r) for r in conn.execute(select(t.matches).order_by(t.matches.c.id))],
        "cases": [tuple(r) for r in conn.execute(select(mt.cases).order_by(mt.cases.c.id))],
        "alerts": [tuple(r) for r in conn.execute(select(mt.alerts).order_by(mt.alerts.c.id))],
        "accounts": [tuple(r) for r in conn.execute(select(t.accounts).order_by(t.accounts.c.account))],
    }


def _rewind(conn: Connection) -> None:
    """After a rolled-back savepoint: PostgreSQL's sequences do not roll back, set them back so
    the second run is given the ids the first was (SQLite takes the next rowid as it was)."""
    if conn.dialect.name != "postgresql":
        return
    for table in (t.matches.name, mt.cases.name, mt.alerts.name):
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                          f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"))


Checked = list[tuple[Outcome, list[audit.Entry]]]


def checked_record_hits(calls: Checked) -> Callable[..., Outcome]:
    """record_hits, asserting it stores, logs and counts what the reference did on the same state."""

    def both(conn: Connection, hits: dict[str, list[Hit]], names: dict[str, str], now: str, actor: str,
             entries: list[audit.Entry]) -> Outcome:
        savepoint = conn.begin_nested()
        expected_entries: list[audit.Entry] = []
        expected_out = reference_record_hits(conn, hits, names, now, actor, expected_entries)
        expected = _dump(conn)
        savepoint.rollback()
        _rewind(conn)
        before = len(entries)
        out = record_hits(conn, hits, names, now, actor, entries)
        stored = _dump(conn)
        for table in expected:
            assert stored[table] == expected[table], table
        assert entries[before:] == expected_entries
        assert out == expected_out
        calls.append((out, entries[before:]))
        return out

    return both


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Checked:
    """Every record_hits of screening and rescreening checked against the reference."""
    made: Checked = []
    monkeypatch.setattr(screen_module, "record_hits", checked_record_hits(made))
    monkeypatch.setattr(rescreen_module, "record_hits", checked_record_hits(made))
    return made


def test_screening_a_book_stores_what_the_per_customer_code_stored(db_url: str, calls: Checked) -> None:
    load_list()
    CustomerBook().import_file(BOOK)
    report = screen_book(workers=1)
    assert report["screened"] == 6
    # C001 (the listed person) and C011 (its director, by name) hit in the one batch; C010
    # through its owner C001 when owners are propagated
    batch, owners = calls
    assert batch[0].customers == {"C001", "C011"} and batch[0].frozen_customers == 1
    assert [(e.action, e.object_id) for e in batch[1]] == [
        ("open", str(min(batch[0].cases))), ("alert", "C001"), ("freeze", "C001"),
        ("open", str(max(batch[0].cases))), ("alert", "C011")]
    assert owners[0].customers == {"C010"} and owners[0].frozen_accounts == 1
    assert {c["customer_id"]: c["status"] for c in CustomerBook().list()} == {
        "C001": "frozen", "C002": "clear", "C003": "clear", "C010": "frozen", "C011": "alert", "C012": "clear"}
    assert audit.verify().ok


def _hit(entity_id: str, via: str = "name", freeze: bool = False, score: float = 0.9,
         version: int | None = None) -> Hit:
    return Hit(entity_id=entity_id, caption=entity_id.upper(), score=score, designated=True, freeze=freeze,
               lists=["test-list"], refs={"test-list": [entity_id.upper()]},
               explanation={"query_name": f"query {entity_id}", "matched_name": entity_id.title()}, via=via,
               reason=f"{'FREEZE' if freeze else 'possible match'}: {entity_id} via {via}",
               list_name="test-list", list_version=version, published_at="2026-12-01T00:00:00+00:00")


def test_one_batch_of_new_reopened_raised_and_refreshed_hits(db_url: str) -> None:
    load_list()
    CustomerBook().import_file(BOOK)
    screen_book(workers=1)
    with transaction() as conn:
        matches = {m.customer_id: m for m in conn.execute(select(t.matches))}
        # C001's hit dismissed and C010's released by their cases (their accounts unfrozen);
        # C011 keeps its active OBSERVE case and its open director hit
        settled = []
        for cid, status in (("C001", "dismissed"), ("C010", "released")):
            m = matches[cid]
            conn.execute(update(t.matches).where(t.matches.c.id == m.id).values(status=status))
            conn.execute(update(mt.cases).where(mt.cases.c.id == m.case_id).values(status=status))
            conn.execute(update(t.accounts).where(t.accounts.c.customer_id == cid)
                         .values(frozen=0, unfrozen_at="2026-12-02T00:00:00+00:00"))
            settled.append(audit.Entry("test", status, "case", str(m.case_id), None, {"status": status}))
        audit.append(conn, settled)
        names = dict(conn.execute(select(t.customers.c.customer_id, t.customers.c.name)).all())
    director = matches["C011"]
    hits = {  # not in customer-id order: the entries follow this order
        "C011": [_hit(director.entity_id, via=director.via, score=0.95), _hit("t-nomad", freeze=True)],
        "C003": [_hit("t-asbat")],
        "C001": [_hit("t-karimov", freeze=True, score=0.97)],
        "C012": [],
        "C002": [_hit("t-imu", freeze=True), _hit("t-asbat", score=0.8)],
        "C010": [_hit("t-karimov", via=matches["C010"].via, freeze=True, version=2)],
    }
    calls: Checked = []
    now = audit.now_iso()
    with transaction() as conn:
        head = audit.lock_head(conn)
        entries: list[audit.Entry] = []
        out = checked_record_hits(calls)(conn, hits, names, now, "test", entries)
        audit.append(conn, entries, head)
    assert (out.alerts, out.frozen_customers, out.frozen_accounts) == (6, 4, 5)
    assert out.customers == {"C011", "C003", "C001", "C002", "C010"}
    assert [(e.action, e.object_type, e.object_id if e.object_type == "customer" else "case") for e in entries] == [
        ("raise_severity", "case", "case"), ("alert", "customer", "C011"), ("freeze", "customer", "C011"),
        ("open", "case", "case"), ("alert", "customer", "C003"),
        ("open", "case", "case"), ("alert", "customer", "C001"), ("freeze", "customer", "C001"),
        ("open", "case", "case"), ("alert", "customer", "C002"), ("freeze", "customer", "C002"),
        ("open", "case", "case"), ("alert", "customer", "C010"), ("freeze", "customer", "C010")]
    # C011's director hit is refreshed, not alerted again; its case is raised, not replaced
    assert entries[0].object_id == str(director.case_id)
    assert [h["entity_id"] for h in entries[1].after["hits"]] == ["t-nomad"]
    # new cases open in the order of the batch
    opened = [int(e.object_id) for e in entries if e.action == "open"]
    assert opened == sorted(opened)
    assert entries[7].after["accounts"] == ["KZ231230000000000001", "KZ931230000000000002"]
    with transaction() as conn:
        stored = {(m.customer_id, m.entity_id, m.via): m for m in conn.execute(select(t.matches))}
        assert stored[("C011", director.entity_id, director.via)].score == 0.95
        assert stored[("C011", director.entity_id, director.via)].case_id == director.case_id
        # the dismissed and the released hit are the same rows, open again in new cases
        again = stored[("C001", "t-karimov", "name")]
        assert again.id == matches["C001"].id and again.status == "open" and again.case_id == opened[1]
        reopened = stored[("C010", "t-karimov", matches["C010"].via)]
        assert reopened.id == matches["C010"].id and reopened.list_version == 2 and reopened.case_id == opened[3]
        assert stored[("C002", "t-asbat", "name")].case_id == opened[2]
        severity = dict(conn.execute(select(mt.cases.c.id, mt.cases.c.severity)).all())
        assert severity[director.case_id] == "FREEZE" and severity[opened[0]] == "OBSERVE"
        frozen = dict(conn.execute(select(t.accounts.c.account, t.accounts.c.frozen_case_id)
                                   .where(t.accounts.c.frozen == 1)).all())
        assert frozen == {"KZ231230000000000001": opened[1], "KZ931230000000000002": opened[1],
                          "KZ119650000000000003": opened[2], "KZ147220000000000005": opened[3],
                          "KZ847220000000000006": director.case_id}
        alerts = conn.execute(select(mt.alerts.c.case_id, mt.alerts.c.entity_id, mt.alerts.c.code)
                              .where(mt.alerts.c.created_at == now).order_by(mt.alerts.c.id)).all()
        assert [tuple(a) for a in alerts] == [
            (director.case_id, "t-nomad", "customer_designated_match"),
            (opened[0], "t-asbat", "customer_possible_match"),
            (opened[1], "t-karimov", "customer_designated_match"),
            (opened[2], "t-imu", "customer_designated_match"), (opened[2], "t-asbat", "customer_possible_match"),
            (opened[3], "t-karimov", "customer_designated_match")]
    assert audit.verify().ok
