"""Per-entity content history: what an entry said before a list version changed it.

The registry keeps each entity's current document only (`entities.data`). At every import
that rewrites an entry (changed, or listed again with other content) `record()` stores, for
that version, the fields whose values the new version replaces, with their old values: the
reverse delta. Nothing is stored for the entries a version leaves as they were, so a
15,000-entry list re-imported daily with a few dozen changes stores a few dozen small rows.

The content of an entry at an earlier version is its current document with the reverse
deltas of every later version applied, newest first (`contents_at`). The result is checked
against the content hash `entity_changes` recorded for that version: an entry changed before
this history was kept (migration 0012) is reported as not recorded, never guessed.

`field_changes(old, new)` says what changed field by field (names, aliases, birth dates,
nationalities, identifiers, addresses, each designation's dates, authority, events ...).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, and_, insert, select

from tizim.registry import tables as t
from tizim.registry.model import Entity
from tizim.store import metadata

# One row per entity a version rewrote: the fields it replaced, with their values before.
entity_history = sa.Table(
    "entity_history",
    metadata,
    sa.Column("version_id", sa.Integer, sa.ForeignKey("list_versions.id"), primary_key=True),
    sa.Column("entity_id", sa.String(128), primary_key=True),
    sa.Column("previous", sa.JSON, nullable=False),
    sa.Column("previous_hash", sa.String(40), nullable=False),
)
sa.Index("ix_entity_history_entity", entity_history.c.entity_id)

_CHUNK = 500
# In a delta: the fields the earlier document did not have (no Entity field is named so).
_ABSENT = "~absent"


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def record(conn: Connection, version_id: int, entities: Sequence[Entity]) -> int:
    """Before `entities` overwrite their stored documents at `version_id`: keep, for each,
    the fields the new content replaces with their current values. Rows written."""
    rows: list[dict[str, Any]] = []
    for chunk in _chunks(entities):
        stored = {
            row.id: (row.data, row.content_hash)
            for row in conn.execute(
                select(t.entities.c.id, t.entities.c.data, t.entities.c.content_hash)
                .where(t.entities.c.id.in_([e.id for e in chunk]))
            )
        }
        for entity in chunk:
            before = stored.get(entity.id)
            if before is None:
                continue
            old, old_hash = dict(before[0]), before[1]
            new = entity.to_dict()
            delta: dict[str, Any] = {key: value for key, value in old.items() if value != new.get(key)}
            absent = sorted(key for key in new if key not in old)
            if absent:
                delta[_ABSENT] = absent
            if delta:
                rows.append({"version_id": version_id, "entity_id": entity.id, "previous": delta,
                             "previous_hash": old_hash})
    if rows:
        conn.execute(insert(entity_history), rows)
    return len(rows)


def _document_hash(data: dict[str, Any]) -> str:
    # the registry's content hash: sha1 of the document as Entity.to_json writes it
    return hashlib.sha1(json.dumps(data, ensure_ascii=False).encode("utf-8")).hexdigest()


def hashes_at(conn: Connection, list_name: str, seq: int, ids: Sequence[str]) -> dict[str, str | None]:
    """entity id -> its content hash at version `seq` of the list (None: not on it then)."""
    out: dict[str, str | None] = {}
    for chunk in _chunks(ids):
        rows = conn.execute(
            select(t.entity_changes.c.entity_id, t.entity_changes.c.content_hash)
            .join(t.list_versions, t.list_versions.c.id == t.entity_changes.c.version_id)
            .where(and_(t.list_versions.c.list_name == list_name, t.list_versions.c.seq <= seq,
                        t.entity_changes.c.entity_id.in_(list(chunk))))
            .order_by(t.list_versions.c.seq)
        )
        for entity_id, content_hash in rows:
            out[entity_id] = content_hash
    return out


def contents_at(conn: Connection, list_name: str, seq: int, ids: Sequence[str]) -> dict[str, dict[str, Any] | None]:
    """entity id -> its document at version `seq`; None when the entry was not on the list
    then, or when its content then was not recorded (changed before history was kept)."""
    wanted = hashes_at(conn, list_name, seq, ids)
    out: dict[str, dict[str, Any] | None] = {}
    for chunk in _chunks(ids):
        current = {
            row.id: dict(row.data)
            for row in conn.execute(select(t.entities.c.id, t.entities.c.data).where(t.entities.c.id.in_(list(chunk))))
        }
        deltas: dict[str, list[dict[str, Any]]] = {}
        for entity_id, previous in conn.execute(
            select(entity_history.c.entity_id, entity_history.c.previous)
            .join(t.list_versions, t.list_versions.c.id == entity_history.c.version_id)
            .where(and_(t.list_versions.c.list_name == list_name, t.list_versions.c.seq > seq,
                        entity_history.c.entity_id.in_(list(chunk))))
            .order_by(t.list_versions.c.seq.desc())
        ):
            deltas.setdefault(entity_id, []).append(previous)
        for entity_id in chunk:
            data = current.get(entity_id)
            if data is None or wanted.get(entity_id) is None:
                out[entity_id] = None
                continue
            for previous in deltas.get(entity_id, []):
                for key in previous.get(_ABSENT, ()):
                    data.pop(key, None)
                data.update({key: value for key, value in previous.items() if key != _ABSENT})
            out[entity_id] = data if _document_hash(data) == wanted[entity_id] else None
    return out


# ---- what changed, field by field ------------------------------------------------------

_LISTS = ("birth_dates", "birth_places", "nationalities", "countries", "addresses", "notes")
_SCALARS = ("schema", "gender")
_DESIGNATION_FIELDS = ("programme", "authority", "legal_basis", "listed_on", "delisted_on", "note")


def _name(n: dict[str, Any]) -> str:
    return f"{n.get('full')} · {n.get('kind') or 'primary'}" + (f" · {n['lang']}" if n.get("lang") else "")


def _identifier(i: dict[str, Any]) -> str:
    parts = [i.get("type") or "", i.get("value") or ""]
    if i.get("country"):
        parts.append(f"({i['country']})")
    if i.get("note"):
        parts.append(f"— {i['note']}")
    return " ".join(p for p in parts if p)


def _citation(c: dict[str, Any] | None) -> str:
    if not c:
        return ""
    return " · ".join(str(c[k]) for k in ("source", "record", "url", "quote") if c.get(k))


def _event(e: dict[str, Any]) -> str:
    parts = [e.get("date") or "?", e.get("action") or ""]
    for key in ("authority", "note"):
        if e.get(key):
            parts.append(str(e[key]))
    return " · ".join(parts)


def _values_change(field: str, old: list[str], new: list[str], scope: str | None = None) -> dict[str, Any] | None:
    """Removed and added values of a field (a value kept, even moved, is no change)."""
    removed = [v for v in old if v not in new]
    added = [v for v in new if v not in old]
    if not removed and not added:
        return None
    return {"field": field, "scope": scope, "removed": removed, "added": added}


def _designation_key(d: dict[str, Any]) -> str:
    return f"{d.get('list')} {d.get('reference')}"


def _designation_summary(d: dict[str, Any]) -> str:
    bits = [_designation_key(d)]
    for key in ("programme", "listed_on", "delisted_on"):
        if d.get(key):
            bits.append(f"{key}: {d[key]}")
    return " · ".join(bits)


def field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """What differs between two documents of one entry: one item per field (and per
    designation or property), each with the values removed and the values added."""
    out: list[dict[str, Any] | None] = []
    for key in _SCALARS:
        a, b = old.get(key), new.get(key)
        if a != b:
            out.append({"field": key, "scope": None, "removed": [a] if a else [], "added": [b] if b else []})
    out.append(_values_change("names", [_name(n) for n in old.get("names") or []],
                              [_name(n) for n in new.get("names") or []]))
    for key in _LISTS:
        out.append(_values_change(key, [str(v) for v in old.get(key) or []], [str(v) for v in new.get(key) or []]))
    out.append(_values_change("identifiers", [_identifier(i) for i in old.get("identifiers") or []],
                              [_identifier(i) for i in new.get("identifiers") or []]))
    old_props, new_props = old.get("properties") or {}, new.get("properties") or {}
    for prop in sorted({*old_props, *new_props}):
        out.append(_values_change("property", [str(v) for v in old_props.get(prop) or []],
                                  [str(v) for v in new_props.get(prop) or []], scope=prop))
    out.extend(_designation_changes(old.get("designations") or [], new.get("designations") or []))
    changes = [c for c in out if c is not None]
    if not changes and old != new:
        changes.append({"field": "order", "scope": None, "removed": [], "added": []})
    return changes


def _designation_changes(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
    before = {_designation_key(d): d for d in old}
    after = {_designation_key(d): d for d in new}
    out: list[dict[str, Any] | None] = [
        _values_change("designations", [_designation_summary(d) for k, d in before.items() if k not in after],
                       [_designation_summary(d) for k, d in after.items() if k not in before])
    ]
    for key in [k for k in after if k in before]:
        a, b = before[key], after[key]
        for part in _DESIGNATION_FIELDS:
            if a.get(part) != b.get(part):
                out.append({"field": f"designation.{part}", "scope": key,
                            "removed": [a[part]] if a.get(part) else [], "added": [b[part]] if b.get(part) else []})
        out.append(_values_change("designation.citation", [_citation(a.get("citation"))] if a.get("citation") else [],
                                  [_citation(b.get("citation"))] if b.get("citation") else [], scope=key))
        out.append(_values_change("designation.events", [_event(e) for e in a.get("events") or []],
                                  [_event(e) for e in b.get("events") or []], scope=key))
    return out


def changed_entries(conn: Connection, list_name: str, from_seq: int, to_seq: int,
                    entries: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """`entries` (id, caption) changed between two versions, each with its field changes;
    `recorded` is False where the earlier content was not kept (see `contents_at`)."""
    ids = [e["id"] for e in entries]
    before = contents_at(conn, list_name, from_seq, ids) if from_seq > 0 else {}
    after = contents_at(conn, list_name, to_seq, ids)
    out = []
    for entry in entries:
        old, new = before.get(entry["id"]), after.get(entry["id"])
        recorded = old is not None and new is not None
        out.append({**entry, "recorded": recorded,
                    "fields": field_changes(old, new) if old is not None and new is not None else []})
    return out


def entry_history(conn: Connection, entity_id: str) -> list[dict[str, Any]]:
    """Every version that added, changed or removed one entry, oldest first; a change with
    what it changed field by field (`recorded` False where the earlier content was not kept)."""
    rows = conn.execute(
        select(t.list_versions.c.list_name, t.list_versions.c.seq, t.list_versions.c.published_at,
               t.list_versions.c.imported_at, t.entity_changes.c.change)
        .join(t.list_versions, t.list_versions.c.id == t.entity_changes.c.version_id)
        .where(t.entity_changes.c.entity_id == entity_id)
        .order_by(t.list_versions.c.seq)
    ).all()
    out = []
    for row in rows:
        step: dict[str, Any] = {"list": row.list_name, "version": row.seq, "published_at": row.published_at,
                                "imported_at": row.imported_at, "change": row.change, "fields": [],
                                "recorded": True}
        if row.change == "changed":
            old = contents_at(conn, row.list_name, row.seq - 1, [entity_id])[entity_id]
            new = contents_at(conn, row.list_name, row.seq, [entity_id])[entity_id]
            step["recorded"] = old is not None and new is not None
            if old is not None and new is not None:
                step["fields"] = field_changes(old, new)
        out.append(step)
    return out


def changed_fields(conn: Connection, list_name: str, from_seq: int, to_seq: int) -> dict[str, set[str]]:
    """entity id -> the top-level fields (names, birth_dates, designations ...) the versions
    after `from_seq` up to `to_seq` rewrote, read from the deltas alone (no document is
    rebuilt); an entry changed before the history was kept is absent."""
    low, high = sorted((from_seq, to_seq))
    out: dict[str, set[str]] = {}
    for entity_id, previous in conn.execute(
        select(entity_history.c.entity_id, entity_history.c.previous)
        .join(t.list_versions, t.list_versions.c.id == entity_history.c.version_id)
        .where(and_(t.list_versions.c.list_name == list_name, t.list_versions.c.seq > low,
                    t.list_versions.c.seq <= high))
    ):
        fields = out.setdefault(entity_id, set())
        fields.update(key for key in previous if key != _ABSENT)
        fields.update(previous.get(_ABSENT, ()))
    return out
