"""The customer book: imports (all-or-nothing, versioned), and what the book says of a customer.

An import is one transaction: the file is read and checked a chunk at a time (in worker
processes: tizim/customers/prepare.py) and the first bad record rolls everything back. It
adds new customers, writes a new version of each changed one, leaves unchanged ones alone
and, for a file that is the whole book (`full`), closes the customers it no longer holds.
History is never rewritten: every version stays in cust_versions.
"""

from __future__ import annotations

import builtins
import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select, update

from tizim.customers import tables as t
from tizim.customers.model import Customer, read_records
from tizim.customers.prepare import (
    PARALLEL_FROM,
    Chunk,
    FileChecks,
    Prepared,
    Resplit,
    prepare_chunk,
    prepare_file,
    prepare_records,
)
from tizim.errors import InputError, NotFound
from tizim.monitoring import audit
from tizim.monitoring.bulk import chunks, in_values, insert_rows, insert_values
from tizim.store import transaction
from tizim.store.bulk import indexes_built_after

STATUSES = ("unscreened", "clear", "alert", "frozen", "closed")
# the columns a new customer's rows are written with, in the order _store_chunk gives them
NEW_CUSTOMER = ("customer_id", "type", "name", "data", "content_hash", "version", "status", "created_at",
                "updated_at")
FIRST_VERSION = ("customer_id", "version", "change", "data", "content_hash", "at", "source")
NEW_ACCOUNT = ("account", "customer_id", "frozen", "closed")
LINK = ("customer_id", "ref", "role", "share")
# bytes of file from which a first load into an empty book builds the indexes at the end
BULK_FROM = PARALLEL_FROM


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


def parse_file(path: Path, fmt: str | None = None, encoding: str | None = None) -> list[Customer]:
    """Every record of a file, checked (no duplicate ids or accounts); InputError otherwise."""
    out: list[Customer] = []
    checks = FileChecks(str(path))
    for chunk in prepare_file(path, fmt, parallel=False, encoding=encoding):
        checks.add_chunk(chunk)
        out += [Customer.from_stored(item.data()) for item in chunk.items()]
    return out


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
                    actor: str = "system", encoding: str | None = None) -> ImportSummary:
        """Read, check and store a file in one transaction, chunk by chunk (see the module doc).
        `encoding`: the file's text encoding when it is not UTF-8 (cp1251, say)."""
        if not path.is_file():
            raise InputError("no such file", file=str(path))
        name, digest = str(path), _file_digest(path)
        bulk = path.stat().st_size >= BULK_FROM
        try:
            return self._store(prepare_file(path, fmt, encoding=encoding), source=name, full=full, actor=actor,
                               digest=digest, checks=FileChecks(name), bulk=bulk)
        except Resplit:  # rolled back: read the file again as one text
            return self._store(prepare_records(read_records(path, fmt, encoding), name), source=name, full=full,
                               actor=actor, digest=digest, checks=FileChecks(name), bulk=bulk)

    def upsert(self, customers: list[Customer], source: str, full: bool = False, actor: str = "system",
               digest: str | None = None) -> ImportSummary:
        """Add or update customers in one transaction (see the module doc)."""
        return self._store([prepare_chunk((c, None) for c in customers)], source=source, full=full, actor=actor,
                           digest=digest, checks=FileChecks(source))

    def _store(self, prepared: Iterable[Chunk], source: str, full: bool, actor: str,
               digest: str | None, checks: FileChecks | None, bulk: bool = False) -> ImportSummary:
        summary = ImportSummary()
        now = audit.now_iso()
        with transaction(self.url) as conn, _large_cache(conn):
            head = audit.lock_head(conn)
            empty = conn.execute(select(t.customers.c.customer_id).limit(1)).first() is None
            everyone = self._existing(conn, None) if full and not empty else {}
            present: set[str] = set()
            # a first load of many customers: the book's indexes are built once, at the end
            tables = [t.customers.name, t.versions.name, t.accounts.name, t.links.name]
            with indexes_built_after(conn, tables) if empty and bulk else nullcontext():
                for chunk in prepared:
                    if checks is not None:
                        checks.add_chunk(chunk)
                    if empty:
                        self._store_new(conn, chunk, now, source, summary)
                        continue
                    items = list(chunk.items())
                    present.update(chunk.ids)
                    self._check_accounts(conn, items, source)
                    existing = everyone if full else self._existing(conn, chunk.ids)
                    self._store_chunk(conn, items, existing, now, source, summary)
            if full and not (summary.imported + summary.updated + summary.unchanged):
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

    @staticmethod
    def _store_new(conn: Connection, chunk: Chunk, now: str, source: str, summary: ImportSummary) -> None:
        """A chunk of customers the book does not hold yet: its rows as the workers made them."""
        ids, n = chunk.ids, len(chunk.ids)
        insert_values(conn, t.customers, list(NEW_CUSTOMER), list(zip(
            ids, chunk.types, chunk.names, chunk.texts, chunk.digests, repeat(1, n), repeat("unscreened", n),
            repeat(now, n), repeat(now, n), strict=True)))
        insert_values(conn, t.versions, list(FIRST_VERSION), list(zip(
            ids, repeat(1, n), repeat("imported", n), chunk.texts, chunk.digests, repeat(now, n), repeat(source, n),
            strict=True)))
        k = len(chunk.account_ids)
        insert_values(conn, t.accounts, list(NEW_ACCOUNT), list(zip(
            chunk.account_ids, chunk.account_owners, repeat(0, k), repeat(0, k), strict=True)))
        insert_values(conn, t.links, list(LINK), chunk.links)
        summary.imported += n
        summary.customer_ids += ids

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
