"""Read-only queries the pages need beyond the domain services: list entries with search and
pagination, the graph of ties around an entity, what hit an entity, dashboard figures.

Reads the registry and monitoring tables; writes nothing.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import and_, func, or_, select

from tizim.registry import tables as rt
from tizim.screening import volume
from tizim.settings import get_settings
from tizim.store import transaction

PAGE_SIZE = 50
GRAPH_MAX_NODES = 120


def monitoring_present() -> bool:
    return importlib.util.find_spec("tizim.monitoring.tables") is not None


def contains(column: Any, needle: str) -> Any:
    """`column` contains `needle` in any case, Cyrillic too (SQLite's LIKE and lower() fold
    ASCII letters only): the needle as typed, lower, upper, title and capitalized."""
    forms = {needle, needle.lower(), needle.upper(), needle.title(), needle.capitalize()}
    return or_(*(column.like(f"%{form}%") for form in sorted(forms)))


def list_entries(name: str, search: str = "", page: int = 1, size: int = PAGE_SIZE,
                 include_removed: bool = False) -> dict[str, Any]:
    """One page of a list's entries, caption or any name containing `search` (any case)."""
    e = rt.entities
    where = [e.c.list_name == name, e.c.designated == 1]
    if not include_removed:
        where.append(e.c.removed_version_id.is_(None))
    needle = search.strip()
    if needle:
        named = select(rt.names.c.entity_id).where(contains(rt.names.c.name, needle))
        where.append(or_(contains(e.c.caption, needle), e.c.id.in_(named), e.c.id == needle))
    with transaction() as conn:
        total = conn.execute(select(func.count()).select_from(e).where(and_(*where))).scalar_one()
        rows = conn.execute(
            select(e.c.id, e.c.caption, e.c.schema, e.c.removed_version_id)
            .where(and_(*where)).order_by(e.c.caption, e.c.id)
            .limit(size).offset((max(page, 1) - 1) * size)
        ).all()
        ids = [r.id for r in rows]
        refs: dict[str, list[str]] = {}
        if ids:
            for entity_id, ref in conn.execute(
                select(rt.designations.c.entity_id, rt.designations.c.reference)
                .where(rt.designations.c.entity_id.in_(ids))
            ):
                refs.setdefault(entity_id, []).append(ref)
    return {
        "total": total,
        "page": max(page, 1),
        "pages": max(1, -(-total // size)),
        "rows": [{"id": r.id, "caption": r.caption, "schema": r.schema, "removed": r.removed_version_id is not None,
                  "refs": refs.get(r.id, [])} for r in rows],
    }


def graph(entity_id: str, hops: int = 2) -> dict[str, Any]:
    """Nodes and edges within `hops` ties of an entity (members, leaders, affiliates, owners)."""
    seen = {entity_id}
    frontier = {entity_id}
    edges: dict[str, dict[str, Any]] = {}
    with transaction() as conn:
        for _ in range(hops):
            if not frontier or len(seen) >= GRAPH_MAX_NODES:
                break
            rows = conn.execute(select(rt.relationships).where(or_(
                rt.relationships.c.source_id.in_(frontier), rt.relationships.c.target_id.in_(frontier)
            ))).all()
            nxt: set[str] = set()
            for r in rows:
                edges[r.id] = {"id": r.id, "source": r.source_id, "target": r.target_id, "kind": r.kind}
                for end in (r.source_id, r.target_id):
                    if end not in seen and len(seen) < GRAPH_MAX_NODES:
                        seen.add(end)
                        nxt.add(end)
            frontier = nxt
        info = {
            r.id: r for r in conn.execute(
                select(rt.entities.c.id, rt.entities.c.caption, rt.entities.c.schema, rt.entities.c.designated,
                       rt.entities.c.list_name).where(rt.entities.c.id.in_(seen))
            )
        }
    nodes = [
        {"id": node, "label": info[node].caption if node in info else node,
         "schema": info[node].schema if node in info else "Thing",
         "designated": bool(info[node].designated) if node in info else False,
         "known": node in info, "center": node == entity_id}
        for node in sorted(seen)
    ]
    kept = [edge for edge in edges.values() if edge["source"] in seen and edge["target"] in seen]
    return {"nodes": nodes, "edges": kept}


def hits(entity_id: str) -> dict[str, list[dict[str, Any]]]:
    """The cases whose alerts name this entity (and, with them, the parties and customers)."""
    if not monitoring_present():
        return {"cases": []}
    from tizim.monitoring import tables as mt

    with transaction() as conn:
        rows = conn.execute(
            select(mt.cases.c.id, mt.cases.c.party_name, mt.cases.c.party_key, mt.cases.c.severity,
                   mt.cases.c.status, func.max(mt.alerts.c.score).label("score"))
            .join(mt.alerts, mt.alerts.c.case_id == mt.cases.c.id)
            .where(mt.alerts.c.entity_id == entity_id)
            .group_by(mt.cases.c.id, mt.cases.c.party_name, mt.cases.c.party_key, mt.cases.c.severity,
                      mt.cases.c.status)
            .order_by(mt.cases.c.id.desc()).limit(200)
        ).all()
    return {"cases": [dict(r._mapping) for r in rows]}


def _day(value: str | None, zone: tzinfo) -> str | None:
    """The day of a stored ISO timestamp (UTC) in the reader's time zone."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value[:10]
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).date().isoformat()


def dashboard(sla_hours: float, days: int = 14, zone: tzinfo = UTC) -> dict[str, Any]:
    """Figures for the landing page: per-day alerts/freezes/releases (days in `zone`), the
    open queue by severity and SLA clock, each list's freshness, screening and payment volume."""
    now = datetime.now(UTC)
    first = (now.astimezone(zone) - timedelta(days=days - 1)).date()
    labels = [(first + timedelta(days=i)).isoformat() for i in range(days)]
    out: dict[str, Any] = {"days": labels, "generated_at": now.isoformat()}
    volume.flush(get_settings().database_url)  # this process's own pending counts first
    with transaction() as conn:
        screened = volume.per_day(conn, datetime.combine(first, time(), zone), zone)
        out["screening"] = {
            "series": [sum(screened.get(d, {}).values()) for d in labels],
            "today": {s: screened.get(labels[-1], {}).get(s, 0) for s in volume.SOURCES},
            "period": {s: sum(screened.get(d, {}).get(s, 0) for d in labels) for s in volume.SOURCES},
        }
        lists = []
        for lst in conn.execute(select(rt.lists).order_by(rt.lists.c.name)):
            latest = conn.execute(
                select(rt.list_versions).where(rt.list_versions.c.list_name == lst.name)
                .order_by(rt.list_versions.c.seq.desc()).limit(1)
            ).first()
            imported = latest.imported_at if latest else None
            if imported is not None and imported.tzinfo is None:
                imported = imported.replace(tzinfo=UTC)
            age = (now - imported).total_seconds() / 3600 if imported else None
            lists.append({"name": lst.name, "title": lst.title, "published_at": latest.published_at if latest else None,
                          "imported_at": imported, "age_hours": age,
                          "fresh": age is not None and age <= 24})
        out["lists"] = lists
        if not monitoring_present():
            return out
        from tizim.monitoring import tables as mt

        # A day earlier in UTC: the first local day may start the evening before.
        since = (first - timedelta(days=1)).isoformat()
        per_day: Counter[str] = Counter()
        statuses: Counter[tuple[str, str]] = Counter()
        for decided, status in conn.execute(
            select(mt.payments.c.decided_at, mt.payments.c.status).where(mt.payments.c.decided_at >= since)
        ):
            local = _day(decided, zone) or ""
            statuses[(local, status)] += 1
            per_day[local] += 1
        alerts = Counter(
            _day(c, zone) for (c,) in conn.execute(select(mt.alerts.c.created_at).where(mt.alerts.c.created_at >= since))
        )
        releases = Counter(
            _day(a, zone) for (a,) in conn.execute(
                select(mt.audit_log.c.at).where(and_(mt.audit_log.c.action == "release_funds",
                                                     mt.audit_log.c.at >= since)))
        )
        out["series"] = {
            "alerts": [alerts.get(d, 0) for d in labels],
            "freezes": [statuses.get((d, "FREEZE"), 0) for d in labels],
            "releases": [releases.get(d, 0) for d in labels],
            "payments": [per_day.get(d, 0) for d in labels],
        }
        totals: Counter[str] = Counter(
            dict(conn.execute(select(mt.payments.c.status, func.count()).group_by(mt.payments.c.status)).all())
        )
        out["payments"] = {"total": sum(totals.values()), **{k: totals.get(k, 0) for k in ("PASS", "OBSERVE", "FREEZE")},
                           "held": conn.execute(select(func.count()).select_from(mt.payments)
                                                .where(mt.payments.c.hold == "held")).scalar_one()}
        queue: dict[str, dict[str, int]] = {}
        for severity, due in conn.execute(
            select(mt.cases.c.severity, mt.cases.c.sla_due)
            .where(mt.cases.c.status.not_in(("confirmed", "dismissed", "released")))
        ):
            left = (datetime.fromisoformat(due) - now).total_seconds() / 3600
            bucket = "overdue" if left < 0 else "near" if left < 4 else "ok"
            row = queue.setdefault(severity, {"overdue": 0, "near": 0, "ok": 0, "total": 0})
            row[bucket] += 1
            row["total"] += 1
        out["queue"] = queue
    return out
