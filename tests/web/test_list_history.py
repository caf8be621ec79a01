"""The Lists page's diff viewer over the registry's per-entity content history: two versions
of a small UN-format list imported through the real importer (the same file name in two
folders, as `tizim lists update` saves it), then what changed shown field by field."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.web.conftest import create_users, sign_in
from tizim.registry.history import contents_at, entity_history, field_changes
from tizim.registry.importers import load
from tizim.registry.model import Designation, Entity, ParsedList
from tizim.registry.service import Registry
from tizim.store import transaction

HISTORY = Path(__file__).resolve().parents[1] / "fixtures" / "web" / "history"
PERSON = "un-sc-qdi-910"  # names, birth date, nationalities, passport, address, amendment change
ORG = "un-sc-qde-910"  # one alias added
SAME = "un-sc-qdi-911"  # unchanged
GONE = "un-sc-qdi-912"  # delisted in version 2
NEW = "un-sc-qdi-913"  # listed in version 2


def import_two_versions() -> tuple[dict[str, dict[str, object]], dict[str, dict[str, object]]]:
    """Import both versions; each one's documents by entity id, as the importer read them."""
    docs = []
    for folder in ("v1", "v2"):
        parsed = load(HISTORY / folder / "un.xml")
        docs.append({e.id: e.to_dict() for e in parsed.entities})
        Registry().import_parsed(parsed, allow_shrink=True)  # version 2 delists one of four on purpose
    return docs[0], docs[1]


