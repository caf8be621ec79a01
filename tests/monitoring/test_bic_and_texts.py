"""Banks screened by BIC, and rescreen of stored free texts, on SQLite and PostgreSQL.

The banks come from a small OFAC-format fixture (tests/fixtures/monitoring/banks_sdn.csv,
fictional banks) read by the real importer: the BIC is in the Remarks ("SWIFT/BIC ..."),
as OFAC publishes it. A UK-style entry keeps its BIC inside a longer identifier text."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.monitoring.helpers import entity, load_list, payment
from tizim.monitoring import audit
from tizim.monitoring import tables as t
from tizim.monitoring.cases import Cases
from tizim.monitoring.decide import Decider
from tizim.monitoring.model import Payment
from tizim.monitoring.rescreen import rescreen
from tizim.monitoring.screening import norm_bic
from tizim.registry.importers import load
from tizim.registry.model import Identifier, ParsedList
from tizim.registry.service import Registry
from tizim.screening import reset_screeners
from tizim.store import transaction

BANKS = Path(__file__).resolve().parents[1] / "fixtures" / "monitoring" / "banks_sdn.csv"


def _import_banks() -> None:
    Registry().import_parsed(load(BANKS))
    reset_screeners()


def _p(i: int, **extra: Any) -> Payment:
    return Payment.from_dict(payment(i, **extra))


def _alerts(**where: Any) -> list[Any]:
    query = select(t.alerts).order_by(t.alerts.c.id)
    for column, value in where.items():
        query = query.where(getattr(t.alerts.c, column) == value)
    with transaction() as conn:
        return list(conn.execute(query).all())


def test_norm_bic() -> None:
    assert norm_bic(" stmr kzka ") == "STMRKZKA"
    assert norm_bic("STMRKZKAXXX") == "STMRKZKAXXX"
    assert norm_bic("STMRKZ") is None and norm_bic("STMRKZKA1") is None and norm_bic("12MRKZKA") is None
    assert norm_bic(None) is None


def test_bank_by_bic_only_is_caught(db_url: str) -> None:
    load_list()
    _import_banks()
    out = Decider().decide_batch([
        # the debtor's bank named by its BIC only, exactly as listed
        _p(1, debtor_agent={"bic": "STMRKZKA"}),
        # the primary office (XXX) and another branch of the same listed bank
        _p(2, creditor_agent={"bic": "STMRKZKAXXX"}),
        _p(3, creditor_agent={"bic": "STMRKZKA100"}),
        # a listed BIC of 11 characters, sent as the bank's 8-character code
        _p(4, debtor_agent={"bic": "NPCBKPPY"}),
        # a bank that no list names
        _p(5, debtor_agent={"bic": "BANZBEBB"}, creditor_agent={"bic": "BANYBRRJ"}),
        # the BIC of a listed bank under a harmless name: the BIC decides
        _p(6, creditor_agent={"name": "First Commercial Bank", "bic": "STMRKZKA"}),
    ])
    assert [d.status for d in out] == ["FREEZE", "FREEZE", "FREEZE", "FREEZE", "PASS", "FREEZE"]
    first = out[0]
    assert first.hold == "held"
    assert first.reasons == ["FREEZE: debtor_agent 'STMRKZKA' matches designated STEPPE MERIDIAN BANK "
                             "(us-ofac-sdn 91001), score 0.97"]
    (match,) = first.matches
    assert match["role"] == "debtor_agent" and match["entity_id"] == "us-ofac-sdn-91001"
    assert match["explanation"]["identifier"]["detail"] == "identical swift_bic STMRKZKA"
    assert out[1].matches[0]["explanation"]["identifier"]["detail"] == "identical swift_bic STMRKZKA"
    assert out[2].matches[0]["explanation"]["identifier"]["detail"] == \
        "swift_bic STMRKZKA100: a branch of the listed bank STMRKZKA"
    assert out[3].matches[0]["caption"] == "NORTHERN PEARL CREDIT BANK"
    assert out[5].matches[0]["party"] == "First Commercial Bank"
    assert out[4].matches == [] and out[4].reasons == []
    # One case for the bank (its key is its BIC), holding the payments that went through it.
    cases = {c["party_key"]: c for c in Cases().list_cases()}
    assert cases["bic:STMRKZKA"]["severity"] == "FREEZE"
    assert {a.payment_id for a in _alerts(entity_id="us-ofac-sdn-91001")} == {"P-00001", "P-00002", "P-00003", "P-00006"}
    assert audit.verify().ok


def test_bic_inside_a_longer_identifier(db_url: str) -> None:
    # As the UK list writes it: "... Registration Number ... SWIFT/BIC – <BIC>".
    bank = entity("t-caspian-bank", "Organization", "Caspian Lantern Bank")
    bank.designations[0].list_name = "test-banks"
    bank.identifiers.append(Identifier(type="registration",
                                       value="Commercial Registration Number HRB 4410 SWIFT/BIC – CLBKKZKA"))
    parsed = ParsedList(list_name="test-banks", source_file="test-banks.json",
                        file_hash=hashlib.sha256(b"test-banks").hexdigest(), entities=[bank], kind="sanctions")
    Registry().import_parsed(parsed)
    reset_screeners()
    d = Decider().decide(_p(1, creditor_agent={"bic": "CLBKKZKA"}))
    assert d.status == "FREEZE" and d.matches[0]["entity_id"] == "t-caspian-bank"


def test_dismissed_bic_hit_is_remembered(db_url: str) -> None:
    load_list()
    _import_banks()
    d = Decider().decide(_p(1, debtor_agent={"bic": "STMRKZKA"}))
    assert d.status == "FREEZE"
    case = next(c for c in Cases().list_cases() if c["party_key"] == "bic:STMRKZKA")
    Cases().act(case["id"], "dismiss", "aliya", "analyst", note="a namesake bank, other country")
    Cases().act(case["id"], "approve-dismiss", "dana", "supervisor")  # a designated hit: four eyes
    reset_screeners()
    again = Decider().decide(_p(2, debtor_agent={"bic": "STMRKZKA"}))
    assert again.status == "PASS", again.reasons
    # another subject (another bank's code) is not covered by that dismissal
    other = Decider().decide(_p(3, creditor_agent={"bic": "NPCBKPPY123"}))
    assert other.status == "FREEZE"


def test_rescreen_finds_bank_by_bic_and_names_in_stored_texts(db_url: str) -> None:
    load_list()
    before = [
        _p(1, debtor_agent={"bic": "STMRKZKA"}),
        _p(2, remittance="services of Jamaat Tawhid al-Khorasan, Herat office"),
        _p(3, remittance="invoice 1122 for the Khorasan carpets, July"),
        _p(4, sender_info="/REC/ Jamaat Tawhid al-Khorasan"),
    ]
    decided = Decider().decide_batch(before)
    assert [d.status for d in decided] == ["PASS"] * 4
    # a new list version brings the bank (by BIC) and the organization named in the texts
    load_list({"t-khorasan": ("Organization", "Jamaat Tawhid al-Khorasan", ["JTK"])},
              published_at=datetime.now(UTC).date().isoformat())
    _import_banks()

    report = rescreen(actor="rescreener")
    assert report["texts_screened"] == 3 and report["parties_screened"] >= 5
    rescreened = _alerts(kind="rescreen")
    by_code = sorted((a.code, a.payment_id, a.role, a.entity_id) for a in rescreened)
    assert by_code == [
        ("rescreen_match", "P-00001", "debtor_agent", "us-ofac-sdn-91001"),
        ("rescreen_text", "P-00002", "remittance", "t-khorasan"),
        ("rescreen_text", "P-00004", "sender_info", "t-khorasan"),
    ]
    text_alert = next(a for a in rescreened if a.payment_id == "P-00002")
    assert text_alert.detail["text"] == "Jamaat Tawhid al-Khorasan" and text_alert.score >= 0.85
    assert text_alert.detail["version"] == 2 and text_alert.detail["list"] == "test-list"
    # the bank by BIC holds the payment; a mention in free text is for an analyst (no hold)
    with transaction() as conn:
        holds = {r.payment_id: r.hold for r in conn.execute(select(t.payments.c.payment_id, t.payments.c.hold))}
    assert holds == {"P-00001": "held", "P-00002": None, "P-00003": None, "P-00004": None}
    assert report["held_payments"] == 1 and report["alerts"] == 3
    cases = {c["party_key"]: c for c in Cases().list_cases()}
    assert cases["bic:STMRKZKA"]["severity"] == "FREEZE"
    creditor_case = cases["acct:BR9700360305000010000002"]
    assert creditor_case["severity"] == "OBSERVE"
    assert audit.verify().ok
    # nothing twice
    again = rescreen()
    assert again["versions"] == [] and again["alerts"] == 0
