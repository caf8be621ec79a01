"""How monitoring screens a payment: one query per party, free text through screen_text,
with a per-run cache so a name that recurs (a salary run, a regular supplier) is screened
once. Talks to the screening engine through its public API (match, screen_text, dismiss)
and reads the identifiers of the index's listed parties to find banks by BIC.

A bank (or any party) that comes with a BIC is also looked up by that BIC among the SWIFT/BIC
identifiers of the listed parties: OFAC, the UK and the EU list designated banks with their
BIC, and a payment routed through one must not pass because the message names the bank by
its BIC only. An identical BIC scores IDENTIFIER_SCORE, the engine's floor for an identical
identifier; the first 8 characters (bank, country, location) decide, since a designation
covers every branch ("all offices worldwide").

`tizim monitor` may screen in forked worker processes (`ScreeningPool`): the parent sends
a share of the next batch's new parties, and its texts, ahead (`prefetch`) and takes the
results back before it decides that batch (`collect`), so screening overlaps the previous
batch's database work; the parent screens the rest of the batch itself when it decides it
(`screen`), the share being set so that neither side waits long for the other (`_Balance`).
"""

from __future__ import annotations

import multiprocessing as mp
import re
import resource
import signal
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult
from typing import Any

from sqlalchemy import Connection, select

from tizim.monitoring.model import Party, Payment
from tizim.registry.importers.base import bics_in_text
from tizim.settings import get_settings

CACHE_SIZE = 200_000
# The engine's score floor for an identical identifier of the same type (engine.py).
IDENTIFIER_SCORE = 0.97

PARTY_SCHEMA = {"debtor": "LegalEntity", "creditor": "LegalEntity", "ultimate_debtor": "LegalEntity",
                "ultimate_creditor": "LegalEntity"}

_BIC = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$")


def norm_bic(value: str | None) -> str | None:
    """A BIC in capitals without spaces, or None when it does not look like one."""
    if not value:
        return None
    bic = "".join(value.split()).upper()
    return bic if _BIC.match(bic) else None


@dataclass(frozen=True)
class PartyQuery:
    schema: str
    name: str
    country: str
    bic: str
    subject_key: str

    def cache_key(self) -> tuple[str, str, str, str, str]:
        key = self.__dict__.get("_cache_key")
        if key is None:  # computed once: it is asked for several times per party
            key = (self.schema, " ".join(self.name.lower().split()), self.country, self.bic, self.subject_key)
            object.__setattr__(self, "_cache_key", key)
        return key


def party_query(role: str, party: Party) -> PartyQuery | None:
    """The query for one party; agents (banks) are screened by name and BIC. Kept on the
    party (parsing is over when screening starts), as Party.key() is."""
    cached = party.__dict__.get("_query")
    if cached is not None and cached[0] == role:
        return cached[1]
    name = party.name or ""
    bic = (party.bic or "").upper()
    pq = None
    if name or bic:
        schema = PARTY_SCHEMA.get(role, "Organization")
        pq = PartyQuery(schema, name, (party.country or "").upper(), bic, party.key() or "")
    party.__dict__["_query"] = (role, pq)
    return pq


def payment_queries(payment: Payment) -> list[tuple[str, Party, PartyQuery]]:
    """(role, party, query) of every party of a payment worth screening; computed once."""
    cached: list[tuple[str, Party, PartyQuery]] | None = payment.__dict__.get("_queries")
    if cached is None:
        cached = []
        for role, party in payment.parties():
            pq = party_query(role, party)
            if pq is not None:
                cached.append((role, party, pq))
        payment.__dict__["_queries"] = cached
    return cached


class _LRU(OrderedDict[Any, Any]):
    def put(self, key: Any, value: Any) -> None:
        self[key] = value
        self.move_to_end(key)
        if len(self) > CACHE_SIZE:
            self.popitem(last=False)


