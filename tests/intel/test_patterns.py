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
