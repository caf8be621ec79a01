"""EU: the OpenSanctions annex CSV folder and the official FSF XML layout -> eu-fsf."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, SHARED_DATA, shared_file
from tizim.errors import InputError
from tizim.registry.importers import detect, eu, eu_xml, load
from tizim.registry.importers.base import make_id
from tizim.registry.model import ParsedList
from tizim.registry.service import Registry

HERE = FIXTURES / "registry" / "eu"


@pytest.fixture(scope="module")
def real() -> ParsedList:
    return load(shared_file("eu", "opensanctions_eu_journal_sanctions", "consolidated"))


def test_real_annexes_count_rows_as_the_source(real: ParsedList) -> None:
    assert real.list_name == "eu-fsf"
    assert real.record_count == 8017  # rows in the 45 files
    # Two Annex I entries of Regulation 881/2002 are repeated in the source; merged, not doubled.
    assert len(real.entities) == 8015
    assert Counter(e.schema for e in real.entities)["Vessel"] == 708
    terr = [e for e in real.entities if e.designations[0].programme == "EU-TERR"]
    assert len(terr) == 36
    assert all("2580/2001" in (e.designations[0].legal_basis or "") for e in terr)
    himmat = [e for e in real.entities if e.caption == "Ali Ghaleb Himmat"]
    assert len(himmat) == 1 and len(himmat[0].addresses) == 2


def test_fixture_annexes() -> None:
    assert detect(HERE / "annexes") == (eu, "eu-fsf")
    parsed = load(HERE / "annexes")
    assert parsed.record_count == 6 and len(parsed.entities) == 5
    by_name = {e.caption: e for e in parsed.entities}
    tester = by_name["TESTER Abu"]
    assert [n.full for n in tester.names] == ["TESTER Abu", "Abu Testeri", "Abou Tester"]
    assert tester.birth_dates == ["1958-01-01", "1958"]
    assert tester.nationalities == ["dz"] and tester.gender == "male"
    assert tester.identifiers[0].type == "passport"
    d = tester.designations[0]
    assert (d.listed_on, d.programme, d.reference) == ("2001-10-06", "EU-TERR", "32001R2580-II.A-1")
    assert d.legal_basis == "Council Regulation No 2580/2001 (CELEX 32001R2580), Annex II.A"
    assert [n.full for n in by_name["Fictional Front"].names] == ["Fictional Front", "FF", "Front Fictif"]
    cell = by_name["Nameless Cell"]  # two rows without recordId and the same name: one entry
    assert [n.full for n in cell.names] == ["Nameless Cell", "Cell N"] and cell.birth_dates == ["1977/1982"]
    assert by_name["Test Port"].schema == "LegalEntity" and "asset" in by_name["Test Port"].notes[0]
    assert by_name["TEST SHIP"].properties["imoNumber"] == ["9000001"]
    assert by_name["TEST SHIP"].designations[0].legal_basis.startswith("Council Regulation No 833/2014")


def test_annexes_bad_input(tmp_path: Path) -> None:
    folder = tmp_path / "annexes"
    shutil.copytree(HERE / "annexes", folder)
    file = folder / "32014R0833.csv"
    text = file.read_text(encoding="utf-8")
    file.write_text(text[: text.rindex("TEST SHIP")], encoding="utf-8")
    with pytest.raises(InputError, match="truncated") as err:
        load(folder)
    assert (err.value.file, err.value.line) == (str(file), 3)
    file.write_text(text.replace("Vessel,TEST SHIP", "Spaceship,TEST SHIP"), encoding="utf-8")
    with pytest.raises(InputError, match="unknown schema") as err:
        load(folder)
    assert err.value.field == "schema"


def test_sniffers_leave_other_folders_alone() -> None:
    for folder in ("uk/uk_sanctions_list_normalised_covyr", "aml_transactions/ibm_amlsim_sample_outputs",
                   "ofac/consolidated_non_sdn_2025-12"):
        path = SHARED_DATA / folder
        if path.is_dir():
            assert eu.sniff(path, b"") is None
    for path in sorted((SHARED_DATA / "iso20022").rglob("*.xml"))[:10]:
        assert eu_xml.sniff(path, path.read_bytes()[:65536]) is None


def test_fsf_xml_fixture() -> None:
    path = HERE / "fsf_small.xml"
    assert detect(path) == (eu_xml, "eu-fsf")
    parsed = load(path)
    assert parsed.published_at == "2024-05-02" and parsed.record_count == 2
    person, org = parsed.entities
    assert person.id == make_id("eu-fsf", "9001")
    assert [(n.full, n.kind, n.lang) for n in person.names] == [
        ("Abu Tester", "primary", None), ("Абу Тестер", "alias", "ru"), ("Abu T", "weak_alias", None)]
    assert person.names[1].script == "Cyrl"
    assert person.birth_dates == ["1970-01-02", "1971"] and person.birth_places == ["Algiers, ALGERIA"]
    assert person.nationalities == ["dz"] and person.gender == "male"
    assert {(i.type, i.value) for i in person.identifiers} == {("passport", "P1234567"), ("un_reference", "QDi.901")}
    assert person.addresses == ["1 Test Street, 16000, Algiers, ALGERIA"]
    d = person.designations[0]
    assert (d.reference, d.programme, d.listed_on) == ("EU.9001.01", "TAQA", "2001-10-06")
    assert d.citation is not None and d.citation.url and "32002R0881" in d.citation.url
    assert parsed.relationships[0].target_id == make_id("un-sc", "QDi.901")
    # No designationDate: the regulation's entry into force stands in.
    assert org.designations[0].listed_on == "2001-12-28" and org.schema == "Organization"
    assert org.designations[0].note == "Fictional front organisation"


def test_fsf_xml_bad_input(tmp_path: Path) -> None:
    text = (HERE / "fsf_small.xml").read_text(encoding="utf-8")
    cut = tmp_path / "cut.xml"
    cut.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(InputError, match="malformed XML") as err:
        eu_xml.parse(cut, "eu-fsf")
    assert err.value.line is not None
    bad = tmp_path / "bad.xml"
    bad.write_text(text.replace('code="enterprise"', 'code="spaceship"'), encoding="utf-8")
    with pytest.raises(InputError, match="unknown subjectType") as err:
        eu_xml.parse(bad, "eu-fsf")
    assert err.value.record == "EU.9002.02"
    evil = tmp_path / "evil.xml"
    evil.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><export>&a;</export>', encoding="utf-8")
    with pytest.raises(InputError, match="forbidden"):
        eu_xml.parse(evil, "eu-fsf")


def test_import_through_registry(db_url: str) -> None:
    registry = Registry(db_url)
    result = registry.import_parsed(load(HERE / "annexes"))
    assert result.entity_count == 6  # rows, as the source counts them
    second = registry.import_parsed(load(HERE / "fsf_small.xml"), allow_shrink=True)
    assert second.version == 2 and second.added == 2 and second.removed == 5
