"""The registry: list versions in, as-of/diff/entity queries out.

Every import is one transaction: the importer yields the file's entities as it reads them
(raising `InputError` naming the record), the registry writes them a chunk at a time
(versions, entities, designations, names, relationships, events) and decides removals from
the rows this version did not touch; a broken, empty or too short file rolls it all back.
Memory is a chunk of entities, whatever the file's size.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NoReturn, TypeVar

from sqlalchemy import (
    JSON,
    Connection,
    Integer,
    String,
    and_,
    delete,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    update,
)

from tizim.errors import InputError, NotFound, TizimError
from tizim.registry import tables as t
from tizim.registry.dates import date_start, in_force, parse_date
from tizim.registry.history import record as record_replaced
from tizim.registry.kinds import check_kind, kind_for_name
from tizim.registry.model import Entity, ParsedList, Relationship, detect_script
from tizim.settings import get_settings
from tizim.store import normalise_url, transaction

# Called after every import that changed a list (screening refreshes its index).
_listeners: list[Callable[[ImportResult], None]] = []

_CHUNK = 2000
_T = TypeVar("_T")

# Databases (by URL) whose bundled national lists were checked in this process.
_bundled_checked: set[str] = set()


def on_list_changed(callback: Callable[[ImportResult], None]) -> None:
    _listeners.append(callback)


# An import that adds nothing and removes at least this many entries is held back whatever
# the share: a file cut at a line boundary (a publisher outage, a proxy) looks like that.
SHRINK_MANY = 50


# What no database column stores: a NUL (JSON writes it \u0000) or half a surrogate pair.
_UNSTORABLE = re.compile("\\\\u0000|[\ud800-\udfff]")


def _check_storable(document: str, entity_id: str, source: str) -> None:
    """Refuse (before anything is written) an entity holding what PostgreSQL cannot store."""
    bad = _UNSTORABLE.search(document)
    if bad:
        what = "a NUL character" if bad.group().startswith("\\") else "half of a surrogate pair"
        raise InputError(f"entity {entity_id} holds {what}, which no database stores", file=source,
                         record=entity_id)


def _occurs_twice(source: str, entity: Entity) -> NoReturn:
    """Refuse a file giving one entity id twice, naming where the second one is (the
    importers' citations say which line or record)."""
    cited = next((d for d in entity.designations if d.citation and d.citation.record), None)
    where = f" (again at {cited.citation.record})" if cited and cited.citation else ""
    raise InputError(f"entity id {entity.id} occurs twice{where}", file=source,
                     record=cited.reference if cited else entity.id)


class ShrinkHeld(TizimError):
    """An import would remove too much of a list; nothing was written."""

    def __init__(self, message: str, *, list_name: str, before: int, removed: int, added: int) -> None:
        self.list_name = list_name
        self.before = before
        self.removed = removed
        self.added = added
        super().__init__(message)


def check_shrink(name: str, source: str, before: int, added: int, removed: int, allow_shrink: bool) -> None:
    """Refuse (raise `ShrinkHeld`) an import that would silently delist much of a list.

    `before` is the number of entries the list holds now. A new version may remove at most
    TIZIM_MAX_SHRINK of them (default 10 %), and one that adds nothing may not remove
    SHRINK_MANY or more, unless the caller says the shrink is intended.
    """
    if allow_shrink or before == 0 or removed == 0:
        return
    share = get_settings().max_shrink
    too_large = removed > share * before
    nothing_new = added == 0 and removed >= SHRINK_MANY
    if not (too_large or nothing_new):
        return
    why = (f"more than {share:.0%} of them" if too_large
           else f"adding nothing, at least {SHRINK_MANY} of them")
    raise ShrinkHeld(
        f"{source}: import of list {name} held back: it would remove {removed} of its {before} entries "
        f"({removed / before:.1%}) and add {added}, {why}; nothing was written. If the file is complete "
        f"and the shrink intended, import it again with --allow-shrink (HTTP: allow_shrink=true)",
        list_name=name, before=before, removed=removed, added=added,
    )


@dataclass
class ImportResult:
    list_name: str
    version: int
    created: bool  # False when the identical file was imported before
    entity_count: int
    added: int = 0
    removed: int = 0
    changed: int = 0
    source_file: str = ""
    # True: an older snapshot than the current version, stored as history (changes nothing)
    history: bool = False
    # what downstream capabilities did in reaction (the customer book's delta rescreen),
    # filled by the on_list_changed listeners; the registry itself never reads it
    followups: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "list": self.list_name,
            "version": self.version,
            "created": self.created,
            "entities": self.entity_count,
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
            "source_file": self.source_file,
            "history": self.history,
        }
        out.update(self.followups)
        return out


