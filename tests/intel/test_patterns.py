"""Fact patterns on sentences written for the purpose (not taken from the seed documents)."""

from __future__ import annotations

from pathlib import Path

from tizim.intel.documents import load_document
from tizim.intel.extract import extract
from tizim.intel.patterns import Fact


def facts(tmp_path: Path, text: str) -> list[Fact]:
    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8")
    return extract(load_document(path), link=False).facts


def test_designations_requests_and_negation(tmp_path: Path) -> None:
    found = facts(tmp_path, (
        "# Bans\n\nOn 3 May 2009 the High Court approved a new list of banned extremist groups. "
        "The groups the court has banned are the Red Dawn Front, Blue Crescent Society, and Green Hand Army.\n\n"
        "The Attorney General asked the High Court to ban the Silver Path Movement on 1 June 2009.\n\n"
        "The court added the Silver Path Movement and the Iron Gate Party to its list on 9 July 2009.\n\n"
        "The ministry has not taken action to ban them.\n"))
    got = {(f.action, f.subject, f.date) for f in found if f.kind == "designation"}
    assert got == {
        ("list_approved", None, "2009-05-03"),
        ("banned", "Red Dawn Front", "2009-05-03"),
        ("banned", "Blue Crescent Society", "2009-05-03"),
        ("banned", "Green Hand Army", "2009-05-03"),
        ("requested", "Silver Path Movement", "2009-06-01"),
        ("added", "Silver Path Movement", "2009-07-09"),
        ("added", "Iron Gate Party", "2009-07-09"),
    }


def test_relationships_and_events(tmp_path: Path) -> None:
    found = facts(tmp_path, (
        "# Groups\n\nThe Red Dawn Front was banned in 2008 by the Supreme Court.\n\n"
        "Officials say that there are ties between the Red Dawn Front, the Blue Crescent Society, and Al-Qaeda.\n\n"
        "The Blue Crescent Society, an organization affiliated with Al-Qaeda, claimed the attack.\n\n"
        "On 2 March 2007 two bombers set off bombs in Karaganda, Kazakhstan. The bombings killed 12 people.\n\n"
        "In May 2007 police arrested 7 members of the group in Pavlodar. "
        "In June 2007 Kazakhstan extradited John Doe Smith to Uzbekistan. "
        "A court sentenced the men to nine years in prison.\n"))
    rels = {(f.action, f.subject, f.object) for f in found if f.kind == "relationship"}
    assert ("tied_to", "Red Dawn Front", "Blue Crescent Society") in rels
    assert ("affiliated_with", "Blue Crescent Society", "Al-Qaeda") in rels
    attack = [f for f in found if f.kind == "attack"]
    assert len(attack) == 1 and attack[0].date == "2007-03-02" and attack[0].numbers == {"killed": 12}
    assert attack[0].place == "Karaganda, Kazakhstan"
    arrest = [f for f in found if f.kind == "arrest"][0]
    assert (arrest.date, arrest.place, arrest.numbers) == ("2007-05", "Pavlodar", {"arrested": 7})
    ext = [f for f in found if f.kind == "extradition"][0]
    assert ext.data["to"] == "uz" and ext.object == "John Doe Smith" and ext.date == "2007-06"
    sentence = [f for f in found if f.kind == "sentence"][0]
    assert sentence.numbers == {"sentenced_years": 9} and sentence.date == "2007-06"


def test_html_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text("<html><head><title>Report 2010</title><script>x()</script></head><body><h1>Report 2010</h1>"
                    "<p>Publisher Ministry of Truth</p><p>Publication Date 18 August 2011</p>"
                    "<p>In January, police detained three men in Almaty.</p></body></html>", encoding="utf-8")
    doc = load_document(path)
    assert doc.publisher == "Ministry of Truth" and doc.published_at == "2011-08-18"
    assert "x()" not in doc.text
    found = extract(doc, link=False).facts
    assert [(f.kind, f.date, f.numbers) for f in found] == [("arrest", "2010-01", {"arrested": 3})]


def test_affiliation_by_apposition_and_possessive_leaders(tmp_path: Path) -> None:
    found = facts(tmp_path, (
        "# Groups\n\nThe Court banned the Silver Path Movement and the Iron Gate Party in 2008.\n\n"
        "Green Hand, a militant group allied with the Silver Path Movement, claimed the bombing.\n\n"
        "Ivan Petrov Sidorov, headed SPM's operations in Pavlodar while Oleg Ivanovich Kuznetsov, "
        "headed operations in Karaganda.\n"))
    rels = {(f.action, f.subject, f.object) for f in found if f.kind == "relationship"}
    assert ("affiliated_with", "Green Hand", "Silver Path Movement") in rels
    assert ("leader_of", "Ivan Petrov Sidorov", "Silver Path Movement") in rels
    assert ("leader_of", "Oleg Ivanovich Kuznetsov", "Silver Path Movement") in rels


def test_event_dates_belong_to_their_clause_and_story(tmp_path: Path) -> None:
    found = facts(tmp_path, (
        "# Cooperation\n\nKyrgyzstan has consistently extradited Zendan suspects to China and in 2007 "
        "participated in a joint drill.\n\n"
        "# 2008\n\nIn March 2008 two bombers set off bombs in Tashkent, Uzbekistan. "
        "Police caught Amir Bakir Salim in Pavlodar, Kazakhstan. "
        "The Kazakh government extradited Uzbek suspects arrested in Kazakhstan to Uzbekistan.\n\n"
        "Police detained a teacher in Taraz in April 2008. Kazakh police accused him of recruiting and "
        "extradited him to Tajikistan.\n\n"
        "Kazakhstan deported an asylum seeker to Uzbekistan, Karim Aliev Salim, and Russia deported "
        "three refugees to Uzbekistan in early August 2008.\n"))
    ext = [(f.data["from"], f.data["to"], f.date) for f in found if f.kind == "extradition"]
    assert ext == [("kg", "cn", None),  # a practice; the 2007 is the drill's
                   ("kz", "uz", "2008"),  # the bombing's March is another story's
                   ("kz", "tj", "2008-04"),  # "him": the detention's story goes on
                   ("kz", "uz", "2008-08"), ("ru", "uz", "2008-08")]  # parallel clauses share the date
    arrests = [(f.object, f.date, f.place) for f in found if f.kind == "arrest"]
    assert arrests[0] == ("Amir Bakir Salim", "2008", "Pavlodar, Kazakhstan")  # not the bombing's March


def test_places_and_qualified_numbers(tmp_path: Path) -> None:
    found = facts(tmp_path, (
        "# Incidents\n\nA porter discovered a bomb on a plane that flew from Moscow, Russia to Almaty, "
        "Kazakhstan on 12 May 2005.\n\n"
        "Officials met in the city of Andijan on 13 May 2005. The unrest was blamed on groups in Uzbekistan. "
        "The government said 187 people died, and 76 were injured. Rights groups dispute this, accusing "
        "soldiers of killing about 700 civilians.\n"))
    attacks = [f for f in found if f.kind == "attack"]
    assert attacks[0].place == "Almaty, Kazakhstan"
    assert attacks[1].place == "Andijan"  # the paragraph's city, not the country named last
    assert attacks[1].numbers == {"killed": 187, "injured": 76}  # "about" goes with the disputed 700
    assert attacks[1].data["other_estimates"] == [{"killed": 700, "qualifier": "about", "sentence": 4}]


def test_see_also_lists_are_not_content(tmp_path: Path) -> None:
    found = facts(tmp_path, "# Attacks\n\nNothing happened.\n\n== See also ==\n- September 11, 2001 attacks\n")
    assert found == []
