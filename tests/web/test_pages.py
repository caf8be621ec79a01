"""Lists, entity and screening pages rendered by the app (no browser)."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.web.conftest import csrf_of


def test_stylesheet_is_served_locally(client: TestClient) -> None:
    response = client.get("/ui/static/tizim.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    # Nothing fetched from elsewhere: no imports, no remote fonts or images.
    assert "@import" not in response.text and "url(" not in response.text
    assert "http" not in response.text
    page = client.get("/ui/login").text
    assert '<link rel="stylesheet" href="/ui/static/tizim.css">' in page
    assert "<script" not in page


def test_lists_page(signed_in: Callable[[str], TestClient]) -> None:
    page = signed_in("viewer").get("/ui/lists")
    assert page.status_code == 200
    assert '<a href="/ui/lists/web-demo">web-demo</a>' in page.text
    row = page.text.split('href="/ui/lists/web-demo"', 1)[1].split("</tr>", 1)[0]
    # Designated entities on the latest version: org-1, person-1, org-2.
    assert '<td class="num">3</td>' in row and '<td class="num">2</td>' in row
    assert "Nov 17, 2006" in row


def test_list_entries_with_removed_ones(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("viewer")
    current = client.get("/ui/lists/web-demo").text
    assert "Old Eastern Front" not in current
    everything = client.get("/ui/lists/web-demo?removed=1").text
    row = everything.split("Old Eastern Front", 1)[1].split("</tr>", 1)[0]
    assert "removed from the list" in row


def test_list_versions_and_forms(signed_in: Callable[[str], TestClient]) -> None:
    page = signed_in("viewer").get("/ui/lists/web-demo")
    assert page.status_code == 200
    assert "demo-list-v1.yaml" in page.text and "demo-list-v2.yaml" in page.text
    assert 'action="/ui/lists/web-demo/diff"' in page.text
    assert 'action="/ui/lists/web-demo/asof"' in page.text


def test_list_diff(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("viewer")
    page = client.get("/ui/lists/web-demo/diff?from=1&to=2")
    assert page.status_code == 200
    # changed first: the alias version 2 added to org-1, field by field
    changed = page.text.split('id="e-web-demo-org-1"', 1)[1].split("</article>", 1)[0]
    assert "Islamic Movement of Turkestan" in changed
    assert '<ins dir="auto">Turkiston Islomiy Harakati · alias</ins>' in changed
    added = client.get("/ui/lists/web-demo/diff?from=1&to=2&show=added").text
    removed = client.get("/ui/lists/web-demo/diff?from=1&to=2&show=removed").text
    assert 'id="e-web-demo-org-2"' in added
    assert "Old Eastern Front" in removed
    assert "web-demo-person-1" not in page.text + added + removed
    missing = client.get("/ui/lists/web-demo/diff?from=1&to=9")
    assert missing.status_code == 404 and "no version 9" in missing.text
    assert client.get("/ui/lists/web-demo/diff?from=x").status_code == 400


def test_list_asof(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("viewer")
    before = client.get("/ui/lists/web-demo/asof?date=2006-10-01")
    assert before.status_code == 200 and "0 entries" in before.text
    on = client.get("/ui/lists/web-demo/asof?date=2006-10-20")
    assert "Islamic Movement of Turkestan" in on.text
    assert "Southern Front" not in on.text  # listed 2006-11-17
    later = client.get("/ui/lists/web-demo/asof?date=2006-12-01")
    assert "Southern Front" in later.text
    assert client.get("/ui/lists/web-demo/asof?date=yesterday").status_code == 400
    assert client.get("/ui/lists/nope").status_code == 404


def test_entity_page_names_by_script_citations_relationships(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("viewer")
    page = client.get("/ui/entities/web-demo-org-1")
    assert page.status_code == 200
    text = page.text
    for heading in ("Latin", "Cyrillic", "Arabic"):
        assert f"<h3>{heading} <small>" in text
    assert '<td dir="auto" class="name">Исламское движение Туркестана</td>' in text
    assert '<td dir="auto" class="name">الحركة الإسلامية لتركستان</td>' in text
    assert "<blockquote dir=\"auto\">The Court recognised the Islamic Movement of Turkestan" in text
    assert "<cite>demo-decision-2006.txt</cite>" in text
    assert "WD-001" in text
    # The relationship links to the person, with its own quoted source.
    assert '<a href="/ui/entities/web-demo-person-1" dir="auto">Рустам Каримович Юлдашев</a>' in text
    assert "Юлдашев возглавлял Исламское движение Туркестана." in text
    person = client.get("/ui/entities/web-demo-person-1")
    assert "leader of →" in person.text and "XX0000001" in person.text and "1968-04-02" in person.text
    assert client.get("/ui/entities/no-such-id").status_code == 404


def test_names_are_escaped(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("viewer")
    for path in ("/ui/entities/web-demo-org-2", "/ui/lists/web-demo/diff?show=added", "/ui/lists/web-demo/asof?date=2007-01-01"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "<script>" not in page.text, path
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Southern Front" in page.text, path


def test_screen_form_and_validation(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("screener")
    form = client.get("/ui/screen")
    assert form.status_code == 200
    assert '<option value="web-demo">web-demo</option>' in form.text
    token = csrf_of(form.text)
    empty = client.post("/ui/screen", data={"csrf": token, "name": " "})
    assert empty.status_code == 400 and "enter a name" in empty.text
    bad_date = client.post("/ui/screen", data={"csrf": token, "name": "X", "birth_date": "2 April"})
    assert bad_date.status_code == 400 and "birth date" in bad_date.text
    # What the user typed comes back escaped in the form.
    assert 'value="X"' in bad_date.text


def test_screen_cyrillic_name_shows_results_with_explanation(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("screener")
    token = csrf_of(client.get("/ui/screen").text)
    page = client.post(
        "/ui/screen",
        data={"csrf": token, "name": "Юлдашев Рустам", "schema": "Person", "birth_date": "1968", "country": "UZ"},
    )
    assert page.status_code == 200, page.text
    results = page.text.split('<table class="results">', 1)[1].split("</section>", 1)[0]
    rows = re.split(r'<tr class="(match|nomatch)">', results)
    # rows: [head, class1, row1, class2, row2, ...]: the best result is a match.
    assert rows[1] == "match"
    first = rows[2]
    assert 'href="/ui/entities/web-demo-person-1"' in first
    assert "<code>WD-002</code>" in first
    # The explanation names the query name and the listed name it met.
    assert '<q dir="auto">Юлдашев Рустам</q> met <q dir="auto">' in first
    assert "birth date:" in first
    # A person query never meets the organisations.
    assert "Islamic Movement" not in results
    # The query is echoed back into the form, escaped.
    assert 'value="Юлдашев Рустам"' in page.text


def test_screen_escapes_query_and_names(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("screener")
    token = csrf_of(client.get("/ui/screen").text)
    page = client.post("/ui/screen", data={"csrf": token, "name": "<script>alert('x')</script> Southern Front"})
    assert page.status_code == 200
    assert "<script>" not in page.text
    assert "&lt;script&gt;" in page.text
    assert 'href="/ui/entities/web-demo-org-2"' in page.text


def test_codes_in_the_readers_language(signed_in: Callable[[str], TestClient]) -> None:
    """Name kinds, ties and identifier types are words of the page's language, not codes."""
    client = signed_in("viewer")
    english = client.get("/ui/entities/web-demo-person-1").text
    assert "<td>primary name</td>" in english and "<dt>passport</dt>" in english
    client.cookies.set("tizim_lang", "ru")
    russian = client.get("/ui/entities/web-demo-person-1").text
    assert "<td>основное имя</td>" in russian and "<dt>паспорт</dt>" in russian and "руководитель →" in russian
    assert "primary" not in russian and "passport" not in russian
    client.cookies.set("tizim_lang", "kk")
    kazakh = client.get("/ui/entities/web-demo-person-1").text
    assert "<td>негізгі аты</td>" in kazakh and "<dt>паспорт</dt>" in kazakh
