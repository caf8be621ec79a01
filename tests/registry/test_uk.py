"""UK Sanctions List (normalised CSV tables) -> uk-fcdo: real folder, fixtures, bad input."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, SHARED_DATA, shared_file
from tizim.errors import InputError
from tizim.registry.importers import detect, load, uk
from tizim.registry.importers.base import make_id
from tizim.registry.model import ParsedList
from tizim.registry.service import Registry

SMALL = FIXTURES / "registry" / "uk" / "small"


@pytest.fixture(scope="module")
def real() -> ParsedList:
    return load(shared_file("uk", "uk_sanctions_list_normalised_covyr"))


def test_real_counts_equal_the_source(real: ParsedList) -> None:
    assert real.list_name == "uk-fcdo"
    assert real.record_count == len(real.entities) == 6046
    assert Counter(e.schema for e in real.entities) == {"Person": 3883, "Organization": 1531, "Vessel": 632}
    assert real.published_at == "2026-04-29"
    # Every UN reference becomes an identifier and a same_as link to the UN list's id.
    with_un = [e for e in real.entities if any(i.type == "un_reference" for i in e.identifiers)]
    assert len(with_un) == len(real.relationships) == 1002
    assert all(r.kind == "same_as" and r.target_id.startswith("un-sc-") for r in real.relationships)
    vessels = [e for e in real.entities if e.schema == "Vessel"]
    assert sum(1 for v in vessels if v.properties.get("imoNumber")) > 600


def test_real_record_details(real: ParsedList) -> None:
    by_ref = {e.designations[0].reference: e for e in real.entities}
    afg = by_ref["AFG0001"]
    assert afg.caption == "HAJI KHAIRULLAH HAJI SATTAR MONEY EXCHANGE"
    desig = afg.designations[0]
    assert (desig.listed_on, desig.programme) == ("2012-06-29", "Afghanistan")
    assert afg.properties["ofsiGroupId"] == ["12703"]
    assert any(i.type == "un_reference" and i.value == "TAe.010" for i in afg.identifiers)
    assert desig.citation is not None and desig.citation.record == "AFG0001"


def test_fixture_folder(tmp_path: Path) -> None:
    assert detect(SMALL) == (uk, "uk-fcdo")
    parsed = load(SMALL)
    person, org, ship = parsed.entities
    assert [(n.full, n.kind) for n in person.names] == [
        ("Abu TESTER", "primary"), ("Abou TESTER", "spelling"),
        ("Tester al-Fictional", "alias"), ("Abu T", "weak_alias"),
    ]
    assert person.birth_dates == ["1970-01-02", "1971-06", "1972"]
    assert person.nationalities == ["dz"] and person.properties["birthCountry"] == ["dz"]
    assert [i.type for i in person.identifiers] == ["un_reference", "passport"]  # duplicate row dropped
    assert parsed.relationships[0].target_id == make_id("un-sc", "QDi.901")
    assert org.countries[0] == "gb"
    assert ship.schema == "Vessel" and ship.properties["imoNumber"] == ["9000001"]
    assert ship.designations[0].programme == "Democratic People's Republic of Korea"


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "uk"
    shutil.copytree(SMALL, target)
    return target


def test_bad_input_names_file_and_line(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    names = folder / "subject_names.csv"
    names.write_text(names.read_text(encoding="utf-8") + "8,ZZZ0001,primary,,Ghost,,,,,,\n", encoding="utf-8")
    with pytest.raises(InputError, match="not in subjects.csv") as err:
        load(folder)
    assert (err.value.file, err.value.line) == (str(names), 9)

    folder = _copy(tmp_path / "b")
    subjects = folder / "subjects.csv"
    text = subjects.read_text(encoding="utf-8")
    subjects.write_text(text[: text.index("DPR9003") + 12], encoding="utf-8")  # truncated mid-row
    with pytest.raises(InputError, match="truncated") as err:
        load(folder)
    assert err.value.line == 4

    folder = _copy(tmp_path / "c")
    (folder / "subject_names.csv").unlink()
    assert uk.sniff(folder, b"") is None
    with pytest.raises(InputError, match="subject_names.csv is missing"):
        uk.parse(folder, "uk-fcdo")


def test_sniff_ignores_other_csv_folders() -> None:
    for folder in ("aml_transactions/ibm_amlsim_sample_outputs", "eu/opensanctions_eu_journal_sanctions/consolidated",
                   "ofac/legacy_csv_2021-07"):
        path = SHARED_DATA / folder
        if path.is_dir():
            assert uk.sniff(path, b"") is None


def test_import_through_registry(db_url: str) -> None:
    registry = Registry(db_url)
    result = registry.import_parsed(load(SMALL))
    assert (result.entity_count, result.added) == (3, 3)
    shown = registry.entity(make_id("uk-fcdo", "AQD9001"))
    assert shown["relationships"][0]["kind"] == "same_as"
    assert [r["reference"] for r in registry.asof("uk-fcdo", "2016-01-01")] == ["AQD9001", "CTI9002"]


def test_real_folder_through_registry(sqlite_url: str, real: ParsedList) -> None:
    registry = Registry(sqlite_url)
    result = registry.import_parsed(real)
    assert result.entity_count == 6046
    row = next(r for r in registry.summary() if r["name"] == "uk-fcdo")
    assert row["entities"] == 6046
