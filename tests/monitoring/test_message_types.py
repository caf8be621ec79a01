"""Payment messages read as what they are: each ISO 20022 and SWIFT type by its own reader,
the versions each reads, envelopes, types tizim does not decide and disagreeing declarations
rejected naming the type, template placeholders rejected as dates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, shared_file
from tizim.monitoring.formats import iter_file, iter_text
from tizim.monitoring.model import Payment, Rejected

HERE = FIXTURES / "monitoring" / "interop"
FEDWIRE = ("iso20022", "fedwire_moov_wire20022")
PACS008 = FEDWIRE + ("CustomerCreditTransfer_Scenario1_Step1_pacs.008.xml",)
PAIN001 = ("iso20022", "moov_iso20022_testdata", "International_payment_USD_naujas_1.xml")


def _one(items: list[Payment | Rejected]) -> Payment | Rejected:
    assert len(items) == 1, items
    return items[0]


def _retyped(path: Path, kind: str, version: int) -> bytes:
    """A real sample under another version of its message definition's namespace."""
    text = path.read_text(encoding="utf-8")
    return re.sub(rf"{re.escape(kind)}\.001\.\d\d", f"{kind}.001.{version:02d}", text).encode()


@pytest.mark.parametrize("version", range(2, 13))
def test_pacs008_versions_02_to_12(version: int) -> None:
    payment = _one(list(iter_text(_retyped(shared_file(*PACS008), "pacs.008", version))))
    assert isinstance(payment, Payment), payment
    assert payment.format == "pacs.008" and payment.debtor is not None and payment.debtor.name == "Corporation A"


@pytest.mark.parametrize("version", range(3, 12))
def test_pain001_versions_03_to_11(version: int) -> None:
    items = list(iter_text(_retyped(shared_file(*PAIN001), "pain.001", version)))
    assert items and all(isinstance(i, Payment) and i.format == "pain.001" for i in items), items


@pytest.mark.parametrize(("path", "kind", "version"), [(PACS008, "pacs.008", 1), (PACS008, "pacs.008", 13), (PAIN001, "pain.001", 2), (PAIN001, "pain.001", 12)])
def test_versions_outside_the_readers_are_rejected(path: tuple[str, ...], kind: str, version: int) -> None:
    rejected = _one(list(iter_text(_retyped(shared_file(*path), kind, version))))
    assert isinstance(rejected, Rejected)
    assert rejected.reason.startswith(f"{kind}.001.{version:02d} is a version tizim does not read")


@pytest.mark.parametrize(
    ("parts", "named"),
    [
        (FEDWIRE + ("CustomerCreditTransfer_Scenario1_Step2_pacs.002.xml",), "pacs.002.001.10 (payment status report)"),
        (FEDWIRE + ("PaymentReturn_Scenario1_Step4_pacs.004.xml",), "pacs.004.001.10 (payment return)"),
        (("iso20022", "moov_iso20022_testdata", "pain008-musterfile.xml"), "pain.008.001.02 (direct debit initiation)"),
        (("iso20022", "moov_iso20022_testdata", "statement_1.xml"), "camt.053.001.02 (bank statement)"),
        (("iso20022", "moov_iso20022_testdata", "FI_camt_054_sample.xml"), "camt.054"),
    ],
)
def test_types_tizim_does_not_decide_are_rejected_by_name(parts: tuple[str, ...], named: str) -> None:
    rejected = _one(list(iter_file(shared_file(*parts))))
    assert isinstance(rejected, Rejected) and rejected.reason.startswith(named), rejected
    assert "not a credit transfer" in rejected.reason and rejected.record == "document"


def test_pacs009_cover_in_an_apphdr_envelope() -> None:
    payment = _one(list(iter_file(HERE / "pacs009_cov_apphdr.xml")))
    assert isinstance(payment, Payment), payment
    assert payment.format == "pacs.009" and payment.payment_id == "5b1d2f9a-7c3e-4d8b-9a61-0f2e3c4d5e6f"
    assert (payment.amount, payment.currency, payment.value_date) == (250000, "USD", "2025-03-12")
    # Bank to bank: the banks are the debtor and creditor ...
    assert payment.debtor is not None and payment.debtor.bic == "KZBKKZKAXXX" and payment.debtor.name == "Bank A of Kazakhstan"
    assert payment.creditor is not None and payment.creditor.bic == "TRBKTRISXXX"
    # ... and the customer transfer it covers is screened too: its parties, agents, remittance.
    assert payment.ultimate_debtor is not None and payment.ultimate_debtor.name == "Steppe Grain Trading LLP"
    assert payment.ultimate_debtor.account == "KZ86125KZT5004100100" and payment.ultimate_debtor.country == "KZ"
    assert payment.ultimate_creditor is not None and payment.ultimate_creditor.name == "Anatolia Logistics A.S."
    assert [a.bic for a in payment.intermediary_agents] == ["CITIUS33XXX", "KZBKKZKAXXX", "TRBKTRISXXX"]
    assert payment.remittance == "Invoice 2025-0042 wheat freight"
    roles = dict(payment.parties())
    assert {"debtor", "creditor", "ultimate_debtor", "ultimate_creditor", "intermediary_agent_1"} <= set(roles)