def fields_of(changes: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {f"{c['field']}|{c['scope'] or ''}": c for c in changes}


def test_history_keeps_only_what_changed_and_rebuilds_each_version(db_url: str) -> None:
    v1, v2 = import_two_versions()
    with transaction() as conn:
        rows = {r.entity_id: r.previous for r in conn.execute(select(entity_history))}
        # only the two rewritten entries have a row, each holding only the fields replaced
        assert set(rows) == {PERSON, ORG}
        assert set(rows[ORG]) == {"names"}
        assert {"names", "birth_dates", "nationalities", "countries", "addresses", "identifiers",
                "designations"} == set(rows[PERSON])
        # each entry as each version had it, exactly as the importer read it
        assert contents_at(conn, "un-sc", 1, [PERSON, ORG, SAME, GONE, NEW]) == {
            PERSON: v1[PERSON], ORG: v1[ORG], SAME: v1[SAME], GONE: v1[GONE], NEW: None}
        assert contents_at(conn, "un-sc", 2, [PERSON, ORG, SAME, GONE, NEW]) == {
            PERSON: v2[PERSON], ORG: v2[ORG], SAME: v2[SAME], GONE: None, NEW: v2[NEW]}
    changes = fields_of(field_changes(v1[PERSON], v2[PERSON]))
    assert changes["names|"]["added"] == ["Muhammad Tahir Farooq · weak_alias"]
    assert changes["names|"]["removed"] == []
    assert (changes["birth_dates|"]["removed"], changes["birth_dates|"]["added"]) == (["1967-10-02"], ["1968-10-02"])
    assert changes["nationalities|"]["added"] == ["af"]
    assert changes["identifiers|"]["removed"] == ["passport AA0011223 (uz)"]
    assert changes["identifiers|"]["added"] == ["passport AB7654321 (uz)"]
    assert changes["addresses|"]["added"] == ["Mir Ali, North Waziristan, Pakistan"]
    assert changes["designation.events|un-sc QDi.910"]["added"] == ["2026-10-28 · amended · UN Security Council"]
    assert "birth_places|" not in changes  # unchanged fields are not listed
    # importing version 2 again (same file) changes nothing and records nothing more
    Registry().import_parsed(load(HISTORY / "v2" / "un.xml"))
    with transaction() as conn:
        assert conn.execute(select(func.count()).select_from(entity_history)).scalar_one() == 2


def test_entry_back_to_earlier_content_and_relisted(db_url: str) -> None:
    """A -> B -> A: each version rebuilds to what it held; a delisted entry listed again
    with other content keeps what it said when delisted."""
    v1, v2 = import_two_versions()
    parsed = load(HISTORY / "v1" / "un.xml")
    parsed.file_hash = parsed.file_hash[:-5] + "again"  # its content published again as a third version
    parsed.published_at = "2026-12-01"
    Registry().import_parsed(parsed, allow_shrink=True)
    with transaction() as conn:
        got = contents_at(conn, "un-sc", 1, [PERSON, GONE]), contents_at(conn, "un-sc", 2, [PERSON, GONE])
        third = contents_at(conn, "un-sc", 3, [PERSON, GONE, NEW])
    assert got == ({PERSON: v1[PERSON], GONE: v1[GONE]}, {PERSON: v2[PERSON], GONE: None})
    assert third == {PERSON: v1[PERSON], GONE: v1[GONE], NEW: None}


def test_diff_page_field_by_field(db_url: str) -> None:
    from tizim.api.app import create_app

    import_two_versions()
    users = create_users()
    with TestClient(create_app()) as client:
        sign_in(client, users["viewer"])
        page = client.get("/ui/lists/un-sc/diff?from=1&to=2")
        assert page.status_code == 200
        text = page.text
        assert "Changed <small>(2)</small>" in text and "Added <small>(1)</small>" in text
        assert "Removed <small>(1)</small>" in text
        person = text.split(f'id="e-{PERSON}"', 1)[1].split("</article>", 1)[0]
        row = person.split('data-field="birth_dates"', 1)[1].split("</tr>", 1)[0]
        assert "<del dir=\"auto\">1967-10-02</del>" in row and "<ins dir=\"auto\">1968-10-02</ins>" in row
        assert "Muhammad Tahir Farooq" in person and "AB7654321" in person and "AA0011223" in person
        assert SAME not in text  # unchanged: not shown
        added = client.get("/ui/lists/un-sc/diff?from=1&to=2&show=added").text
        assert f'id="e-{NEW}"' in added and "1990-01-05" in added
        removed = client.get("/ui/lists/un-sc/diff?from=1&to=2&show=removed").text
        assert f'id="e-{GONE}"' in removed and "<del dir=\"auto\">1972-04-11</del>" in removed
        found = client.get("/ui/lists/un-sc/diff?from=1&to=2&q=jihad").text
        assert f'id="e-{ORG}"' in found and f'id="e-{PERSON}"' not in found
        assert client.get("/ui/lists/un-sc/diff?from=1&to=2&show=nothing").status_code == 400
        # what kind of change came in: each field with how many entries changed it, as a filter
        assert '<option value="names">Names and aliases (2)</option>' in text
        assert '<option value="birth_dates">Birth dates (1)</option>' in text
        births = client.get("/ui/lists/un-sc/diff?from=1&to=2&field=birth_dates").text
        assert f'id="e-{PERSON}"' in births and f'id="e-{ORG}"' not in births
        assert "Changed <small>(2)</small>" in births and "Page 1 of 1" in births
        assert client.get("/ui/lists/un-sc/diff?from=1&to=2&field=shoe_size").status_code == 400
        # the whole diff as a spreadsheet, one row per changed field
        sheet = client.get("/ui/lists/un-sc/diff.csv?from=1&to=2")
        assert sheet.status_code == 200 and "attachment" in sheet.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(sheet.text)))
        births = [r for r in rows if r["entity_id"] == PERSON and r["field"] == "birth_dates"]
        assert births == [{"change": "changed", "entity_id": PERSON, "caption": "TAHIR ABDUHALILOVICH YULDASHEV",
                           "field": "birth_dates", "scope": "", "before": "1967-10-02", "after": "1968-10-02"}]
        assert {r["change"] for r in rows if r["entity_id"] == NEW} == {"added"}
        assert {r["change"] for r in rows if r["entity_id"] == GONE} == {"removed"}
        assert SAME not in sheet.text
        # the entry's own page: each version that changed it, field by field
        entity = client.get(f"/ui/entities/{PERSON}").text.split("Changes across list versions", 1)[1]
        entity = entity.split("</section>", 1)[0]
        assert 'href="/ui/lists/un-sc/diff?from=1&amp;to=2"' in entity
        assert '<del dir="auto">passport AA0011223 (uz)</del>' in entity
        # the entry as version 1 said it: the old birth date and passport, today's a link away
        then = client.get(f"/ui/entities/{PERSON}?version=1").text
        assert "As version 1 of the list un-sc said it." in then and "1967-10-02" in then and "AA0011223" in then
        details = then.split("<h2>Details</h2>", 1)[1].split("</section>", 1)[0]
        assert "1967-10-02" in details and "1968-10-02" not in details
        assert f'href="/ui/entities/{PERSON}?version=2"' in then
        assert client.get(f"/ui/entities/{NEW}?version=1").status_code == 404
        gone = client.get(f"/ui/entities/{GONE}").text.split("Changes across list versions", 1)[1]
        assert "Removed" in gone.split("</section>", 1)[0]
        assert "Changes across list versions" not in client.get(f"/ui/entities/{SAME}").text
        for language, heading in (("ru", "Даты рождения"), ("kk", "Туған күндері")):
            client.cookies.set("tizim_lang", language)
            assert heading in client.get("/ui/lists/un-sc/diff?from=1&to=2").text, language
        client.cookies.delete("tizim_lang")


def _version(n: int, changed: int) -> ParsedList:
    entities = []
    for i in range(45):
        entity = Entity(id=f"pg-{i:02d}", schema="Person")
        entity.add_name(f"Person {i:02d}")
        entity.birth_dates = [f"{1950 + i + (n if i < changed else 0)}-01-01"]
        entity.designations = [Designation(list_name="paged", reference=f"P{i}")]
        entities.append(entity)
    return ParsedList(list_name="paged", source_file="paged.json", file_hash=f"paged-{n}", entities=entities)


def test_diff_pages(signed_in: Callable[[str], TestClient]) -> None:
    Registry().import_parsed(_version(0, 0))
    Registry().import_parsed(_version(1, 45))
    client = signed_in("viewer")
    first = client.get("/ui/lists/paged/diff").text
    assert "Page 1 of 3" in first and first.count('class="diff-entry"') == 20
    assert 'rel="next"' in first and "page=2" in first
    last = client.get("/ui/lists/paged/diff?from=1&to=2&show=changed&page=3").text
    assert "Page 3 of 3" in last and last.count('class="diff-entry"') == 5
    assert '<ins dir="auto">1995-01-01</ins>' in last  # pg-44: 1994 -> 1995