def _query(pq: PartyQuery) -> Any:
    from tizim.screening import Query

    return Query(
        schema=pq.schema,
        names=[pq.name],
        countries=[pq.country] if pq.country else [],
        identifiers=[("swift_bic", pq.bic)] if pq.bic else [],
        id=pq.subject_key or None,
    )


def plain_match(engine: Any, queries: list[Any], floor: float) -> list[list[Any]]:
    """Match without remembered dismissals, keeping results at or above `floor` (the lowest
    threshold anyone reads); what the parent and the worker processes both run."""
    return [[r for r in engine.match(q, limit=5) if float(r.score) >= floor] for q in queries]


# ---- banks by BIC ----------------------------------------------------------------------


class BicIndex:
    """SWIFT/BIC identifiers of the listed parties of one screener, by their first 8 characters."""

    def __init__(self, engine: Any) -> None:
        self.by_bank: dict[str, list[tuple[Any, str]]] = {}
        index = getattr(engine, "index", None)
        for cluster in getattr(index, "clusters", None) or []:
            seen: set[str] = set()
            for tclass, value, shown in cluster.identifiers:
                found = [norm_bic(value)] if tclass == "swift_bic" else []
                found += [norm_bic(code) for code in bics_in_text(shown)]
                for bic in found:
                    if bic and bic not in seen:
                        seen.add(bic)
                        self.by_bank.setdefault(bic[:8], []).append((cluster, bic))

    def __len__(self) -> int:
        return len(self.by_bank)

    def results(self, bic: str | None) -> list[Any]:
        """Results for the listed parties that hold this BIC (or another branch of its bank)."""
        from tizim.screening import Result

        query = norm_bic(bic)
        if query is None:
            return []
        out: list[Any] = []
        for cluster, listed in self.by_bank.get(query[:8], []):
            same = query == listed or {query, listed} == {query[:8], query[:8] + "XXX"}
            detail = (f"identical swift_bic {listed}" if same
                      else f"swift_bic {query}: a branch of the listed bank {listed}")
            refs = dict(cluster.refs)
            out.append(Result(
                entity_id=cluster.id, caption=cluster.caption, schema=cluster.schema, score=IDENTIFIER_SCORE,
                match=bool(cluster.designated and get_settings().match_threshold <= IDENTIFIER_SCORE),
                lists=sorted(refs) or list(cluster.lists), refs=refs,
                explanation={"query_bic": query, "matched_bic": listed, "method": "identifier (SWIFT/BIC)",
                             "identifier": {"adjustment": 0.0, "floor": IDENTIFIER_SCORE, "detail": detail}},
                designated=bool(cluster.designated), members=list(cluster.members),
                properties=cluster.properties(),
            ))
        return out


def merge_results(by_name: list[Any], by_bic: list[Any]) -> list[Any]:
    """One result per listed party, the higher score kept, best first."""
    if not by_bic:
        return by_name
    best: dict[str, Any] = {}
    for r in [*by_name, *by_bic]:
        cur = best.get(r.entity_id)
        if cur is None or float(r.score) > float(cur.score):
            best[r.entity_id] = r
    return sorted(best.values(), key=lambda r: (-float(r.score), r.entity_id))


# ---- worker processes ------------------------------------------------------------------

_pool_engine: Any = None  # set in the parent just before the fork; the children inherit it


