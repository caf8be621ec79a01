"""`tizim entity export` validates with followthemoney, and exporting a registry then
importing the export into an empty database gives the same registry back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import FIXTURES, _postgres_url, shared_file
from tests.registry.ftm_check import differences, ftm_problems, registry_content
from tizim import settings
from tizim.cli import app
from tizim.registry.importers import load, load_all, open_all
from tizim.registry.model import (
    Citation,
    Designation,
    DesignationEvent,
    Entity,
    Identifier,
    ParsedList,
    Relationship,
)
from tizim.registry.service import Registry
from tizim.store import dispose_all

REG = FIXTURES / "registry"


def _awkward() -> ParsedList:
    """What FtM has no place for, or refuses: a name kind it lacks, scripts, typed identifiers
    with countries, an identifier and an address longer than FtM allows, a vessel owner given
    as a name, a party known by no name, a designation's history, relationships to a party
    outside the lists and of every kind."""
    person = Entity(
        id="aw-1", schema="Person", birth_dates=["1950/1955", "1962-04"], nationalities=["uz"],
        addresses=["Street " + "x" * 300],
        identifiers=[
            Identifier(type="passport", value="AA1234567", country="uz", note="expired 2010"),
            Identifier(type="iin", value="620401300123"),
            Identifier(type="other", value="N" * 90),
        ],
        properties={"position": ["Amir"], "ofsiGroupId": ["1234"]},
    )
    person.add_name("Tahir Karimovich Yuldashev")
    person.add_name("Tohir Yoldosh", kind="spelling")
    person.add_name("Тахир Юлдашев", kind="alias", lang="ru")
    person.add_name("Abu Islom", kind="weak_alias", quality="Low")
    person.designations.append(
        Designation(
            list_name="awkward", reference="AW-1", programme="TERR", authority="Court", legal_basis="Art. 1",
            listed_on="2006-03-15", citation=Citation(source="decision.pdf", record="p. 2", quote="banned"),
            events=[DesignationEvent(action="added", date="2006-03-15", authority="Court"),
                    DesignationEvent(action="revised", date="2010-01", note="aliases added")],
            note="leader",
        )
    )
    vessel = Entity(id="aw-2", schema="Vessel", properties={"owner": ["Sea Falcon Shipping Ltd"], "imoNumber": ["9123456"]})
    vessel.add_name("SEA FALCON")
    vessel.designations.append(Designation(list_name="awkward", reference="AW-2"))
    vessel.designations.append(Designation(list_name="awkward", reference="AW-2", programme="second decision"))
    nameless = Entity(id="aw-3", schema="Person", birth_dates=["1970"])
    nameless.designations.append(Designation(list_name="awkward", reference="AW-3"))
    group = Entity(id="aw-4", schema="Organization", countries=["uz"])
    group.add_name("Islamic Movement of Turkestan")
    group.designations.append(Designation(list_name="awkward", reference="AW-4", listed_on="2006-03-15"))
    related = Entity(id="aw-5", schema="Person")  # on no list: a relationship's end
    related.add_name("Najmiddin Jalolov")
    return ParsedList(
        list_name="awkward", source_file="awkward.yaml", file_hash="awkward-v1", title="Awkward cases",
        publisher="tests", published_at="2024-05-03", kind="watchlist",
        entities=[person, vessel, nameless, group, related],
        relationships=[
            Relationship(kind="leader_of", source_id="aw-1", target_id="aw-4", start_date="1998",
                         citation=Citation(source="decision.pdf", quote="led the IMU")),
            Relationship(kind="member_of", source_id="aw-5", target_id="aw-4", note="since 2001"),
            Relationship(kind="same_as", source_id="aw-4", target_id="un-sc-qde-010"),
            Relationship(kind="affiliated_with", source_id="aw-4", target_id="elsewhere-99"),
            Relationship(kind="tied_to", source_id="aw-1", target_id="aw-5", end_date="2009-08-27"),
        ],
    )


def _fill(url: str) -> None:
    registry = Registry(url)
    for path in (REG / "un" / "un_small.xml", REG / "uk" / "small", REG / "ofac" / "sdn_set",
                 REG / "kz" / "both", REG / "eu" / "annexes"):
        registry.import_parsed(load(path))
    registry.import_parsed(_awkward())
    older = _awkward()  # an older snapshot than the current version: kept as history
    older.file_hash, older.published_at, older.entities = "awkward-v0", "2023-01-10", older.entities[:2]
    assert registry.import_parsed(older).history
    registry.import_parsed(load(REG / "cli" / "demo_v1.yaml"))
    registry.import_parsed(load(REG / "cli" / "demo_v2.yaml"), allow_shrink=True)  # two versions


@contextmanager
def _empty_store(like: str, tmp_path: Path) -> Iterator[str]:
    """An empty database (not even migrated) on the same kind of store as `like`."""
    if like.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'empty.db'}"
    else:
        yield from _postgres_url(None)  # a fresh schema, dropped after


def _round_trip(url: str, tmp_path: Path, empty: str | None = None) -> tuple[Path, str]:
    """Export the registry at `url` with the CLI, import the export into an empty database
    with the CLI; the export and the new database's URL."""
    out = tmp_path / "export.ftm.json"
    runner = CliRunner()
    result = runner.invoke(app, ["--db", url, "entity", "export", "--format", "ftm", "-o", str(out)])
    assert result.exit_code == 0, result.output
    empty = empty or f"sqlite:///{tmp_path / 'empty.db'}"
    result = runner.invoke(app, ["--db", empty, "lists", "import", str(out), "--json"])
    assert result.exit_code == 0, result.output
    return out, empty


