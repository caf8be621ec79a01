"""The workspace's pages without a browser: the queue's order, filters, pagination and bulk
actions, the case page's matches and STR downloads, the dashboard, payment, entity graph,
lists search, intelligence, audit, /docs, static files, languages and formats."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from tests.web.conftest import FIXTURE, csrf_of, freeze_customer_by_list_update, load_payments
from tizim.web.i18n import LOCALE_DIR, Formatter, _from_header

pytest.importorskip("tizim.monitoring.cases", reason="the monitoring package is not installed")

OBSERVE = FIXTURE.parent / "observe.jsonl"
WEB = Path(__file__).resolve().parents[2] / "tizim" / "web"


@pytest.fixture
def day(demo_db: str) -> dict[str, int]:
    """The fixture payments (one FREEZE) and two OBSERVE ones: case ids by party."""
    from tizim.monitoring.cases import Cases
    from tizim.monitoring.runner import run_file

    load_payments()
    run_file(OBSERVE)
    return {c["party"]: int(c["id"]) for c in Cases().list_cases()}


def _rows(html: str) -> list[str]:
    body = html.split('<table class="cases"', 1)[1].split("</tbody>", 1)[0]
    return body.split("<tr class=")[1:]


def test_queue_puts_freeze_first_then_sla_then_amount(signed_in: Callable[[str], TestClient],
                                                      day: dict[str, int]) -> None:
    html = signed_in("analyst").get("/ui/cases").text
    rows = _rows(html)
    assert len(rows) == 3
    assert "FREEZE" in rows[0] and "Rustam Yuldashev" in rows[0]
    # The OBSERVE cases were opened in one run (same SLA clock to the minute): larger amount first.
    assert "Saule Temirova" in rows[1] and "Nurlan Aliyev" in rows[2]
    for row in rows:  # one row per case, linking to it, severity written in the row
        assert re.search(r'<a href="/ui/cases/\d+">#\d+</a>', row) and ("FREEZE" in row or "OBSERVE" in row)


def test_queue_filters_search_and_pages(signed_in: Callable[[str], TestClient], day: dict[str, int]) -> None:
    client = signed_in("analyst")
    assert len(_rows(client.get("/ui/cases?severity=OBSERVE").text)) == 2
    assert len(_rows(client.get("/ui/cases?q=temirova").text)) == 1
    assert len(_rows(client.get("/ui/cases?q=web-pay-1").text)) == 1
    assert len(_rows(client.get("/ui/cases?min=100000&max=200000").text)) == 1
    # the two texts name the listed organisation: every case hit the demo list
    assert len(_rows(client.get("/ui/cases?list=web-demo").text)) == 3
    assert "No cases match." in client.get("/ui/cases?list=no-such-list").text
    assert "No cases match." in client.get("/ui/cases?assignee=nobody-here").text
    assert client.get("/ui/cases?from=2026/01/01").status_code == 400
    assert client.get("/ui/cases?severity=PANIC").status_code == 400
    assert "Page 1 of 1" in client.get("/ui/cases?page=7").text


def test_bulk_assign_works_only_on_observe_cases(signed_in: Callable[[str], TestClient], day: dict[str, int]) -> None:
    from tizim.monitoring.cases import Cases

    client = signed_in("analyst")
    token = csrf_of(client.get("/ui/cases").text)
    ids = [day["Saule Temirova"], day["Nurlan Aliyev"], day["Rustam Yuldashev"]]
    body = [("csrf", token), ("action", "assign"), ("note", "morning batch"), ("assignee", "analyst-user")]
    body += [("ids", str(i)) for i in ids]
    done = client.post("/ui/cases/bulk", content="&".join(f"{k}={v}" for k, v in body),
                       headers={"content-type": "application/x-www-form-urlencoded"})
    assert done.status_code == 200
    assert "2 of 3 cases done." in done.text and "only OBSERVE cases" in done.text
    assert Cases().show(day["Saule Temirova"])["assignee"] == "analyst-user"
    assert Cases().show(day["Rustam Yuldashev"])["assignee"] is None
    refused = client.post("/ui/cases/bulk", data={"csrf": token, "action": "assign", "ids": str(ids[0])})
    assert refused.status_code == 400  # no note


def test_case_page_shows_the_names_side_by_side_and_designations(signed_in: Callable[[str], TestClient],
                                                                day: dict[str, int]) -> None:
    html = signed_in("analyst").get(f"/ui/cases/{day['Rustam Yuldashev']}").text
    assert "<mark>Rustam</mark> <mark>Yuldashev</mark>" in html
    assert "KZ86125KZT5004100100" in html and "family support" in html  # all the payment's fields
    assert "WD-002" in html and "Listed on" in html
    assert 'class="action-release"' in html and 'class="action-approve-release"' not in html


def test_str_downloads_as_goaml_xml_and_readable_json(signed_in: Callable[[str], TestClient],
                                                       day: dict[str, int]) -> None:
    from tizim import settings
    from tizim.monitoring.cases import Cases

    settings.override(goaml_rentity_id="4711")  # the FIU's id for the reporting bank
    case_id = day["Rustam Yuldashev"]
    client = signed_in("analyst")
    assert client.get(f"/ui/cases/{case_id}/str.xml").status_code == 400  # not confirmed yet
    Cases().act(case_id, "confirm", "analyst-user", "analyst", note="true match")
    page = client.get(f"/ui/cases/{case_id}").text
    assert f'href="/ui/cases/{case_id}/str.xml"' in page and "Suspicious transaction report" in page
    xml = client.get(f"/ui/cases/{case_id}/str.xml")
    assert xml.status_code == 200 and xml.headers["content-type"].startswith("application/xml")
    assert "attachment" in xml.headers["content-disposition"] and xml.content.lstrip().startswith(b"<?xml")
    js = client.get(f"/ui/cases/{case_id}/str.json")
    assert js.headers["content-type"].startswith("application/json")
    assert "Юлдашев" in js.text and "\\u" not in js.text
    assert json.loads(js.text)
    assert client.get(f"/ui/cases/{case_id}/str.pdf").status_code == 400


def test_dashboard_counts(signed_in: Callable[[str], TestClient], day: dict[str, int]) -> None:
    html = signed_in("viewer").get("/ui/").text
    assert 'id="activity-chart"' in html and "/ui/static/vendor/chart.umd.min.js" in html
    data = json.loads(html.split('<script type="application/json" id="chart-data">', 1)[1].split("</script>", 1)[0])
    assert sum(data["series"]["payments"]) == 4 and sum(data["series"]["freezes"]) == 1
    assert sum(data["series"]["alerts"]) == 3
    assert "web-demo" in html and ("within 24 h" in html or "older than 24 h" in html)


def test_payment_page_entity_graph_and_list_search(signed_in: Callable[[str], TestClient], day: dict[str, int]) -> None:
    client = signed_in("analyst")
    payment = client.get("/ui/payments/web-obs-2").text
    assert "Islamic Movement of Turkestan support" in payment and "KZ07125KZT1001300335" in payment
    assert client.get("/ui/payments/no-such").status_code == 404
    graph = client.get("/ui/graph/web-demo-person-1").json()
    ids = {n["id"] for n in graph["nodes"]}
    assert {"web-demo-person-1", "web-demo-org-1"} <= ids and graph["edges"]
    entity = client.get("/ui/entities/web-demo-person-1").text
    assert 'id="graph"' in entity and "/ui/static/vendor/cytoscape.min.js" in entity
    assert f'/ui/cases/{day["Rustam Yuldashev"]}' in entity  # the case that hit it
    found = client.get("/ui/lists/web-demo?q=юлдашев").text
    assert "web-demo-person-1" in found and "web-demo-org-1" not in found


def test_intelligence_review_and_audit(signed_in: Callable[[str], TestClient], day: dict[str, int]) -> None:
    from tizim.intel.service import Intel

    Intel().ingest(FIXTURE.parent / "intel-note.txt")
    analyst = signed_in("analyst")
    page = analyst.get("/ui/intel").text
    assert "<mark>" in page and "member of" in page
    fact_id = re.search(r'action="/ui/intel/facts/(\d+)"', page).group(1)  # type: ignore[union-attr]
    assert 'value="accept"' not in page  # accepting writes to a list: supervisors only
    analyst.post(f"/ui/intel/facts/{fact_id}", data={"csrf": csrf_of(page), "decision": "reject"})
    assert Intel().fact(int(fact_id))["status"] == "rejected"
    assert analyst.get("/ui/audit").status_code == 403
    audit = signed_in("supervisor").get("/ui/audit?verify=1").text
    assert "Verified:" in audit


def test_docs_ship_their_assets(client: TestClient) -> None:
    html = client.get("/docs").text
    assert "/ui/static/vendor/swagger-ui-bundle.js" in html and "http" not in html.replace("http-equiv", "")
    bundle = client.get("/ui/static/vendor/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and bundle.headers["content-type"].startswith("text/javascript")
    assert client.get("/ui/static/../pages.py").status_code == 404
    assert client.get("/ui/static/vendor/../../accounts.py").status_code == 404


def test_vendored_libraries_are_the_npm_packages() -> None:
    modules = Path(__file__).resolve().parents[2] / "assets" / "node_modules"
    if not modules.exists():
        pytest.skip("assets/node_modules is not installed (make install)")
    import importlib.util

    spec = importlib.util.spec_from_file_location("vendor", modules.parent / "vendor.py")
    assert spec and spec.loader
    vendor = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(vendor)
    for target, source in vendor.FILES.items():
        assert (WEB / "static" / "vendor" / target).read_bytes() == (modules / source).read_bytes(), target


def test_languages_by_browser_and_by_choice(client: TestClient, users: dict[str, tuple[str, str]]) -> None:
    assert _from_header("ru-KZ,ru;q=0.9,en;q=0.5") == "ru"
    assert _from_header("kk-KZ") == "kk" and _from_header("de-DE,fr;q=0.5") == "en" and _from_header("") == "en"
    assert "Вход" in client.get("/ui/login", headers={"accept-language": "ru"}).text
    page = client.get("/ui/login", headers={"accept-language": "kk"})
    assert '<html lang="kk">' in page.text and "Кіру" in page.text
    # The switch in the header sets the language for this browser, then for the user.
    client.post("/ui/language", data={"csrf": csrf_of(page.text), "lang": "ru", "next": "/ui/login"})
    assert '<html lang="ru">' in client.get("/ui/login", headers={"accept-language": "kk"}).text


def test_numbers_amounts_and_dates_per_language() -> None:
    from zoneinfo import ZoneInfo

    almaty = ZoneInfo("Asia/Almaty")
    assert Formatter("en", almaty).number(1234567.5, 2) == "1,234,567.50"
    assert Formatter("ru", almaty).number(1234567.5, 2) == "1\xa0234\xa0567,50"
    assert Formatter("kk", almaty).amount("2500", "KZT").startswith("2\xa0500,00")
    assert Formatter("en", almaty).amount("2500", "USD") == "$2,500.00"
    # Stored in UTC, shown in Almaty time (UTC+5).
    assert "18:30" in Formatter("ru", almaty).when("2026-12-01T13:30:00+00:00")
    assert "(UTC+05:00)" in Formatter("en", almaty).when("2026-12-01T13:30:00+00:00")


def test_catalogues_translate_every_message() -> None:
    """Every string the pages mark is in the Kazakh and Russian catalogues, translated, with
    the same placeholders (run `make messages` after changing a page's text)."""
    marked = {msg for _f, _l, msg, *_ in extract_from_dir(
        str(WEB), method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2")],
        options_map={"**/templates/**.html": {"trim_blocks": "true", "lstrip_blocks": "true"}},
        keywords={"_": None})}
    for language in ("kk", "ru"):
        with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as fh:
            catalog = read_po(fh)
        translated = {m.id: m.string for m in catalog if m.id}
        missing = sorted(m for m in marked if not translated.get(m))
        assert missing == [], (language, missing)
        for msgid, text in translated.items():
            assert sorted(re.findall(r"%\(\w+\)", msgid)) == sorted(re.findall(r"%\(\w+\)", text)), (language, msgid)


def test_demo_data_for_make_run(demo_db: str) -> None:
    """`tizim workspace` seeds the demo once: a book with a listed person planted, a day of
    payments, a few to listed persons (frozen)."""
    from tizim.web import demo

    assert not demo.seeded()
    # The demo list has one designated person: planted in the book and paid once.
    made = demo.seed_demo(customers=20, planted=1, payments=30, matches=1, seed=3)
    assert made["customers"] == 20 and made["planted"] == 1
    assert made["payments"] == 30 and made["true_matches"] == 1
    assert made["status"]["FREEZE"] >= 1
    assert demo.seeded()


def test_customer_pages_and_customer_case(signed_in: Callable[[str], TestClient], demo_db: str) -> None:
    pytest.importorskip("tizim.customers.book", reason="the customers package is not installed")
    from tizim.monitoring.cases import Cases

    customer = freeze_customer_by_list_update()
    client = signed_in("analyst")
    listing = client.get("/ui/customers").text
    assert f'href="/ui/customers/{customer}"' in listing and "Frozen accounts" in listing
    page = client.get(f"/ui/customers/{customer}").text
    assert "frozen" in page and "web-update-person-1" in page
    case = next(c for c in Cases().list_cases() if c["party_key"] == f"customer:{customer}")
    html = client.get(f"/ui/cases/{case['id']}").text
    assert f'href="/ui/customers/{customer}"' in html and 'class="customer-accounts"' in html
    assert '<span class="tag FREEZE">frozen</span>' in html
    assert client.get("/ui/customers/NO-SUCH").status_code == 404
    assert "Other names" in page and "Aigul Nurlanova" in page and '["Aigul' not in page
    # an organization: its owners and directors, linked when they are customers; the owner's page
    # lists what it owns
    org = client.get("/ui/customers/C010").text
    assert 'href="/ui/customers/C001"' in org and "(60 %)" in org and 'href="/ui/customers/C003"' in org
    owner = client.get("/ui/customers/C001").text.split("Owner or director of", 1)[1]
    assert 'href="/ui/customers/C010"' in owner.split("</section>", 1)[0]
    # search by a name's part in any case (Cyrillic too), by an account, by an id
    found = client.get("/ui/customers", params={"q": "нұрланова"}).text
    assert f'href="/ui/customers/{customer}"' in found and 'href="/ui/customers/C001"' not in found
    assert 'href="/ui/customers/C001"' in client.get("/ui/customers?q=KZ931230000000000002").text
    assert 'href="/ui/customers/C012"' in client.get("/ui/customers?q=C012").text
    assert "(0)" in client.get("/ui/customers?q=nobody-at-all").text.split("</h1>", 1)[0]
    # the report of frozen assets for the FIU, downloaded from the register
    report = client.get("/ui/freezes/report.csv")
    assert report.status_code == 200 and "attachment" in report.headers["content-disposition"]
    assert "KZ119650000000000003" in report.text
    as_json = client.get("/ui/freezes/report.json").json()
    assert as_json["frozen_accounts"] >= 1
    assert client.get("/ui/freezes/report.pdf").status_code == 404
