"""The customer book: imports (all-or-nothing, versioned), and what the book says of a customer.

An import parses and checks the whole file before it writes anything; then one transaction
adds new customers, writes a new version of each changed one, leaves unchanged ones alone
and, for a file that is the whole book (`full`), closes the customers it no longer holds.
History is never rewritten: every version stays in cust_versions.
"""

from __future__ import annotations

import builtins
import hashlib
import multiprocessing as mp
import os
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, func, select, update

from tizim.customers import tables as t
from tizim.customers.model import Customer, parse_customer, read_records
from tizim.errors import InputError, NotFound
from tizim.monitoring import audit
from tizim.monitoring.bulk import chunks, in_values, insert_rows, insert_values
from tizim.store import transaction

STATUSES = ("unscreened", "clear", "alert", "frozen", "closed")
# the columns a new customer's rows are written with, in the order _store_chunk gives them
NEW_CUSTOMER = ("customer_id", "type", "name", "data", "content_hash", "version", "status", "created_at",
                "updated_at")
FIRST_VERSION = ("customer_id", "version", "change", "data", "content_hash", "at", "source")
NEW_ACCOUNT = ("account", "customer_id", "frozen", "closed")


@dataclass
class ImportSummary:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    customer_ids: list[str] = field(default_factory=list)  # imported or updated

    def to_dict(self) -> dict[str, int]:
        return {"imported": self.imported, "updated": self.updated, "unchanged": self.unchanged,
                "closed": self.closed}


PARALLEL_FROM = 8 << 20  # bytes of file: below this, worker processes cost more than they save
_PARSE_CHUNK = 5_000  # records per worker task, and per round of writes


@dataclass(frozen=True)
class Prepared:
    """A checked record, ready to store: its normalized JSON (sorted keys: the same text for
    the same content), that text's digest, and the fields the book's own columns and checks
    need. Workers make these; the book stores them without parsing the JSON again."""

    line: int | None
    text: str
    digest: str
    customer_id: str
    type: str
    name: str
    accounts: tuple[str, ...]
    linked: bool  # has owners or directors

    def data(self) -> dict[str, Any]:
        loaded: dict[str, Any] = orjson.loads(self.text)
        return loaded


def prepare(customer: Customer, line: int | None = None) -> Prepared:
    text = orjson.dumps(customer.to_dict(), option=orjson.OPT_SORT_KEYS)
    return Prepared(line, text.decode("utf-8"), hashlib.sha1(text).hexdigest(), customer.customer_id,
                    customer.type, customer.name, tuple(customer.accounts),
                    bool(customer.owners or customer.directors))


def _prepare_range(task: tuple[list[tuple[int, Any]], str]) -> list[Prepared]:
    records, name = task
    return [prepare(parse_customer(raw, {"file": name, "line": line}), line) for line, raw in records]


def _batched(records: Iterable[tuple[int, Any]], name: str) -> Iterator[tuple[list[tuple[int, Any]], str]]:
    batch: list[tuple[int, Any]] = []
    for record in records:
        batch.append(record)
        if len(batch) >= _PARSE_CHUNK:
            yield batch, name
            batch = []
    if batch:
        yield batch, name


def prepare_records(records: Iterable[tuple[int, Any]], name: str, parallel: bool) -> Iterator[list[Prepared]]:
    """Check and prepare records in file order, a chunk at a time; a large file in worker
    processes (the checks are pure Python and most of an import's time), while this process
    stores the chunks before. The first bad record in file order raises, as one by one."""
    workers = min(os.cpu_count() or 1, 4)
    if not parallel or workers < 2:
        yield from map(_prepare_range, _batched(records, name))
        return
    with mp.get_context("fork").Pool(workers) as pool:
        # at most a few chunks ahead of the writer: Pool.imap would read and check the whole
        # file into memory while this process is still storing its first chunks
        ahead: deque[Any] = deque()
        for task in _batched(records, name):
            ahead.append(pool.apply_async(_prepare_range, (task,)))
            if len(ahead) > 2 * workers:
                yield ahead.popleft().get()
        while ahead:
            yield ahead.popleft().get()


def parse_file(path: Path, fmt: str | None = None) -> list[Customer]:
    """Every record of a file, checked (no duplicate ids or accounts); InputError otherwise."""
    out: list[Customer] = []
    checks = _FileChecks(str(path))
    for chunk in prepare_records(read_records(path, fmt), str(path), False):
        for item in chunk:
            checks.add(item)
            out.append(Customer.from_stored(item.data()))
    return out


