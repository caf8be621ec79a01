"""Kazakhstan: the bundled Supreme Court list (checked against the seed documents) and the AFM XML."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SEEDS, SHARED_DATA
from tizim.registry.discover import bundled_lists
from tizim.registry.importers import load
from tizim.registry.model import Citation, ParsedList
from tizim.registry.service import Registry

BUNDLED = Path(__file__).resolve().parents[2] / "tizim" / "registry" / "data" / "kz_supreme_court.yaml"
REVISED_2006 = {
    "Islamic Movement of Uzbekistan", "Islamic Front of Kazakhstan", "Hizb ut-Tahrir al-Islami",
    "Jamaat of Central Asian Mujahedins", "Islamic Party of Eastern Turkestan", "Kurdistan Workers Party",
    "Boz Kurt", "Lashkar-e-Toiba", "Social Reforms Society", "Asbat an-Ansar", "Al-Qaeda", "Taliban",
    "Muslim Brotherhood",
}
ADDED_NOV_2006 = {"Aum Shinrikyo", "East Turkestan Liberation Organization"}
# the Kurdish People's Congress (Kongra-Gel) is the Kurdistan Workers Party under its 2003-2005 name
BANNED_OCT_2004 = {"Al-Qaeda", "Islamic Party of Eastern Turkestan", "Kurdistan Workers Party", "Islamic Movement of Uzbekistan"}
BANNED_MAR_2005 = {"Asbat an-Ansar", "Muslim Brotherhood", "Taliban", "Boz Kurt", "Jamaat of Central Asian Mujahedins",
                   "Lashkar-e-Toiba", "Social Reforms Society"}
AFTER_2010 = {"Jund al-Khilafah", "Tablighi Jamaat", "At-Takfir wal-Hijra", "Islamic State", "Democratic Choice of Kazakhstan",
              "Koshe Party", "Yakyn Inkar"}
UNDATED = {"Islamic Party of Turkestan", "Jabhat al-Nusra", "Senim. Bilim. Omir"}


@pytest.fixture(scope="module")
def kz() -> ParsedList:
    assert BUNDLED in bundled_lists()
    return load(BUNDLED)


def _citations(parsed: ParsedList) -> list[Citation]:
    found: list[Citation] = []
    for entity in parsed.entities:
        for d in entity.designations:
            found += [c for c in [d.citation, *(ev.citation for ev in d.events)] if c]
    found += [r.citation for r in parsed.relationships if r.citation]
    found += [ev.citation for ev in parsed.events if ev.citation]
    return found


def test_every_quote_is_verbatim_in_its_document(kz: ParsedList) -> None:
    docs = {p.name: " ".join(p.read_text(encoding="utf-8").split()) for p in SEEDS.glob("*.txt")}
    if not docs:
        pytest.skip(f"seed documents not present in {SEEDS}")
    citations = [c for c in _citations(kz) if c.url is None]
    assert len(citations) > 40
    for c in citations:
        assert c.source in docs, c.source
        assert c.quote and " ".join(c.quote.split()) in docs[c.source], c.quote


def test_names_and_spellings(kz: ParsedList) -> None:
    names = {e.caption: {n.full for n in e.names} for e in kz.entities}
    assert names["Hizb ut-Tahrir al-Islami"] == {"Hizb ut-Tahrir al-Islami", "Hizb ut-Tahrir", "Hizb-ut-Tahrir", "HuT", "Хизб-ут-Тахрир"}
    assert names["Jamaat of Central Asian Mujahedins"] == {"Jamaat of Central Asian Mujahedins", "JCAM", "JCMA", "JMCA",
                                                           "Jamaat of Central Asian Mujahideen", "Жамаат моджахедов Центральной Азии"}
    assert names["Islamic Movement of Uzbekistan"] == {"Islamic Movement of Uzbekistan", "IMU", "Исламское движение Узбекистана"}
    assert names["Al-Qaeda"] == {"Al-Qaeda", "Al Qaeda", "Аль-Каида"}
    designated = {e.caption for e in kz.entities if e.designations}
    assert designated == REVISED_2006 | ADDED_NOV_2006 | BANNED_OCT_2004 | AFTER_2010 | UNDATED
    # the names in the official languages, as names of the entity
    assert "Исламское движение Узбекистана" in names["Islamic Movement of Uzbekistan"]
    assert {"Движение Талибан", "Талибан қозғалысы"} <= names["Taliban"]
    assert {"Демократический выбор Казахстана", "Қазақстанның демократиялық таңдауы"} <= names["Democratic Choice of Kazakhstan"]
    # Parties tied to listed organizations but not listed themselves.
    assert {"Akromiya", "Islamic Jihad"} <= {e.caption for e in kz.entities if not e.designations}


def test_events_as_the_documents_state_them(kz: ParsedList) -> None:
    by_caption = {e.caption: e for e in kz.entities}
    hut = by_caption["Hizb ut-Tahrir al-Islami"].designations[0]
    requests = [(ev.date, ev.action) for ev in hut.events if ev.action == "requested"]
    assert requests == [("2005-03-16", "requested"), ("2005-03-17", "requested")]
    assert all("discrepancy" in (ev.note or "") or "do not say" in (ev.note or "") for ev in hut.events if ev.action == "requested")
    jcam = by_caption["Jamaat of Central Asian Mujahedins"].designations[0]
    march = next(ev for ev in jcam.events if ev.action == "added" and ev.citation and not ev.citation.url)
    assert march.date == "2006-03" and "six other organizations" in (march.note or "")
    aum = by_caption["Aum Shinrikyo"].designations[0]
    assert [(ev.action, ev.date) for ev in aum.events] == [("requested", "2006-09-15"), ("added", "2006-11-17"), ("reaffirmed", "2006-11")]
    assert "Askar Amerkhanov" in (aum.events[0].authority or "")
    for caption in ("Muslim Brotherhood", "Lashkar-e-Toiba"):
        events = by_caption[caption].designations[0].events
        assert [ev.action for ev in events if ev.action in ("contested", "reply")] == ["contested", "reply"]
        assert "Zhamkenuly" in (events[-1].authority or "")
    list_events = {(ev.action, ev.date): ev for ev in kz.events}
    assert list_events[("list approved", "2006-10-12")].count == 13
    assert list_events[("added", "2006-11-17")].count == 2
    assert list_events[("designated", "2010")].count == 16
    assert list_events[("added", "2006-03")].count == 7


def test_ties_between_organizations(kz: ParsedList) -> None:
    caption = {e.id: e.caption for e in kz.entities}
    ties = {(r.kind, caption[r.source_id], caption[r.target_id]) for r in kz.relationships}
    assert ("affiliated_with", "Islamic Movement of Uzbekistan", "Al-Qaeda") in ties
    assert ("affiliated_with", "Jamaat of Central Asian Mujahedins", "Al-Qaeda") in ties
    assert ("tied_to", "Hizb ut-Tahrir al-Islami", "Akromiya") in ties
    assert ("tied_to", "Hizb ut-Tahrir al-Islami", "Taliban") in ties
    assert ("tied_to", "Jamaat of Central Asian Mujahedins", "Islamic Movement of Uzbekistan") in ties
    probable = next(r for r in kz.relationships if caption[r.target_id] == "Taliban")
    assert "very probable" in (probable.note or "")


def test_terrorist_and_extremist_bans_apart(kz: ParsedList) -> None:
    by_caption = {e.caption: e for e in kz.entities}
    hut = by_caption["Hizb ut-Tahrir al-Islami"].designations
    assert [(d.programme, d.listed_on) for d in hut] == [
        ("Banned terrorist organizations (Kazakhstan)", "2006-10-12"),
        ("Banned extremist organizations (Kazakhstan)", "2005-03-28"),
    ]
    assert hut[1].authority == "Astana City Court"
    extremist = {e.caption for e in kz.entities for d in e.designations if "extremist" in (d.programme or "")}
    assert extremist == {"Hizb ut-Tahrir al-Islami", "Tablighi Jamaat", "At-Takfir wal-Hijra", "Yakyn Inkar",
                         "Democratic Choice of Kazakhstan", "Koshe Party"}
    isis = by_caption["Islamic State"].designations[0]
    assert (isis.listed_on, isis.authority) == ("2015-10-15", "Esil District Court of Astana")
    jund = by_caption["Jund al-Khilafah"].designations[0]
    assert [(ev.action, ev.date) for ev in jund.events] == [("requested", "2011-11-15"), ("added", "2011-11-25")]
    taliban = by_caption["Taliban"].designations[0]
    assert taliban.delisted_on == "2023-12-29"
    removed = next(ev for ev in taliban.events if ev.action == "removed")
    assert removed.citation is not None and removed.citation.url and "mgorod.kz" in removed.citation.url


def test_every_fact_of_the_shared_table_is_in_the_list(kz: ParsedList) -> None:
    """Each row of the shared national-list facts: its names, its dated event, its URL cited."""
    import csv

    facts = SHARED_DATA / "kz" / "national_list_facts.csv"
    if not facts.exists():
        pytest.skip(f"{facts} not present")
    cited = {c.url for c in _citations(kz) if c.url}
    notes = " ".join(ev.note or "" for e in kz.entities for d in e.designations for ev in d.events)
    names = {n.full for e in kz.entities for n in e.names}
    with facts.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 25
    for row in rows:
        for column in ("name_ru", "name_kk"):
            assert not row[column] or row[column] in names, row[column]
        urls = row["sources"].split()
        assert urls[0] in cited, (row["entity_key"], urls[0])
        assert all(u in cited or u in notes for u in urls), row["entity_key"]
        event_dates = {ev.date for e in kz.entities for d in e.designations for ev in d.events
                       if ev.action == ("removed" if row["event"] == "removed" else "added") or ev.action == "reaffirmed"}
        assert not row["date"] or row["date"] in event_dates, (row["entity_key"], row["date"])


def test_asof_through_the_registry(db_url: str, kz: ParsedList) -> None:
    registry = Registry(db_url)
    registry.import_parsed(kz)
    asof = lambda day: {r["caption"] for r in registry.asof("kz-supreme-court", day)}  # noqa: E731
    assert asof("2004-10-14") == set()
    assert asof("2004-10-15") == BANNED_OCT_2004
    assert asof("2005-03-15") == BANNED_OCT_2004 | BANNED_MAR_2005
    assert asof("2006-10-12") == REVISED_2006 | BANNED_OCT_2004 | BANNED_MAR_2005
    assert asof("2006-11-17") == REVISED_2006 | BANNED_OCT_2004 | ADDED_NOV_2006
    later = asof("2023-12-28")
    assert later >= AFTER_2010 and "Taliban" in later
    assert "Taliban" not in asof("2023-12-29")
    assert registry.summary()[0]["entities"] == 25  # designated on the list at some time (the Taliban too)
    again = registry.import_parsed(load(BUNDLED))
    assert not again.created


# ---- AFM list XML ------------------------------------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.conftest import FIXTURES  # noqa: E402
from tizim.errors import InputError  # noqa: E402
from tizim.registry.importers import detect, kz_afm  # noqa: E402

AFM = FIXTURES / "registry" / "kz"


def test_afm_category1() -> None:
    path = AFM / "afm_category1.xml"
    assert detect(path) == (kz_afm, "kz-afm")
    parsed = load(path)
    tester, primerova, noiin, org = parsed.entities
    assert tester.id == "kz-afm-700203300019"
    assert [(n.full, n.kind, n.script) for n in tester.names] == [
        ("ТЕСТОВ ИВАН ПЕТРОВИЧ", "primary", "Cyrl"), ("ИВАН ПЕТРОВИЧ ТЕСТОВ", "spelling", "Cyrl")]
    assert tester.properties["middleName"] == ["ПЕТРОВИЧ"]
    assert tester.birth_dates == ["1970-02-03"]
    assert tester.identifiers[0].type == "iin" and tester.identifiers[0].note is None
    d = tester.designations[0]
    assert d.listed_on == "2016-01-15"  # from "включен от 15.01.2016"
    assert d.authority == kz_afm.AUTHORITY and "191-IV" in (d.legal_basis or "")
    assert primerova.designations[0].listed_on == "2019-06-20"
    # An invalid IIN is kept and reported, not dropped.
    assert "invalid IIN" in (primerova.identifiers[0].note or "")
    assert any("851115400121" in note for note in primerova.notes)
    assert noiin.id.startswith("kz-afm-p-") and noiin.designations[0].listed_on == "2012-03-01"
    assert org.schema == "Organization"
    assert [n.full for n in org.names] == ["ТЕСТОВАЯ ОРГАНИЗАЦИЯ", "ТО", "TEST ORGANIZATION", "TO"]
    assert org.names[2].lang == "eng" and org.designations[0].listed_on is None


def test_afm_category2_and_folder(db_url: str) -> None:
    parsed = load(AFM / "afm_category2.xml")
    (person,) = parsed.entities
    assert person.schema == "Person" and person.caption == "УЧАСТНИКОВ БОЛАТ ЕРЛАНОВИЧ"
    assert person.birth_dates == ["1985-11-15"]  # from the IIN
    assert person.designations[0].programme.startswith("Category 2")
    assert person.designations[0].listed_on == "2017-10-10"
    both = load(AFM / "both")
    assert both.record_count == 5
    registry = Registry(db_url)
    result = registry.import_parsed(both)
    assert result.entity_count == 5
    # In force on 2017-01-01: the two persons listed in 2012 and 2016 (the org has no list date).
    assert [r["listed_on"] for r in registry.asof("kz-afm", "2017-01-01")] == ["2012-03-01", "2016-01-15"]


def test_afm_bad_input(tmp_path: Path) -> None:
    text = (AFM / "afm_category1.xml").read_text(encoding="utf-8")
    cut = tmp_path / "cut.xml"
    cut.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(InputError, match="malformed XML"):
        load(cut, "kz-afm")
    bad = tmp_path / "bad.xml"
    bad.write_text(text.replace("03.02.1970", "31.02.1970"), encoding="utf-8")
    with pytest.raises(InputError, match="not a dd.mm.yyyy date") as err:
        load(bad, "kz-afm")
    assert err.value.field == "birthdate" and err.value.line == 8


def test_iin_known_values() -> None:
    assert kz_afm.iin_problem("700203300019") is None
    assert kz_afm.iin_problem("700203300013") == "check digit is 3, expected 9"
    assert kz_afm.iin_problem("7002033000") == "is not 12 digits"
    assert kz_afm.iin_problem("70020330001X") == "is not 12 digits"


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_iin_property_exactly_one_check_digit(first11: str) -> None:
    check = kz_afm.iin_check_digit(first11)
    valid = [d for d in "0123456789" if kz_afm.iin_problem(first11 + d) is None]
    assert valid == ([] if check is None else [str(check)])
