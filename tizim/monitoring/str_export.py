"""Suspicious transaction reports: a dict (the JSON form) drafted when a case is confirmed,
and its XML as a goAML 5.0.2 report that validates against the goAML schema: element
order, transaction_location, date-times, the reporting person, code-list values (funds,
conduction, indicators). The parties of a payment are not the reporting entity's clients
as goAML means it (no KYC record here), so each side is a t_from / t_to account (with the
bank's BIC) or entity. The reporting entity's id comes from TIZIM_GOAML_RENTITY_ID, else
the rules file's `reporting.rentity_id`; no STR is exported while it is unset or 0. The
XML is built with lxml, which escapes every value."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from lxml import etree
from sqlalchemy import Connection, select

from tizim.monitoring import audit
from tizim.monitoring import tables as t
from tizim.monitoring.rules import RuleSet

# XML 1.0 forbids most control characters even escaped: drop them rather than fail.
_XML_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _party(prefix: str, data: dict[str, Any] | None, agent: dict[str, Any] | None) -> dict[str, Any]:
    data = data or {}
    return {
        f"{prefix}_funds_code": "K",  # K = wire transfer (goAML funds type)
        f"{prefix}_account": {
            "institution_name": (agent or {}).get("name"),
            "swift": (agent or {}).get("bic"),
            "account": data.get("account"),
            "account_name": data.get("name"),
        },
        f"{prefix}_entity": {"name": data.get("name"), "address": data.get("address"), "id": data.get("id")},
        f"{prefix}_country": data.get("country") or (data.get("account") or "")[:2].upper() or None,
    }


def build_report(conn: Connection, case_id: int, user: str, rules: RuleSet | None = None) -> dict[str, Any]:
    rules = rules or RuleSet.load()
    rep = rules.reporting
    case = conn.execute(select(t.cases).where(t.cases.c.id == case_id)).one()
    alerts = conn.execute(select(t.alerts).where(t.alerts.c.case_id == case_id).order_by(t.alerts.c.id)).all()
    pids = sorted({a.payment_id for a in alerts})
    payments = conn.execute(select(t.payments).where(t.payments.c.payment_id.in_(pids))).all() if pids else []
    transactions = []
    for p in payments:
        data = p.data or {}
        local = p.amount_local
        tx: dict[str, Any] = {
            "transactionnumber": p.payment_id,
            "internal_ref_number": p.e2e_id or p.instr_id or p.msg_id,
            "transaction_description": "; ".join(p.reasons or [])[:4000],
            "date_transaction": (data.get("created_at") or p.value_date or "")[:19] or None,
            "value_date": p.value_date,
            "transmode_code": "K",
            "amount_local": round(local, 2) if local is not None else None,
            "foreign_currency": None if p.currency == rules.local_currency else {
                "foreign_currency_code": p.currency, "foreign_amount": p.amount,
                "foreign_exchange_rate": rules.fx.get(p.currency)},
            "t_from_my_client": _party("from", data.get("debtor"), data.get("debtor_agent")),
            "t_to": _party("to", data.get("creditor"), data.get("creditor_agent")),
            "status": p.status,
            "hold": p.hold,
        }
        transactions.append(tx)
    indicators = sorted({a.code for a in alerts})
    reasons = sorted({r for p in payments for r in (p.reasons or [])})
    person = rep.get("reporting_person") or {}
    return {
        "rentity_id": str(rep.get("rentity_id", "0")),
        "rentity_branch": rep.get("rentity_branch") or None,
        "submission_code": rep.get("submission_code", "E"),
        "report_code": "STR",
        "entity_reference": f"tizim-case-{case_id}",
        "submission_date": audit.now_iso()[:19],
        "currency_code_local": rep.get("currency_code_local", rules.local_currency),
        "reporting_person": {**{k: person.get(k) for k in ("first_name", "last_name", "occupation")},
                             "user": user},
        "reason": f"Case {case_id} on {case.party_name or case.party_key}: " + " | ".join(reasons)[:3800],
        "action": "Funds held (frozen) pending FIU instruction" if any(p.hold == "held" for p in payments)
        else "Reported; no funds held",
        "transactions": transactions,
        "report_indicators": indicators,
    }


GOAML_VERSION = "5.0.2"
FUNDS_CODE = "ELCFT"  # funds_type: electronic funds transfer
# conduction_type by message format: SWIFT messages, else an electronic transfer
CONDUCTION = {"mt103": "SWIFT", "mt202": "SWIFT", "pacs.008": "SWIFT", "pacs.009": "SWIFT"}
# tizim's alert codes -> goAML report_indicator_type values; the rules file's
# `reporting.indicators` maps them for an FIU's own list; anything else is UNUSU (unusual).
INDICATORS = {"designated_match": "TFS01", "rescreen_match": "TFS01", "possible_match": "TFS02",
              "structuring": "STRUC"}
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def rentity_id(report: dict[str, Any] | None = None, rules: RuleSet | None = None) -> int:
    """The reporting entity's goAML id: TIZIM_GOAML_RENTITY_ID, else the rules file's
    `reporting.rentity_id`; an InputError naming both while it is unset or 0."""
    from tizim.errors import InputError
    from tizim.settings import get_settings

    raw = get_settings().goaml_rentity_id
    if raw is None:
        raw = str((rules or RuleSet.load()).reporting.get("rentity_id") or "").strip()
        if raw in ("", "0") and report is not None:
            raw = str(report.get("rentity_id") or "").strip()
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise InputError(f"no goAML reporting entity id ({raw or 'unset'}): set TIZIM_GOAML_RENTITY_ID or "
                         "`reporting.rentity_id` in the rules file (TIZIM_RULES_FILE) to the id the FIU gave you; "
                         "no STR is exported without it", field="TIZIM_GOAML_RENTITY_ID")
    return value


def _text(value: Any, limit: int) -> str | None:
    if value is None:
        return None
    text = _XML_BAD.sub("", " ".join(str(value).split()))[:limit]
    return text or None


def _datetime(value: Any) -> str | None:
    """An xs:dateTime without zone, as goAML writes it (2025-03-10T09:00:01)."""
    text = str(value or "").strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", text):
        return text[:19]
    if re.match(r"^\d{4}-\d{2}-\d{2}$", text):
        return text + "T00:00:00"
    return None


def _decimal(value: Any) -> str:
    return format(Decimal(str(value)).quantize(Decimal("0.01")), "f")


def _el(parent: etree._Element, tag: str, value: Any) -> None:
    if value is not None and value != "":
        etree.SubElement(parent, tag).text = str(value)


def _country(value: Any) -> str:
    code = str(value or "").strip().upper()
    return code if _COUNTRY.match(code) else "-"


def _side(el: etree._Element, prefix: str, side: dict[str, Any], foreign: dict[str, Any] | None) -> None:
    """from_/to_ funds, foreign currency, the account (with its bank's BIC) or entity, country."""
    _el(el, f"{prefix}_funds_code", FUNDS_CODE)
    if foreign:
        fc = etree.SubElement(el, f"{prefix}_foreign_currency")
        _el(fc, "foreign_currency_code", foreign["foreign_currency_code"])
        _el(fc, "foreign_amount", _decimal(foreign["foreign_amount"]))
        if foreign.get("foreign_exchange_rate") is not None:
            _el(fc, "foreign_exchange_rate", format(Decimal(str(foreign["foreign_exchange_rate"])), "f"))
    account = side.get(f"{prefix}_account") or {}
    entity = side.get(f"{prefix}_entity") or {}
    name = _text(account.get("account_name") or entity.get("name") or account.get("account"), 255) or "UNKNOWN"
    swift = _text(account.get("swift"), 11)
    if account.get("account") and swift:
        acc = etree.SubElement(el, f"{prefix}_account")
        _el(acc, "institution_name", _text(account.get("institution_name"), 255))
        _el(acc, "swift", swift)
        _el(acc, "account", _text(account["account"], 255))
        _el(acc, "account_name", name)
    else:
        ent = etree.SubElement(el, f"{prefix}_entity")
        _el(ent, "name", name)
        comments = "; ".join(f"{k} {v}" for k, v in (("account", account.get("account")),
                                                      ("bank", account.get("institution_name")),
                                                      ("address", entity.get("address")), ("id", entity.get("id")))
                             if v)
        _el(ent, "comments", _text(comments, 8000))
    _el(el, f"{prefix}_country", _country(side.get(f"{prefix}_country")))


def to_goaml_xml(report: dict[str, Any], rules: RuleSet | None = None) -> bytes:
    """The STR as a goAML 5.0.2 report (valid against goAMLSchema-5.0.2.xsd)."""
    from tizim.errors import InputError

    rules = rules or RuleSet.load()
    rep = rules.reporting
    root = etree.Element("report")
    _el(root, "schema_version", GOAML_VERSION)
    _el(root, "rentity_id", rentity_id(report, rules))
    _el(root, "rentity_branch", _text(report.get("rentity_branch") or rep.get("rentity_branch"), 255))
    submission = str(report.get("submission_code") or "E")
    _el(root, "submission_code", submission if submission in ("E", "M") else "E")
    _el(root, "report_code", "STR")
    _el(root, "entity_reference", _text(report.get("entity_reference"), 255))
    _el(root, "submission_date", _datetime(report.get("submission_date")) or audit.now_iso()[:19])
    local = str(report.get("currency_code_local") or rules.local_currency).upper()
    _el(root, "currency_code_local", local)
    person = report.get("reporting_person") or {}
    rp = etree.SubElement(root, "reporting_person")
    _el(rp, "first_name", _text(person.get("first_name"), 100) or _text(person.get("user"), 100) or "-")
    _el(rp, "last_name", _text(person.get("last_name"), 100) or "-")
    _el(rp, "occupation", _text(person.get("occupation"), 255))
    if person.get("user"):
        _el(rp, "comments", _text(f"drafted in tizim by {person['user']}", 8000))
    _el(root, "reason", _text(report.get("reason"), 8000))
    _el(root, "action", _text(report.get("action"), 8000))
    if not report.get("transactions"):
        raise InputError(f"{report.get('entity_reference')}: no payment to report; a goAML STR needs at least "
                         "one transaction")
    location = _text(rep.get("transaction_location") or report.get("rentity_branch") or rep.get("rentity_branch"),
                     255) or "electronic payment message"
    for tx in report.get("transactions", []):
        if tx.get("amount_local") is None:
            raise InputError(f"transaction {tx.get('transactionnumber')}: no rate for its currency in the rules "
                             f"file, so its amount in {local} (goAML amount_local) is unknown; add the rate under "
                             "`fx` and confirm the case again", field="fx")
        el = etree.SubElement(root, "transaction")
        _el(el, "transactionnumber", _text(tx.get("transactionnumber"), 100))
        _el(el, "internal_ref_number", _text(tx.get("internal_ref_number"), 100))
        _el(el, "transaction_location", location)
        _el(el, "transaction_description", _text(tx.get("transaction_description"), 8000) or "-")
        _el(el, "date_transaction", _datetime(tx.get("date_transaction")) or _datetime(tx.get("value_date"))
            or str(report.get("submission_date"))[:19])
        _el(el, "value_date", _datetime(tx.get("value_date")))
        _el(el, "transmode_code", CONDUCTION.get(str(tx.get("format") or ""), "ELCFT"))
        _el(el, "transmode_comment", "E")  # E: electronic
        _el(el, "amount_local", _decimal(tx["amount_local"]))
        foreign = tx.get("foreign_currency")
        if foreign and not _CURRENCY.match(str(foreign.get("foreign_currency_code") or "")):
            foreign = None
        _side(etree.SubElement(el, "t_from"), "from", tx.get("t_from_my_client") or {}, foreign)
        _side(etree.SubElement(el, "t_to"), "to", tx.get("t_to") or {}, None)
    codes = {**INDICATORS, **{str(k): str(v) for k, v in (rep.get("indicators") or {}).items()}}
    indicators = etree.SubElement(root, "report_indicators")
    for code in dict.fromkeys(codes.get(c, "UNUSU") for c in report.get("report_indicators") or ["UNUSU"]):
        _el(indicators, "indicator", code)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
