"""ISO 20022 pacs.008 (FI to FI customer credit transfer) and pain.001 (customer credit
transfer initiation), read with lxml's iterparse so a file of many CdtTrfTxInf stays small
in memory. Namespaces vary by version and by bank (SIX uses its own), so tags are matched
by local name."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from lxml import etree

from tizim.monitoring.model import Party, Payment, Rejected, parse_amount, validate
from tizim.registry.importers.base import check_xml_prolog, local

# Elements of a PmtInf (pain.001) or GrpHdr that apply to every transaction inside it.
_CONTEXT_TAGS = {"MsgId", "CreDtTm", "PmtInfId", "ReqdExctnDt", "Dbtr", "DbtrAcct", "DbtrAgt",
                 "UltmtDbtr", "IntrBkSttlmDt", "InitgPty"}


def _child(el: etree._Element | None, *path: str) -> etree._Element | None:
    """Descend by local names (the first match at each step)."""
    node = el
    for name in path:
        if node is None:
            return None
        node = next((c for c in node if local(c.tag) == name), None)
    return node


def _text(el: etree._Element | None, *path: str) -> str | None:
    node = _child(el, *path)
    if node is None or node.text is None:
        return None
    text = " ".join(node.text.split())
    return text or None


def _address(el: etree._Element | None) -> tuple[str | None, str | None]:
    """(one-line address, country) of a PstlAdr."""
    if el is None:
        return None, None
    parts = []
    country = None
    for child in el:
        name = local(child.tag)
        text = " ".join((child.text or "").split())
        if not text:
            continue
        if name == "Ctry":
            country = text.upper()
        else:
            parts.append(text)
    return (", ".join(parts) or None), country


def _party_id(el: etree._Element | None) -> str | None:
    node = _child(el, "Id")
    if node is None:
        return None
    for leaf in node.iter():
        if local(leaf.tag) in ("AnyBIC", "BICOrBEI", "LEI", "Id") and leaf.text and leaf.text.strip():
            return leaf.text.strip()
    return None


def _party(el: etree._Element | None, account: etree._Element | None = None) -> Party | None:
    if el is None and account is None:
        return None
    address, country = _address(_child(el, "PstlAdr"))
    party = Party(
        name=_text(el, "Nm"),
        address=address,
        country=country or _text(el, "CtryOfRes"),
        account=_account(account),
        id=_party_id(el),
    )
    return None if party.is_empty() else party


def _account(el: etree._Element | None) -> str | None:
    return _text(el, "Id", "IBAN") or _text(el, "Id", "Othr", "Id")


def _agent(el: etree._Element | None) -> Party | None:
    fin = _child(el, "FinInstnId")
    if fin is None:
        return None
    address, country = _address(_child(fin, "PstlAdr"))
    party = Party(
        name=_text(fin, "Nm"),
        bic=_text(fin, "BICFI") or _text(fin, "BIC"),
        address=address,
        country=country,
        id=_text(fin, "ClrSysMmbId", "MmbId"),
    )
    return None if party.is_empty() else party


def _remittance(tx: etree._Element) -> str | None:
    rmt = _child(tx, "RmtInf")
    if rmt is None:
        return None
    texts = [" ".join(c.text.split()) for c in rmt if local(c.tag) == "Ustrd" and c.text]
    # Structured references (invoice numbers) are kept too: they are free text to screen.
    for leaf in rmt.iter():
        if local(leaf.tag) in ("Nb", "Ref", "AddtlRmtInf") and leaf.text and leaf.text.strip():
            texts.append(leaf.text.strip())
    return " / ".join(t for t in texts if t) or None


def _line(el: etree._Element) -> int | None:
    line = getattr(el, "sourceline", None)
    return int(line) if isinstance(line, int) else None


def _transaction(tx: etree._Element, ctx: dict[str, etree._Element], kind: str) -> Payment:
    amount_el = _child(tx, "IntrBkSttlmAmt")
    if amount_el is None:
        amount_el = _child(tx, "Amt", "InstdAmt")
    if amount_el is None:
        amount_el = _child(tx, "Amt", "EqvtAmt", "Amt")  # an amount given in the debit currency
    if amount_el is None:
        raise ValueError("no amount (IntrBkSttlmAmt / Amt/InstdAmt)")
    amount = parse_amount(amount_el.text)
    currency = (amount_el.get("Ccy") or "").strip().upper()
    debtor_el = _child(tx, "Dbtr")
    if debtor_el is None:
        debtor_el = ctx.get("Dbtr")
    debtor_acct = _child(tx, "DbtrAcct")
    if debtor_acct is None:
        debtor_acct = ctx.get("DbtrAcct")
    debtor_agent = _child(tx, "DbtrAgt")
    if debtor_agent is None:
        debtor_agent = ctx.get("DbtrAgt")
    ult_debtor = _child(tx, "UltmtDbtr")
    if ult_debtor is None:
        ult_debtor = ctx.get("UltmtDbtr")
    created = ctx.get("CreDtTm")
    value_date = (
        _text(tx, "IntrBkSttlmDt")
        or (ctx["IntrBkSttlmDt"].text if "IntrBkSttlmDt" in ctx else None)
        or (_text(ctx["ReqdExctnDt"], "Dt") or ctx["ReqdExctnDt"].text if "ReqdExctnDt" in ctx else None)
    )
    msg = ctx.get("MsgId")
    intermediaries = [
        a for a in (_agent(_child(tx, f"IntrmyAgt{i}")) for i in (1, 2, 3)) if a is not None
    ]
    purpose = _text(tx, "Purp", "Cd") or _text(tx, "Purp", "Prtry")
    payment = Payment(
        amount=amount,
        currency=currency,
        msg_id=(msg.text or "").strip() or None if msg is not None else None,
        e2e_id=_text(tx, "PmtId", "EndToEndId"),
        uetr=_text(tx, "PmtId", "UETR"),
        instr_id=_text(tx, "PmtId", "InstrId"),
        value_date=(value_date or "").strip()[:10] or None,
        created_at=(created.text or "").strip() or None if created is not None else None,
        debtor=_party(debtor_el, debtor_acct),
        creditor=_party(_child(tx, "Cdtr"), _child(tx, "CdtrAcct")),
        ultimate_debtor=_party(ult_debtor),
        ultimate_creditor=_party(_child(tx, "UltmtCdtr")),
        debtor_agent=_agent(debtor_agent),
        creditor_agent=_agent(_child(tx, "CdtrAgt")),
        intermediary_agents=intermediaries,
        purpose=purpose,
        remittance=_remittance(tx),
        format=kind,
        line=_line(tx),
    )
    validate(payment)
    return payment


def iter_iso20022(source: Path | IO[bytes], name: str, kind: str = "") -> Iterator[Payment | Rejected]:
    """Every CdtTrfTxInf of a pacs.008 or pain.001 document, as Payment or Rejected."""
    if isinstance(source, Path):
        with source.open("rb") as handle:
            check_xml_prolog(source, handle.read(65536))
    ctx: dict[str, etree._Element] = {}
    index = 0
    kind = kind or "iso20022"
    context = etree.iterparse(
        source, events=("start", "end"), resolve_entities=False, no_network=True,
        load_dtd=False, huge_tree=False, remove_blank_text=True,
    )
    depth_in_tx = 0
    try:
        for event, el in context:
            tag = local(el.tag)
            if event == "start":
                if tag == "CdtTrfTxInf":
                    depth_in_tx += 1
                elif tag in ("FIToFICstmrCdtTrf", "pacs.008") or "FIToFICstmrCdtTrf" in tag:
                    kind = "pacs.008"
                elif tag == "CstmrCdtTrfInitn":
                    kind = "pain.001"
                elif tag == "PmtInf":
                    # A new payment-information block: forget the previous block's debtor.
                    for key in ("PmtInfId", "ReqdExctnDt", "Dbtr", "DbtrAcct", "DbtrAgt", "UltmtDbtr"):
                        ctx.pop(key, None)
                continue
            if tag == "CdtTrfTxInf":
                depth_in_tx -= 1
                index += 1
                record = f"CdtTrfTxInf #{index}"
                try:
                    payment = _transaction(el, ctx, kind)
                    payment.source, payment.record = name, record
                    yield payment
                except ValueError as exc:
                    yield Rejected(
                        reason=str(exc), source=name, line=_line(el), record=record,
                        raw=etree.tostring(el, encoding="unicode")[:4000], format=kind,
                    )
                # Free the finished transaction and what came before it.
                el.clear()
                parent = el.getparent()
                while el.getprevious() is not None and parent is not None:
                    del parent[0]
            elif depth_in_tx == 0 and tag in _CONTEXT_TAGS:
                parent = el.getparent()
                if parent is not None and local(parent.tag) in ("GrpHdr", "PmtInf"):
                    # A copy: the original is freed with its siblings as the parse moves on.
                    ctx[tag] = copy.deepcopy(el)
    except etree.XMLSyntaxError as exc:
        yield Rejected(
            reason=f"malformed XML: {exc.msg}; transactions after this point were not read",
            source=name, line=exc.lineno or None, record=f"after CdtTrfTxInf #{index}", format=kind,
        )
        return
    if index == 0:
        yield Rejected(reason="no CdtTrfTxInf (credit transfer) in this document", source=name,
                       line=1, record="document", format=kind)
