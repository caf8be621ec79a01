"""OFAC SDN XML importer, tested on fixtures written from OFAC's public schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tizim.errors import InputError
from tizim.registry.importers import detect, load, ofac_xml
from tizim.registry.service import Registry

XML = FIXTURES / "registry" / "ofac" / "sdn.xml"
XML_OLD_NS = FIXTURES / "registry" / "ofac" / "sdn_tempuri.xml"
CSV_SET = FIXTURES / "registry" / "ofac" / "sdn_set"


@pytest.mark.parametrize("path", [XML, XML_OLD_NS])
def test_both_namespaces_parse_alike(path: Path) -> None:
    assert detect(path)[1] == "us-ofac-sdn"
    parsed = load(path)
    assert parsed.published_at == "2024-05-03"  # Publish_Date is MM/DD/YYYY
    assert parsed.record_count == 4
    refs = {e.designations[0].reference: e for e in parsed.entities}
    assert set(refs) == {"6725", "6366", "7001", "7002"}

    imu = refs["6725"]
    assert imu.schema == "Organization" and imu.designations[0].programme == "FTO; SDGT"
    assert {(n.full, n.kind) for n in imu.names} == {
        ("ISLAMIC MOVEMENT OF UZBEKISTAN", "primary"), ("IMU", "alias"), ("ISLAMIC PARTY OF TURKESTAN", "former"),
    }
    assert ("THE BASE", "weak_alias") in {(n.full, n.kind) for n in refs["6366"].names}

    person = refs["7001"]
    assert person.caption == "AL-ZAWAHIRI, Ayman"
    kinds = {(n.full, n.kind) for n in person.names}
    assert {("Ayman AL-ZAWAHIRI", "spelling"), ("AL-ZAWAHRI, Aiman", "alias"), ("ABU FATIMA", "weak_alias"),
            ("THE DOCTOR", "alias")} <= kinds
    assert person.birth_dates == ["1951-06-19", "1950", "1955/1957"]
    assert person.birth_places == ["Giza, Egypt"] and person.nationalities == ["eg"]
    assert person.properties["citizenship"] == ["eg"] and person.gender == "male"
    assert person.properties["title"] == ["Operational and Military Leader"]
    assert [(i.type, i.value, i.country) for i in person.identifiers] == [
        ("passport", "1084010", "eg"), ("other", "PTC-1", None),
    ]
    assert person.identifiers[0].note == "issued 01 Jan 1995"
    assert person.properties["Additional Sanctions Information"] == ["Subject to Secondary Sanctions"]

    vessel = refs["7002"]
    assert vessel.schema == "Vessel"
    assert [(i.type, i.value) for i in vessel.identifiers] == [("imo", "9187629"), ("mmsi", "572469210")]
    assert vessel.properties["flag"] == ["mt"] and vessel.properties["callSign"] == ["9HA1234"]
    assert [(r.kind, r.source_id, r.target_id) for r in parsed.relationships] == [
        ("tied_to", "us-ofac-sdn-6725", "us-ofac-sdn-6366"),
    ]


def test_ids_line_up_with_the_csv() -> None:
    from_xml = {e.id for e in load(XML).entities}
    from_csv = {e.id for e in load(CSV_SET).entities}
    assert from_xml <= from_csv


def test_csv_then_xml_are_versions_of_one_list(db_url: str) -> None:
    registry = Registry()
    registry.import_parsed(load(CSV_SET))
    second = registry.import_parsed(load(XML), allow_shrink=True)
    # Same ids: the XML version removes the two entries it lacks and adds none.
    assert second.version == 2 and second.added == 0 and second.removed == 2


def test_record_count_mismatch_means_truncated(tmp_path: Path) -> None:
    path = tmp_path / "sdn.xml"
    path.write_text(XML.read_text(encoding="utf-8").replace("<Record_Count>4<", "<Record_Count>5<"), encoding="utf-8")
    with pytest.raises(InputError, match="Record_Count says 5") as info:
        load(path)
    assert info.value.field == "Record_Count"


def test_truncated_xml_names_line(tmp_path: Path) -> None:
    data = XML.read_bytes()
    path = tmp_path / "sdn.xml"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError) as info:
        load(path, "us-ofac-sdn")
    assert info.value.line is not None


def test_unknown_type_names_record(tmp_path: Path) -> None:
    path = tmp_path / "sdn.xml"
    path.write_text(XML.read_text(encoding="utf-8").replace("<sdnType>Vessel<", "<sdnType>Spaceship<"), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load(path)
    assert (info.value.record, info.value.field) == ("7002", "sdnType")


def test_sniff() -> None:
    assert ofac_xml.sniff(XML, XML.read_bytes()[:4096]) == "us-ofac-sdn"
    assert ofac_xml.sniff(CSV_SET, b"") is None
