"""Rescreen: when a list version adds (or changes) entries, screen the stored counterparties
against those entries only and raise alerts. Kazakh practice: freeze within 24 hours of a
list's publication, so the report says how long this took and whether the deadline holds.

Which versions are new is remembered per list (mon_rescreen_state). A payment decided after
a version was imported was screened against it already, so only payments decided before the
version's import are rescreened for it.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update

from tizim.monitoring import audit
from tizim.monitoring import tables as t
from tizim.monitoring.model import Party
from tizim.monitoring.screening import PaymentScreener, party_query
from tizim.registry import tables as rt
from tizim.registry.service import Registry
from tizim.settings import get_settings
from tizim.store import transaction

FREEZE_WITHIN = timedelta(hours=24)


def _pending_versions(url: str | None) -> list[tuple[str, int, str, str | None]]:
    """(list, version, imported_at, published_at) of versions not rescreened yet."""
    with transaction(url) as conn:
        first_decision = conn.execute(select(t.payments.c.decided_at).order_by(t.payments.c.decided_at).limit(1)).scalar()
        state = dict(conn.execute(select(t.rescreen_state.c.list_name, t.rescreen_state.c.version)).all())
        versions = conn.execute(
            select(rt.list_versions.c.list_name, rt.list_versions.c.seq, rt.list_versions.c.imported_at,
                   rt.list_versions.c.published_at).order_by(rt.list_versions.c.list_name, rt.list_versions.c.seq)
        ).all()
    out = []
    for v in versions:
        imported = v.imported_at if v.imported_at.tzinfo else v.imported_at.replace(tzinfo=UTC)
        done = state.get(v.list_name)
        if done is not None and v.seq <= done:
            continue
        # Without state, versions imported before any decision were screened at decision time.
        if done is None and (first_decision is None or imported.isoformat() <= first_decision):
            continue
        if v.seq == 1 and done is None and first_decision is None:
            continue
        out.append((v.list_name, v.seq, imported.isoformat(timespec="microseconds"), v.published_at))
    return out


def rescreen(url: str | None = None, actor: str = "system", screener: Any = None) -> dict[str, Any]:
    started = time.perf_counter()
    settings = get_settings()
    registry = Registry(url)
    report: dict[str, Any] = {"versions": [], "new_entries": 0, "parties_screened": 0, "alerts": 0,
                              "held_payments": 0, "cases": []}
    screening = PaymentScreener(screener)
    pending = _pending_versions(url)
    latest: dict[str, int] = {}
    with transaction(url) as conn:
        for name, seq in conn.execute(select(rt.list_versions.c.list_name, rt.list_versions.c.seq)):
            latest[name] = max(latest.get(name, 0), seq)
    case_alerts: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for list_name, seq, imported_at, published_at in pending:
        diff = registry.diff(list_name, seq - 1, seq)
        new_ids = {e["id"] for e in diff["added"] + diff["changed"]}
        report["new_entries"] += len(new_ids)
        published = published_at or imported_at
        report["versions"].append({"list": list_name, "version": seq, "imported_at": imported_at,
                                   "published_at": published_at, "new_entries": len(new_ids)})
        if not new_ids:
            continue
        with transaction(url) as conn:
            rows = conn.execute(
                select(t.payments.c.payment_id, t.payments.c.data, t.payments.c.hold, t.payments.c.status)
                .where(t.payments.c.decided_at < imported_at)
            ).all()
        parties: dict[tuple[str, ...], tuple[str, Party, list[str]]] = {}
        for row in rows:
            data = row.data or {}
            for role in ("debtor", "creditor", "ultimate_debtor", "ultimate_creditor", "debtor_agent", "creditor_agent"):
                party = Party.from_dict(data.get(role))
                pq = party_query(role, party) if party else None
                if pq is None or party is None:
                    continue
                parties.setdefault(pq.cache_key(), (role, party, []))[2].append(row.payment_id)
        report["parties_screened"] += len(parties)
        for role, party, pids in parties.values():
            pq = party_query(role, party)
            assert pq is not None
            results = screening._match_many([screening._query(pq)], [pq.subject_key])[0]
            for r in results:
                members = set(getattr(r, "members", []) or []) | {r.entity_id}
                if not (members & new_ids) or float(r.score) < settings.match_threshold:
                    continue
                freeze = float(r.score) >= settings.freeze_threshold and bool(getattr(r, "designated", True))
                for pid in pids:
                    case_alerts[party.key() or f"name:{party.name}"].append({
                        "payment_id": pid, "role": role, "party": party.name or party.bic, "entity_id": r.entity_id,
                        "caption": r.caption, "score": float(r.score), "freeze": freeze, "list": list_name,
                        "version": seq, "deadline": (datetime.fromisoformat(published if "T" in published else
                                                                            published + "T00:00:00+00:00")
                                                     + FREEZE_WITHIN).isoformat(),
                    })
    now = audit.now_iso()
    with transaction(url) as conn:
        entries: list[audit.Entry] = []
        audit.lock_head(conn)
        due = (datetime.fromisoformat(now) + timedelta(hours=settings.sla_hours)).isoformat(timespec="microseconds")
        for key, items in case_alerts.items():
            severity = "FREEZE" if any(i["freeze"] for i in items) else "OBSERVE"
            case = conn.execute(select(t.cases).where(t.cases.c.party_key == key,
                                                      t.cases.c.status.in_(("open", "escalated", "release_requested")))
                                .order_by(t.cases.c.id)).first()
            if case is None:
                case_id = conn.execute(insert(t.cases).values(
                    party_key=key, party_name=items[0]["party"], severity=severity, status="open",
                    created_at=now, sla_due=due, updated_at=now).returning(t.cases.c.id)).scalar_one()
                entries.append(audit.Entry(actor, "open", "case", str(case_id), None,
                                           {"party_key": key, "severity": severity, "status": "open", "via": "rescreen"}))
            else:
                case_id = case.id
                if severity == "FREEZE" and case.severity != "FREEZE":
                    conn.execute(update(t.cases).where(t.cases.c.id == case_id).values(severity="FREEZE", updated_at=now))
            report["cases"].append(case_id)
            for item in items:
                conn.execute(insert(t.alerts).values(
                    case_id=case_id, payment_id=item["payment_id"], kind="rescreen", code="rescreen_match",
                    role=item["role"], entity_id=item["entity_id"], score=item["score"], detail=item, created_at=now))
                report["alerts"] += 1
                if item["freeze"]:
                    held = conn.execute(update(t.payments).where(t.payments.c.payment_id == item["payment_id"],
                                                                t.payments.c.hold.is_(None))
                                        .values(hold="held", hold_changed_at=now)).rowcount
                    if held:
                        report["held_payments"] += 1
                        entries.append(audit.Entry(actor, "hold_funds", "payment", item["payment_id"], {"hold": None},
                                                   {"hold": "held", "via": "rescreen", "entity_id": item["entity_id"],
                                                    "list": item["list"], "version": item["version"]}))
        for list_name, seq in latest.items():
            exists = conn.execute(select(t.rescreen_state).where(t.rescreen_state.c.list_name == list_name)).first()
            if exists is None:
                conn.execute(insert(t.rescreen_state).values(list_name=list_name, version=seq, at=now))
            else:
                conn.execute(update(t.rescreen_state).where(t.rescreen_state.c.list_name == list_name)
                             .values(version=seq, at=now))
        entries.append(audit.Entry(actor, "rescreen", "system", "rescreen", None,
                                   {k: report[k] for k in ("new_entries", "parties_screened", "alerts", "held_payments")}))
        audit.append(conn, entries)
    report["seconds"] = round(time.perf_counter() - started, 3)
    finished = datetime.now(UTC)
    report["within_24h_of_publication"] = all(
        finished <= datetime.fromisoformat((v["published_at"] or v["imported_at"]) if "T" in (v["published_at"] or v["imported_at"])
                                           else (v["published_at"] + "T00:00:00+00:00")) + FREEZE_WITHIN
        for v in report["versions"]
    )
    report["cases"] = sorted(set(report["cases"]))
    return report
