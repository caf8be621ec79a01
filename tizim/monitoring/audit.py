"""The append-only audit chain: every decision and every human action, hash-linked.

Each record carries the hash of the previous record; its own hash is an HMAC-SHA256, under
a key kept outside the database, of a canonical JSON of its fields plus that previous hash.
Changing, deleting or reordering any row breaks the chain at that row, which `verify`
reports; without the key, someone who can write SQL cannot compute the hashes a rewrite
needs. The key is TIZIM_AUDIT_KEY, else the file TIZIM_AUDIT_KEY_FILE, else a file created
once (mode 0600) in the user data folder beside the default database. Truncating the tail
and moving the head row back is caught by an anchor (`tizim audit anchor`: the head's seq
and hash, kept elsewhere); a missing head row is tampering. `verify` also compares what the
tables say now (a payment's status and hold, a case's status, severity and assignee, each
remembered dismissal) with the last word of the chain on them.

Appends are serialized: on SQLite by the write lock every transaction takes up front (BEGIN
IMMEDIATE), on PostgreSQL by a row lock on the single chain-head row, so two writers can
never fork the chain.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select, update

from tizim.errors import InputError, TizimError
from tizim.monitoring import tables as t
from tizim.monitoring.bulk import insert_rows
from tizim.screening.decisions import on_dismissal
from tizim.settings import default_audit_key_file, get_settings
from tizim.store import is_sqlite, transaction

GENESIS = "0" * 64


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _body(record: dict[str, Any], prev_hash: str) -> bytes:
    body = {k: record[k] for k in ("seq", "at", "actor", "action", "object_type", "object_id", "before", "after")}
    body["prev_hash"] = prev_hash
    return canonical(body).encode()


def record_hash(record: dict[str, Any], prev_hash: str, key: bytes | None = None) -> str:
    """HMAC-SHA256 of the record under the chain key (`chain_key()` when not given)."""
    return hmac.new(key if key is not None else chain_key(), _body(record, prev_hash), hashlib.sha256).hexdigest()


def legacy_hash(record: dict[str, Any], prev_hash: str) -> str:
    """The unkeyed SHA-256 chains were hashed with before the key (migration 0009 rekeys them)."""
    return hashlib.sha256(_body(record, prev_hash)).hexdigest()


_keys: dict[tuple[str | None, str | None, str], bytes] = {}


def chain_key() -> bytes:
    """The audit key (see the module docstring); the default key file is created on first use."""
    settings = get_settings()
    default = default_audit_key_file()
    cache_key = (settings.audit_key, str(settings.audit_key_file) if settings.audit_key_file else None, str(default))
    found = _keys.get(cache_key)
    if found is not None:
        return found
    if settings.audit_key:
        key = settings.audit_key.encode()
    else:
        path = settings.audit_key_file or default
        if settings.audit_key_file is None and not path.exists():
            _create_key_file(path)
        try:
            key = path.read_bytes().strip()
        except OSError as exc:
            raise TizimError(f"cannot read the audit key file {path}: {exc.strerror}") from exc
        if not key:
            raise TizimError(f"the audit key file {path} is empty")
    if len(key) < 16:
        raise TizimError("the audit key is shorter than 16 characters (TIZIM_AUDIT_KEY / TIZIM_AUDIT_KEY_FILE)")
    _keys[cache_key] = key
    return key


def _create_key_file(path: Path) -> None:
    """A new random key, readable by this user only; another process creating it first wins."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # the other process is writing it
            if path.read_bytes().strip():
                return
            time.sleep(0.02)
        return
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32) + "\n")


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
        if conn.execute(select(t.audit_log.c.seq).limit(1)).first() is not None:
            # never re-created over a chain: that would hide its deletion
            raise TizimError("the audit chain's head row is missing while the chain has records: tampering; "
                             "nothing can be appended until an operator restores it (tizim audit verify)")
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
    key = chain_key()
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
        record["hash"] = prev = record_hash(record, prev, key)
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


def verify(url: str | None = None, anchor: dict[str, Any] | None = None) -> VerifyResult:
    """Walk the chain; report the first record that does not follow from its predecessor,
    a missing or moved head, a chain shorter than `anchor` (a head written earlier by
    `anchor()`) or not passing through it, and a payment, case or dismissal whose state in
    its table is not what the chain last said of it."""
    key = chain_key()
    states = _ChainStates()
    with transaction(url) as conn:
        head = conn.execute(select(t.audit_head).where(t.audit_head.c.id == 1)).first()
        prev = GENESIS
        count = 0
        anchored: str | None = None
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
            if record_hash(record, prev, key) != row.hash:
                return VerifyResult(False, count, row.seq, position,
                                    "hash does not match the record's content (changed, or written without the "
                                    "audit key)")
            prev = row.hash
            if anchor is not None and row.seq == anchor["seq"]:
                anchored = row.hash
            states.read(row)
        if head is None:
            return VerifyResult(False, count, None, count + 1,
                                "the chain's head row is missing (deleted): tampering")
        if head.seq != count or head.hash != prev:
            return VerifyResult(False, count, count + 1 if head.seq > count else head.seq, count + 1,
                                f"the chain head says {head.seq} records ending in {head.hash[:12]}, "
                                f"the log has {count} ending in {prev[:12]} (records removed from the end?)")
        if anchor is not None:
            if count < anchor["seq"]:
                return VerifyResult(False, count, anchor["seq"], count + 1,
                                    f"the anchor says the chain had {anchor['seq']} records, it has {count}: "
                                    "records were removed from the end and the head moved back")
            if anchored != anchor["hash"]:
                return VerifyResult(False, count, anchor["seq"], anchor["seq"],
                                    f"record {anchor['seq']} is not the one anchored (hash {anchor['hash'][:12]}): "
                                    "the chain was rewritten")
        mismatch = states.compare(conn)
        if mismatch is not None:
            return VerifyResult(False, count, mismatch[0], None, mismatch[1])
        return VerifyResult(True, count)


