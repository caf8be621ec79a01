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
import multiprocessing as mp
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, update

from tizim.customers import tables as t
from tizim.customers.freezes import Hit, Outcome, owner_hits, party_key, record_hits, refresh_status
from tizim.customers.model import Customer
from tizim.errors import InputError
from tizim.monitoring import audit
from tizim.monitoring.bulk import chunks, in_values, insert_rows
from tizim.screening import volume
from tizim.settings import get_settings
from tizim.store import transaction

ENGINES = ("local", "spark")
BATCH = 5_000
CHUNK = 200  # queries per worker task
MAX_FOLD = 64


@dataclass(frozen=True)
class Job:
    """One query of one customer: its own names, or an owner or director given by name."""

    customer_id: str
    via: str
    schema: str
    names: tuple[str, ...]
    birth_dates: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    identifiers: tuple[tuple[str, str], ...] = ()
    share: float | None = None  # an owner's share, when the book gives it

    def passes_freeze(self) -> bool:
        """A hit on the customer's own names freezes; through an owner of more than half
        (or of an unstated share) too, as funds owned or controlled by a designated person
        are frozen; through a director or a minority owner it alerts."""
        if self.via == "name":
            return True
        return self.via.startswith("owner:") and (self.share is None or self.share > 50)

    def query(self) -> Any:
        from tizim.screening import Query

        return Query(schema=self.schema, names=list(self.names), birth_dates=list(self.birth_dates),
                     countries=list(self.countries), identifiers=list(self.identifiers),
                     id=party_key(self.customer_id))


def jobs_for(customer: Customer, customer_ids: set[str]) -> list[Job]:
    """The queries of one customer; owners and directors that are customers of the book are
    screened as themselves and reach the organization through owner_hits()."""
    countries = tuple(dict.fromkeys(c for c in (customer.nationality, customer.country) if c))
    ids = ((customer.id_kind(), customer.id_number),) if customer.id_number else ()
    out = [Job(customer.customer_id, "name", customer.schema, tuple(customer.names),
               (customer.birth_date,) if customer.birth_date else (), countries, ids)]
    for link in [*customer.owners, *customer.directors]:
        if link.ref not in customer_ids:
            out.append(Job(customer.customer_id, f"{link.role}:{link.ref}", "LegalEntity", (link.ref,),
                           share=link.share))
    return out


def name_folds(names: Iterable[str], schema: str) -> set[str]:
    """The words of names as the engine folds them (what the delta rescreen looks up)."""
    from tizim.screening.normalize import fold_token, name_tokens

    tok_schema = None if schema in ("Thing", "LegalEntity") else schema
    out: set[str] = set()
    for name in names:
        for tok in name_tokens(name, tok_schema):
            fold = fold_token(tok)
            if fold:
                out.add(fold[:MAX_FOLD])
    return out


# ---- matching, in this process or in workers -------------------------------------------------

_screener: Any = None  # the workers' screener, inherited through fork
_jobs: list[Job] = []


def payload(r: Any) -> dict[str, Any]:
    """What a hit needs of a Result, as plain data (it crosses process boundaries)."""
    return {"entity_id": r.entity_id, "caption": r.caption, "score": float(r.score),
            "designated": bool(getattr(r, "designated", True)),
            "lists": list(r.lists), "refs": dict(r.refs), "explanation": r.explanation,
            "members": list(getattr(r, "members", []) or [])}


def match_job(screener: Any, job: Job, floor: float) -> tuple[list[dict[str, Any]], list[str]]:
    results = [payload(r) for r in screener.match(job.query(), limit=5, floor=floor) if float(r.score) >= floor]
    folds = sorted(name_folds(job.names, job.schema)) if job.via == "name" else []
    return results, folds


def _match_range(span: tuple[int, int, float]) -> list[tuple[list[dict[str, Any]], list[str]]]:
    a, b, floor = span
    return [match_job(_screener, job, floor) for job in _jobs[a:b]]


def match_local(screener: Any, jobs: list[Job], workers: int) -> list[tuple[list[dict[str, Any]], list[str]]]:
    global _screener, _jobs
    floor = get_settings().match_threshold
    spans = [(a, min(a + CHUNK, len(jobs)), floor) for a in range(0, len(jobs), CHUNK)]
    _screener, _jobs = screener, jobs
    out: list[tuple[list[dict[str, Any]], list[str]]] = []
    try:
        if workers > 1 and len(spans) > 1:
            gc.collect()
            gc.freeze()  # the index stays shared with the children, page for page
            try:
                with mp.get_context("fork").Pool(min(workers, len(spans))) as pool:
                    for part in pool.imap(_match_range, spans):
                        out.extend(part)
            finally:
                gc.unfreeze()
        else:
            for span in spans:
                out.extend(_match_range(span))
    finally:
        _screener, _jobs = None, []
    return out


def _spark_partition(rows: Iterable[tuple[int, Job]], url: str, floor: float
                     ) -> Iterator[tuple[int, list[dict[str, Any]], list[str]]]:
    from tizim import settings
    from tizim.screening.engine import Screener

    settings.override(database_url=url)
    screener = None
    for pos, job in rows:
        if screener is None:  # loaded once per partition, from the on-disk index cache
            screener = Screener.from_registry(url)
        results, folds = match_job(screener, job, floor)
        yield pos, results, folds


