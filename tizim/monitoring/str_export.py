"""Suspicious transaction reports: a dict (the JSON form) drafted when a case is confirmed,
and its XML in the goAML report layout (report, rentity_id, submission_code, report_code
STR, reporting_person, transaction with t_from_my_client / t_to, amount_local, reason,
report_indicators). The XML is built with lxml, which escapes every value."""

from __future__ import annotations

import re
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


def _add(parent: etree._Element, tag: str, value: Any) -> None:
    if value is None or value == "" or value == {}:
        return
    if isinstance(value, dict):
        child = etree.SubElement(parent, tag)
        for k, v in value.items():
            _add(child, k, v)
        if len(child) == 0:
            parent.remove(child)
        return
    etree.SubElement(parent, tag).text = _XML_BAD.sub("", str(value))


def to_goaml_xml(report: dict[str, Any]) -> bytes:
    root = etree.Element("report")
    for key in ("rentity_id", "rentity_branch", "submission_code", "report_code", "entity_reference",
                "submission_date", "currency_code_local", "reporting_person", "reason", "action"):
        _add(root, key, report.get(key))
    for tx in report.get("transactions", []):
        el = etree.SubElement(root, "transaction")
        for key in ("transactionnumber", "internal_ref_number", "transaction_description", "date_transaction",
                    "value_date", "transmode_code", "amount_local"):
            _add(el, key, tx.get(key))
        src = dict(tx.get("t_from_my_client") or {})
        if tx.get("foreign_currency"):
            src["from_foreign_currency"] = tx["foreign_currency"]
        for side, data in (("t_from_my_client", src), ("t_to", tx.get("t_to") or {})):
            node = etree.SubElement(el, side)
            for key, value in data.items():
                # goAML takes one of account / entity per side: the account when known.
                if key.endswith("_entity") and (data.get(key.replace("_entity", "_account")) or {}).get("account"):
                    continue
                _add(node, key, value)
    indicators = etree.SubElement(root, "report_indicators")
    for code in report.get("report_indicators", []):
        etree.SubElement(indicators, "indicator").text = _XML_BAD.sub("", str(code))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