def _published_before(new: str | None, current: str | None) -> bool:
    """Whether a snapshot published on `new` is older than the current one (both dated)."""
    a, b = parse_date(new), parse_date(current)
    return bool(a and b and date_start(a) < date_start(b))


def _now() -> datetime:
    return datetime.now(UTC)


def _chunks(rows: list[_T], size: int = _CHUNK) -> Iterator[list[_T]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _batched(items: Iterable[_T], size: int) -> Iterator[list[_T]]:
    """`items` (read as they come) in lists of at most `size`."""
    batch: list[_T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class _Tally:
    """What an import counted as it went (the file's entities are not kept)."""

    seen: int = 0
    designated: int = 0
    added: int = 0
    changed: int = 0


class _RawJSON(str):
    """JSON text serialized once (it is also what the content hash is taken over)."""


def _check_fits(table: Any, rows: list[dict[str, Any]]) -> None:
    """Refuse a value longer than its column holds (PostgreSQL would fail the whole import
    with a database error; SQLite would store it), naming the record and the field."""
    limits = [(c.name, c.type.length) for c in table.columns if isinstance(c.type, String) and c.type.length]
    for row in rows:
        for name, limit in limits:
            value = row.get(name)
            if isinstance(value, str) and len(value) > limit:
                record = str(row.get("id") or row.get("entity_id") or row.get("source_id") or "")
                raise InputError(f"{len(value)} characters ({value[:30]}...), more than the {limit} that "
                                 f"{table.name}.{name} holds", record=record[:60] + ("..." if len(record) > 60 else "")
                                 or None, field=name)


def _insert_many(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    """Bulk insert on the transaction's own DBAPI connection.

    SQLAlchemy's executemany costs ~20 us of Python per row; a list import writes ~80,000
    rows. PostgreSQL gets COPY, SQLite a plain executemany. Columns missing from a row are
    written as NULL; autoincrement keys are left to the database. Values too long for their
    column are an `InputError` (`_check_fits`).
    """
    if not rows:
        return
    _check_fits(table, rows)
    columns = [
        c for c in table.columns
        if c.name in rows[0] or not (c.primary_key and isinstance(c.type, Integer))
    ]
    names = [c.name for c in columns]
    json_cols = {c.name for c in columns if isinstance(c.type, JSON)}

    def values(row: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(
            _encode(row.get(n)) if n in json_cols else row.get(n)
            for n in names
        )

    def _encode(value: Any) -> Any:
        if value is None or isinstance(value, _RawJSON):
            return value
        return json.dumps(value, ensure_ascii=False)

    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    if conn.dialect.name == "postgresql":
        quoted = ", ".join(f'"{n}"' for n in names)
        pg_cursor: Any = dbapi.cursor()  # a psycopg cursor: has copy()
        with pg_cursor, pg_cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(values(row))
        return
    if conn.dialect.name == "sqlite":
        sql = f'INSERT INTO "{table.name}" ({", ".join(names)}) VALUES ({", ".join("?" * len(names))})'
        cursor = dbapi.cursor()
        try:
            cursor.executemany(sql, [values(row) for row in rows])
        finally:
            cursor.close()
        return
    for chunk in _chunks(rows):
        conn.execute(insert(table), chunk)


class Registry:
    """Reads and writes the designation lists in one database (`url`, default from settings)."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url
        # lists the caller is about to import (an export holding the national list with its
        # versions): the bundled copy is not loaded ahead of them
        self._coming: set[str] = set()

    def expect_lists(self, names: Iterable[str]) -> None:
        """Say which lists the next imports bring, so the bundled ones are not loaded first."""
        self._coming.update(names)

    def _tx(self) -> AbstractContextManager[Connection]:
        self._ensure_bundled()
        return transaction(self.url)

    def _ensure_bundled(self) -> None:
        """Load the lists shipped with tizim into a registry that has never held them.

        The national list is part of every registry, as the UN list is part of every
        screening: a fresh database answers `lists asof kz-supreme-court` without setup.
        A list the user has imported since (any version) is left alone.
        """
        key = normalise_url(self.url or get_settings().database_url)
        if key in _bundled_checked:
            return
        _bundled_checked.add(key)  # first: import_parsed below comes back through _tx
        from tizim.registry.discover import bundled_lists
        from tizim.registry.importers import open_list

        with transaction(self.url) as conn:
            present = set(conn.execute(select(t.list_versions.c.list_name).distinct()).scalars())
        for path in bundled_lists():
            parsed = open_list(path)
            if parsed.list_name not in present and parsed.list_name not in self._coming:
                self.import_parsed(parsed)

    # ---- writing -------------------------------------------------------------------

    def import_parsed(self, parsed: ParsedList, allow_shrink: bool = False) -> ImportResult:
        """Write `parsed` as a new version; `allow_shrink` lets it remove many entries (`check_shrink`).

        A streamed list is read as it is written, a chunk of entities at a time, inside the
        one transaction: a file that turns out broken, empty or too short rolls it all back.
        """
        try:
            with self._tx() as conn:
                result = self._import(conn, parsed, allow_shrink)
        except InputError as exc:
            if exc.file:
                raise
            raise InputError(exc.reason, file=parsed.source_file, line=exc.line, record=exc.record,
                             field=exc.field) from exc
        if result.created:
            for listener in list(_listeners):
                listener(result)
        return result

    def _import(self, conn: Connection, parsed: ParsedList, allow_shrink: bool = False) -> ImportResult:
        name = parsed.list_name
        now = _now()
        kind = check_kind(parsed.kind) if parsed.kind else None
        _check_fits(t.list_versions, [{"list_name": name, "file_hash": parsed.file_hash,
                                       "published_at": parsed.published_at}, *parsed.versions])
        if conn.execute(select(t.lists.c.name).where(t.lists.c.name == name)).first() is None:
            conn.execute(
                insert(t.lists).values(
                    name=name, title=parsed.title, publisher=parsed.publisher, created_at=now,
                    kind=kind or kind_for_name(name),
                )
            )
        # The same file is the same version whatever its path and whenever it was imported.
        same = conn.execute(
            select(t.list_versions)
            .where(t.list_versions.c.list_name == name, t.list_versions.c.file_hash == parsed.file_hash)
            .order_by(t.list_versions.c.seq.desc())
            .limit(1)
        ).first()
        if same is not None:
            self._update_list(conn, parsed, kind)
            return ImportResult(
                list_name=name,
                version=same.seq,
                created=False,
                entity_count=same.entity_count,
                source_file=same.source_file,
                history=bool(same.history),
            )
        last = conn.execute(
            select(t.list_versions)
            .where(t.list_versions.c.list_name == name)
            .order_by(t.list_versions.c.seq.desc())
            .limit(1)
        ).first()
        seq = (last.seq + 1) if last is not None else 1
        current = self._current(conn, name)
        if current is not None and _published_before(parsed.published_at, current.published_at):
            return self._store_history(conn, parsed, seq, now)
        restored = last is None and any(not v.get("history") for v in parsed.versions)
        if restored:
            # an export's list into a database that never held it: its versions as they were,
            # the entities written to the one in force (their first versions kept)
            version_ids = self._restore_versions(conn, name, parsed.versions)
            seq = max(int(v["version"]) for v in parsed.versions if not v.get("history"))
            version_id = version_ids[seq]
        else:
            version_id = conn.execute(
                insert(t.list_versions)
                .values(
                    list_name=name,
                    seq=seq,
                    file_hash=parsed.file_hash,
                    source_file=parsed.source_file,
                    published_at=parsed.published_at,
                    imported_at=now,
                    entity_count=0,
                    added=0,
                    removed=0,
                    changed=0,
                )
                .returning(t.list_versions.c.id)
            ).scalar_one()
            version_ids = {seq: version_id}
        active_before = conn.execute(
            select(func.count()).select_from(t.entities)
            .where(t.entities.c.list_name == name, t.entities.c.removed_version_id.is_(None))
        ).scalar_one()

        # Entities are written a chunk at a time as the importer reads them: what the import
        # remembers of each is in the database (its row's last_version_id is this version
        # once seen), so memory does not grow with the file.
        tally = _Tally()
        streamed = parsed.streamed
        first_version = {eid: version_ids[s] for eid, s in parsed.first_versions.items() if s in version_ids}
        for chunk in _batched(parsed.each_entity(), _CHUNK):
            self._write_chunk(conn, parsed, version_id, chunk, tally, first_version)
        if streamed and tally.seen == 0:
            raise InputError(
                f"no records in the file (an empty or cut-off {name} file would delist every entry)",
                file=parsed.source_file,
            )
        removed = self._remove_unseen(conn, name, version_id)
        check_shrink(name, parsed.source_file, active_before, tally.added, removed, allow_shrink)

        self._update_list(conn, parsed, kind)
        self._replace_relationships(conn, name, parsed.relationships)
        _insert_many(conn, t.list_events, [
            {
                "list_name": name,
                "version_id": version_id,
                "action": ev.action,
                "date": ev.date,
                "authority": ev.authority,
                "count": ev.count,
                "description": ev.description,
                "citation": ev.citation.to_dict() if ev.citation else None,
            }
            for ev in parsed.events
        ])
        count = parsed.record_count if parsed.record_count is not None else tally.designated
        if not restored:  # a restored version keeps the counts it had
            conn.execute(
                update(t.list_versions)
                .where(t.list_versions.c.id == version_id)
                .values(entity_count=count, added=tally.added, removed=removed, changed=tally.changed)
            )
        return ImportResult(
            list_name=name,
            version=seq,
            created=True,
            entity_count=count,
            added=tally.added,
            removed=removed,
            changed=tally.changed,
            source_file=parsed.source_file,
        )

    @staticmethod
    def _update_list(conn: Connection, parsed: ParsedList, kind: str | None) -> None:
        """The list's title, publisher and kind as the file states them (read by now)."""
        changes: dict[str, Any] = {"kind": kind} if kind else {}
        if parsed.title or parsed.publisher:
            changes.update(title=parsed.title, publisher=parsed.publisher)
        if changes:
            conn.execute(update(t.lists).where(t.lists.c.name == parsed.list_name).values(**changes))

    def _write_chunk(self, conn: Connection, parsed: ParsedList, version_id: int, chunk: list[Entity],
                     tally: _Tally, first_version: dict[str, int]) -> None:
        """Compare a chunk of the file's entities with their stored rows and write what is new
        or changed: rows, names, designations and the version's change records."""
        name, source = parsed.list_name, parsed.source_file
        ids = [e.id for e in chunk]
        if len(set(ids)) < len(ids):
            _occurs_twice(source, [e for e in chunk if ids.count(e.id) > 1][-1])
        stored = {
            row.id: row
            for row in conn.execute(
                select(t.entities.c.id, t.entities.c.list_name, t.entities.c.content_hash,
                       t.entities.c.removed_version_id, t.entities.c.last_version_id)
                .where(t.entities.c.id.in_(ids))
            )
        }
        clash = sorted(i for i, row in stored.items() if row.list_name != name)
        if clash:
            raise TizimError(f"{source}: entity ids already used by another list: {', '.join(clash[:3])}")
        again = next((e for e in chunk if e.id in stored and stored[e.id].last_version_id == version_id), None)
        if again is not None:
            _occurs_twice(source, again)

        added: list[Entity] = []
        readded: list[Entity] = []
        changed: list[Entity] = []
        unchanged: list[str] = []
        documents: dict[str, str] = {}
        hashes: dict[str, str] = {}
        for entity in chunk:
            document = entity.to_json()
            _check_storable(document, entity.id, source)
            digest = hashes[entity.id] = entity.content_hash(document)
            was = stored.get(entity.id)
            if was is None:
                added.append(entity)
            elif was.removed_version_id is not None:
                readded.append(entity)
            elif was.content_hash != digest:
                changed.append(entity)
            else:
                unchanged.append(entity.id)
                continue
            documents[entity.id] = document
        tally.seen += len(chunk)
        tally.added += len(added) + len(readded)
        tally.changed += len(changed)
        tally.designated += sum(1 for e in chunk if any(d.list_name == name for d in e.designations))

        def entity_row(entity: Entity) -> dict[str, Any]:
            return {
                "id": entity.id,
                "list_name": name,
                "schema": entity.schema,
                "caption": entity.caption,
                "data": _RawJSON(documents[entity.id]),
                "content_hash": hashes[entity.id],
                "designated": int(any(d.list_name == name for d in entity.designations)),
                "first_version_id": first_version.get(entity.id, version_id),
                "last_version_id": version_id,
                "removed_version_id": None,
            }

        _insert_many(conn, t.entities, [entity_row(e) for e in added])
        record_replaced(conn, version_id, readded + changed)  # what the rewrite replaces: history.py
        for entity in readded + changed:
            # The one place an entity's content changes: its stored row (the old content)
            # is rewritten here with the new document (documents[entity.id]).
            row = entity_row(entity)
            row.pop("first_version_id")
            row["data"] = json.loads(row["data"])  # the ORM-less UPDATE path encodes itself
            conn.execute(update(t.entities).where(t.entities.c.id == entity.id).values(**row))
        rewritten = [e.id for e in readded + changed]
        if rewritten:
            conn.execute(delete(t.designations).where(t.designations.c.entity_id.in_(rewritten)))
            conn.execute(delete(t.names).where(t.names.c.entity_id.in_(rewritten)))
        if unchanged:
            conn.execute(update(t.entities).where(t.entities.c.id.in_(unchanged)).values(last_version_id=version_id))
        self._write_parts(conn, added + readded + changed)
        _insert_many(conn, t.entity_changes, [
            {"version_id": first_version.get(e.id, version_id), "entity_id": e.id, "change": change,
             "content_hash": hashes[e.id], "caption": e.caption}
            for change, group in (("added", added + readded), ("changed", changed))
            for e in group
        ])

    @staticmethod
    def _remove_unseen(conn: Connection, name: str, version_id: int) -> int:
        """Mark the list's entries this version did not hold as removed; how many."""
        gone = and_(t.entities.c.list_name == name, t.entities.c.removed_version_id.is_(None),
                    t.entities.c.last_version_id != version_id)
        count = conn.execute(select(func.count()).select_from(t.entities).where(gone)).scalar_one()
        if count:
            conn.execute(insert(t.entity_changes).from_select(
                ["version_id", "entity_id", "change", "content_hash", "caption"],
                select(literal(version_id), t.entities.c.id, literal("removed"), null(), t.entities.c.caption)
                .where(gone),
            ))
            conn.execute(update(t.entities).where(gone).values(removed_version_id=version_id))
        return int(count)

    @staticmethod
    def _restore_versions(conn: Connection, name: str, versions: list[dict[str, Any]]) -> dict[int, int]:
        """Write a list's versions as an export recorded them (in a database that never held
        the list); their seq -> row id."""
        out: dict[int, int] = {}
        for v in versions:
            out[int(v["version"])] = conn.execute(
                insert(t.list_versions).values(
                    list_name=name, seq=int(v["version"]), file_hash=v.get("file_hash") or f"restored:{v['version']}",
                    source_file=v.get("source_file") or "", published_at=v.get("published_at"),
                    imported_at=datetime.fromisoformat(v["imported_at"]), entity_count=int(v.get("entities") or 0),
                    added=int(v.get("added") or 0), removed=int(v.get("removed") or 0),
                    changed=int(v.get("changed") or 0), history=int(bool(v.get("history"))),
                ).returning(t.list_versions.c.id)
            ).scalar_one()
        return out

    @staticmethod
    def _current(conn: Connection, name: str) -> Any:
        """The version in force: the newest one that is not history."""
        return conn.execute(
            select(t.list_versions)
            .where(t.list_versions.c.list_name == name, t.list_versions.c.history == 0)
            .order_by(t.list_versions.c.seq.desc())
            .limit(1)
        ).first()

    @staticmethod
    def _store_history(conn: Connection, parsed: ParsedList, seq: int, now: datetime) -> ImportResult:
        """An older snapshot than the current version: recorded (its file, date and size),
        so it is known again by its digest, but it changes no entry."""
        designated = 0
        seen = 0
        for entity in parsed.each_entity():
            seen += 1
            designated += any(d.list_name == parsed.list_name for d in entity.designations)
        if seen == 0:
            raise InputError(f"no records in the file (an empty or cut-off {parsed.list_name} file)",
                             file=parsed.source_file)
        count = parsed.record_count if parsed.record_count is not None else designated
        conn.execute(insert(t.list_versions).values(
            list_name=parsed.list_name, seq=seq, file_hash=parsed.file_hash, source_file=parsed.source_file,
            published_at=parsed.published_at, imported_at=now, entity_count=count, added=0, removed=0,
            changed=0, history=1,
        ))
        return ImportResult(list_name=parsed.list_name, version=seq, created=False, entity_count=count,
                            source_file=parsed.source_file, history=True)

    @staticmethod
    def _write_parts(conn: Connection, entities: list[Entity]) -> None:
        """The designations and names rows of these (new or rewritten) entities."""
        _insert_many(conn, t.designations, [
            {
                "entity_id": e.id,
                "list_name": d.list_name,
                "reference": d.reference,
                "programme": d.programme,
                "authority": d.authority,
                "legal_basis": d.legal_basis,
                "listed_on": d.listed_on,
                "delisted_on": d.delisted_on,
                "citation": d.citation.to_dict() if d.citation else None,
                "events": [ev.to_dict() for ev in d.events],
                "note": d.note,
            }
            for e in entities
            for d in e.designations
        ])
        _insert_many(conn, t.names, [
            {"entity_id": e.id, "name": n.full, "kind": n.kind, "script": n.script or detect_script(n.full)}
            for e in entities
            for n in e.names
        ])

    @staticmethod
    def _replace_relationships(conn: Connection, name: str, rels: Iterable[Relationship]) -> None:
        conn.execute(delete(t.relationships).where(t.relationships.c.list_name == name))
        unique = {r.id: r for r in rels}
        _insert_many(conn, t.relationships, [
            {
                "id": r.id,
                "list_name": name,
                "kind": r.kind,
                "source_id": r.source_id,
                "target_id": r.target_id,
                "start_date": r.start_date,
                "end_date": r.end_date,
                "note": r.note,
                "citation": r.citation.to_dict() if r.citation else None,
            }
            for r in unique.values()
        ])

    def add_relationship(self, list_name: str, rel: Relationship) -> None:
        """Add one relationship outside a list import (e.g. accepted from intelligence)."""
        with self._tx() as conn:
            conn.execute(delete(t.relationships).where(t.relationships.c.id == rel.id))
            conn.execute(
                insert(t.relationships).values(
                    id=rel.id,
                    list_name=list_name,
                    kind=rel.kind,
                    source_id=rel.source_id,
                    target_id=rel.target_id,
                    start_date=rel.start_date,
                    end_date=rel.end_date,
                    note=rel.note,
                    citation=rel.citation.to_dict() if rel.citation else None,
                )
            )

    # ---- reading -------------------------------------------------------------------

    def summary(self) -> list[dict[str, Any]]:
        """Each list: name, title, entity count, versions, last import."""
        with self._tx() as conn:
            counts: dict[str, int] = dict(
                conn.execute(
                    select(t.entities.c.list_name, func.count())
                    .where(and_(t.entities.c.removed_version_id.is_(None), t.entities.c.designated == 1))
                    .group_by(t.entities.c.list_name)
                ).all()
            )
            rows = []
            for lst in conn.execute(select(t.lists).order_by(t.lists.c.name)):
                versions = conn.execute(
                    select(t.list_versions)
                    .where(t.list_versions.c.list_name == lst.name)
                    .order_by(t.list_versions.c.seq.desc())
                ).all()
                # the version in force; older snapshots kept as history do not count
                latest = next((v for v in versions if not v.history), versions[0] if versions else None)
                rows.append(
                    {
                        "name": lst.name,
                        "kind": lst.kind,
                        "title": lst.title,
                        "publisher": lst.publisher,
                        "entities": counts.get(lst.name, 0),
                        "versions": len(versions),
                        "latest_version": latest.seq if latest else None,
                        "published_at": latest.published_at if latest else None,
                        "last_import": latest.imported_at.isoformat() if latest else None,
                        "source_file": latest.source_file if latest else None,
                    }
                )
            return rows

    def list_names(self) -> list[str]:
        with self._tx() as conn:
            return list(conn.execute(select(t.lists.c.name).order_by(t.lists.c.name)).scalars())

    def check_lists(self, names: Iterable[str]) -> list[str]:
        """`names` as given, or an InputError naming the unknown ones and the known lists."""
        wanted = list(names)
        known = self.list_names()
        unknown = [n for n in wanted if n not in known]
        if unknown:
            raise InputError(f"unknown list{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} "
                             f"(known: {', '.join(known)})", field="--lists")
        return wanted

    def _require_list(self, conn: Connection, name: str) -> None:
        if conn.execute(select(t.lists.c.name).where(t.lists.c.name == name)).first() is None:
            known = ", ".join(conn.execute(select(t.lists.c.name)).scalars()) or "none"
            raise NotFound(f"no list named {name!r} (known: {known})")

    def versions(self, name: str) -> list[dict[str, Any]]:
        with self._tx() as conn:
            self._require_list(conn, name)
            return [
                {
                    "version": v.seq,
                    "published_at": v.published_at,
                    "imported_at": v.imported_at.isoformat(),
                    "file_hash": v.file_hash,
                    "source_file": v.source_file,
                    "entities": v.entity_count,
                    "added": v.added,
                    "removed": v.removed,
                    "changed": v.changed,
                    "history": bool(v.history),
                }
                for v in conn.execute(
                    select(t.list_versions)
                    .where(t.list_versions.c.list_name == name)
                    .order_by(t.list_versions.c.seq)
                )
            ]

    def _snapshot(self, conn: Connection, name: str, seq: int) -> dict[str, tuple[str, str]]:
        """entity id -> (content hash, caption) of what the list held at version `seq`."""
        rows = conn.execute(
            select(
                t.entity_changes.c.entity_id,
                t.entity_changes.c.change,
                t.entity_changes.c.content_hash,
                t.entity_changes.c.caption,
            )
            .join(t.list_versions, t.list_versions.c.id == t.entity_changes.c.version_id)
            .where(and_(t.list_versions.c.list_name == name, t.list_versions.c.seq <= seq))
            .order_by(t.list_versions.c.seq)
        )
        state: dict[str, tuple[str, str]] = {}
        for row in rows:
            if row.change == "removed":
                state.pop(row.entity_id, None)
            else:
                state[row.entity_id] = (row.content_hash, row.caption)
        return state

    def diff(self, name: str, from_version: int | None = None, to_version: int | None = None) -> dict[str, Any]:
        """What changed between two versions (default: the previous and the latest)."""
        with self._tx() as conn:
            self._require_list(conn, name)
            seqs = list(
                conn.execute(
                    select(t.list_versions.c.seq)
                    .where(t.list_versions.c.list_name == name)
                    .order_by(t.list_versions.c.seq)
                ).scalars()
            )
            current = self._current(conn, name)
            to_seq = to_version if to_version is not None else (current.seq if current is not None else seqs[-1])
            from_seq = from_version if from_version is not None else to_seq - 1
            for label, value in (("--to", to_seq), ("--from", from_seq)):
                if value != 0 and value not in seqs:
                    raise NotFound(f"list {name} has no version {value} for {label} (versions: {seqs})")
            before = self._snapshot(conn, name, from_seq) if from_seq > 0 else {}
            after = self._snapshot(conn, name, to_seq)
        added = sorted(set(after) - set(before))
        removed = sorted(set(before) - set(after))
        changed = sorted(k for k in set(after) & set(before) if after[k][0] != before[k][0])
        return {
            "list": name,
            "from": from_seq,
            "to": to_seq,
            "added": [{"id": k, "caption": after[k][1]} for k in added],
            "removed": [{"id": k, "caption": before[k][1]} for k in removed],
            "changed": [{"id": k, "caption": after[k][1]} for k in changed],
        }

    def asof(self, name: str, day: str) -> list[dict[str, Any]]:
        """Entries of a list in force on `day` (ISO date), by designation and version dates."""
        with self._tx() as conn:
            self._require_list(conn, name)
            version_dates = {
                v.id: (v.published_at or v.imported_at.date().isoformat())
                for v in conn.execute(select(t.list_versions).where(t.list_versions.c.list_name == name))
            }
            rows = conn.execute(
                select(
                    t.entities.c.id,
                    t.entities.c.caption,
                    t.entities.c.schema,
                    t.entities.c.first_version_id,
                    t.entities.c.removed_version_id,
                    t.designations.c.reference,
                    t.designations.c.listed_on,
                    t.designations.c.delisted_on,
                    t.designations.c.authority,
                    t.designations.c.programme,
                )
                .join(t.designations, t.designations.c.entity_id == t.entities.c.id)
                .where(and_(t.entities.c.list_name == name, t.designations.c.list_name == name))
                .order_by(t.designations.c.listed_on, t.entities.c.caption)
            )
            out = []
            seen: set[str] = set()  # an entity with several designations is one entry
            for row in rows:
                if row.id in seen:
                    continue
                listed_on = row.listed_on or version_dates.get(row.first_version_id)
                delisted_on = row.delisted_on
                if delisted_on is None and row.removed_version_id is not None:
                    delisted_on = version_dates.get(row.removed_version_id)
                if not in_force(listed_on, delisted_on, day):
                    continue
                seen.add(row.id)
                out.append(
                    {
                        "id": row.id,
                        "caption": row.caption,
                        "schema": row.schema,
                        "reference": row.reference,
                        "listed_on": row.listed_on,
                        "delisted_on": row.delisted_on,
                        "authority": row.authority,
                        "programme": row.programme,
                    }
                )
            out.sort(key=lambda r: (date_start(r["listed_on"] or ""), r["caption"]))
            return out

    def entity(self, entity_id: str) -> dict[str, Any]:
        """One entity: its data, names grouped by script, designations, relationships."""
        with self._tx() as conn:
            row = conn.execute(select(t.entities).where(t.entities.c.id == entity_id)).first()
            if row is None:
                raise NotFound(f"no entity with id {entity_id!r}")
            data = dict(row.data)
            by_script: dict[str, list[dict[str, str]]] = {}
            for n in data.get("names") or []:
                by_script.setdefault(n.get("script") or "Zyyy", []).append(
                    {"name": n["full"], "kind": n["kind"]}
                )
            rels = conn.execute(
                select(t.relationships).where(
                    or_(t.relationships.c.source_id == entity_id, t.relationships.c.target_id == entity_id)
                )
            ).all()
            other_ids = {r.target_id if r.source_id == entity_id else r.source_id for r in rels}
            captions = dict(
                conn.execute(select(t.entities.c.id, t.entities.c.caption).where(t.entities.c.id.in_(other_ids))).all()
            ) if other_ids else {}
            relationships = [
                {
                    "id": r.id,
                    "kind": r.kind,
                    "direction": "outgoing" if r.source_id == entity_id else "incoming",
                    "other_id": r.target_id if r.source_id == entity_id else r.source_id,
                    "other_caption": captions.get(r.target_id if r.source_id == entity_id else r.source_id),
                    "start_date": r.start_date,
                    "end_date": r.end_date,
                    "note": r.note,
                    "citation": r.citation,
                }
                for r in rels
            ]
            return {
                "id": row.id,
                "list": row.list_name,
                "schema": row.schema,
                "caption": row.caption,
                "designated": bool(row.designated),
                "removed": row.removed_version_id is not None,
                "names_by_script": by_script,
                "entity": data,
                "designations": data.get("designations") or [],
                "relationships": relationships,
            }

    def iter_entities(
        self, lists: Iterable[str] | None = None, include_removed: bool = False
    ) -> Iterator[Entity]:
        """Every entity (current by default), as model objects, for screening and export."""
        query = select(t.entities.c.data)
        if not include_removed:
            query = query.where(t.entities.c.removed_version_id.is_(None))
        if lists is not None:
            query = query.where(t.entities.c.list_name.in_(list(lists)))
        with self._tx() as conn:
            for (data,) in conn.execute(query.order_by(t.entities.c.id)):
                yield Entity.from_dict(data)

    def iter_relationships(self, kinds: Iterable[str] | None = None) -> Iterator[dict[str, Any]]:
        query = select(t.relationships)
        if kinds is not None:
            query = query.where(t.relationships.c.kind.in_(list(kinds)))
        with self._tx() as conn:
            for row in conn.execute(query.order_by(t.relationships.c.id)):
                yield dict(row._mapping)

    def events(self, name: str) -> list[dict[str, Any]]:
        """List-level events recorded by the latest version of a list."""
        with self._tx() as conn:
            self._require_list(conn, name)
            latest = conn.execute(
                select(func.max(t.list_versions.c.id)).where(t.list_versions.c.list_name == name)
            ).scalar()
            return [
                {k: v for k, v in dict(r._mapping).items() if k not in ("id", "version_id")}
                for r in conn.execute(
                    select(t.list_events).where(t.list_events.c.version_id == latest).order_by(t.list_events.c.id)
                )
            ]

    def state_token(self) -> str:
        """Changes whenever any list gets a new version (screening index freshness)."""
        with self._tx() as conn:
            count, top = conn.execute(select(func.count(), func.max(t.list_versions.c.id))).one()
            rels = conn.execute(select(func.count()).select_from(t.relationships)).scalar()
            # a list's kind decides what a match on it does (registry/kinds.py)
            kinds = ",".join(f"{n}={k}" for n, k in conn.execute(select(t.lists.c.name, t.lists.c.kind)
                                                                 .order_by(t.lists.c.name)))
        return f"{count}:{top}:{rels}:{hashlib.sha1(kinds.encode()).hexdigest()[:12]}"
