"""Keep the book screened as lists change: each new list version is matched against the
customers it can concern, not the whole book against the whole lists.

Reverse screening: the version's added and changed entries make a small index (weighted as the
whole lists weigh their words); the book's name words (cust_tokens, written when a customer is
screened) are looked up in it with the engine's own candidate lookup (exact, near spellings,
dropped letters, two edits for long words); only customers holding such a word are screened,
by the same matcher, against the new entries. A customer screened against an index that
already held the version is skipped. Entries a version removes open a review in the cases of
the customers they had hit (unfreezing still takes the four-eyes release).

Every version is recorded in cust_rescreens once done, so a crash is resumed by `tizim rescreen`
and a re-run does nothing. `install()` makes every list import run this before it returns.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from tizim.customers import tables as t
from tizim.customers.freezes import Hit, Outcome, record_hits, refresh_status, review_delisted
from tizim.customers.matching import match_local
from tizim.customers.model import Customer
from tizim.customers.screen import (
    book_jobs,
    customer_rows,
    list_kinds,
    propagate_owners,
    published_iso,
    to_hits,
)
from tizim.monitoring import audit
from tizim.monitoring.bulk import chunks, in_values
from tizim.registry import tables as rt
from tizim.settings import get_settings
from tizim.store import transaction


@dataclass
class _Version:
    id: int
    list_name: str
    seq: int
    imported_at: str
    published_at: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def _iso(value: Any) -> str:
    stamp = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).isoformat(timespec="microseconds")


def _pending_versions(conn: Connection) -> list[_Version]:
    done = {(r.list_name, r.version) for r in conn.execute(select(t.rescreens.c.list_name, t.rescreens.c.version))}
    rows = conn.execute(select(rt.list_versions).order_by(rt.list_versions.c.imported_at, rt.list_versions.c.id)).all()
    return [_Version(r.id, r.list_name, r.seq, _iso(r.imported_at), published_iso(r.published_at, r.imported_at))
            for r in rows if (r.list_name, r.seq) not in done]


def _changes(conn: Connection, v: _Version) -> None:
    """The entries this version added or changed (still listed), and those it removed (still gone)."""
    rows = conn.execute(
        select(rt.entity_changes.c.entity_id, rt.entity_changes.c.change, rt.entities.c.removed_version_id)
        .join(rt.entities, rt.entities.c.id == rt.entity_changes.c.entity_id)
        .where(rt.entity_changes.c.version_id == v.id)).all()
    v.added = [eid for eid, change, gone in rows if change in ("added", "changed") and gone is None]
    v.removed = [eid for eid, change, gone in rows if change == "removed" and gone is not None]


def _entities(conn: Connection, ids: list[str]) -> list[Any]:
    from tizim.registry.model import Entity

    found: list[Any] = []
    for chunk in chunks(conn, ids, 500):
        rows = conn.execute(select(rt.entities.c.data).where(in_values(conn, rt.entities.c.id, chunk, "e"),
                                                             rt.entities.c.removed_version_id.is_(None)))
        found.extend(Entity.from_dict(data) for (data,) in rows)
    return found


def _near_words(conn: Connection, small: Any) -> dict[int, list[str]]:
    """For each word of the new entries (a token id of the small index): the book's words
    that are it or a near spelling of it, by the engine's own candidate lookup; a customer's
    initial stands near every word it begins ("А. Садыков")."""
    vocab = list(conn.execute(select(t.tokens.c.fold).distinct()).scalars())
    words = small.index.vocab
    near: dict[int, list[str]] = defaultdict(list)
    for fold in vocab:
        if len(fold) == 1:
            for tid, word in enumerate(words):
                if word.startswith(fold):
                    near[tid].append(fold)
            continue
        # a private engine call on purpose: the lookup must be exactly the one match() makes
        for tid in small._expand(fold):
            near[tid].append(fold)
    return near


def _candidates(conn: Connection, small: Any, cutoff: str) -> list[str]:
    """Open customers screened before `cutoff` who could match a new entry: who hold, for
    some listed name, near words for two of its distinctive parts (one when it has one).
    The engine never matches a name on one part of several: a person's name met by one part
    is capped under the match threshold, a company's by a generic word is no match."""
    near = _near_words(conn, small)
    idx = small.index
    holders: dict[int, set[str]] = {}

    def holding(tid: int) -> set[str]:
        found = holders.get(tid)
        if found is None:
            found = set()
            for chunk in chunks(conn, near[tid], 500):
                found.update(conn.execute(select(t.tokens.c.customer_id)
                                          .where(in_values(conn, t.tokens.c.fold, chunk, "f"))).scalars())
            holders[tid] = found
        return found

    ids: set[str] = set()
    for toks in idx.rec_tokens:
        parts = list(dict.fromkeys(toks))
        strong = [tid for tid in parts if not idx.vocab_generic[tid]] or parts
        met = [tid for tid in strong if tid in near]
        if len(strong) < 2:
            for tid in met:
                ids |= holding(tid)
            continue
        for i, a in enumerate(met):
            for b in met[i + 1:]:
                ids |= holding(a) & holding(b)
    out: list[str] = []
    for chunk in chunks(conn, sorted(ids), 500):
        out.extend(conn.execute(select(t.customers.c.customer_id).where(
            in_values(conn, t.customers.c.customer_id, chunk, "c"), t.customers.c.closed_at.is_(None),
            t.customers.c.screened_at < cutoff)).scalars())
    return sorted(out)