def test_apphdr_envelope_around_a_pacs008() -> None:
    document = shared_file(*PACS008).read_text(encoding="utf-8").split("?>", 1)[-1]
    envelope = (
        '<Envelope xmlns="urn:example:envelope"><AppHdr xmlns="urn:iso:std:iso:20022:tech:xsd:head.001.001.02">'
        "<MsgDefIdr>pacs.008.001.08</MsgDefIdr></AppHdr>" + document + "</Envelope>"
    )
    payment = _one(list(iter_text(envelope)))
    assert isinstance(payment, Payment) and payment.format == "pacs.008"
    wrong = envelope.replace("<MsgDefIdr>pacs.008.001.08", "<MsgDefIdr>pacs.009.001.08")
    rejected = _one(list(iter_text(wrong)))
    assert isinstance(rejected, Rejected)
    assert rejected.reason.startswith("the business application header says pacs.009.001.08 but the message is FIToFICstmrCdtTrf (pacs.008)")


def test_namespace_and_root_disagreeing_is_rejected() -> None:
    text = shared_file(*PACS008).read_text(encoding="utf-8").replace("pacs.008.001.08", "pain.001.001.09")
    rejected = _one(list(iter_text(text)))
    assert isinstance(rejected, Rejected)
    assert rejected.reason.startswith("the namespace says pain.001.001.09 but the message is FIToFICstmrCdtTrf (pacs.008)")
    # A format given on the command line is checked against what the file holds.
    given = _one(list(iter_file(HERE / "pacs009_cov_apphdr.xml", "pacs.008")))
    assert isinstance(given, Rejected) and "given as pacs.008 but holds pacs.009" in given.reason


@pytest.mark.parametrize(("old", "new", "named"), [
    ("<IntrBkSttlmDt>2025-03-10</IntrBkSttlmDt>", "<IntrBkSttlmDt>YYYY-MM-DD</IntrBkSttlmDt>", "IntrBkSttlmDt 'YYYY-MM-DD' is a template placeholder"),
    ("<CreDtTm>2025-03-10T09:00:00-04:00</CreDtTm>", "<CreDtTm>YYYY-MM-DDThh:mm:ss</CreDtTm>", "CreDtTm 'YYYY-MM-DDThh:mm:ss' is a template placeholder"),
    ("<IntrBkSttlmDt>2025-03-10</IntrBkSttlmDt>", "<IntrBkSttlmDt>2025-02-30</IntrBkSttlmDt>", "IntrBkSttlmDt '2025-02-30' is not a date"),
])
def test_template_placeholders_are_rejected_as_dates(old: str, new: str, named: str) -> None:
    text = shared_file(*PACS008).read_text(encoding="utf-8")
    assert old in text
    rejected = _one(list(iter_text(text.replace(old, new))))
    assert isinstance(rejected, Rejected) and rejected.reason.startswith(named), rejected


def test_placeholder_in_a_jsonl_payment() -> None:
    line = '{"payment_id": "P-1", "amount": "10", "currency": "USD", "value_date": "YYYY-MM-DD"}'
    rejected = _one(list(iter_text(line)))
    assert isinstance(rejected, Rejected) and "template placeholder" in rejected.reason


def test_mt202_mt202cov_each_by_its_reader() -> None:
    plain, cover, statement = list(iter_file(HERE / "mt202_mt202cov_mt940.txt"))
    assert isinstance(plain, Payment) and plain.format == "mt202"
    assert plain.debtor is not None and plain.debtor.bic == "KZBKKZKA"  # 52A ordering institution
    assert plain.creditor is not None and plain.creditor.bic == "TRBKTRIS"  # 58A beneficiary institution
    assert plain.debtor_agent is not None and plain.debtor_agent.bic == "KZBKKZKA"  # the sender (block 1)
    assert [a.bic for a in plain.intermediary_agents] == ["CITIUS33"] and plain.e2e_id == "RELREF0001"
    assert plain.ultimate_debtor is None and plain.sender_info == "/BNF/LIQUIDITY TRANSFER"

    assert isinstance(cover, Payment) and cover.format == "mt202cov"
    assert cover.payment_id == "5b1d2f9a-7c3e-4d8b-9a61-0f2e3c4d5e6f"
    assert cover.debtor is not None and cover.debtor.bic == "KZBKKZKA"  # no 52A in sequence A: the sender
    assert cover.ultimate_debtor is not None and cover.ultimate_debtor.name == "STEPPE GRAIN TRADING LLP"
    assert cover.ultimate_debtor.account == "KZ86125KZT5004100100"
    assert cover.ultimate_creditor is not None and cover.ultimate_creditor.name == "ANATOLIA LOGISTICS A.S."
    assert [a.bic for a in cover.intermediary_agents] == ["CITIUS33", "KZBKKZKA", "TRBKTRIS"]
    assert cover.remittance == "INVOICE 2025-0042 WHEAT FREIGHT"

    assert isinstance(statement, Rejected) and statement.record == "message #3"
    assert statement.reason.startswith("MT940 (customer statement) is not a credit transfer")


def test_mt103_still_mt103_and_given_format_checked() -> None:
    items = list(iter_file(FIXTURES / "monitoring" / "mt103_two.txt"))
    assert any(isinstance(i, Payment) and i.format == "mt103" for i in items)
    given = list(iter_file(HERE / "mt202_mt202cov_mt940.txt", "mt103"))
    assert isinstance(given[0], Rejected) and "given as mt103 but this message is MT202" in given[0].reason
    assert all(isinstance(i, Payment) for i in list(iter_file(HERE / "mt202_mt202cov_mt940.txt", "mt202"))[:2])