class _FileChecks:
    """What only the whole file shows: a customer id twice, an account under two customers."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.seen: dict[str, int | None] = {}
        self.owner_of: dict[str, tuple[str, int | None]] = {}

    def add(self, item: Prepared) -> None:
        cid, line = item.customer_id, item.line
        if cid in self.seen:
            raise InputError(f"customer_id {cid!r} occurs twice (first on line {self.seen[cid]})",
                             file=self.name, line=line, record=cid, field="customer_id")
        self.seen[cid] = line
        for account in item.accounts:
            other = self.owner_of.get(account)
            if other is not None:
                raise InputError(f"account {account} also belongs to {other[0]} (line {other[1]})",
                                 file=self.name, line=line, record=cid, field="accounts")
            self.owner_of[account] = (cid, line)


@contextmanager
def _large_cache(conn: Connection) -> Iterator[None]:
    """SQLite's page cache (2 MB by default) spills a large import's dirty pages to the WAL
    again and again inside its one transaction; this connection gets 256 MB while it imports."""
    if conn.dialect.name != "sqlite":
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql("PRAGMA cache_size=-262144")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(before or -2000)}")


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class CustomerBook:
    """Reads and writes the customer book of one database (`url`, default from settings)."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url

    # ---- writing ---------------------------------------------------------------------------

    def import_file(self, path: Path, fmt: str | None = None, full: bool = False,
                    actor: str = "system") -> ImportSummary:
        """Read, check and store a file in one transaction, chunk by chunk (see the module doc)."""
        records = read_records(path, fmt)
        parallel = path.stat().st_size >= PARALLEL_FROM
        return self._store(prepare_records(records, str(path), parallel), source=str(path), full=full,
                           actor=actor, digest=_file_digest(path), checks=_FileChecks(str(path)))

    def upsert(self, customers: list[Customer], source: str, full: bool = False, actor: str = "system",
               digest: str | None = None) -> ImportSummary:
        """Add or update customers in one transaction (see the module doc)."""
        return self._store([[prepare(c) for c in customers]], source=source, full=full, actor=actor,
                           digest=digest, checks=_FileChecks(source))

    def _store(self, prepared: Iterable[list[Prepared]], source: str, full: bool, actor: str,
               digest: str | None, checks: _FileChecks | None) -> ImportSummary:
        summary = ImportSummary()
        now = audit.now_iso()
        with transaction(self.url) as conn, _large_cache(conn):
            head = audit.lock_head(conn)
            empty = conn.execute(select(t.customers.c.customer_id).limit(1)).first() is None
            everyone = self._existing(conn, None) if full and not empty else {}
            present: set[str] = set()
            for chunk in prepared:
                if checks is not None:
                    for item in chunk:
                        checks.add(item)
                ids = [item.customer_id for item in chunk]
                present.update(ids)
                existing = {} if empty else everyone if full else self._existing(conn, ids)
                if not empty:
                    self._check_accounts(conn, chunk, source)
                self._store_chunk(conn, chunk, existing, now, source, summary)
            if full and not present:
                raise InputError("a full book with no customers would close every customer; refused",
                                 file=source)
            if full:
                gone = [cid for cid, row in everyone.items() if cid not in present and row.closed_at is None]
                version_rows: list[dict[str, Any]] = []
                for cid in gone:
                    self._close(conn, everyone[cid], now, source, version_rows)
                insert_rows(conn, t.versions, version_rows)
                summary.closed = len(gone)
            audit.append(conn, [audit.Entry(actor, "import", "customer_book", digest or source, None,
                                            {"source": source, "full": full, **summary.to_dict()})], head)
        return summary

    def _store_chunk(self, conn: Connection, chunk: list[Prepared], existing: dict[str, Any], now: str,
                     source: str, summary: ImportSummary) -> None:
        new_rows: list[tuple[Any, ...]] = []
        first_versions: list[tuple[Any, ...]] = []
        account_rows: list[tuple[Any, ...]] = []
        version_rows: list[dict[str, Any]] = []
        linked: list[Customer] = []
        for item in chunk:
            cid = item.customer_id
            before = existing.get(cid)
            if before is not None and before.content_hash == item.digest and before.closed_at is None:
                summary.unchanged += 1
                continue
            summary.customer_ids.append(cid)
            if before is None:
                new_rows.append((cid, item.type, item.name, item.text, item.digest, 1, "unscreened", now, now))
                first_versions.append((cid, 1, "imported", item.text, item.digest, now, source))
                account_rows += [(a, cid, 0, 0) for a in item.accounts]
                summary.imported += 1
                if item.linked:
                    linked.append(Customer.from_stored(item.data()))
            else:
                customer = Customer.from_stored(item.data())
                self._new_version(conn, customer, before, now, source, version_rows)
                summary.updated += 1
                linked.append(customer)  # its old links go, whatever the new record says
        insert_values(conn, t.customers, list(NEW_CUSTOMER), new_rows)
        insert_values(conn, t.versions, list(FIRST_VERSION), first_versions)
        insert_values(conn, t.accounts, list(NEW_ACCOUNT), sorted(account_rows))
        insert_rows(conn, t.versions, version_rows)
        self._write_links(conn, linked)

    @staticmethod
    def _existing(conn: Connection, ids: list[str] | None) -> dict[str, Any]:
        cols = (t.customers.c.customer_id, t.customers.c.content_hash, t.customers.c.version,
                t.customers.c.closed_at, t.customers.c.status)
        if ids is None:
            return {r.customer_id: r for r in conn.execute(select(*cols))}
        found: dict[str, Any] = {}
        for chunk in chunks(conn, ids, 500):
            for r in conn.execute(select(*cols).where(in_values(conn, t.customers.c.customer_id, chunk, "ids"))):
                found[r.customer_id] = r
        return found

    @staticmethod
    def _write_links(conn: Connection, customers: list[Customer]) -> None:
        """Owners and directors of the imported or updated organizations, by reference."""
        ids = [c.customer_id for c in customers]
        for chunk in chunks(conn, ids, 500):
            conn.execute(t.links.delete().where(in_values(conn, t.links.c.customer_id, chunk, "ids")))
        rows: dict[tuple[str, str, str], dict[str, Any]] = {}
        for c in customers:
            for link in [*c.owners, *c.directors]:
                rows[(c.customer_id, link.ref, link.role)] = {
                    "customer_id": c.customer_id, "ref": link.ref[:300], "role": link.role, "share": link.share}
        insert_rows(conn, t.links, list(rows.values()))

    @staticmethod
    def _check_accounts(conn: Connection, chunk: list[Prepared], source: str) -> None:
        """An account held by another open customer of the book is an error, not a move."""
        mine = {a: item.customer_id for item in chunk for a in item.accounts}
        if not mine:
            return
        for part in chunks(conn, sorted(mine), 500):
            rows = conn.execute(select(t.accounts.c.account, t.accounts.c.customer_id)
                                .where(in_values(conn, t.accounts.c.account, part, "accts"),
                                       t.accounts.c.closed == 0))
            for account, holder in rows:
                if holder != mine[account]:
                    raise InputError(f"account {account} is held by customer {holder} in the book",
                                     file=source, record=mine[account], field="accounts")

    def _new_version(self, conn: Connection, c: Customer, before: Any, now: str, source: str,
                     version_rows: list[dict[str, Any]]) -> None:
        version = before.version + 1
        frozen = before.status == "frozen"
        change = "reopened" if before.closed_at is not None else "updated"
        # a changed record is screened again at its new version; a freeze stays until released
        status = "frozen" if frozen else ("unscreened" if before.status == "closed" else before.status)
        conn.execute(update(t.customers).where(t.customers.c.customer_id == c.customer_id).values(
            type=c.type, name=c.name, data=c.to_dict(), content_hash=c.content_hash(), version=version,
            status=status, updated_at=now, closed_at=None))
        version_rows.append({"customer_id": c.customer_id, "version": version, "change": change,
                             "data": c.to_dict(), "content_hash": c.content_hash(), "at": now, "source": source})
        held = {r.account: r for r in conn.execute(select(t.accounts).where(t.accounts.c.customer_id == c.customer_id))}
        for account in c.accounts:
            row = held.get(account)
            if row is None:
                # a new account of a frozen customer is frozen from the start
                conn.execute(t.accounts.insert().values(
                    account=account, customer_id=c.customer_id, frozen=int(frozen),
                    frozen_at=now if frozen else None, closed=0,
                    frozen_case_id=_case_of_frozen(held) if frozen else None))
            elif row.closed:
                conn.execute(update(t.accounts).where(t.accounts.c.account == account).values(closed=0))
        dropped = [a for a in held if a not in c.accounts and not held[a].closed]
        if dropped:
            # the funds of a frozen account stay frozen whatever the book now says of it
            conn.execute(update(t.accounts).where(t.accounts.c.account.in_(dropped)).values(closed=1))

    @staticmethod
    def _close(conn: Connection, row: Any, now: str, source: str, version_rows: list[dict[str, Any]]) -> None:
        frozen = row.status == "frozen"
        conn.execute(update(t.customers).where(t.customers.c.customer_id == row.customer_id).values(
            status="frozen" if frozen else "closed", closed_at=now, updated_at=now, version=row.version + 1))
        conn.execute(update(t.accounts).where(t.accounts.c.customer_id == row.customer_id).values(closed=1))
        data = conn.execute(select(t.customers.c.data).where(t.customers.c.customer_id == row.customer_id)).scalar()
        version_rows.append({"customer_id": row.customer_id, "version": row.version + 1, "change": "closed",
                             "data": data, "content_hash": row.content_hash, "at": now, "source": source})

    # ---- reading ---------------------------------------------------------------------------

    def show(self, customer_id: str, matches: bool = True, history: bool = False) -> dict[str, Any]:
        out: dict[str, Any]
        with transaction(self.url) as conn:
            row = conn.execute(select(t.customers).where(t.customers.c.customer_id == customer_id)).first()
            if row is None:
                raise NotFound(f"no customer {customer_id!r}")
            out = self._view(conn, [row], matches)[0]
            if history:
                out["history"] = [
                    {"version": v.version, "change": v.change, "at": v.at, "source": v.source, "data": v.data}
                    for v in conn.execute(select(t.versions).where(t.versions.c.customer_id == customer_id)
                                          .order_by(t.versions.c.version))
                ]
        return out

    def list(self, status: str | None = None, limit: int | None = None, offset: int = 0,
             matches: bool = False) -> list[dict[str, Any]]:
        if status is not None and status not in STATUSES:
            raise InputError(f"unknown status {status!r} (one of {', '.join(STATUSES)})", field="status")
        query = select(t.customers).order_by(t.customers.c.customer_id)
        if status:
            query = query.where(t.customers.c.status == status)
        if limit is not None:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)
        with transaction(self.url) as conn:
            rows = conn.execute(query).all()
            return self._view(conn, rows, matches)

    def count(self, status: str | None = None) -> int:
        query = select(func.count()).select_from(t.customers)
        if status:
            query = query.where(t.customers.c.status == status)
        with transaction(self.url) as conn:
            return int(conn.execute(query).scalar_one())

    def counts(self) -> dict[str, int]:
        with transaction(self.url) as conn:
            rows = conn.execute(select(t.customers.c.status, func.count()).group_by(t.customers.c.status)).all()
        return {status: int(n) for status, n in rows}

    def _view(self, conn: Connection, found: Iterable[Any], with_matches: bool) -> builtins.list[dict[str, Any]]:
        rows = builtins.list(found)
        ids = [r.customer_id for r in rows]
        accts: dict[str, builtins.list[dict[str, Any]]] = {i: [] for i in ids}
        hits: dict[str, builtins.list[dict[str, Any]]] = {i: [] for i in ids}
        for chunk in chunks(conn, ids, 500):
            for a in conn.execute(select(t.accounts).where(in_values(conn, t.accounts.c.customer_id, chunk, "c"))
                                  .order_by(t.accounts.c.account)):
                accts[a.customer_id].append({"account": a.account, "frozen": bool(a.frozen),
                                             "frozen_at": a.frozen_at, "case_id": a.frozen_case_id,
                                             "closed": bool(a.closed)})
            if with_matches:
                for m in conn.execute(select(t.matches).where(in_values(conn, t.matches.c.customer_id, chunk, "c"))
                                      .order_by(t.matches.c.score.desc(), t.matches.c.entity_id)):
                    hits[m.customer_id].append(match_view(m))
        out = []
        for r in rows:
            item: dict[str, Any] = {
                "customer_id": r.customer_id,
                "status": r.status,
                "type": r.type,
                "name": r.name,
                "version": r.version,
                "screened": r.screened_version == r.version,
                "screened_at": r.screened_at,
                "closed_at": r.closed_at,
                "record": r.data,
            }
            if with_matches:
                item["matches"] = hits[r.customer_id]
            item["accounts"] = accts[r.customer_id]
            out.append(item)
        return out


def match_view(m: Any) -> dict[str, Any]:
    return {"entity_id": m.entity_id, "caption": m.caption, "score": m.score, "refs": m.refs,
            "lists": m.lists, "via": m.via, "reason": m.reason, "freeze": bool(m.freeze),
            "designated": bool(m.designated), "status": m.status, "case_id": m.case_id,
            "found_at": m.found_at, "list": m.list_name, "list_version": m.list_version,
            "published_at": m.published_at, "explanation": m.explanation}


def _case_of_frozen(held: dict[str, Any]) -> int | None:
    return next((r.frozen_case_id for r in held.values() if r.frozen and r.frozen_case_id), None)
