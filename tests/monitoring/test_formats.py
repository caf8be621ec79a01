"""Parsers: real ISO 20022 samples, MT103, CSV/JSONL, malformed input, detection."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES, shared_file
from tizim.monitoring.formats import detect, iter_file, iter_text
from tizim.monitoring.model import Payment, Rejected

FIX = FIXTURES / "monitoring"


def test_pacs008_fedwire_sample() -> None:
    path = shared_file("iso20022", "fedwire_moov_wire20022", "CustomerCreditTransfer_Scenario5_Step2_pacs.008.xml")
    (p,) = list(iter_file(path))
    assert isinstance(p, Payment)
    assert p.format == "pacs.008"
    assert p.payment_id == "8a562c67-ca16-48ba-b074-65581be6f011"
    assert (p.msg_id, p.e2e_id, p.instr_id) == ("20250310B1QDRCQR000005", "Scenario05EtoEId001", "Scenario05InstrId001")
    assert (p.amount, p.currency, p.value_date) == (Decimal("510000.74"), "USD", "2025-03-10")
    assert p.debtor is not None and p.debtor.name == "Corporation Z" and p.debtor.country == "BE"
    assert p.debtor.account == "BE34001216371411"
    assert p.creditor is not None and p.creditor.name == "Corporation Y" and p.creditor.country == "BR"
    assert p.debtor_agent is not None and p.debtor_agent.bic == "BANZBEBB"
    assert p.creditor_agent is not None and p.creditor_agent.bic == "BANYBRRJ"
    assert p.remittance == "ABC-987"


def test_pain001_with_several_payment_blocks() -> None:
    path = shared_file("iso20022", "moov_iso20022_testdata", "musterfile_pain.001_Nov2020.xml")
    items = list(iter_file(path))
    payments = [i for i in items if isinstance(i, Payment)]
    assert len(payments) == len(items) == 8
    assert all(p.format == "pain.001" for p in payments)
    # The PmtInf-level debtor applies to every transaction in the block.
    debtors = [p.debtor.name if p.debtor else None for p in payments]
    assert debtors[:3] == ["Robert Schneider"] * 3 and debtors[5] == "Robert Schneider SA"
    assert debtors[6] == "Maria Bernasconi"
    assert payments[0].payment_id == "MsgId-001/EndToEndId-01-01"
    # EqvtAmt: the amount is given in the debit currency.
    assert any(p.amount == 1 and p.currency == "CHF" for p in payments)


def test_transaction_without_amount_is_rejected(tmp_path: Path) -> None:
    path = shared_file("iso20022", "moov_iso20022_testdata", "International_payment_USD_naujas_1.xml")
    bad = tmp_path / "no-amount.xml"
    bad.write_text(path.read_text(encoding="utf-8-sig").replace('<InstdAmt Ccy="USD">111.11</InstdAmt>', ""))
    (r,) = list(iter_file(bad))
    assert isinstance(r, Rejected) and "amount" in r.reason
    assert r.source == str(bad) and r.line and r.record == "CdtTrfTxInf #1"


def test_pacs002_is_rejected_not_dropped() -> None:
    path = shared_file("iso20022", "fedwire_moov_wire20022", "CustomerCreditTransfer_Scenario1_Step2_pacs.002.xml")
    (r,) = list(iter_file(path))
    assert isinstance(r, Rejected) and r.reason.startswith("pacs.002.001.10 (payment status report)")


def test_truncated_xml_keeps_earlier_transactions(tmp_path: Path) -> None:
    path = shared_file("iso20022", "moov_iso20022_testdata", "musterfile_pain.001_Nov2020.xml")
    data = path.read_bytes()
    cut = tmp_path / "cut.xml"
    cut.write_bytes(data[: data.index(b"EndToEndId-03-01") + 40])
    items = list(iter_file(cut))
    assert [i.payment_id for i in items if isinstance(i, Payment)][:2] == [
        "MsgId-001/EndToEndId-01-01", "MsgId-001/EndToEndId-02-01"]
    assert isinstance(items[-1], Rejected) and "malformed XML" in items[-1].reason and items[-1].line


def test_xml_entities_refused(tmp_path: Path) -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><Document>&a;</Document>'
    (r,) = list(iter_text(bomb))
    assert isinstance(r, Rejected) and "forbidden" in r.reason


def test_mt103_messages() -> None:
    items = list(iter_file(FIX / "mt103_two.txt"))
    assert [type(i).__name__ for i in items] == ["Payment", "Payment", "Rejected"]
    a, b, c = items
    assert isinstance(a, Payment) and isinstance(b, Payment) and isinstance(c, Rejected)
    assert a.format == "mt103" and a.payment_id == "3f2b1c9e-5a1d-4e2b-9c3a-7d8e9f0a1b2c"
    assert (a.amount, a.currency, a.value_date) == (Decimal("12500.50"), "USD", "2025-03-10")
    assert a.debtor is not None and a.debtor.name == "ALMATY TRADING LLP" and a.debtor.account == "KZ86125KZT5004100100"
    assert a.creditor is not None and a.creditor.name == "ISTANBUL TEXTILE AS"
    assert a.creditor_agent is not None and a.creditor_agent.bic == "BANKTRIS"
    assert a.remittance == "INVOICE 778 COTTON" and a.sender_info == "/ACC/PLEASE ADVISE"
    # No UETR: field 20 qualified by the sender's BIC.
    assert b.payment_id == "BANKKZKA/REF-0002"
    assert b.debtor is not None and b.debtor.name == "NURLAN SMAGULOV" and b.debtor.country == "KZ"
    assert b.creditor is not None and b.creditor.name == "BERLIN CHARITY FOUNDATION" and b.creditor.country == "DE"
    assert "32A" in c.reason and c.line and c.record == "message #3"


def test_jsonl_and_csv_layouts() -> None:
    items = list(iter_file(FIX / "payments.jsonl"))
    assert [type(i).__name__ for i in items] == ["Payment", "Rejected", "Payment", "Rejected"]
    assert isinstance(items[1], Rejected) and items[1].line == 2 and "amount" in items[1].reason
    flat = items[2]
    assert isinstance(flat, Payment) and flat.payment_id == "M-3/E-3"
    assert flat.creditor is not None and flat.creditor.country == "VG"
    rows = list(iter_file(FIX / "payments.csv"))
    assert isinstance(rows[0], Payment) and rows[0].creditor is not None and rows[0].creditor.country == "IR"
    assert isinstance(rows[1], Rejected) and rows[1].line == 3


def test_detect() -> None:
    assert detect(b"<?xml version='1.0'?><Document><FIToFICstmrCdtTrf>") == "pacs.008"
    assert detect(b"\xef\xbb\xbf<Document><CstmrCdtTrfInitn>") == "pain.001"
    assert detect(b"{1:F01BANK}{4:\n:20:X") == "mt103"
    assert detect(b'{"amount": 1}') == "jsonl"
    assert detect(b"payment_id,amount,currency\n") == "csv"


names = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x4FF, blacklist_categories=("Cs",)),
                min_size=1, max_size=40).filter(lambda s: s.strip())


@settings(max_examples=60, deadline=None)
@given(name=names, cents=st.integers(min_value=1, max_value=10**12), currency=st.sampled_from(["KZT", "USD", "EUR"]))
def test_jsonl_round_trip(name: str, cents: int, currency: str) -> None:
    amount = Decimal(cents) / 100
    row = {"payment_id": "x-1", "amount": str(amount), "currency": currency, "debtor": {"name": name},
           "creditor": {"name": name, "account": "KZ00X"}}
    (p,) = list(iter_text(json.dumps(row), "jsonl"))
    assert isinstance(p, Payment)
    again = Payment.from_dict(p.to_dict())
    assert again.amount == amount and again.payment_id == "x-1"
    assert again.debtor is not None and again.debtor.name == " ".join(name.split())


@settings(max_examples=60, deadline=None)
@given(junk=st.text(max_size=200))
def test_mt103_never_raises_on_junk(junk: str) -> None:
    for item in iter_text(":20:" + junk, "mt103"):
        assert isinstance(item, (Payment, Rejected))
