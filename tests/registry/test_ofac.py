"""OFAC legacy CSV importer: real sets, the remarks parser, bad files, imports and the CLI."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.conftest import FIXTURES, shared_file
from tizim.errors import InputError
from tizim.registry.dates import parse_date
from tizim.registry.importers import detect, load, ofac
from tizim.registry.model import Entity, ParsedList
from tizim.registry.service import Registry

SET = FIXTURES / "registry" / "ofac" / "sdn_set"
CONS = FIXTURES / "registry" / "ofac" / "cons_set"


def _by_ref(parsed: ParsedList) -> dict[str, Entity]:
    return {e.designations[0].reference: e for e in parsed.entities}


@pytest.fixture(scope="module")
def sdn_2024() -> ParsedList:
    return load(shared_file("ofac", "sdn_csv_2024-05-03", "sdn.csv"), "us-ofac-sdn")


# ---- real files ----------------------------------------------------------------------


def test_real_sdn_2024_counts_match_the_source(sdn_2024: ParsedList) -> None:
    assert len(sdn_2024.entities) == 14965 and sdn_2024.record_count == 14965
    # SDN_Type column: individual 6,854; entity "-0-" 6,884; vessel 851; aircraft 376.
    assert Counter(e.schema for e in sdn_2024.entities) == {
        "Person": 6854, "Organization": 6884, "Vessel": 851, "Airplane": 376,
    }
    assert sum("SDGT" in e.properties.get("programs", []) for e in sdn_2024.entities) == 2386


def test_real_sdn_2024_references_and_names(sdn_2024: ParsedList) -> None:
    refs = _by_ref(sdn_2024)
    imu = refs["6725"]
    assert imu.id == "us-ofac-sdn-6725" and imu.caption == "ISLAMIC MOVEMENT OF UZBEKISTAN"
    assert ("IMU", "alias") in {(n.full, n.kind) for n in imu.names}
    assert imu.designations[0].programme == "FTO; SDGT"
    assert imu.designations[0].legal_basis and "Executive Order 13224" in imu.designations[0].legal_basis
    people = [e for e in sdn_2024.entities if e.schema == "Person"]
    # Every "LAST, First" individual also carries its natural-order spelling.
    with_spelling = sum(any(n.kind == "spelling" for n in e.names) for e in people)
    assert with_spelling >= 0.99 * len(people)
    assert any("/" in d for e in people for d in e.birth_dates)  # full-date ranges became ranges
    # Linked To phrases become tied_to relationships between SDN entries.
    ids = {e.id for e in sdn_2024.entities}
    assert len(sdn_2024.relationships) > 5000
    assert all(r.kind == "tied_to" and r.source_id in ids and r.target_id in ids for r in sdn_2024.relationships)


def test_real_sdn_folder_and_file_are_one_version(sdn_2024: ParsedList) -> None:
    folder = shared_file("ofac", "sdn_csv_2024-05-03")
    assert detect(folder)[1] == "us-ofac-sdn"
    assert load(folder).file_hash == sdn_2024.file_hash


def test_real_legacy_set_2021_with_supplements() -> None:
    folder = shared_file("ofac", "legacy_csv_2021-07")
    parsed = load(folder)
    assert parsed.list_name == "us-ofac-sdn" and len(parsed.entities) == 8976
    kinds = Counter(n.kind for e in parsed.entities for n in e.names)
    assert kinds["former"] >= 369  # alt.csv fka rows
    # add.csv: every entry with a non-empty address row has its address.
    rows = ofac.read_rows(folder / "add.csv", ofac.ADD_COLUMNS)
    with_address = {row[0] for _, row in rows if any(ofac._empty(v) for v in row[2:5])}
    assert {e.designations[0].reference for e in parsed.entities if e.addresses} == with_address
    # sdn_comments.csv continues remarks cut at 1000 characters: 28263's last alias is whole.
    refs = _by_ref(parsed)
    assert "snowsjohn" in {n.full for n in refs["28263"].names}


def test_real_consolidated_set() -> None:
    parsed = load(shared_file("ofac", "consolidated_non_sdn_2025-12"))
    assert parsed.list_name == "us-ofac-cons"
    assert Counter(e.schema for e in parsed.entities) == {"Person": 79, "Organization": 363}


def test_folder_without_sdn_is_not_claimed_and_cannot_be_imported() -> None:
    folder = shared_file("ofac", "legacy_csv_2025-01_no_sdn")
    with pytest.raises(InputError, match="format not recognised"):
        detect(folder)
    for name in ("add.csv", "alt.csv", "sdn_comments.csv"):
        with pytest.raises(InputError):
            detect(folder / name)
    with pytest.raises(InputError, match="no sdn.csv in this folder") as info:
        load(folder, "us-ofac-sdn")
    assert info.value.file == str(folder)


# ---- fixtures: fields and supplements ------------------------------------------------------


def test_fixture_set_fields() -> None:
    parsed = load(SET)
    refs = _by_ref(parsed)
    zaw = refs["7001"]
    assert zaw.schema == "Person"
    assert {(n.full, n.kind) for n in zaw.names} >= {
        ("AL-ZAWAHIRI, Ayman", "primary"),
        ("Ayman AL-ZAWAHIRI", "spelling"),
        ("AL-ZAWAHRI, Aiman", "alias"),
        ("ABU FATIMA", "weak_alias"),  # alt.csv remark "weak"
        ("ABU MUHAMMAD", "alias"),  # from remarks
    }
    # "DOB ci" + comments "rca 1960": the continuation is joined before parsing.
    assert zaw.birth_dates == ["1951-06-19", "1955/1957", "1960"]
    assert zaw.birth_places == ["Giza, Egypt"] and zaw.nationalities == ["eg"] and zaw.gender == "male"
    assert [(i.type, i.value, i.country, i.note) for i in zaw.identifiers] == [
        ("passport", "1084010", "eg", "issued 1995"),
        ("national_id", "123456", "eg", None),
        ("tax_id", "77", "eg", None),
    ]
    assert zaw.properties["email"] == ["test@example.org"]
    assert any("Secondary Sanctions" in note for note in zaw.notes)
    vessel = refs["7002"]
    assert vessel.schema == "Vessel" and vessel.properties["flag"] == ["mt"]
    assert ("imo", "9187629") in {(i.type, i.value) for i in vessel.identifiers}
    assert "Linked To: NOBODY LISTED HERE" in vessel.notes  # unknown target stays a note
    latin = refs["7003"]
    assert latin.caption == "JOSÉ MARÍA TRADING S.A." and latin.addresses == ["Calle 10, Bogotá, Colombia (registered office)"]
    assert {(r.source_id, r.target_id) for r in parsed.relationships} == {
        ("us-ofac-sdn-6725", "us-ofac-sdn-6366"),
        ("us-ofac-sdn-7001", "us-ofac-sdn-6366"),
    }
    rel = parsed.relationships[0]
    assert rel.citation is not None and rel.citation.quote and rel.citation.quote.startswith("Linked To:")
    des = refs["306"].designations[0]
    assert des.citation is not None and (des.citation.source, des.citation.record) == ("sdn_set/sdn.csv", "306")


def test_fixture_consolidated_programmes() -> None:
    parsed = load(CONS)
    refs = _by_ref(parsed)
    assert parsed.list_name == "us-ofac-cons"
    assert refs["17014"].properties["programs"] == ["UKRAINE-EO13662", "RUSSIA-EO14024"]
    assert refs["17014"].designations[0].legal_basis == "Executive Order 13662; Executive Order 14024"


# ---- bad input -------------------------------------------------------------------------------


def _copy_set(tmp_path: Path) -> Path:
    target = tmp_path / "set"
    shutil.copytree(SET, target)
    return target


def test_wrong_column_count_names_file_and_line(tmp_path: Path) -> None:
    folder = _copy_set(tmp_path)
    lines = (folder / "sdn.csv").read_bytes().split(b"\r\n")
    lines[2] = b'6366,"AL QAIDA",-0- ,"SDGT"'
    (folder / "sdn.csv").write_bytes(b"\r\n".join(lines))
    with pytest.raises(InputError, match="expected 12 columns, found 4") as info:
        load(folder)
    assert info.value.file == str(folder / "sdn.csv") and info.value.line == 3


def test_truncated_last_line_is_refused(tmp_path: Path) -> None:
    data = (SET / "sdn.csv").read_bytes()
    for cut in (len(data) - 40, len(data) - 300):
        path = tmp_path / "sdn.csv"
        path.write_bytes(data[:cut])
        with pytest.raises(InputError) as info:
            load(path, "us-ofac-sdn")
        assert info.value.file == str(path) and info.value.line is not None


def test_binary_or_utf16_file_is_not_latin1_csv(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes((SET / "sdn.csv").read_bytes().decode("latin-1").encode("utf-16"))
    with pytest.raises(InputError, match="not latin-1 CSV") as info:
        load(path, "us-ofac-sdn")
    assert info.value.line == 1


def test_supplement_row_for_unknown_entry(tmp_path: Path) -> None:
    folder = _copy_set(tmp_path)
    alt = (folder / "alt.csv").read_bytes().rstrip(b"\x1a")
    (folder / "alt.csv").write_bytes(alt + b'99999,1,"aka","NOBODY",-0- \r\n\x1a')
    with pytest.raises(InputError, match="99999 is not in sdn.csv") as info:
        load(folder)
    assert info.value.file == str(folder / "alt.csv") and info.value.line == 5


def test_supplement_alone_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="add.csv") as info:
        load(SET / "add.csv", "us-ofac-sdn")
    assert info.value.line == 1


# ---- the remarks parser -----------------------------------------------------------------------

_name_chars = st.characters(
    whitelist_categories=("Lu", "Ll", "Nd"), whitelist_characters=" -.,'&()", max_codepoint=0x24F
)
names = st.text(_name_chars, min_size=1, max_size=40).map(lambda s: " ".join(s.split())).filter(
    lambda s: bool(s) and s[0] not in "'.,()" and s[-1] not in "'.,()" and "; " not in s
)


@given(st.text(max_size=300))
def test_remarks_parser_never_crashes(text: str) -> None:
    remarks = ofac.parse_remarks(text)
    assert all(kind in ("alias", "former") for kind, _ in remarks.names)
    assert all(len(d) >= 4 for d in remarks.birth_dates)


@given(st.lists(st.tuples(st.sampled_from(["a.k.a.", "f.k.a."]), names), min_size=1, max_size=5))
def test_remarks_round_trip_aliases(items: list[tuple[str, str]]) -> None:
    text = "; ".join(f"{marker} '{name}'" for marker, name in items) + "."
    parsed = ofac.parse_remarks(text)
    expected = [("alias" if marker == "a.k.a." else "former", name) for marker, name in items]
    assert parsed.names == expected


@given(st.dates(), st.dates())
def test_full_date_ranges_parse_as_ranges(first: object, second: object) -> None:
    # OFAC's "01 Jan 1961 to 31 Dec 1963" form (extended in parse_date for it).
    a, b = sorted([first, second])  # type: ignore[type-var]
    text = f"{a:%d %b %Y} to {b:%d %b %Y}"
    got = parse_date(text)
    if not (a.year >= 1000 and b.year <= 2999):  # type: ignore[attr-defined]
        return
    assert got is not None
    start = got.split("/")[0]
    assert a.isoformat().startswith(start)  # type: ignore[attr-defined]
    assert got.split("/")[-1] <= b.isoformat()  # type: ignore[attr-defined]


def test_remarks_examples() -> None:
    r = ofac.parse_remarks(
        "DOB 01 Jan 1961 to 31 Dec 1963; alt. DOB circa 1951; POB Kabul, Afghanistan; citizen Pakistan; "
        "Passport A123 (Pakistan) expires 2010; Vessel Registration Identification IMO 7406784; "
        "Digital Currency Address - XBT 1Kuf2Rd8; SWIFT/BIC HAVIGB2L; Gender Female; "
        "a.k.a. 'ABD ALLAH, 'Issam 'Ali'; Linked To: AL-RASHID TRUST."
    )
    assert r.birth_dates == ["1961/1963", "1951"]
    assert r.birth_places == ["Kabul, Afghanistan"] and r.citizenships == ["pk"] and r.gender == "female"
    assert [(i.type, i.value) for i in r.identifiers] == [
        ("passport", "A123"), ("imo", "7406784"), ("crypto_wallet", "1Kuf2Rd8"), ("swift_bic", "HAVIGB2L"),
    ]
    assert r.names == [("alias", "ABD ALLAH, 'Issam 'Ali")]
    assert r.linked_to == ["AL-RASHID TRUST"]
    assert ofac.natural_order("AL-ZAWAHIRI, Ayman") == "Ayman AL-ZAWAHIRI"
    assert ofac.natural_order("BANCO NACIONAL DE CUBA") is None


# ---- into the registry and through the CLI ----------------------------------------------------


def test_import_real_consolidated_set_and_reimport(db_url: str) -> None:
    registry = Registry()
    folder = shared_file("ofac", "consolidated_non_sdn_2025-12")
    first = registry.import_parsed(load(folder))
    assert first.created and first.entity_count == 442
    assert not registry.import_parsed(load(folder)).created
    assert len(registry.versions("us-ofac-cons")) == 1


def test_import_fixture_set_relationships(db_url: str) -> None:
    registry = Registry()
    registry.import_parsed(load(SET))
    shown = registry.entity("us-ofac-sdn-6725")
    assert shown["designations"][0]["reference"] == "6725"
    assert [(r["kind"], r["other_id"]) for r in shown["relationships"]] == [("tied_to", "us-ofac-sdn-6366")]


def test_cli_import_and_show(sqlite_url: str) -> None:
    # The registry's own command group, as `tizim lists` mounts it.
    from tizim.cli.registry import lists_app as app

    runner = CliRunner()
    result = runner.invoke(app, ["import", str(SET), str(FIXTURES / "registry" / "un" / "un_small.xml"), "--json"])
    assert result.exit_code == 0, result.output
    imported = json.loads(result.stdout)
    assert [(r["list"], r["entities"], r["created"]) for r in imported] == [("us-ofac-sdn", 6, True), ("un-sc", 4, True)]
    shown = json.loads(runner.invoke(app, ["show", "--json"]).stdout)
    counts = {r["name"]: r["entities"] for r in shown}
    # Other lists (the bundled national list) may be present too; ours have their counts.
    assert (counts["us-ofac-sdn"], counts["un-sc"]) == (6, 4)
    again = runner.invoke(app, ["import", str(SET), "--json"])
    assert json.loads(again.stdout)[0]["created"] is False
    bad = runner.invoke(app, ["import", str(SET / "add.csv"), "--source", "us-ofac-sdn"])
    assert bad.exit_code != 0 and isinstance(bad.exception, InputError)
