"""Screening the book: every customer (names, aliases, birth date, nationality, id number, and
the owners and directors given by name) against the lists, in batches that commit as they go.

A batch is one transaction: its hits, alerts, cases, freezes, the customers' name words (for
the delta rescreens) and their "screened" mark. A run that dies is resumed by the next one,
which takes the customers not screened at their current version. The matching itself runs in
forked worker processes sharing the index (`local`), or on Spark (`spark`: local mode here,
a cluster through SPARK_MASTER / spark-submit), with the same results.
"""

from __future__ import annotations

import gc
import os
import time
from collections import defaultdict, deque
from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import orjson
from sqlalchemy import Connection, Text, and_, cast, func, or_, select, update

from tizim.customers import tables as t
from tizim.customers.freeze_policy import freeze_withheld
from tizim.customers.freezes import Hit, Outcome, owner_hits, record_hits, refresh_status, statuses
from tizim.customers.matching import GC_YOUNG, Found, Job, jobs_for, matcher_for
from tizim.customers.model import Customer
from tizim.errors import InputError
from tizim.monitoring import audit
from tizim.monitoring.bulk import chunks, in_values, insert_rows
from tizim.screening import volume
from tizim.settings import get_settings
from tizim.store import transaction

ENGINES = ("local", "spark")
BATCH = 5_000  # customers per transaction
SPARK_BATCH = 25_000  # a Spark job costs about a second of its own: fewer, larger ones
AHEAD = 2  # batches submitted beyond the one being written


# ---- hits ------------------------------------------------------------------------------------


def entity_versions(conn: Connection, entity_ids: list[str]) -> dict[str, tuple[str, int, str]]:
    """entity id -> (list, version, published) of the list version that brought the entry."""
    from tizim.registry import tables as rt

    out: dict[str, tuple[str, int, str]] = {}
    for chunk in chunks(conn, sorted(set(entity_ids)), 500):
        rows = conn.execute(
            select(rt.entities.c.id, rt.list_versions.c.list_name, rt.list_versions.c.seq,
                   rt.list_versions.c.published_at, rt.list_versions.c.imported_at)
            .join(rt.list_versions, rt.list_versions.c.id == rt.entities.c.first_version_id)
            .where(in_values(conn, rt.entities.c.id, chunk, "e")))
        for eid, lst, seq, published, imported in rows:
            out[eid] = (lst, int(seq), published_iso(published, imported))
    return out


def published_iso(published: str | None, imported: Any) -> str:
    """A list version's publication as an ISO time (its import time when unknown)."""
    if published:
        text = str(published)
        return text + "T00:00:00+00:00" if len(text) == 10 else text
    stamp = imported if isinstance(imported, datetime) else datetime.fromisoformat(str(imported))
    return (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).isoformat()


def list_kinds(conn: Connection) -> dict[str, str]:
    """list name -> kind (sanctions, pep, watchlist, other: registry/kinds.py)."""
    from tizim.registry import tables as rt

    return dict(conn.execute(select(rt.lists.c.name, rt.lists.c.kind)).all())


def to_hits(job: Job, results: list[dict[str, Any]], versions: dict[str, tuple[str, int, str]],
            name: str, kinds: dict[str, str]) -> list[Hit]:
    """Hits at or above the match threshold. Only a designated entry of a sanctions list
    freezes; a PEP is enhanced due diligence and a watchlist an alert, never a freeze."""
    settings = get_settings()
    # an owner or director given by name is most often a person
    person = job.schema == "Person" or job.via != "name"
    out = []
    for r in results:
        score = float(r["score"])
        if score < settings.match_threshold:
            continue
        on = {kinds.get(lst, "other") for lst in (r["refs"] or {}) or r["lists"]}
        freeze = (score >= settings.freeze_threshold and r["designated"] and "sanctions" in on
                  and job.passes_freeze())
        withheld = freeze_withheld(r["explanation"], job.names, person) if freeze else None
        freeze = freeze and withheld is None
        lst, version, published = versions.get(r["entity_id"], (None, None, None))
        refs = "; ".join(f"{k} {', '.join(v)}" for k, v in sorted(r["refs"].items())) or ", ".join(r["lists"])
        if job.via == "name":
            who = f"customer {job.customer_id} ({name})"
        else:
            role, ref = job.via.split(":", 1)
            share = f", {job.share:g}%" if job.share is not None else ""
            who = f"{role} {ref!r}{share} of customer {job.customer_id} ({name})"
        verb = ("matches designated" if r["designated"] and "sanctions" in on else
                "matches a PEP (enhanced due diligence):" if "pep" in on else
                "matches listed" if r["designated"] else "resembles")
        out.append(Hit(
            entity_id=r["entity_id"], caption=r["caption"], score=round(score, 4), designated=r["designated"],
            freeze=bool(freeze), lists=r["lists"], refs=r["refs"], explanation=r["explanation"], via=job.via,
            reason=f"{'FREEZE' if freeze else 'possible match'}: {who} {verb} {r['caption']} ({refs}), "
                   f"score {score:.2f}" + (f"; not frozen: {withheld}" if withheld else ""),
            list_name=lst, list_version=version, published_at=published))
    return out


