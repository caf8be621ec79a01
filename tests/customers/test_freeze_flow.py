"""The customer book kept screened: whole-book screening, the delta rescreen of a list import,
freezes, payments from frozen accounts, the four-eyes unfreeze; on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tests.customers.helpers import BOOK, write_csv
from tests.monitoring.helpers import load_list, payment
from tizim.cli import app
from tizim.customers.book import CustomerBook
from tizim.customers.freezes import freeze_register, freeze_report
from tizim.customers.rescreen import rescreen_book
from tizim.customers.screen import screen_book
from tizim.monitoring import audit
from tizim.monitoring.cases import Cases, Forbidden
from tizim.monitoring.decide import Decider
from tizim.monitoring.model import Payment
from tizim.store import transaction


def _screened_book() -> dict[str, dict]:
    load_list()
    CustomerBook().import_file(BOOK)
    report = screen_book(workers=1)
    assert report["screened"] == 6
    return {c["customer_id"]: c for c in CustomerBook().list(matches=True)}


def test_screen_freezes_the_designated_and_their_companies(db_url: str) -> None:
    book = _screened_book()
    assert {cid: c["status"] for cid, c in book.items()} == {
        "C001": "frozen",  # Рустам Каримов Абдуллаевич: the listed person, in Cyrillic
        "C002": "clear", "C003": "clear",
        "C010": "frozen",  # 60 % owned by C001
        "C011": "alert",  # a director, named: alerted, not frozen
        "C012": "clear",
    }
    c1 = book["C001"]
    assert [a["frozen"] for a in c1["accounts"]] == [True, True]
    (hit,) = c1["matches"]
    assert hit["entity_id"] == "t-karimov" and hit["score"] >= 0.85 and hit["refs"] == {"test-list": ["T-KARIMOV"]}
    assert hit["explanation"]["matched_name"] == "Rustam Karimov Abdullaevich"
    (owner,) = book["C010"]["matches"]
    assert owner["via"] == "owner:C001" and "owner C001 (Рустам Каримов Абдуллаевич, 60%)" in owner["reason"]
    (director,) = book["C011"]["matches"]
    assert director["via"].startswith("director:") and not director["freeze"]
    # one FREEZE case per frozen customer, holding its accounts
    case = Cases().show(c1["matches"][0]["case_id"])
    assert case["severity"] == "FREEZE" and case["party_key"] == "customer:C001"
    assert case["frozen_accounts"] == ["KZ231230000000000001", "KZ931230000000000002"]
    assert case["customer"]["customer_id"] == "C001"
    # nothing left to screen: a second run is a no-op; a changed customer is screened again
    assert screen_book(workers=1)["screened"] == 0
    register = freeze_register()
    assert {r["account"] for r in register} == {"KZ231230000000000001", "KZ931230000000000002",
                                                "KZ147220000000000005"}
    assert all(r["within_sla"] and r["hours_to_freeze"] is not None for r in register)
    assert audit.verify().ok


def test_list_import_freezes_a_customer_it_adds_and_payments_from_frozen_accounts(db_url: str,
                                                                                   tmp_path: Path) -> None:
    _screened_book()
    # a new version of the list designates Nomad Logistics: the import itself re-screens the book
    import_file = tmp_path / "nomad.yaml"
    import_file.write_text(
        "list: test-list\ntitle: Test list\npublished: '2026-12-01'\nentities:\n"
        + "".join(f"  - id: {eid}\n    schema: {schema}\n    names: [{json.dumps(name)}]\n"
                  f"    designations: [{{reference: {eid.upper()}}}]\n"
                  for eid, schema, name in [("t-imu", "Organization", "Islamic Movement of Uzbekistan"),
                                            ("t-asbat", "Organization", "Asbat al-Ansar"),
                                            ("t-karimov", "Person", "Rustam Karimov Abdullaevich"),
                                            ("t-nomad", "Organization", "Nomad Logistics")]),
        encoding="utf-8")
    from tizim.registry.importers import load
    from tizim.registry.service import Registry

    try:
        parsed = load(import_file, "test-list")
    except Exception:  # the national YAML layout differs: build the version in code instead
        parsed = None
    if parsed is not None and any(e.id == "t-nomad" for e in parsed.entities):
        result = Registry().import_parsed(parsed)
    else:
        result = load_list({"t-nomad": ("Organization", "Nomad Logistics", [])})
    assert result.created
    found = result.followups["customers"]
    assert found["candidates"] >= 1 and found["alerts"] == 1 and found["frozen"] == 1, found
    c11 = CustomerBook().show("C011")
    assert c11["status"] == "frozen" and [a["frozen"] for a in c11["accounts"]] == [True]
    nomad = next(m for m in c11["matches"] if m["entity_id"] == "t-nomad")
    assert nomad["list"] == "test-list" and nomad["list_version"] == result.version
    # already rescreened: `tizim rescreen` (and a re-run) finds nothing to do
    assert rescreen_book()["versions"] == []

    # a payment from a frozen account is FREEZE whatever its names say, in the customer's case
    p = payment(7, debtor="Someone Harmless", creditor="Corporation Y")
    p["debtor"]["account"] = "KZ84 7220 0000 0000 0006"
    decision = Decider().decide(Payment.from_dict(p))
    assert decision.status == "FREEZE"
    assert any("frozen account" in r and "C011" in r for r in decision.reasons)
    case_id = nomad["case_id"]
    assert "P-00007" in {x["payment_id"] for x in Cases().show(case_id)["payments"]}


def test_unfreeze_takes_two_people_the_second_a_supervisor(db_url: str) -> None:
    from tizim.api.keys import KeyStore

    book = _screened_book()
    case_id = book["C001"]["matches"][0]["case_id"]
    store = KeyStore()
    store.create("aliya", "analyst")
    store.create("bota", "analyst")
    store.create("dana", "supervisor")
    cases = Cases()
    requested = cases.act(case_id, "release", "aliya", "analyst", note="namesake: other birth date")
    assert requested["status"] == "release_requested"
    assert CustomerBook().show("C001")["status"] == "frozen"
    with pytest.raises(Forbidden):
        cases.act(case_id, "approve-release", "aliya", "supervisor")  # the requester, even promoted
    with pytest.raises(Forbidden):
        cases.act(case_id, "approve-release", "bota", "analyst")  # not a supervisor
    done = cases.act(case_id, "approve-release", "dana", "supervisor")
    assert done["status"] == "released" and done["frozen_accounts"] == []
    c1 = CustomerBook().show("C001")
    assert [a["frozen"] for a in c1["accounts"]] == [False, False]
    assert c1["matches"][0]["status"] == "released" and c1["status"] == "clear"
    released = freeze_register(include_released=True)
    assert {r["account"] for r in released if not r["frozen"]} == {"KZ231230000000000001", "KZ931230000000000002"}
    with transaction() as conn:
        actions = [(r.actor, r.action) for r in conn.execute(
            select(audit.t.audit_log.c.actor, audit.t.audit_log.c.action)
            .where(audit.t.audit_log.c.object_id == "C001"))]
    assert ("system", "freeze") in actions and ("dana", "unfreeze") in actions
    assert audit.verify().ok


def test_delisting_opens_a_review_and_the_cli_reports(db_url: str) -> None:
    _screened_book()
    load_list({"t-other": ("Person", "Someone Unrelated Entirely", [])})  # version 2 keeps Karimov
    from tests.monitoring.helpers import entity
    from tizim.registry.model import ParsedList
    from tizim.registry.service import Registry

    keep = [entity("t-imu", "Organization", "Islamic Movement of Uzbekistan"),
            entity("t-asbat", "Organization", "Asbat al-Ansar"),
            entity("t-other", "Person", "Someone Unrelated Entirely")]
    result = Registry().import_parsed(ParsedList(list_name="test-list", source_file="v3.json", file_hash="v3",
                                                 entities=keep), allow_shrink=True)
    assert result.removed == 1
    assert result.followups["customers"]["reviews"] == 3  # C001, and C010 and C011 through it
    c1 = CustomerBook().show("C001")
    assert c1["status"] == "frozen"  # a delisting does not unfreeze by itself
    case = Cases().show(c1["matches"][0]["case_id"])
    assert any(a["code"] == "delisted_review" for a in case["alerts_detail"])

    out = CliRunner().invoke(app, ["freezes", "list", "--json"])
    assert out.exit_code == 0, out.output
    assert {r["customer_id"] for r in json.loads(out.output)["frozen"]} == {"C001", "C010"}
    shown = CliRunner().invoke(app, ["customers", "show", "C001", "--json"])
    data = json.loads(shown.output)
    assert set(data) >= {"customer_id", "status", "matches", "accounts"}
    assert data["accounts"][0].keys() >= {"account", "frozen"}
    listed = json.loads(CliRunner().invoke(app, ["customers", "list", "--status", "frozen", "--json"]).output)
    assert [c["customer_id"] for c in listed] == ["C001", "C010"]
    bad = CliRunner().invoke(app, ["customers", "list", "--status", "icy"])
    assert bad.exit_code != 0


def test_fiu_report_is_safe_csv_and_json(db_url: str, tmp_path: Path) -> None:
    load_list({"t-formula": ("Person", "=HYPERLINK Evil Name", [])})
    rows = [{"customer_id": "X1", "type": "person", "name": "=HYPERLINK Evil Name", "accounts": "KZ231230000000000001"}]
    CustomerBook().import_file(write_csv(tmp_path / "x.csv", rows))
    screen_book(workers=1)
    text = freeze_report("csv")
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert parsed and parsed[0]["customer"].startswith("'=")
    report = json.loads(freeze_report("json"))
    assert report["frozen_accounts"] == 1 and report["accounts"][0]["account"] == "KZ231230000000000001"
    out = tmp_path / "report.csv"
    result = CliRunner().invoke(app, ["freezes", "report", "--format", "csv", "--output", str(out)])
    assert result.exit_code == 0 and out.read_text(encoding="utf-8") == text


def test_a_pep_is_enhanced_due_diligence_never_a_freeze(db_url: str, tmp_path: Path) -> None:
    load_list()
    load_list({"pep-mamin": ("Person", "Askar Uzakpaevich Mamin", [])}, name="pep-list", kind="pep")
    rows = [{"customer_id": "P1", "name": "Мамин Аскар Узакпаевич", "accounts": "KZ231230000000000001"}]
    CustomerBook().import_file(write_csv(tmp_path / "pep.csv", rows))
    report = screen_book(workers=1)
    assert report["alerts"] == 1 and report["frozen"] == 0
    p1 = CustomerBook().show("P1")
    assert p1["status"] == "alert" and not p1["accounts"][0]["frozen"]
    (hit,) = p1["matches"]
    assert hit["score"] >= 0.85 and not hit["freeze"] and "PEP (enhanced due diligence)" in hit["reason"]


def test_a_killed_run_is_resumed_where_it_stopped(db_url: str) -> None:
    load_list()
    CustomerBook().import_file(BOOK)
    seen: list[int] = []

    def crash_after_first_batch(n: int) -> None:
        seen.append(n)
        raise KeyboardInterrupt  # the operator's Ctrl-C, after the first batch committed

    with pytest.raises(KeyboardInterrupt):
        screen_book(workers=1, batch=2, advance=crash_after_first_batch)
    assert seen == [2]
    statuses = {c["customer_id"]: c["screened"] for c in CustomerBook().list()}
    assert statuses == {"C001": True, "C002": True, "C003": False, "C010": False, "C011": False, "C012": False}
    rest = screen_book(workers=1, batch=2)
    assert rest["screened"] == 4  # only what the first run had not committed
    assert {c["customer_id"]: c["status"] for c in CustomerBook().list()}["C010"] == "frozen"
    assert screen_book(workers=1)["screened"] == 0
