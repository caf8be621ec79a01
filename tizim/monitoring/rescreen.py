"""Rescreen: when a list version adds (or changes) entries, screen the stored counterparties
against those entries only and raise alerts. Kazakh practice: freeze within 24 hours of a
list's publication, so the report says how long this took and whether the deadline holds.

How:
  1. Pending versions: every list version without a row in mon_rescreens (one row per
     version, written in the same transaction as the alerts, so a re-run does nothing).
  2. New entries: the version's added and changed entities, as the registry holds them now.
  3. A small screener over just those entries (`Screener.from_entities`), scoring with the
     token weights of the full lists so a score here equals the score the full screener
     gives; candidates can only be new entries, so no filtering after the fact.
  4. Counterparties: the distinct parties (name, country, BIC) of payments decided before the
     version was imported, plus a margin: a long-running `tizim monitor` or API process
     follows list changes within seconds, not instantly. A payment that already has an alert
     for the entity is not alerted twice.
  5. Hits at or above match_threshold become `rescreen` alerts grouped into the party's case;
     at or above freeze_threshold on a designated entry the payments are held (FREEZE), unless
     already held or released.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from tizim.monitoring import audit
from tizim.monitoring import tables as t
from tizim.monitoring.decide import ACTIVE_CASE, meaningful
from tizim.monitoring.model import Party
from tizim.monitoring.screening import PartyQuery, PaymentScreener, party_query
from tizim.registry import tables as rt
from tizim.registry.model import Entity
from tizim.registry.service import Registry
from tizim.settings import get_settings
from tizim.store import transaction

FREEZE_WITHIN = timedelta(hours=24)
# Payments decided up to this long after a version's import may still have been screened
# against the list before it (a process refreshes its screener every few seconds).
DECIDED_MARGIN = timedelta(seconds=60)
ROLES = ("debtor", "creditor", "ultimate_debtor", "ultimate_creditor", "debtor_agent", "creditor_agent")
TEXT_FIELDS = ("remittance", "sender_info")


@dataclass
class _Version:
    list_name: str
    seq: int
    imported_at: str
    published_at: str | None
    new_ids: list[str] = field(default_factory=list)
    # Payments were decided before this version took effect: there is something to rescreen.
    relevant: bool = False

    @property
    def cutoff(self) -> str:
        moment = datetime.fromisoformat(self.imported_at) + DECIDED_MARGIN
        return moment.isoformat(timespec="microseconds")

    @property
    def deadline(self) -> datetime:
        return _moment(self.published_at or self.imported_at) + FREEZE_WITHIN


def _moment(value: str) -> datetime:
    """A publication date ("2026-02-01") or time, as an aware datetime (UTC when not given)."""
    moment = datetime.fromisoformat(value if "T" in value or " " in value else value + "T00:00:00")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _iso(value: datetime) -> str:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat(timespec="microseconds")


def _pending_versions(conn: Connection) -> list[_Version]:
    done = {(r.list_name, r.version) for r in conn.execute(select(t.rescreens.c.list_name, t.rescreens.c.version))}
    rows = conn.execute(
        select(rt.list_versions.c.list_name, rt.list_versions.c.seq, rt.list_versions.c.imported_at,
               rt.list_versions.c.published_at).order_by(rt.list_versions.c.list_name, rt.list_versions.c.seq)
    ).all()
    return [_Version(r.list_name, r.seq, _iso(r.imported_at), r.published_at)
            for r in rows if (r.list_name, r.seq) not in done]


def _entities(conn: Connection, ids: list[str]) -> list[Entity]:
    found: list[Entity] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = conn.execute(select(rt.entities.c.data)
                            .where(rt.entities.c.id.in_(chunk), rt.entities.c.removed_version_id.is_(None)))
        found.extend(Entity.from_dict(data) for (data,) in rows)
    return found


@dataclass
class _Counterparty:
    role: str
    party: Party
    query: PartyQuery
    payments: list[tuple[str, str]] = field(default_factory=list)  # (payment id, decided_at)


@dataclass
class _TextUse:
    """A stored payment's free text (remittance information, MT103 field 72)."""

    payment_id: str
    decided_at: str
    field: str
    party_key: str  # the alert goes to the creditor's case, as at decision time
    party_name: str | None