def test_export_is_valid_ftm_and_round_trips(db_url: str, tmp_path: Path) -> None:
    _fill(db_url)
    with _empty_store(db_url, tmp_path) as target:  # the export goes back into the same store
        out, empty = _round_trip(db_url, tmp_path, target)
        before = registry_content(db_url)
        after = registry_content(empty)
    problems = ftm_problems(out)
    assert problems["entities"] > 100
    for key in ("invalid", "unknown", "dangling", "duplicate_ids", "missing_required"):
        assert problems[key] == [], (key, problems[key][:5])

    assert differences(before, after) == []
    # The registry held what the round trip must keep (not a vacuous comparison).
    assert len(before["lists"]) >= 8 and len(before["relationships"]) >= 5
    awkward = before["entities"]["aw-1"][3]
    assert {n["kind"] for n in awkward["names"]} == {"primary", "spelling", "alias", "weak_alias"}
    assert len(awkward["designations"][0]["events"]) == 2
    # each list's version history, in order, with its dates, files and counts
    demo = before["lists"]["demo-national"]["versions"]
    assert [(v[0], v[6], v[7]) for v in demo] == [(1, 2, 0), (2, 1, 1)] and demo[0][2] < demo[1][2]
    assert [(v[0], v[1], v[-1]) for v in before["lists"]["awkward"]["versions"]] == [
        (1, "2024-05-03", False), (2, "2023-01-10", True)]
    first_seen = {eid: record[4] for eid, record in after["entities"].items() if record[0] == "demo-national"}
    assert sorted(first_seen.values()) == [1, 2]  # an entry of v1 kept, one added by v2
    assert after["lists"]["awkward"]["kind"] == "watchlist"  # a kind no name implies

    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    by_id = {line["id"]: line for line in lines}
    # FtM refused these values: they are not under `properties`, and came back from `tizim`.
    assert "owner" not in by_id["aw-2"]["properties"]
    assert all(len(v) <= 64 for v in by_id["aw-1"]["properties"].get("idNumber", []))
    assert by_id["aw-3"]["properties"]["name"] == ["aw-3"]  # FtM needs a name: the entry's id
    assert after["entities"]["aw-3"][3]["names"] == []
    # Two decisions with one reference: two Sanctions, two ids.
    assert sum(1 for line in lines if line["schema"] == "Sanction" and line["properties"]["entity"] == ["aw-2"]) == 2


def test_export_of_one_list_imports_under_its_name(sqlite_url: str, tmp_path: Path) -> None:
    registry = Registry(sqlite_url)
    registry.import_parsed(_awkward())
    out = tmp_path / "awkward.ftm.json"
    result = CliRunner().invoke(app, ["entity", "export", "--lists", "awkward", "-o", str(out)])
    assert result.exit_code == 0, result.output
    (parsed,) = load_all(out)
    assert parsed.list_name == "awkward" and parsed.title == "Awkward cases" and parsed.published_at == "2024-05-03"
    assert load(out, "awkward").list_name == "awkward"
    renamed = load(out, "copy-of-awkward")
    assert {d.list_name for e in renamed.entities for d in e.designations} == {"copy-of-awkward"}


@pytest.mark.slow
def test_every_shared_list_round_trips(tmp_path: Path) -> None:
    """The figures of docs/registry.md: every list of ../shared/data (about 70,000 lines)."""
    shared_file("un", "UN_consolidated_moov_2026-02.xml")
    source = f"sqlite:///{tmp_path / 'full.db'}"
    settings.override(database_url=source)
    try:
        result = CliRunner().invoke(app, ["bootstrap"])
        assert result.exit_code == 0, result.output
        out, empty = _round_trip(source, tmp_path)
        problems = ftm_problems(out)
        assert all(problems[k] == [] for k in ("invalid", "unknown", "dangling", "duplicate_ids", "missing_required"))
        assert differences(registry_content(source), registry_content(empty)) == []
    finally:
        dispose_all()
        settings.reset()


def test_an_export_streams_and_reads_the_same_in_any_order(sqlite_url: str, tmp_path: Path) -> None:
    Registry(sqlite_url).import_parsed(_awkward())
    out = tmp_path / "awkward.ftm.json"
    assert CliRunner().invoke(app, ["entity", "export", "--lists", "awkward", "-o", str(out)]).exit_code == 0
    (streamed,) = open_all(out)
    assert streamed.streamed and streamed.entities == []  # spooled to disk, read as the registry takes them
    # Sanctions moved away from the entities they follow: read whole instead, the same lists
    lines = out.read_text(encoding="utf-8").splitlines()
    shuffled = tmp_path / "shuffled.ftm.json"
    shuffled.write_text("\n".join(sorted(lines, key=lambda line: json.loads(line)["schema"] == "Sanction")) + "\n",
                        encoding="utf-8")
    (whole,) = open_all(shuffled)
    assert not whole.streamed
    back = {e.id: e.to_dict() for e in streamed.materialize().entities}
    assert back == {e.id: e.to_dict() for e in whole.entities} and len(back) == 5
    assert sorted(d["reference"] for e in back.values() for d in e["designations"]) == ["AW-1", "AW-2", "AW-2", "AW-3", "AW-4"]
    assert (streamed.versions, streamed.first_versions) == (whole.versions, whole.first_versions)