def rescreen_book(url: str | None = None, actor: str = "system", screener: Any = None,
                  workers: int = 1) -> dict[str, Any]:
    """Match every list version not yet rescreened against the book (see the module doc)."""
    started = time.perf_counter()
    url = url or get_settings().database_url
    report: dict[str, Any] = {"versions": [], "new_entries": 0, "removed_entries": 0, "candidates": 0,
                              "alerts": 0, "frozen": 0, "frozen_accounts": 0, "reviews": 0, "cases": []}
    with transaction(url) as conn:
        if conn.execute(select(func.count()).select_from(t.customers)).scalar_one() == 0:
            return _finish(report, started)  # no book yet: versions wait for the first screening
        pending = _pending_versions(conn)
        first = conn.execute(select(func.min(t.customers.c.screened_at))).scalar()
        for v in pending:
            if first is not None and first < v.imported_at:
                _changes(conn, v)
    if not pending:
        return _finish(report, started)
    relevant = [v for v in pending if v.added or v.removed]
    entry_version: dict[str, _Version] = {}
    for v in relevant:
        for eid in v.added:
            entry_version[eid] = v  # the latest version that brought or changed it
    total = Outcome()
    candidates: list[str] = []
    hits: dict[str, list[Hit]] = defaultdict(list)
    names: dict[str, str] = {}
    if entry_version:
        from tizim.registry.service import Registry
        from tizim.screening import Screener

        if screener is None:
            screener = _weights_source(url)
        with transaction(url) as conn:
            entities = _entities(conn, sorted(entry_version))
        ids = {e.id for e in entities}
        same_as = [(r["source_id"], r["target_id"]) for r in Registry(url).iter_relationships(kinds=["same_as"])
                   if r["source_id"] in ids and r["target_id"] in ids]
        small = Screener.from_entities(entities, same_as, weights_from=screener, url=url)
        cutoff = max(entry_version[e].imported_at for e in ids) if ids else ""
        with transaction(url) as conn:
            kinds = list_kinds(conn)
            candidates = _candidates(conn, small, cutoff) if ids else []
            rows: list[Any] = []
            for chunk in chunks(conn, candidates, 500):
                rows += customer_rows(conn, in_values(conn, t.customers.c.customer_id, chunk, "c"))
        customers = [Customer.from_stored(r.data) for r in rows]
        screened_at = {r.customer_id: r.screened_at for r in rows}
        names = {r.customer_id: r.name for r in rows}
        jobs = book_jobs(url, customers)
        results = match_local(small, jobs, workers)
        for job, (found, _) in zip(jobs, results, strict=True):
            fresh = []
            for r in found:
                came = max((entry_version[m] for m in [r["entity_id"], *r["members"]] if m in entry_version),
                           key=lambda x: x.imported_at, default=None)
                # screened against an index that already held this version: found then
                if came is not None and screened_at[job.customer_id] < came.imported_at:
                    fresh.append((r, came))
            for r, brought in fresh:
                hits[job.customer_id].extend(to_hits(
                    job, [r], {r["entity_id"]: (brought.list_name, brought.seq, brought.published_at)},
                    names[job.customer_id], kinds))
    report["new_entries"] = len(entry_version)
    report["removed_entries"] = sum(len(v.removed) for v in relevant)
    report["candidates"] = len(candidates)
    now = audit.now_iso()
    with transaction(url) as conn:
        head = audit.lock_head(conn)
        still = {(v.list_name, v.seq) for v in _pending_versions(conn)}
        todo = [v for v in pending if (v.list_name, v.seq) in still]
        if not todo:
            return _finish(report, started)  # a concurrent rescreen did it
        entries: list[audit.Entry] = []
        outcome = record_hits(conn, dict(hits), names, now, actor, entries)
        total.merge(outcome)
        for v in todo:
            report["reviews"] += review_delisted(conn, v.removed, v.list_name, v.seq, now, actor, entries)
        refresh_status(conn, sorted(hits))
        elapsed = round(time.perf_counter() - started, 3)
        conn.execute(insert(t.rescreens), [
            {"list_name": v.list_name, "version": v.seq, "rescreened_at": now, "new_entries": len(v.added),
             "removed_entries": len(v.removed), "candidates": len(candidates) if v.added else 0,
             "alerts": sum(1 for hs in hits.values() for h in hs if h.list_name == v.list_name
                           and h.list_version == v.seq),
             "frozen": sum(1 for hs in hits.values() if any(h.freeze and h.list_name == v.list_name
                                                           and h.list_version == v.seq for h in hs)),
             "seconds": elapsed}
            for v in todo
        ])
        if relevant:
            entries.append(audit.Entry(actor, "rescreen", "customer_book", "rescreen", None, {
                "versions": [f"{v.list_name}@{v.seq}" for v in todo], "candidates": len(candidates),
                "alerts": outcome.alerts, "frozen": outcome.frozen_customers}))
        audit.append(conn, entries, head)
        report["versions"] = [{"list": v.list_name, "version": v.seq, "published_at": v.published_at,
                               "imported_at": v.imported_at, "new_entries": len(v.added),
                               "removed_entries": len(v.removed)} for v in todo]
    if hits:
        total.merge(propagate_owners(url, actor, sorted(hits)))
    report.update(alerts=total.alerts, frozen=total.frozen_customers, frozen_accounts=total.frozen_accounts,
                  cases=sorted(total.cases))
    return _finish(report, started)