def _quiet() -> None:
    # Ctrl-C reaches the whole process group: the parent stops the workers itself
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _work(job: tuple[list[tuple[str, str, str, str]], list[str], float]
          ) -> tuple[list[list[Any]], list[list[Any]], float]:
    # parties travel as plain tuples (schema, name, country, BIC): the cheapest to pickle
    started = time.perf_counter()
    queries, texts, floor = job
    engine = _pool_engine
    built = [_query(PartyQuery(schema, name, country, bic, "")) for schema, name, country, bic in queries]
    found = plain_match(engine, built, floor)
    spans = [list(engine.screen_text(t)) for t in texts]
    return found, spans, time.perf_counter() - started


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class ScreeningPool:
    """Forked processes that share the parent's screening index (copy-on-write; the caller
    has frozen it out of the garbage collector so the pages stay shared)."""

    def __init__(self, engine: Any, workers: int) -> None:
        global _pool_engine
        _pool_engine = engine
        self.engine = engine
        self.workers = workers
        self._cpu_before = _children_cpu()
        self._pool = mp.get_context("fork").Pool(workers, initializer=_quiet)
        self.cpu_seconds = 0.0

    def submit(self, queries: list[tuple[str, str, str, str]], texts: list[str], floor: float) -> list[tuple[AsyncResult[Any], int, int]]:
        """Split the work in a few pieces per worker; (result, #queries, #texts) each."""
        jobs: list[tuple[AsyncResult[Any], int, int]] = []
        pieces = 2 * self.workers
        q_step = max(16, -(-len(queries) // pieces))
        for start in range(0, len(queries), q_step):
            chunk = queries[start : start + q_step]
            jobs.append((self._pool.apply_async(_work, ((chunk, [], floor),)), len(chunk), 0))
        if texts:
            t_step = max(8, -(-len(texts) // pieces))
            for start in range(0, len(texts), t_step):
                chunk_t = texts[start : start + t_step]
                jobs.append((self._pool.apply_async(_work, (([], chunk_t, floor),)), 0, len(chunk_t)))
        return jobs

    def close(self, wait: bool = True) -> None:
        if wait:
            self._pool.close()
        else:
            self._pool.terminate()
        self._pool.join()
        # the children are reaped now: their CPU counts (the run's CPU is parent + children)
        self.cpu_seconds = max(0.0, _children_cpu() - self._cpu_before)


class _Balance:
    """Which share of a batch's parties the workers screen. This process screens the rest
    itself, while the workers screen, instead of waiting for them: the share is set so that
    the workers finish as this process comes back for the results (estimated from the last
    batches' timings, so it follows the load of a shared machine)."""

    SMOOTH = 0.5
    LOWEST = 0.2

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.share = 1.0 if workers > 1 else 0.75
        self.worker_rate: float | None = None  # seconds per party in one worker
        self.local_rate: float | None = None  # seconds per party in this process
        self.other: float | None = None  # seconds per cycle this process spends on the rest
        self._cycle_start: float | None = None
        self._local = 0.0
        self._wait = 0.0

    @classmethod
    def _mix(cls, old: float | None, new: float) -> float:
        return new if old is None else old + cls.SMOOTH * (new - old)

    def cycle(self) -> None:
        """A new batch is about to be sent: close the timing of the previous cycle."""
        now = time.perf_counter()
        if self._cycle_start is not None:
            self.other = self._mix(self.other, max(0.0, now - self._cycle_start - self._local - self._wait))
        self._cycle_start, self._local, self._wait = now, 0.0, 0.0

    def local(self, seconds: float, parties: int) -> None:
        self._local += seconds
        if parties >= 20:
            self.local_rate = self._mix(self.local_rate, seconds / parties)

    def waited(self, seconds: float) -> None:
        self._wait += seconds

    def worked(self, seconds: float, parties: int) -> None:
        if parties >= 20:
            self.worker_rate = self._mix(self.worker_rate, seconds / parties)

    def to_workers(self, parties: int) -> int:
        """How many of `parties` new parties to send to the workers."""
        if self.worker_rate and self.local_rate and self.other is not None and parties:
            pooled = self.worker_rate / self.workers
            x = (self.other + self.local_rate * parties) / (self.local_rate + pooled)
            self.share = min(1.0, max(self.LOWEST, x / parties))
        return round(self.share * parties)


@dataclass
class _Ticket:
    number: int
    engine: Any
    keys: list[tuple[str, ...]]
    queries: dict[tuple[str, ...], PartyQuery]
    texts: list[str]
    jobs: list[tuple[AsyncResult[Any], int, int]]


class PaymentScreener:
    """Batches and caches screening for the decider."""

    def __init__(self, engine: Any = None) -> None:
        self._engine = engine
        self._fixed = engine is not None
        self.parties = _LRU()
        self.texts = _LRU()
        # This batch's results of parties screened again because of a dismissal.
        self._batch: dict[tuple[str, ...], list[Any]] = {}
        self._bics: BicIndex | None = None
        self._bics_for: Any = None
        self.pool: ScreeningPool | None = None
        self._workers = 0
        self.worker_cpu_seconds = 0.0
        self.pooled = False  # a worker process screened for this run
        self._balance = _Balance(1)
        self._tickets: deque[_Ticket] = deque()
        self._list_kinds: dict[str, str] | None = None
        self._kinds_for: Any = None
        self._inflight: set[Any] = set()
        self._next_ticket = 0

    @property
    def engine(self) -> Any:
        if self._engine is None:
            from tizim.screening import get_screener

            self._engine = get_screener()
        return self._engine

    @property
    def bics(self) -> BicIndex:
        engine = self.engine
        if self._bics is None or self._bics_for is not engine:
            self._bics, self._bics_for = BicIndex(engine), engine
        return self._bics

    def refresh(self) -> None:
        """Follow list changes in a long-lived process: a new index empties the caches (and
        restarts the worker processes, which hold the old one)."""
        if self._fixed:
            return
        from tizim.screening import get_screener

        current = get_screener()
        if current is not self._engine:
            self._engine = current
            self.parties.clear()
            self.texts.clear()
            self._drop_tickets()
            if self.pool is not None:
                self._stop_pool(wait=False)

    # ---- worker processes (batch runs) -------------------------------------------------

    def start_pool(self, workers: int) -> None:
        """Screen in `workers` forked processes from now on (prefetch/collect)."""
        self._workers = workers
        self._balance = _Balance(workers)

    def _ensure_pool(self) -> ScreeningPool | None:
        if self._workers < 1:
            return None
        if self.pool is None or self.pool.engine is not self.engine:
            if self.pool is not None:
                self._stop_pool(wait=False)
            self.bics  # noqa: B018 - built before the fork: the children need not build it
            self.pool = ScreeningPool(self.engine, self._workers)
            self.pooled = True
        return self.pool

    def _stop_pool(self, wait: bool) -> None:
        if self.pool is not None:
            self.pool.close(wait=wait)
            self.worker_cpu_seconds += self.pool.cpu_seconds
            self.pool = None

    def close_pool(self, wait: bool = True) -> None:
        self._drop_tickets()
        self._stop_pool(wait=wait)
        self._workers = 0

    def _drop_tickets(self) -> None:
        self._tickets.clear()
        self._inflight.clear()

    def _wanted(self, payments: list[Payment], ahead: bool = False
                ) -> tuple[dict[tuple[str, ...], PartyQuery], list[str]]:
        """Parties and texts of these payments not in the caches (`ahead`: nor on their way
        from the workers)."""
        wanted: dict[tuple[str, ...], PartyQuery] = {}
        texts: dict[str, None] = {}
        skip = self._inflight if ahead else frozenset()
        parties = self.parties
        for payment in payments:
            for _, _, pq in payment_queries(payment):
                key = pq.cache_key()
                if key not in parties and key not in skip:
                    wanted.setdefault(key, pq)
            for _, text in payment.free_texts():
                if text not in self.texts and text not in skip:
                    texts[text] = None
        return wanted, list(texts)

    def prefetch(self, payments: list[Payment]) -> int | None:
        """Send a batch's new parties and texts to the worker processes; returns a ticket
        for `collect`, or None when there are no workers."""
        pool = self._ensure_pool()
        if pool is None:
            return None
        wanted, texts = self._wanted(payments, ahead=True)
        named = [k for k, pq in wanted.items() if pq.name]
        for k, pq in wanted.items():
            if not pq.name:  # a bank by its BIC only: a lookup, no screening
                self.parties.put(k, self.bics.results(pq.bic))
        floor = get_settings().match_threshold
        balance = self._balance
        balance.cycle()
        # the rest of the batch's parties this process screens itself when it decides it
        named = named[: balance.to_workers(len(named))]
        jobs = pool.submit([(q.schema, q.name, q.country, q.bic) for q in (wanted[k] for k in named)],
                           texts, floor) if named or texts else []
        self._next_ticket += 1
        ticket = _Ticket(self._next_ticket, self.engine, named, {k: wanted[k] for k in named}, texts, jobs)
        self._tickets.append(ticket)
        self._inflight.update(named)
        self._inflight.update(texts)
        return ticket.number

    def collect(self, upto: int | None) -> None:
        """Take in the results of every prefetch up to ticket `upto`."""
        if upto is None:
            return
        while self._tickets and self._tickets[0].number <= upto:
            ticket = self._tickets.popleft()
            q_at = t_at = 0
            worked = 0.0
            for job, nq, nt in ticket.jobs:
                if not job.ready():
                    began = time.perf_counter()
                    job.wait()
                    self._balance.waited(time.perf_counter() - began)
                parties, spans, seconds = job.get()
                if nq:
                    worked += seconds
                if ticket.engine is not self._engine:
                    continue  # screened against a list that changed meanwhile: screen again
                for i, key in enumerate(ticket.keys[q_at : q_at + nq]):
                    pq = ticket.queries[key]
                    self.parties.put(key, merge_results(parties[i], self.bics.results(pq.bic)))
                for i, text in enumerate(ticket.texts[t_at : t_at + nt]):
                    self.texts.put(text, spans[i])
                q_at += nq
                t_at += nt
            self._balance.worked(worked, len(ticket.keys))
            self._inflight.difference_update(ticket.keys)
            self._inflight.difference_update(ticket.texts)

    # ---- deciding ----------------------------------------------------------------------

    def screen(self, payments: list[Payment]) -> None:
        """Screen every party and free text of a batch not screened before (no database:
        remembered dismissals are applied by `apply_dismissals`, inside the caller's
        transaction, to the few parties that have hits)."""
        self._batch.clear()
        wanted, texts = self._wanted(payments)
        if wanted:
            keys = list(wanted)
            named = [k for k in keys if wanted[k].name]
            began = time.perf_counter()
            found = dict(zip(named, self._match_many([_query(wanted[k]) for k in named], [""] * len(named), set()),
                             strict=True))
            if self.pool is not None:
                self._balance.local(time.perf_counter() - began, len(named))
            for key in keys:
                self.parties.put(key, merge_results(found.get(key, []), self.bics.results(wanted[key].bic)))
        for text in texts:
            self.texts.put(text, list(self.engine.screen_text(text)))

    def apply_dismissals(self, payments: list[Payment], url: str | None = None) -> None:
        """Parties with hits whose subject has a remembered "not a match": screened again
        with the subject key, so the engine leaves the dismissed entities out (this batch).
        Outside the caller's write transaction: the engine reads dismissals on its own
        connection, which SQLite's write lock would block."""
        hits: dict[tuple[str, ...], PartyQuery] = {}
        for payment in payments:
            for _, _, pq in payment_queries(payment):
                if pq.subject_key and self.parties.get(pq.cache_key()):
                    hits.setdefault(pq.cache_key(), pq)
        if not hits:
            return
        from tizim.store import transaction

        with transaction(url) as conn:
            remembered = subjects_with_dismissals(conn, sorted({pq.subject_key for pq in hits.values()}))
        again = [(k, pq) for k, pq in hits.items() if pq.subject_key in remembered]
        if again:
            results = self._screen_parties([pq for _, pq in again], remembered)
            for (key, _), found in zip(again, results, strict=True):
                self._batch[key] = found

    def match_parties(self, queries: list[PartyQuery]) -> list[list[Any]]:
        """Screen party queries as they are (no cache): rescreen's distinct counterparties."""
        return self._screen_parties(queries, None)

    def _screen_parties(self, queries: list[PartyQuery], remembered: set[str] | None) -> list[list[Any]]:
        """By name (dismissals of subjects in `remembered` left out; None: read them) and by BIC."""
        named = [q for q in queries if q.name]
        if remembered is None:
            from tizim.store import transaction

            with transaction() as conn:
                remembered = subjects_with_dismissals(conn, sorted({q.subject_key for q in queries if q.subject_key}))
        by_name = iter(self._match_many([_query(q) for q in named], [q.subject_key for q in named], remembered))
        out = []
        for q in queries:
            found = merge_results(next(by_name) if q.name else [], self.bics.results(q.bic))
            if q.bic and q.subject_key in remembered and found:
                found = self._without_dismissed(q.subject_key, found)
            out.append(found)
        return out

    def _without_dismissed(self, subject_key: str, results: list[Any]) -> list[Any]:
        # BIC results do not pass through the engine's dismissal check: the same check here
        from tizim.screening.decisions import dismissals_for

        dismissed = dismissals_for(getattr(self.engine, "url", None), subject_key)
        if not dismissed:
            return results
        index = self.engine.index
        out = []
        for r in results:
            ci = index.cluster_by_id.get(r.entity_id)
            digest = index.clusters[ci].content_hash if ci is not None else None
            if digest is not None and any(dismissed.get(e) == digest for e in [r.entity_id, *r.members]):
                continue
            out.append(r)
        return out

    def _match_many(self, queries: list[Any], subjects: list[str], remembered: set[str]) -> list[list[Any]]:
        # The subject key makes the engine skip remembered dismissals, at one database read
        # per query; so pass it only for subjects that have a dismissal (one read per batch).
        engine = self.engine
        floor = get_settings().match_threshold
        if not any(s in remembered for s in subjects):
            return plain_match(engine, queries, floor)
        return [[r for r in engine.match(q, limit=5, subject_key=s if s in remembered else None)
                 if float(r.score) >= floor]
                for q, s in zip(queries, subjects, strict=True)]

    def kinds_of(self, result: Any) -> list[str]:
        """Kinds of the lists designating a result's listed party (registry/kinds.py): what
        the engine's index knows of the cluster, else the registry's kinds of its lists."""
        index = getattr(self.engine, "index", None)
        ci = index.cluster_by_id.get(result.entity_id) if index is not None else None
        kinds = getattr(index.clusters[ci], "kinds", None) if index is not None and ci is not None else None
        if kinds:
            return list(kinds)
        if self._list_kinds is None or self._kinds_for is not self.engine:
            self._list_kinds, self._kinds_for = list_kinds(getattr(self.engine, "url", None)), self.engine
        return sorted({self._list_kinds.get(name, "other") for name in (result.refs or {}) or result.lists})

    def results_for(self, role: str, party: Party) -> list[Any]:
        pq = party_query(role, party)
        return list(self.results_for_query(pq)) if pq is not None else []

    def results_for_query(self, pq: PartyQuery) -> list[Any]:
        """The (cached) results of a party screened by `screen`; do not modify the list."""
        key = pq.cache_key()
        found = self._batch.get(key) if self._batch else None
        return found if found is not None else self.parties.get(key, ())


def list_kinds(url: str | None = None) -> dict[str, str]:
    """list name -> kind (sanctions, pep, watchlist, other)."""
    from tizim.registry.tables import lists
    from tizim.store import transaction

    with transaction(url) as conn:
        return {name: kind for name, kind in conn.execute(select(lists.c.name, lists.c.kind))}


def subjects_with_dismissals(conn: Connection, subjects: list[str]) -> set[str]:
    """Which of these subjects have a remembered "not a match" in the screening engine."""
    from tizim.screening.decisions import in_force_since
    from tizim.screening.tables import screening_decisions as sd

    found: set[str] = set()
    since = in_force_since()
    for start in range(0, len(subjects), 500):
        chunk = subjects[start : start + 500]
        found.update(conn.execute(select(sd.c.subject_key).where(sd.c.subject_key.in_(chunk),
                                                                 sd.c.decided_at >= since).distinct()).scalars())
    return found