def _counterparties(conn: Connection, before: str
                    ) -> tuple[dict[tuple[str, ...], _Counterparty], dict[str, list[_TextUse]]]:
    """Distinct parties and distinct free texts of the payments decided before `before`,
    each with the payments it occurs in."""
    found: dict[tuple[str, ...], _Counterparty] = {}
    texts: dict[str, list[_TextUse]] = defaultdict(list)
    rows = conn.execute(select(t.payments.c.payment_id, t.payments.c.decided_at, t.payments.c.data)
                        .where(t.payments.c.decided_at < before))
    for pid, decided_at, data in rows:
        data = data or {}
        roles = [(role, data.get(role)) for role in ROLES]
        roles += [(f"intermediary_agent_{i + 1}", a) for i, a in enumerate(data.get("intermediary_agents") or [])]
        for role, value in roles:
            party = Party.from_dict(value) if isinstance(value, dict) else None
            pq = party_query(role, party) if party is not None else None
            if pq is None or party is None:
                continue
            cp = found.get(pq.cache_key())
            if cp is None:
                cp = found[pq.cache_key()] = _Counterparty(role, party, pq)
            cp.payments.append((pid, decided_at))
        creditor = Party.from_dict(data.get("creditor")) if isinstance(data.get("creditor"), dict) else None
        for name in TEXT_FIELDS:
            text = data.get(name)
            if isinstance(text, str) and text.strip():
                key = (creditor.key() if creditor else None) or "payment:" + pid
                texts[text].append(_TextUse(pid, decided_at, name, key, creditor.name if creditor else None))
    return found, texts


def rescreen(url: str | None = None, actor: str = "system", screener: Any = None) -> dict[str, Any]:
    """Rescreen stored counterparties against the entries of list versions not rescreened yet."""
    started = time.perf_counter()
    settings = get_settings()
    report: dict[str, Any] = {"versions": [], "new_entries": 0, "parties_screened": 0, "texts_screened": 0,
                              "alerts": 0, "held_payments": 0, "cases": [], "timings": {}}
    with transaction(url) as conn:
        pending = _pending_versions(conn)
        first = conn.execute(select(t.payments.c.decided_at).order_by(t.payments.c.decided_at).limit(1)).scalar()
    if not pending:
        return _finish(report, started, [])
    registry = Registry(url)
    entry_version: dict[str, _Version] = {}  # entity id -> the latest pending version that brought it
    for v in pending:
        v.relevant = first is not None and first < v.cutoff
        if not v.relevant:
            continue  # imported before any payment was decided: recorded, nothing to screen
        diff = registry.diff(v.list_name, v.seq - 1, v.seq)
        v.new_ids = [e["id"] for e in diff["added"] + diff["changed"]]
        for eid in v.new_ids:
            entry_version[eid] = v
    with transaction(url) as conn:
        entities = _entities(conn, sorted(entry_version))
        cutoff = max((v.cutoff for v in pending if v.new_ids), default="")
        parties, texts = _counterparties(conn, cutoff) if entities and cutoff else ({}, {})
    report["new_entries"] = len(entities)
    report["timings"]["read_s"] = round(time.perf_counter() - started, 3)

    items: dict[str, list[dict[str, Any]]] = defaultdict(list)  # party key -> alerts
    if entities and (parties or texts):
        t0 = time.perf_counter()
        from tizim.screening import Screener, get_screener

        full = screener if screener is not None else get_screener()
        ids = set(entry_version)
        same_as = [(r["source_id"], r["target_id"]) for r in registry.iter_relationships(kinds=["same_as"])
                   if r["source_id"] in ids and r["target_id"] in ids]
        small = PaymentScreener(Screener.from_entities(entities, same_as, weights_from=full, url=url))
        t1 = time.perf_counter()
        report["timings"]["index_s"] = round(t1 - t0, 3)
        cps = list(parties.values())
        results = small.match_parties([cp.query for cp in cps])
        report["parties_screened"] = len(cps)
        report["timings"]["screen_s"] = round(time.perf_counter() - t1, 3)
        for cp, found in zip(cps, results, strict=True):
            for r in found:
                score = float(r.score)
                if score < settings.match_threshold:
                    continue
                members, version = _version_of(r, entry_version)
                if version is None:
                    continue
                # only a designated entry of a sanctions list freezes (registry/kinds.py)
                freeze = (score >= settings.freeze_threshold and bool(getattr(r, "designated", True))
                          and "sanctions" in small.kinds_of(r))
                key = cp.party.key() or f"name:{cp.party.name or cp.party.bic}"
                for pid, decided_at in cp.payments:
                    if decided_at >= version.cutoff:
                        continue  # decided after this version was in force: screened against it
                    items[key].append({
                        "payment_id": pid, "role": cp.role, "party": cp.party.name or cp.party.bic,
                        "entity_id": r.entity_id, "members": members, "caption": r.caption,
                        "score": round(score, 4), "freeze": freeze, "list": version.list_name,
                        "version": version.seq, "deadline": version.deadline.isoformat(),
                        "code": "rescreen_match",
                    })
        # Free texts: a new entry's name in a stored remittance line or field 72. As at
        # decision time, a mention is an alert for an analyst (OBSERVE), not a hold.
        t2 = time.perf_counter()
        report["texts_screened"] = len(texts)
        for text, uses in texts.items():
            for span in small.engine.screen_text(text):
                if not meaningful(span.text):
                    continue
                for r in span.results:
                    score = float(r.score)
                    if score < settings.match_threshold or not getattr(r, "match", True):
                        continue
                    members, version = _version_of(r, entry_version)
                    if version is None:
                        continue
                    for use in uses:
                        if use.decided_at >= version.cutoff:
                            continue
                        items[use.party_key].append({
                            "payment_id": use.payment_id, "role": use.field, "party": use.party_name,
                            "entity_id": r.entity_id, "members": members, "caption": r.caption,
                            "score": round(score, 4), "freeze": False, "list": version.list_name,
                            "version": version.seq, "deadline": version.deadline.isoformat(),
                            "code": "rescreen_text", "text": span.text, "span": [span.start, span.end],
                        })
        report["timings"]["texts_s"] = round(time.perf_counter() - t2, 3)
    t3 = time.perf_counter()
    written = _write(url, actor, pending, items, report, settings.sla_hours, started)
    report["timings"]["write_s"] = round(time.perf_counter() - t3, 3)
    return _finish(report, started, written)