# ---- the run -----------------------------------------------------------------------------------


def _unscreened() -> Any:
    """Open customers not screened at their current version (what a run screens)."""
    return and_(t.customers.c.closed_at.is_(None),
                or_(t.customers.c.screened_version.is_(None),
                    t.customers.c.screened_version != t.customers.c.version))


def customer_rows(conn: Connection, where: Any, limit: int | None = None) -> list[Any]:
    """Customers to screen, their record read as text and parsed with orjson (SQLAlchemy's
    JSON type would use json.loads: a sixth of a batch's time in this process)."""
    query = (select(t.customers.c.customer_id, cast(t.customers.c.data, Text).label("data"),
                    t.customers.c.version, t.customers.c.name, t.customers.c.screened_at)
             .where(where).order_by(t.customers.c.customer_id))
    rows = conn.execute(query.limit(limit) if limit is not None else query).all()
    return [SimpleNamespace(customer_id=r.customer_id, data=orjson.loads(r.data), version=r.version, name=r.name,
                            screened_at=r.screened_at) for r in rows]


def count_pending(url: str | None = None) -> int:
    with transaction(url) as conn:
        return int(conn.execute(select(func.count()).select_from(t.customers).where(_unscreened())).scalar_one())


def screen_book(url: str | None = None, engine: str = "local", workers: int | None = None,
                actor: str = "system", screener: Any = None, batch: int | None = None,
                advance: Callable[[int], None] | None = None,
                only: list[str] | None = None) -> dict[str, Any]:
    """Screen every open customer not yet screened at its current version; resumable.
    `only`: just these customers (onboarding over HTTP). One batch is matched while the one
    before it is written."""
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r} (local or spark)", field="engine")
    started = time.perf_counter()
    url = url or get_settings().database_url
    if screener is None:
        from tizim.screening import get_screener

        screener = get_screener()
    workers = workers if workers is not None else (os.cpu_count() or 1)
    batch = batch or (SPARK_BATCH if engine == "spark" else BATCH)
    indexed_at = datetime.fromtimestamp(getattr(screener, "built_at", time.time()), UTC).isoformat(
        timespec="microseconds")
    report: dict[str, Any] = {"screened": 0, "alerts": 0, "frozen": 0, "frozen_accounts": 0, "cases": [],
                              "engine": engine}
    total = Outcome()
    matcher = matcher_for(engine, url, screener, workers)
    # batches matched ahead of the one being written: with a queue a worker (matching.py), a
    # worker through with its part of one batch goes on with the next while the other ends
    in_flight: deque[tuple[list[Any], list[Job], Future[list[Found]]]] = deque()
    gc_threshold = gc.get_threshold()
    if only is None:
        # a batch's rows, jobs and hits live until it is written: collected young as the
        # default thresholds do, they were a sixth of this process's time
        gc.set_threshold(max(gc_threshold[0], GC_YOUNG), *gc_threshold[1:])
    try:
        after: str | None = ""
        while in_flight or after is not None:
            while after is not None and len(in_flight) <= AHEAD:
                with transaction(url) as conn:
                    if only is not None:
                        rows = customer_rows(conn, t.customers.c.customer_id.in_(only)) if after == "" else []
                    else:
                        rows = customer_rows(conn, and_(_unscreened(), t.customers.c.customer_id > after), batch)
                after = rows[-1].customer_id if rows else None
                if rows:
                    jobs = book_jobs(url, [Customer.from_stored(r.data) for r in rows])
                    in_flight.append((rows, jobs, matcher.submit(jobs)))
            if in_flight:
                done_rows, done_jobs, future = in_flight.popleft()
                total.merge(_write_batch(url, done_rows, done_jobs, future.result(), indexed_at, actor))
                report["screened"] += len(done_rows)
                if advance is not None:
                    advance(len(done_rows))
        total.merge(propagate_owners(url, actor))
    finally:
        for _, _, future in in_flight:
            future.cancel()
        matcher.close()
        gc.set_threshold(*gc_threshold)
    report.update(alerts=total.alerts, frozen=total.frozen_customers, frozen_accounts=total.frozen_accounts,
                  cases=sorted(total.cases), seconds=round(time.perf_counter() - started, 3))
    return report


