"""UN Security Council consolidated list importer: real file counts, fields, safety of imports."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, shared_file
from tizim.errors import InputError
from tizim.registry.importers import detect, load, un
from tizim.registry.model import Entity, ParsedList
from tizim.registry.service import Registry

SMALL = FIXTURES / "registry" / "un" / "un_small.xml"


def _real() -> Path:
    return shared_file("un", "UN_consolidated_moov_2026-02.xml")


@pytest.fixture(scope="module")
def real() -> ParsedList:
    return un.parse(_real(), "un-sc")


def _by_ref(parsed: ParsedList) -> dict[str, Entity]:
    return {e.designations[0].reference: e for e in parsed.entities}


def test_real_file_counts_match_the_source(real: ParsedList) -> None:
    # The file's own make-up: 730 INDIVIDUAL + 273 ENTITY.
    schemata = Counter(e.schema for e in real.entities)
    assert schemata == {"Person": 730, "Organization": 273}
    assert real.record_count == 1003
    assert real.published_at == "2026-02-27"
    programmes = Counter(e.designations[0].programme for e in real.entities)
    assert programmes["Al-Qaida"] == 341 and programmes["DPRK"] == 155 and programmes["Taliban"] == 140


def test_real_file_references_and_fields(real: ParsedList) -> None:
    refs = _by_ref(real)
    imu = refs["QDe.010"]
    assert imu.id == "un-sc-qde-010" and imu.schema == "Organization"
    assert imu.caption == "ISLAMIC MOVEMENT OF UZBEKISTAN"
    assert ("IMU", "alias") in {(n.full, n.kind) for n in imu.names}
    designation = imu.designations[0]
    assert designation.reference == "QDe.010"
    assert designation.authority == "UN Security Council"
    assert designation.legal_basis == "UNSCR 1267 (1999), 1989 (2011), 2253 (2015)"
    assert designation.listed_on == "2001-10-06"
    assert designation.citation is not None and designation.citation.source == "UN_consolidated_moov_2026-02.xml"
    assert designation.note and "Islamic Jihad Group (QDe.119)" in designation.note

    zawahiri = refs["QDi.006"]
    assert zawahiri.birth_dates == ["1951-06-19"]
    assert zawahiri.nationalities == ["eg"]
    kinds = {n.full: n.kind for n in zawahiri.names}
    assert kinds["Abu Fatma"] == "weak_alias" and kinds["Ayman Al-Zawahari"] == "alias"
    assert any(n.script == "Arab" and n.kind == "alias" for n in zawahiri.names)
    assert any(i.type == "passport" and i.value == "1084010" for i in zawahiri.identifiers)


def test_real_file_alias_kinds_and_birth_date_forms(real: ParsedList) -> None:
    kinds = Counter(n.kind for e in real.entities for n in e.names)
    # 615 aliases marked "Low" in the file; 19 "f.k.a." (one repeats the primary name's spelling).
    assert kinds["weak_alias"] == 615
    assert kinds["primary"] == 1003
    assert 18 <= kinds["former"] <= 19
    dates = [d for e in real.entities for d in e.birth_dates]
    assert any(len(d) == 10 for d in dates)  # exact
    assert any(len(d) == 4 for d in dates)  # year only
    assert any("/" in d for d in dates)  # BETWEEN ranges
    ids = [e.id for e in real.entities]
    assert len(ids) == len(set(ids))


def test_fixture_date_forms_and_alias_quality() -> None:
    parsed = load(SMALL)
    assert parsed.list_name == "un-sc"
    refs = _by_ref(parsed)
    assert refs["QDi.006"].birth_dates == ["1951-06-19"]
    assert refs["TAi.900"].birth_dates == ["1960", "1973-11"]  # APPROXIMATELY year; date only in NOTE
    assert refs["TAi.900"].designations[0].listed_on == "2001-10-06"  # "2001-10-06-04:00"
    assert refs["TAi.900"].gender == "male"
    assert refs["KPi.900"].birth_dates == ["1958-02-22", "1950/1955"]  # alias DOB; BETWEEN
    imu = refs["QDe.010"]
    assert {(n.full, n.kind) for n in imu.names} == {
        ("ISLAMIC MOVEMENT OF UZBEKISTAN", "primary"),
        ("IMU", "alias"),
        ("Islamic Party of Turkestan", "former"),
    }
    zaw = refs["QDi.006"]
    assert [(i.type, i.value, i.country) for i in zaw.identifiers] == [
        ("passport", "1084010", "eg"),
        ("national_id", "1-78-09", None),
    ]
    assert zaw.addresses == ["Kabul, Afghanistan (reported)"] and zaw.countries == ["af"]
    events = [(ev.action, ev.date) for ev in zaw.designations[0].events]
    assert events == [("listed", "2001-01-25"), ("amended", "2007-07-02"), ("amended", "2009-03-12")]


def test_sniff_claims_un_files_only() -> None:
    assert detect(SMALL)[1] == "un-sc"
    assert un.sniff(SMALL, b"<sdnList>") is None
    assert un.sniff(SMALL.parent, b"") is None


def test_missing_reference_names_record_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "un.xml"
    bad.write_text(SMALL.read_text(encoding="utf-8").replace("<REFERENCE_NUMBER>TAi.900</REFERENCE_NUMBER>", ""), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load(bad)
    assert info.value.record == "900001" and info.value.field == "REFERENCE_NUMBER"
    assert info.value.line is not None


def test_import_real_file_and_identical_reimport(db_url: str) -> None:
    registry = Registry()
    first = registry.import_parsed(load(_real()))
    assert first.created and first.entity_count == 1003 and first.added == 1003
    again = registry.import_parsed(load(_real()))
    assert not again.created and again.version == 1
    assert len(registry.versions("un-sc")) == 1
    row = next(r for r in registry.summary() if r["name"] == "un-sc")
    assert row["entities"] == 1003 and row["published_at"] == "2026-02-27"
    shown = registry.entity("un-sc-qde-010")
    assert shown["designations"][0]["reference"] == "QDe.010"


def test_truncated_file_is_refused_and_db_unchanged(db_url: str, tmp_path: Path) -> None:
    registry = Registry()
    registry.import_parsed(load(SMALL))
    before = registry.summary()
    data = _real().read_bytes()
    cut = tmp_path / "truncated.xml"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError) as info:
        registry.import_parsed(load(cut, "un-sc"))
    assert info.value.file == str(cut)
    assert info.value.line is not None and info.value.line > 1
    assert registry.summary() == before
    assert len(registry.versions("un-sc")) == 1


def test_swift_codes_in_comments_become_identifiers(tmp_path: Path) -> None:
    text = SMALL.read_text(encoding="utf-8").replace(
        "<COMMENTS1>Associated with the Islamic Jihad Group (QDe.119).</COMMENTS1>",
        "<COMMENTS1>Bank of the group. SWIFT/BIC: TESTKPPY. Also SWIFT: TESTKPPYXXX; SWIFT/BIC: TESTKPPY.</COMMENTS1>")
    path = tmp_path / "un.xml"
    path.write_text(text, encoding="utf-8")
    imu = _by_ref(un.parse(path))["QDe.010"]
    assert [i.value for i in imu.identifiers if i.type == "swift_bic"] == ["TESTKPPY", "TESTKPPYXXX"]


def test_real_file_swift_codes(real: ParsedList) -> None:
    codes = {i.value for e in real.entities for i in e.identifiers if i.type == "swift_bic"}
    assert {"DCBKKPPY", "KUDBKPPY", "FTBDKPPY"} <= codes