def _weights_source(url: str) -> Any:
    """A screener over the whole lists, for the new entries' word weights: the cached index
    as it was before this import (rebuilding the whole index inside every list import would
    cost more than the rescreen), else the process's screener."""
    from tizim.screening import Screener, get_screener
    from tizim.screening.index import cached_index

    index = cached_index(url)
    return Screener(index, url=url) if index is not None else get_screener()


def _finish(report: dict[str, Any], started: float) -> dict[str, Any]:
    report["seconds"] = round(time.perf_counter() - started, 3)
    return report


# ---- every list import re-screens the book before it returns ----------------------------------

_installed = False
_workers = 1  # the command line matches in forked workers; a server (threads) in its own process


def _after_import(result: Any) -> None:
    added = getattr(result, "added", 0) + getattr(result, "changed", 0) + getattr(result, "removed", 0)
    if not added:
        return
    try:
        report = rescreen_book(workers=_workers)
    except Exception as exc:  # the import stands; the version stays pending for `tizim rescreen`
        report = {"error": f"{type(exc).__name__}: {exc}", "pending": True}
    followups = getattr(result, "followups", None)
    if isinstance(followups, dict):
        followups["customers"] = report


def install(workers: int = 1) -> None:
    """Make every list import (CLI, HTTP, bootstrap) re-screen the book against what it changed
    (`workers`: processes forked to match; only where this process runs no other threads)."""
    global _installed, _workers
    _workers = max(1, workers)
    if _installed:
        return
    from tizim.registry.service import on_list_changed

    on_list_changed(_after_import)
    _installed = True
