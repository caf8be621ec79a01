"""Registry versions, diffs, as-of queries and all-or-nothing imports, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tizim.errors import NotFound, TizimError
from tizim.registry.model import (
    Citation,
    Designation,
    Entity,
    ListEvent,
    Name,
    ParsedList,
    Relationship,
)
from tizim.registry.service import Registry


def _org(ref: str, name: str, listed_on: str | None, *aliases: str, delisted_on: str | None = None) -> Entity:
    entity = Entity(id=f"demo-{ref}", schema="Organization")
    entity.add_name(name)
    for alias in aliases:
        entity.add_name(alias, "alias")
    entity.designations.append(
        Designation(
            list_name="demo",
            reference=ref,
            authority="Supreme Court",
            listed_on=listed_on,
            delisted_on=delisted_on,
            citation=Citation(source="demo.yaml", record=ref),
        )
    )
    return entity


def _version(file_hash: str, entities: list[Entity], published: str | None = None, **extra: object) -> ParsedList:
    return ParsedList(
        list_name="demo",
        source_file="demo.yaml",
        file_hash=file_hash,
        published_at=published,
        entities=entities,
        **extra,  # type: ignore[arg-type]
    )


def test_versions_diff_and_identical_reimport(db_url: str) -> None:
    registry = Registry()
    v1 = registry.import_parsed(_version("h1", [_org("1", "Islamic Movement of Uzbekistan", "2006-10-12", "IMU"),
                                                 _org("2", "Boz Kurt", "2006-10-12")], "2006-10-12"))
    assert (v1.version, v1.created, v1.added, v1.entity_count) == (1, True, 2, 2)

    again = registry.import_parsed(_version("h1", [_org("1", "Islamic Movement of Uzbekistan", "2006-10-12")]))
    assert not again.created and again.version == 1
    assert len(registry.versions("demo")) == 1

    changed = _org("1", "Islamic Movement of Uzbekistan", "2006-10-12", "IMU", "O'zbekiston Islomiy Harakati")
    v2 = registry.import_parsed(_version("h2", [changed, _org("3", "Aum Shinrikyo", "2006-11-17")], "2006-11-17"),
                                allow_shrink=True)
    assert (v2.version, v2.added, v2.removed, v2.changed) == (2, 1, 1, 1)

    diff = registry.diff("demo")
    assert [d["id"] for d in diff["added"]] == ["demo-3"]
    assert [d["id"] for d in diff["removed"]] == ["demo-2"]
    assert [d["id"] for d in diff["changed"]] == ["demo-1"]
    first = registry.diff("demo", from_version=0, to_version=1)
    assert sorted(d["id"] for d in first["added"]) == ["demo-1", "demo-2"]

    summary = {row["name"]: row for row in registry.summary()}
    assert summary["demo"]["entities"] == 2
    assert summary["demo"]["versions"] == 2


def test_asof_uses_designation_and_version_dates(db_url: str) -> None:
    registry = Registry()
    registry.import_parsed(_version("h1", [
        _org("1", "Islamic Movement of Uzbekistan", "2006-10-12"),
        _org("2", "Aum Shinrikyo", "2006-11-17"),
        _org("3", "Old Group", "2001", delisted_on="2005-06-01"),
        _org("4", "Vague Group", "2006-03"),
    ], "2010-01-01"))
    on = lambda day: {r["reference"] for r in registry.asof("demo", day)}  # noqa: E731
    assert on("2006-10-12") == {"1", "4"}
    assert on("2006-11-17") == {"1", "2", "4"}
    assert on("2004-01-01") == {"3"}
    assert on("2006-02-28") == set()

    # An entry removed by a later version stops being in force from that version's date.
    registry.import_parsed(_version("h2", [_org("1", "Islamic Movement of Uzbekistan", "2006-10-12")], "2012-05-01"),
                           allow_shrink=True)
    assert on("2011-01-01") == {"1", "2", "4"}
    assert on("2013-01-01") == {"1"}


def test_failed_import_changes_nothing(db_url: str) -> None:
    registry = Registry()
    registry.import_parsed(_version("h1", [_org("1", "Islamic Movement of Uzbekistan", "2006-10-12")]))
    other = ParsedList(list_name="other", source_file="other.csv", file_hash="o1",
                       entities=[Entity(id="other-1", schema="Person", names=[Name("A")])])
    registry.import_parsed(other)
    # The clash is found after the version row was written: the transaction must roll back.
    clash = Entity(id="other-1", schema="Person", names=[Name("B")],
                   designations=[Designation(list_name="demo", reference="x")])
    with pytest.raises(TizimError, match="already used by another list"):
        registry.import_parsed(_version("h2", [clash, _org("5", "New", "2007-01-01")]))
    assert len(registry.versions("demo")) == 1
    assert registry.diff("demo")["added"][0]["id"] == "demo-1"
    with pytest.raises(NotFound):
        registry.entity("demo-5")

    with pytest.raises(TizimError, match="occurs twice"):
        registry.import_parsed(_version("h3", [_org("1", "A", None), _org("1", "B", None)]))
    assert len(registry.versions("demo")) == 1


def test_entity_names_by_script_relationships_and_events(db_url: str) -> None:
    registry = Registry()
    imu = _org("1", "Islamic Movement of Uzbekistan", "2006-10-12", "Ўзбекистон Исломий Ҳаракати", "IMU")
    aq = _org("2", "Al-Qaeda", "2006-10-12", "القاعدة")
    rel = Relationship(kind="affiliated_with", source_id="demo-1", target_id="demo-2",
                       citation=Citation(source="003.txt", quote="an organization affiliated with Al-Qaeda"))
    event = ListEvent(action="list_approved", date="2006-10-12", authority="Supreme Court", count=13,
                      citation=Citation(source="003.txt", quote="approved a revised list"))
    registry.import_parsed(_version("h1", [imu, aq], relationships=[rel], events=[event]))

    shown = registry.entity("demo-1")
    assert set(shown["names_by_script"]) == {"Latn", "Cyrl"}
    assert shown["designations"][0]["citation"]["record"] == "1"
    (link,) = shown["relationships"]
    assert (link["kind"], link["direction"], link["other_caption"]) == ("affiliated_with", "outgoing", "Al-Qaeda")
    assert registry.entity("demo-2")["names_by_script"]["Arab"][0]["name"] == "القاعدة"
    assert registry.events("demo")[0]["count"] == 13
    assert [e.id for e in registry.iter_entities(["demo"])] == ["demo-1", "demo-2"]


def test_unknown_list_and_version_are_named(db_url: str) -> None:
    registry = Registry()
    with pytest.raises(NotFound, match="no list named 'nope'"):
        registry.versions("nope")
    registry.import_parsed(_version("h1", [_org("1", "A", None)]))
    with pytest.raises(NotFound, match="no version 7"):
        registry.diff("demo", to_version=7)
