"""List import streams (issue 19): the registry takes the importer's entities a chunk at a
time, so what it holds does not grow with the file, and still writes all or nothing.

Memory is counted, not timed: every entity the stream makes is watched through a weak
reference, and the number alive at once stays within two chunks whatever the list's size.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tizim.errors import InputError, TizimError
from tizim.registry import service
from tizim.registry import tables as t
from tizim.registry.importers import open_list
from tizim.registry.model import Designation, Entity, ParsedList
from tizim.registry.service import Registry, ShrinkHeld
from tizim.store import transaction

CHUNK = service._CHUNK
HEADER = "list,reference,schema,name,listed_on,authority\n"


def _entity(i: int, list_name: str = "streamed") -> Entity:
    entity = Entity(id=f"{list_name}-{i}", schema="Person")
    entity.add_name(f"Person Number {i}")
    entity.designations.append(Designation(list_name=list_name, reference=str(i), listed_on="2020-01-01"))
    return entity


class _Watched:
    """A stream of `count` entities that counts how many of them are alive at once."""

    def __init__(self, count: int, start: int = 0) -> None:
        self.count = count
        self.start = start
        self.refs: list[weakref.ref[Entity]] = []
        self.most_alive = 0

    def __iter__(self) -> Iterator[Entity]:
        for i in range(self.start, self.start + self.count):
            entity = _entity(i)
            self.refs.append(weakref.ref(entity))
            if i % 100 == 0:
                self.refs = [r for r in self.refs if r() is not None]
                self.most_alive = max(self.most_alive, len(self.refs))
            yield entity


def _streamed(stream: _Watched, file_hash: str) -> ParsedList:
    parsed = ParsedList(list_name="streamed", source_file=f"{file_hash}.csv", file_hash=file_hash)
    parsed.stream = iter(stream)
    return parsed


def _state(url: str, name: str) -> tuple[int, int]:
    with transaction(url) as conn:
        versions = conn.execute(select(func.count()).select_from(t.list_versions)
                                .where(t.list_versions.c.list_name == name)).scalar_one()
        active = conn.execute(select(func.count()).select_from(t.entities).where(
            t.entities.c.list_name == name, t.entities.c.removed_version_id.is_(None))).scalar_one()
    return versions, active


def test_import_holds_a_chunk_at_a_time(db_url: str) -> None:
    registry = Registry(db_url)
    small, large = _Watched(CHUNK), _Watched(8 * CHUNK)
    registry.import_parsed(_streamed(small, "small"))
    result = registry.import_parsed(_streamed(large, "large"))
    assert (result.added, result.removed, result.changed, result.entity_count) == (7 * CHUNK, 0, 0, 8 * CHUNK)
    assert _state(db_url, "streamed") == (2, 8 * CHUNK)
    # eight times the entities, not more of them held: within two chunks either way
    assert small.most_alive <= 2 * CHUNK and large.most_alive <= 2 * CHUNK


def test_removals_are_decided_from_the_ids_seen(db_url: str) -> None:
    registry = Registry(db_url)
    registry.import_parsed(_streamed(_Watched(3 * CHUNK), "v1"))
    # the same entries but the first 100 (3 % of them), and 50 new ones
    result = registry.import_parsed(_streamed(_Watched(3 * CHUNK - 50, start=100), "v2"))
    assert (result.added, result.removed, result.changed) == (50, 100, 0)
    diff = registry.diff("streamed")
    assert [d["id"] for d in diff["removed"]][:2] == ["streamed-0", "streamed-1"] and len(diff["removed"]) == 100


def _national(tmp_path: Path, rows: int, last: str | None = None) -> Path:
    path = tmp_path / "national.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for i in range(rows):
            out.write(f"bench-kz,R-{i},Person,Name Number {i},2020-01-01,Court\n")
        if last is not None:
            out.write(last)
    return path


def test_a_bad_record_after_written_chunks_writes_nothing(db_url: str, tmp_path: Path) -> None:
    registry = Registry(db_url)
    registry.import_parsed(open_list(_national(tmp_path, 3 * CHUNK)))
    before = _state(db_url, "bench-kz")
    # 3 chunks in, a record with a date that is no date: the chunks already written go too
    bad = _national(tmp_path, 4 * CHUNK, last="bench-kz,R-x,Person,Late Name,2020-13-45,Court\n")
    with pytest.raises(InputError, match="not a date") as info:
        registry.import_parsed(open_list(bad))
    assert info.value.line == 4 * CHUNK + 2
    assert _state(db_url, "bench-kz") == before


def test_an_id_twice_chunks_apart_writes_nothing(db_url: str) -> None:
    registry = Registry(db_url)
    parsed = ParsedList(list_name="streamed", source_file="twice.csv", file_hash="twice")
    parsed.stream = iter([*(_entity(i) for i in range(2 * CHUNK)), _entity(5)])
    with pytest.raises(TizimError, match="streamed-5 occurs twice"):
        registry.import_parsed(parsed)
    assert _state(db_url, "streamed") == (0, 0)


def test_an_empty_or_shrinking_stream_writes_nothing(db_url: str, tmp_path: Path) -> None:
    registry = Registry(db_url)
    registry.import_parsed(open_list(_national(tmp_path, 2 * CHUNK)))
    before = _state(db_url, "bench-kz")
    with pytest.raises(InputError, match="no entities"):
        registry.import_parsed(open_list(_national(tmp_path, 0)))
    with pytest.raises(ShrinkHeld, match=f"remove {CHUNK} of its {2 * CHUNK} entries"):
        registry.import_parsed(open_list(_national(tmp_path, CHUNK)))
    assert _state(db_url, "bench-kz") == before
    empty = ParsedList(list_name="bench-kz", source_file="none.csv", file_hash="none")
    empty.stream = iter([])
    with pytest.raises(InputError, match="no records"):
        registry.import_parsed(empty)
    assert _state(db_url, "bench-kz") == before
    done = registry.import_parsed(open_list(_national(tmp_path, CHUNK)), allow_shrink=True)
    assert (done.removed, _state(db_url, "bench-kz")) == (CHUNK, (2, CHUNK))


def test_a_reference_twice_names_its_line(sqlite_url: str, tmp_path: Path) -> None:
    path = _national(tmp_path, CHUNK + 10, last="bench-kz,R-3,Person,Someone Else,2020-01-01,Court\n")
    with pytest.raises(InputError, match=f"bench-kz-r-3 occurs twice \\(again at line {CHUNK + 12}\\)"):
        Registry(sqlite_url).import_parsed(open_list(path))
    assert _state(sqlite_url, "bench-kz") == (0, 0)


def test_a_value_longer_than_its_column_is_named(db_url: str, tmp_path: Path) -> None:
    # PostgreSQL failed the whole import with a database error (a traceback in the hostile
    # corpus); now, on both stores, one line naming the record and the field
    registry = Registry(db_url)
    long_ref = "R" * 300
    path = _national(tmp_path, CHUNK + 10, last=f"bench-kz,{long_ref},Person,Long Reference,2020-01-01,Court\n")
    with pytest.raises(InputError, match="more than the 128 that entities.id holds") as info:
        registry.import_parsed(open_list(path))
    assert info.value.file == str(path) and info.value.field == "id"
    assert _state(db_url, "bench-kz") == (0, 0)
