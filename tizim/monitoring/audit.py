"""The append-only audit chain: every decision and every human action, hash-linked.

Each record carries the sha256 of the previous record; its own hash is the sha256 of a
canonical JSON of its fields plus that previous hash. Changing, deleting or reordering any
row breaks the chain at that row, which `verify` reports. Appends are serialized: on SQLite
by the write lock every transaction takes up front (BEGIN IMMEDIATE), on PostgreSQL by a
row lock on the single chain-head row, so two writers can never fork the chain.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from tizim.monitoring import tables as t
from tizim.monitoring.bulk import insert_rows
from tizim.store import is_sqlite, transaction

GENESIS = "0" * 64


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def record_hash(record: dict[str, Any], prev_hash: str) -> str:
    body = {k: record[k] for k in ("seq", "at", "actor", "action", "object_type", "object_id", "before", "after")}
    body["prev_hash"] = prev_hash
    return hashlib.sha256(canonical(body).encode()).hexdigest()


@dataclass
class Entry:
    actor: str
    action: str
    object_type: str
    object_id: str
    before: Any = None
    after: Any = None


def lock_head(conn: Connection) -> tuple[int, str]:
    """Take the chain lock for this transaction and return (last seq, last hash)."""
    query = select(t.audit_head.c.seq, t.audit_head.c.hash).where(t.audit_head.c.id == 1)
    if not is_sqlite(conn.engine):
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:  # the migration inserts it; a hand-made schema may not have
        conn.execute(insert(t.audit_head).values(id=1, seq=0, hash=GENESIS))
        return 0, GENESIS
    return int(row.seq), str(row.hash)


def append(conn: Connection, entries: list[Entry], head: tuple[int, str] | None = None) -> list[int]:
    """Append entries inside the caller's transaction; returns their sequence numbers.
    `head`: what lock_head returned earlier in this transaction (saves reading it again)."""
    if not entries:
        return []
    seq, prev = head if head is not None else lock_head(conn)
    rows: list[dict[str, Any]] = []
    at = now_iso()
    for entry in entries:
        seq += 1
        record = {
            "seq": seq,
            "at": at,
            "actor": entry.actor,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": str(entry.object_id),
            "before": canonical(entry.before),
            "after": canonical(entry.after),
        }
        record["prev_hash"] = prev
        record["hash"] = prev = record_hash(record, prev)
        rows.append(record)
    insert_rows(conn, t.audit_log, rows)
    conn.execute(update(t.audit_head).where(t.audit_head.c.id == 1).values(seq=seq, hash=prev))
    return [r["seq"] for r in rows]


@dataclass
class VerifyResult:
    ok: bool
    records: int
    broken_seq: int | None = None
    position: int | None = None
    problem: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "records": self.records, "broken_seq": self.broken_seq,
                "position": self.position, "problem": self.problem}


def _rows(conn: Connection) -> Iterator[Any]:
    # Ordered by seq, read in pages: the log can be long.
    last = 0
    while True:
        page = conn.execute(
            select(t.audit_log).where(t.audit_log.c.seq > last).order_by(t.audit_log.c.seq).limit(5000)
        ).all()
        if not page:
            return
        yield from page
        last = page[-1].seq


def verify(url: str | None = None) -> VerifyResult:
    """Walk the chain; report the first record that does not follow from its predecessor."""
    with transaction(url) as conn:
        head = conn.execute(select(t.audit_head).where(t.audit_head.c.id == 1)).first()
        prev = GENESIS
        count = 0
        for position, row in enumerate(_rows(conn), start=1):
            count = position
            record = dict(row._mapping)
            if row.seq != position:
                problem = (f"record {position} of the chain has seq {row.seq}: a record is missing "
                           "(deleted) or out of order")
                return VerifyResult(False, count, row.seq, position, problem)
            if row.prev_hash != prev:
                return VerifyResult(False, count, row.seq, position,
                                    "prev_hash does not match the previous record (deleted, inserted or reordered)")
            if record_hash(record, prev) != row.hash:
                return VerifyResult(False, count, row.seq, position,
                                    "hash does not match the record's content (changed)")
            prev = row.hash
        if head is not None and (head.seq != count or head.hash != prev):
            return VerifyResult(False, count, count + 1 if head.seq > count else head.seq, count + 1,
                                f"the chain head says {head.seq} records ending in {head.hash[:12]}, "
                                f"the log has {count} ending in {prev[:12]} (records removed from the end?)")
        return VerifyResult(True, count)


EXPORT_FIELDS = ("seq", "at", "actor", "action", "object_type", "object_id", "before", "after",
                 "prev_hash", "hash")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> str:
    """Neutralize spreadsheet formula injection: a cell starting with = + - @ TAB CR gets a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def export(fmt: str = "jsonl", url: str | None = None, object_type: str | None = None,
           object_id: str | None = None) -> Iterator[str]:
    """The chain as JSON lines or CSV text, chunk by chunk."""
    with transaction(url) as conn:
        if fmt == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(EXPORT_FIELDS)
            yield buffer.getvalue()
        for row in _rows(conn):
            if object_type and (row.object_type != object_type or (object_id and row.object_id != object_id)):
                continue
            data = dict(row._mapping)
            if fmt == "csv":
                buffer = io.StringIO()
                csv.writer(buffer).writerow([csv_safe(data[k]) for k in EXPORT_FIELDS])
                yield buffer.getvalue()
            else:
                data["before"] = json.loads(data["before"])
                data["after"] = json.loads(data["after"])
                yield json.dumps({k: data[k] for k in EXPORT_FIELDS}, ensure_ascii=False) + "\n"


def history(conn: Connection, object_type: str, object_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(t.audit_log)
        .where(t.audit_log.c.object_type == object_type, t.audit_log.c.object_id == str(object_id))
        .order_by(t.audit_log.c.seq)
    ).all()
    return [
        {"seq": r.seq, "at": r.at, "actor": r.actor, "action": r.action,
         "before": json.loads(r.before), "after": json.loads(r.after)}
        for r in rows
    ]