class SparkMatcher:
    """The same matching on Spark: each partition loads the index from its on-disk cache."""

    def __init__(self, url: str) -> None:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        from pyspark.sql import SparkSession

        from tizim.screening.index import load_index

        load_index(url)  # build or refresh the cache once, here
        self.url = url
        active = SparkSession.getActiveSession()
        self.owned = active is None
        self.spark = active or (SparkSession.builder.master(os.environ.get("SPARK_MASTER", "local[*]"))
                                .appName("tizim-customers").config("spark.ui.enabled", "false")
                                .getOrCreate())
        self.spark.sparkContext.setLogLevel("ERROR")

    def __call__(self, jobs: list[Job]) -> list[tuple[list[dict[str, Any]], list[str]]]:
        sc = self.spark.sparkContext
        url, floor = self.url, get_settings().match_threshold
        parts = max(1, min(len(jobs) // 500, sc.defaultParallelism * 4)) if jobs else 1
        rdd = sc.parallelize(list(enumerate(jobs)), parts)
        got = rdd.mapPartitions(lambda rows: _spark_partition(rows, url, floor)).collect()
        out: list[tuple[list[dict[str, Any]], list[str]]] = [([], [])] * len(jobs)
        for pos, results, folds in got:
            out[pos] = (results, folds)
        return out

    def close(self) -> None:
        if self.owned:
            self.spark.stop()


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
    out = []
    for r in results:
        score = float(r["score"])
        if score < settings.match_threshold:
            continue
        on = {kinds.get(lst, "other") for lst in (r["refs"] or {}) or r["lists"]}
        freeze = (score >= settings.freeze_threshold and r["designated"] and "sanctions" in on
                  and job.passes_freeze())
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
                   f"score {score:.2f}",
            list_name=lst, list_version=version, published_at=published))
    return out


# ---- the run -----------------------------------------------------------------------------------


def _unscreened() -> Any:
    """Open customers not screened at their current version (what a run screens)."""
    return and_(t.customers.c.closed_at.is_(None),
                or_(t.customers.c.screened_version.is_(None),
                    t.customers.c.screened_version != t.customers.c.version))


def _pending(conn: Connection, limit: int, after: str) -> list[Any]:
    return list(conn.execute(
        select(t.customers.c.customer_id, t.customers.c.data, t.customers.c.version, t.customers.c.name)
        .where(_unscreened(), t.customers.c.customer_id > after)
        .order_by(t.customers.c.customer_id).limit(limit)).all())


def count_pending(url: str | None = None) -> int:
    with transaction(url) as conn:
        return int(conn.execute(select(func.count()).select_from(t.customers).where(_unscreened())).scalar_one())


def screen_book(url: str | None = None, engine: str = "local", workers: int | None = None,
                actor: str = "system", screener: Any = None, batch: int = BATCH,
                advance: Callable[[int], None] | None = None,
                only: list[str] | None = None) -> dict[str, Any]:
    """Screen every open customer not yet screened at its current version; resumable.
    `only`: just these customers (onboarding over HTTP)."""
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r} (local or spark)", field="engine")
    started = time.perf_counter()
    url = url or get_settings().database_url
    if screener is None:
        from tizim.screening import get_screener

        screener = get_screener()
    spark = SparkMatcher(url) if engine == "spark" else None
    workers = workers if workers is not None else (os.cpu_count() or 1)
    indexed_at = datetime.fromtimestamp(getattr(screener, "built_at", time.time()), UTC).isoformat(
        timespec="microseconds")
    report: dict[str, Any] = {"screened": 0, "alerts": 0, "frozen": 0, "frozen_accounts": 0, "cases": [],
                              "engine": engine}
    total = Outcome()
    try:
        after = ""
        while True:
            with transaction(url) as conn:
                rows: list[Any]
                if only is not None:
                    rows = list(conn.execute(select(t.customers.c.customer_id, t.customers.c.data, t.customers.c.version,
                                               t.customers.c.name)
                                             .where(t.customers.c.customer_id.in_(only))).all()) if after == "" else []
                else:
                    rows = _pending(conn, batch, after)
            if not rows:
                break
            after = rows[-1].customer_id
            customers = [Customer.from_stored(r.data) for r in rows]
            jobs = book_jobs(url, customers)
            results = spark(jobs) if spark is not None else match_local(screener, jobs, workers)
            outcome = _write_batch(url, rows, jobs, results, indexed_at, actor)
            total.merge(outcome)
            report["screened"] += len(rows)
            if advance is not None:
                advance(len(rows))
        total.merge(propagate_owners(url, actor))
    finally:
        if spark is not None:
            spark.close()
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
                 results: list[tuple[list[dict[str, Any]], list[str]]], indexed_at: str, actor: str) -> Outcome:
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
        by_version: dict[int, list[str]] = defaultdict(list)
        for r in rows:
            by_version[r.version].append(r.customer_id)
        for version, group in by_version.items():
            for chunk in chunks(conn, group, 500):
                conn.execute(update(t.customers).where(in_values(conn, t.customers.c.customer_id, chunk, "c"))
                             .values(screened_version=version, screened_at=indexed_at))
        refresh_status(conn, ids)
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
