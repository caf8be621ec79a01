"""How monitoring screens a payment: one query per party, free text through screen_text,
with a per-run cache so a name that recurs (a salary run, a regular supplier) is screened
once. Talks to the screening engine only through its public API."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from tizim.monitoring.model import Party, Payment
from tizim.settings import get_settings

CACHE_SIZE = 200_000

PARTY_SCHEMA = {"debtor": "LegalEntity", "creditor": "LegalEntity", "ultimate_debtor": "LegalEntity",
                "ultimate_creditor": "LegalEntity"}


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


class _LRU(OrderedDict[Any, Any]):
    def put(self, key: Any, value: Any) -> None:
        self[key] = value
        self.move_to_end(key)
        if len(self) > CACHE_SIZE:
            self.popitem(last=False)


class PaymentScreener:
    """Batches and caches screening for the decider."""

    def __init__(self, engine: Any = None) -> None:
        self._engine = engine
        self._fixed = engine is not None
        self.parties = _LRU()
        self.texts = _LRU()
        # This batch's results of parties screened again because of a dismissal.
        self._batch: dict[tuple[str, ...], list[Any]] = {}

    @property
    def engine(self) -> Any:
        if self._engine is None:
            from tizim.screening import get_screener

            self._engine = get_screener()
        return self._engine

    def refresh(self) -> None:
        """Follow list changes in a long-lived process: a new index empties the caches."""
        if self._fixed:
            return
        from tizim.screening import get_screener

        current = get_screener()
        if current is not self._engine:
            self._engine = current
            self.parties.clear()
            self.texts.clear()

    def _query(self, pq: PartyQuery) -> Any:
        from tizim.screening import Query

        return Query(
            schema=pq.schema,
            names=[pq.name] if pq.name else [],
            countries=[pq.country] if pq.country else [],
            identifiers=[("swift_bic", pq.bic)] if pq.bic else [],
            id=pq.subject_key or None,
        )

    def screen(self, payments: list[Payment]) -> None:
        """Screen every party and free text of a batch not screened before (no database:
        remembered dismissals are applied by `apply_dismissals`, inside the caller's
        transaction, to the few parties that have hits)."""
        self._batch.clear()
        wanted: dict[tuple[str, ...], PartyQuery] = {}
        texts: set[str] = set()
        for payment in payments:
            for role, party in payment.parties():
                pq = party_query(role, party)
                if pq is not None and pq.cache_key() not in self.parties:
                    wanted.setdefault(pq.cache_key(), pq)
            for _, text in payment.free_texts():
                if text not in self.texts:
                    texts.add(text)
        if wanted:
            keys = list(wanted)
            results = self._match_many([self._query(wanted[k]) for k in keys], [""] * len(keys), set())
            for key, found in zip(keys, results, strict=True):
                self.parties.put(key, found)
        for text in texts:
            self.texts.put(text, list(self.engine.screen_text(text)))

    def apply_dismissals(self, payments: list[Payment], url: str | None = None) -> None:
        """Parties with hits whose subject has a remembered "not a match": screened again
        with the subject key, so the engine leaves the dismissed entities out (this batch).
        Outside the caller's write transaction: the engine reads dismissals on its own
        connection, which SQLite's write lock would block."""
        hits: dict[tuple[str, ...], PartyQuery] = {}
        for payment in payments:
            for role, party in payment.parties():
                pq = party_query(role, party)
                if pq is not None and pq.subject_key and self.parties.get(pq.cache_key()):
                    hits.setdefault(pq.cache_key(), pq)
        if not hits:
            return
        from tizim.store import transaction

        with transaction(url) as conn:
            remembered = subjects_with_dismissals(conn, sorted({pq.subject_key for pq in hits.values()}))
        again = [(k, pq) for k, pq in hits.items() if pq.subject_key in remembered]
        if again:
            results = self._match_many([self._query(pq) for _, pq in again], [pq.subject_key for _, pq in again],
                                       remembered)
            for (key, _), found in zip(again, results, strict=True):
                self._batch[key] = found

    def match_parties(self, queries: list[PartyQuery]) -> list[list[Any]]:
        """Screen party queries as they are (no cache): rescreen's distinct counterparties."""
        return self._match_many([self._query(q) for q in queries], [q.subject_key for q in queries])

    def _match_many(self, queries: list[Any], subjects: list[str],
                    remembered: set[str] | None = None) -> list[list[Any]]:
        # The subject key makes the engine skip remembered dismissals, at one database read
        # per query; so pass it only for subjects that have a dismissal (one read per batch).
        engine = self.engine
        if remembered is None:
            from tizim.store import transaction

            with transaction() as conn:
                remembered = subjects_with_dismissals(conn, sorted({s for s in subjects if s}))
        # Only results at or above the lowest threshold anyone reads are kept (and cached).
        floor = get_settings().match_threshold
        return [[r for r in engine.match(q, limit=5, subject_key=s if s in remembered else None)
                 if float(r.score) >= floor]
                for q, s in zip(queries, subjects, strict=True)]

    def results_for(self, role: str, party: Party) -> list[Any]:
        pq = party_query(role, party)
        if pq is None:
            return []
        key = pq.cache_key()
        found = self._batch.get(key)
        return list(found if found is not None else self.parties.get(key, []))


def subjects_with_dismissals(conn: Connection, subjects: list[str]) -> set[str]:
    """Which of these subjects have a remembered "not a match" in the screening engine."""
    from tizim.screening.tables import screening_decisions as sd

    found: set[str] = set()
    for start in range(0, len(subjects), 500):
        chunk = subjects[start : start + 500]
        found.update(conn.execute(select(sd.c.subject_key).where(sd.c.subject_key.in_(chunk)).distinct()).scalars())
    return found