class _ChainStates:
    """What the chain last said of each payment, case and dismissal (its `after` fields,
    applied in order), to compare with their tables."""

    FIELDS = {"payment": ("status", "hold"), "case": ("status", "severity", "assignee"),
              "dismissal": ("subject_key", "entity_id", "content_hash", "decision", "user")}

    def __init__(self) -> None:
        self.state: dict[str, dict[str, dict[str, Any]]] = {k: {} for k in self.FIELDS}
        self.last_seq: dict[tuple[str, str], int] = {}

    def read(self, row: Any) -> None:
        fields = self.FIELDS.get(row.object_type)
        if fields is None:
            return
        after = json.loads(row.after)
        if not isinstance(after, dict):
            return
        known = self.state[row.object_type].setdefault(row.object_id, {})
        known.update({k: after[k] for k in fields if k in after})
        self.last_seq[(row.object_type, row.object_id)] = row.seq

    def compare(self, conn: Connection) -> tuple[int | None, str] | None:
        from tizim.screening.tables import screening_decisions as dismissals

        tables: list[tuple[str, Any, Any]] = [
            ("payment", t.payments, t.payments.c.payment_id),
            ("case", t.cases, t.cases.c.id),
            ("dismissal", dismissals, dismissals.c.id),
        ]
        for kind, table, id_column in tables:
            fields = self.FIELDS[kind]
            said = self.state[kind]
            for row in conn.execute(select(id_column, *(table.c[f] for f in fields))):
                object_id = str(row[0])
                known = said.get(object_id)
                if known is None:
                    return None, f"{kind} {object_id} is in its table but not on the audit chain (written outside tizim)"
                for i, f in enumerate(fields, start=1):
                    if f in known and _plain(row[i]) != _plain(known[f]):
                        return (self.last_seq.get((kind, object_id)),
                                f"{kind} {object_id}: its table says {f}={row[i]!r}, the audit chain last said "
                                f"{known[f]!r} (changed outside tizim)")
        return None


def _plain(value: Any) -> Any:
    return None if value in (None, "") else str(value)


def anchor(url: str | None = None) -> dict[str, Any]:
    """The chain's head as of now (seq and hash), for an operator to keep outside the database;
    `verify(anchor=...)` then proves the chain still passes through it."""
    result = verify(url)
    if not result.ok:
        raise TizimError(f"the audit chain is broken at record {result.position}: {result.problem}; not anchoring it")
    with transaction(url) as conn:
        head = conn.execute(select(t.audit_head).where(t.audit_head.c.id == 1)).one()
    return {"seq": int(head.seq), "hash": str(head.hash), "at": now_iso()}


def read_anchor(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        seq, digest = int(data["seq"]), str(data["hash"])
    except OSError as exc:
        raise InputError(f"cannot read the anchor: {exc.strerror}", file=str(path)) from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError("not an anchor written by `tizim audit anchor` (JSON with seq and hash)",
                         file=str(path)) from exc
    if seq < 0 or len(digest) != 64:
        raise InputError("the anchor's seq or hash is malformed", file=str(path))
    return {"seq": seq, "hash": digest}


def rekey(conn: Connection) -> int:
    """Rehash a chain written with unkeyed SHA-256 under the audit key (migration 0009).
    A legacy chain that does not verify is left as it is: `verify` keeps reporting it."""
    rows = [dict(r._mapping) for r in conn.execute(select(t.audit_log).order_by(t.audit_log.c.seq))]
    prev = GENESIS
    for row in rows:
        if row["prev_hash"] != prev or legacy_hash(row, prev) != row["hash"]:
            return 0
        prev = row["hash"]
    key = chain_key()
    prev = GENESIS
    for row in rows:
        digest = record_hash(row, prev, key)
        conn.execute(update(t.audit_log).where(t.audit_log.c.seq == row["seq"])
                     .values(prev_hash=prev, hash=digest))
        prev = digest
    if rows:
        conn.execute(update(t.audit_head).where(t.audit_head.c.id == 1).values(seq=rows[-1]["seq"], hash=prev))
    return len(rows)


def _chain_dismissal(conn: Connection, row: dict[str, Any]) -> None:
    """A remembered dismissal goes on the chain in the transaction that stores it."""
    append(conn, [Entry(str(row["user"]), "remember_dismissal", "dismissal", str(row["id"]), None,
                        {k: row[k] for k in ("subject_key", "entity_id", "content_hash", "decision", "user",
                                             "reason")})])


on_dismissal(_chain_dismissal)


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