def book_jobs(url: str, customers: list[Customer]) -> list[Job]:
    """The queries of these customers; their owners and directors who are customers of the
    book are screened as themselves, the others by name."""
    known = customers_among(url, {ln.ref for c in customers for ln in [*c.owners, *c.directors]})
    return [j for c in customers for j in jobs_for(c, known)]


def customers_among(url: str, refs: set[str]) -> set[str]:
    """Which owner and director references are customer ids of the book."""
    if not refs:
        return set()
    found: set[str] = set()
    with transaction(url) as conn:
        for chunk in chunks(conn, sorted(refs), 500):
            found.update(conn.execute(select(t.customers.c.customer_id)
                                      .where(in_values(conn, t.customers.c.customer_id, chunk, "r"))).scalars())
    return found


def _write_batch(url: str, rows: list[Any], jobs: list[Job],
                 results: list[Found], indexed_at: str, actor: str) -> Outcome:
    names = {r.customer_id: r.name for r in rows}
    folds: dict[str, list[str]] = defaultdict(list)
    hit_jobs = [(job, found) for job, (found, _) in zip(jobs, results, strict=True) if found]
    for job, (_, fs) in zip(jobs, results, strict=True):
        folds[job.customer_id].extend(fs)
    now = audit.now_iso()
    with transaction(url) as conn:
        head = audit.lock_head(conn)
        entries: list[audit.Entry] = []
        versions = entity_versions(conn, [r["entity_id"] for _, found in hit_jobs for r in found])
        kinds = list_kinds(conn) if hit_jobs else {}
        hits: dict[str, list[Hit]] = defaultdict(list)
        for job, found in hit_jobs:
            hits[job.customer_id].extend(to_hits(job, found, versions, names[job.customer_id], kinds))
        outcome = record_hits(conn, hits, names, now, actor, entries)
        ids = [r.customer_id for r in rows]
        for chunk in chunks(conn, ids, 500):
            conn.execute(t.tokens.delete().where(in_values(conn, t.tokens.c.customer_id, chunk, "c")))
        insert_rows(conn, t.tokens, [{"fold": f, "customer_id": cid}
                                     for cid, fs in folds.items() for f in sorted(set(fs))])
        # the version screened and the status it leaves, in one update of each row (a row
        # rewritten twice was a fifth of this process's time, and twice the server's writes)
        now_status = statuses(conn, ids)
        groups: dict[tuple[int, str], list[str]] = defaultdict(list)
        for r in rows:
            groups[(r.version, now_status.get(r.customer_id, ("clear", ""))[0])].append(r.customer_id)
        for (version, status), group in groups.items():
            for chunk in chunks(conn, group, 500):
                conn.execute(update(t.customers).where(in_values(conn, t.customers.c.customer_id, chunk, "c"))
                             .values(screened_version=version, screened_at=indexed_at, status=status))
        volume.add(conn, "customers", len(rows))  # the dashboard's screening volume, with the batch
        audit.append(conn, entries, head)
    return outcome


def propagate_owners(url: str | None, actor: str, person_ids: list[str] | None = None) -> Outcome:
    """Organizations owned or directed by customers with a designated hit get their own hit."""
    now = audit.now_iso()
    with transaction(url) as conn:
        hits = owner_hits(conn, person_ids)
        if not hits:
            return Outcome()
        head = audit.lock_head(conn)
        entries: list[audit.Entry] = []
        names = dict(conn.execute(select(t.customers.c.customer_id, t.customers.c.name)
                                  .where(t.customers.c.customer_id.in_(sorted(hits)))).all())
        outcome = record_hits(conn, hits, names, now, actor, entries)
        refresh_status(conn, sorted(hits))
        audit.append(conn, entries, head)
    return outcome