def _version_of(r: Any, entry_version: dict[str, _Version]) -> tuple[list[str], _Version | None]:
    """The new entries a result stands for, and the latest pending version that brought one."""
    members = [m for m in (getattr(r, "members", None) or [r.entity_id]) if m in entry_version]
    version = max((entry_version[m] for m in members), key=lambda v: v.cutoff,
                  default=entry_version.get(r.entity_id))
    return members, version


def _write(url: str | None, actor: str, pending: list[_Version], items: dict[str, list[dict[str, Any]]],
           report: dict[str, Any], sla_hours: float, started: float) -> list[_Version]:
    """Alerts, cases, holds and the mon_rescreens rows in one transaction; returns the versions
    this run recorded (none when a concurrent rescreen recorded them first)."""
    now = audit.now_iso()
    due = (datetime.fromisoformat(now) + timedelta(hours=sla_hours)).isoformat(timespec="microseconds")
    with transaction(url) as conn:
        audit.lock_head(conn)  # serializes with every other writer, including another rescreen
        still = {(v.list_name, v.seq) for v in _pending_versions(conn)}
        versions = [v for v in pending if (v.list_name, v.seq) in still]
        if not versions:
            return []
        keep = {(v.list_name, v.seq) for v in versions}
        entries: list[audit.Entry] = []
        per_version: dict[tuple[str, int], dict[str, int]] = defaultdict(lambda: {"alerts": 0, "held": 0})
        for key, all_items in items.items():
            todo = [i for i in all_items if (i["list"], i["version"]) in keep and not _alerted(conn, i)]
            if not todo:
                continue
            severity = "FREEZE" if any(i["freeze"] for i in todo) else "OBSERVE"
            case = conn.execute(select(t.cases).where(t.cases.c.party_key == key, t.cases.c.status.in_(ACTIVE_CASE))
                                .order_by(t.cases.c.id)).first()
            if case is None:
                case_id = conn.execute(insert(t.cases).values(
                    party_key=key, party_name=todo[0]["party"], severity=severity, status="open",
                    created_at=now, sla_due=due, updated_at=now).returning(t.cases.c.id)).scalar_one()
                entries.append(audit.Entry(actor, "open", "case", str(case_id), None,
                                           {"party_key": key, "severity": severity, "status": "open",
                                            "via": "rescreen"}))
            else:
                case_id = case.id
                if severity == "FREEZE" and case.severity != "FREEZE":
                    conn.execute(update(t.cases).where(t.cases.c.id == case_id)
                                 .values(severity="FREEZE", updated_at=now))
                    # every state change of a case is on the chain (audit.verify compares them)
                    entries.append(audit.Entry(actor, "raise_severity", "case", str(case_id),
                                               {"severity": case.severity}, {"severity": "FREEZE", "via": "rescreen"}))
            report["cases"].append(case_id)
            conn.execute(insert(t.alerts), [
                {"case_id": case_id, "payment_id": i["payment_id"], "kind": "rescreen", "code": i["code"],
                 "role": i["role"], "entity_id": i["entity_id"], "score": i["score"], "detail": i,
                 "created_at": now} for i in todo
            ])
            for i in todo:
                counts = per_version[(i["list"], i["version"])]
                counts["alerts"] += 1
                report["alerts"] += 1
                if not i["freeze"]:
                    continue
                held = conn.execute(update(t.payments).where(t.payments.c.payment_id == i["payment_id"],
                                                            t.payments.c.hold.is_(None))
                                    .values(hold="held", hold_changed_at=now)).rowcount
                if held:
                    counts["held"] += 1
                    report["held_payments"] += 1
                    entries.append(audit.Entry(actor, "hold_funds", "payment", i["payment_id"], {"hold": None},
                                               {"hold": "held", "via": "rescreen", "entity_id": i["entity_id"],
                                                "list": i["list"], "version": i["version"]}))
        elapsed = round(time.perf_counter() - started, 3)
        conn.execute(insert(t.rescreens), [
            {"list_name": v.list_name, "version": v.seq, "rescreened_at": now, "new_entries": len(v.new_ids),
             "parties_screened": report["parties_screened"] if v.new_ids else 0,
             "alerts": per_version[(v.list_name, v.seq)]["alerts"],
             "held_payments": per_version[(v.list_name, v.seq)]["held"], "seconds": elapsed}
            for v in versions
        ])
        entries.append(audit.Entry(actor, "rescreen", "system", "rescreen", None, {
            "versions": [f"{v.list_name}@{v.seq}" for v in versions],
            **{k: report[k] for k in ("new_entries", "parties_screened", "texts_screened", "alerts",
                                      "held_payments")},
        }))
        audit.append(conn, entries)
    return versions


def _alerted(conn: Connection, item: dict[str, Any]) -> bool:
    """The payment already has an alert naming this entity (at decision time or a rescreen)."""
    ids = sorted(set(item["members"]) | {item["entity_id"]})
    return conn.execute(select(t.alerts.c.id).where(t.alerts.c.payment_id == item["payment_id"],
                                                    t.alerts.c.entity_id.in_(ids)).limit(1)).first() is not None


def _finish(report: dict[str, Any], started: float, versions: list[_Version]) -> dict[str, Any]:
    finished = datetime.now(UTC)
    report["versions"] = [
        {"list": v.list_name, "version": v.seq, "imported_at": v.imported_at, "published_at": v.published_at,
         "new_entries": len(v.new_ids), "payments_before": v.relevant,
         "freeze_deadline": v.deadline.isoformat() if v.relevant else None,
         "within_deadline": finished <= v.deadline if v.relevant else None}
        for v in versions
    ]
    report["within_24h_of_publication"] = all(v["within_deadline"] is not False for v in report["versions"])
    report["cases"] = sorted(set(report["cases"]))
    report["seconds"] = round(time.perf_counter() - started, 3)
    return report
