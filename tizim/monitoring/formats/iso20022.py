"""ISO 20022 credit transfers, each message type read by its own reader:

- pacs.008 (FI to FI customer credit transfer, versions .001.02 to .001.12),
- pain.001 (customer credit transfer initiation, .001.03 to .001.11),
- pacs.009 (financial institution credit transfer, .001.02 to .001.12): a bank-to-bank
  transfer, its debtor and creditor banks screened as the parties, its agents as agents and,
  in a cover payment, the underlying customer transfer (UndrlygCstmrCdtTrf) as the ultimate
  debtor and creditor with their agents.

The message type is read from the Document's namespace, its root element and, in a business
application header envelope (AppHdr + Document), the header's MsgDefIdr; when they disagree,
or the type is one tizim does not decide (pacs.002, pacs.004, pain.008, camt.*...), the
message is rejected naming its type. Read with lxml's iterparse so a file of many
CdtTrfTxInf stays small in memory; tags are matched by local name (SIX and other banks use
their own namespaces).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from lxml import etree

from tizim.monitoring.model import (
    Party,
    Payment,
    Rejected,
    iso_date,
    iso_datetime,
    parse_amount,
    validate,
)
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


def _amount(tx: etree._Element, *paths: tuple[str, ...]) -> tuple[etree._Element, str]:
    for path in paths:
        found = _child(tx, *path)
        if found is not None:
            return found, (found.get("Ccy") or "").strip().upper()
    raise ValueError(f"no amount ({' / '.join('/'.join(p) for p in paths)})")


def _ctx_text(ctx: dict[str, etree._Element], tag: str) -> str | None:
    el = ctx.get(tag)
    if el is None or el.text is None:
        return None
    return " ".join(el.text.split()) or None


def _either(tx: etree._Element, ctx: dict[str, etree._Element], tag: str) -> etree._Element | None:
    """The transaction's own element, else the one its group or payment block gives."""
    own = _child(tx, tag)
    return own if own is not None else ctx.get(tag)


def _base(tx: etree._Element, ctx: dict[str, etree._Element], kind: str, amount_el: etree._Element,
          currency: str, value_date: str | None, what: str) -> Payment:
    """The fields every credit transfer has: ids, amount, dates, purpose, remittance."""
    created = _ctx_text(ctx, "CreDtTm")
    return Payment(
        amount=parse_amount(amount_el.text),
        currency=currency,
        msg_id=_ctx_text(ctx, "MsgId"),
        e2e_id=_text(tx, "PmtId", "EndToEndId"),
        uetr=_text(tx, "PmtId", "UETR"),
        instr_id=_text(tx, "PmtId", "InstrId"),
        value_date=iso_date(value_date, what) if value_date else None,
        created_at=iso_datetime(created, "CreDtTm") if created else None,
        purpose=_text(tx, "Purp", "Cd") or _text(tx, "Purp", "Prtry"),
        remittance=_remittance(tx),
        format=kind,
        line=_line(tx),
    )


def _intermediaries(tx: etree._Element | None) -> list[Party]:
    return [a for a in (_agent(_child(tx, f"IntrmyAgt{i}")) for i in (1, 2, 3)) if a is not None]


def _pacs008(tx: etree._Element, ctx: dict[str, etree._Element]) -> Payment:
    """pacs.008: a bank passes on its customer's transfer (settlement amount and date)."""
    amount_el, currency = _amount(tx, ("IntrBkSttlmAmt",))
    value_date = _text(tx, "IntrBkSttlmDt") or _ctx_text(ctx, "IntrBkSttlmDt")
    payment = _base(tx, ctx, "pacs.008", amount_el, currency, value_date, "IntrBkSttlmDt")
    payment.debtor = _party(_child(tx, "Dbtr"), _child(tx, "DbtrAcct"))
    payment.creditor = _party(_child(tx, "Cdtr"), _child(tx, "CdtrAcct"))
    payment.ultimate_debtor = _party(_child(tx, "UltmtDbtr"))
    payment.ultimate_creditor = _party(_child(tx, "UltmtCdtr"))
    payment.debtor_agent = _agent(_child(tx, "DbtrAgt"))
    payment.creditor_agent = _agent(_child(tx, "CdtrAgt"))
    payment.intermediary_agents = _intermediaries(tx)
    validate(payment)
    return payment


def _pain001(tx: etree._Element, ctx: dict[str, etree._Element]) -> Payment:
    """pain.001: a customer instructs its bank; the debtor usually sits in the payment block."""
    amount_el, currency = _amount(tx, ("Amt", "InstdAmt"), ("Amt", "EqvtAmt", "Amt"))
    requested = ctx.get("ReqdExctnDt")
    # ReqdExctnDt is a date (.001.03 to .001.07) or a choice of Dt / DtTm (.001.08 on).
    value_date = None
    if requested is not None:
        value_date = _text(requested, "Dt") or (_text(requested, "DtTm") or "")[:10] or _ctx_text(ctx, "ReqdExctnDt")
    payment = _base(tx, ctx, "pain.001", amount_el, currency, value_date, "ReqdExctnDt")
    payment.debtor = _party(_either(tx, ctx, "Dbtr"), _either(tx, ctx, "DbtrAcct"))
    payment.creditor = _party(_child(tx, "Cdtr"), _child(tx, "CdtrAcct"))
    payment.ultimate_debtor = _party(_either(tx, ctx, "UltmtDbtr"))
    payment.ultimate_creditor = _party(_child(tx, "UltmtCdtr"))
    payment.debtor_agent = _agent(_either(tx, ctx, "DbtrAgt"))
    payment.creditor_agent = _agent(_child(tx, "CdtrAgt"))
    payment.intermediary_agents = _intermediaries(tx)
    validate(payment)
    return payment


def _pacs009(tx: etree._Element, ctx: dict[str, etree._Element]) -> Payment:
    """pacs.009: a bank-to-bank transfer. The debtor and creditor are banks (FinInstnId);
    a cover payment (pacs.009 COV) carries the customer transfer it settles, whose debtor
    and creditor are the ultimate parties and whose agents are screened too."""
    amount_el, currency = _amount(tx, ("IntrBkSttlmAmt",))
    value_date = _text(tx, "IntrBkSttlmDt") or _ctx_text(ctx, "IntrBkSttlmDt")
    payment = _base(tx, ctx, "pacs.009", amount_el, currency, value_date, "IntrBkSttlmDt")
    payment.debtor = _bank(_child(tx, "Dbtr"), _child(tx, "DbtrAcct"))
    payment.creditor = _bank(_child(tx, "Cdtr"), _child(tx, "CdtrAcct"))
    payment.debtor_agent = _agent(_child(tx, "DbtrAgt"))
    payment.creditor_agent = _agent(_child(tx, "CdtrAgt"))
    agents = _intermediaries(tx)
    cover = _child(tx, "UndrlygCstmrCdtTrf")
    if cover is not None:
        payment.ultimate_debtor = _party(_child(cover, "Dbtr"), _child(cover, "DbtrAcct"))
        payment.ultimate_creditor = _party(_child(cover, "Cdtr"), _child(cover, "CdtrAcct"))
        agents += [
            a for a in (
                _agent(_child(cover, "DbtrAgt")), *_intermediaries(cover), _agent(_child(cover, "CdtrAgt")),
            ) if a is not None
        ]
        payment.remittance = payment.remittance or _remittance(cover)
    payment.intermediary_agents = agents
    if payment.debtor is None or payment.creditor is None:
        raise ValueError("a pacs.009 transfer needs its debtor and creditor banks (Dbtr, Cdtr)")
    validate(payment)
    return payment


def _bank(el: etree._Element | None, account: etree._Element | None) -> Party | None:
    """A bank as a party (pacs.009 Dbtr / Cdtr: a FinInstnId), with its account."""
    party = _agent(el)
    acct = _account(account)
    if party is None and acct is None:
        return None
    party = party or Party()
    party.account = acct
    return party


READERS: dict[str, Callable[[etree._Element, dict[str, etree._Element]], Payment]] = {
    "pacs.008": _pacs008,
    "pain.001": _pain001,
    "pacs.009": _pacs009,
}
# The versions each reader reads (the message definition's last number).
VERSIONS = {"pacs.008": (2, 12), "pain.001": (3, 11), "pacs.009": (2, 12)}
# Message root elements (the Document's first child) and the type each is.
ROOTS = {
    "FIToFICstmrCdtTrf": "pacs.008",
    "CstmrCdtTrfInitn": "pain.001",
    "FICdtTrf": "pacs.009",
    "FIToFIPmtStsRpt": "pacs.002",
    "FIToFICstmrDrctDbt": "pacs.003",
    "PmtRtr": "pacs.004",
    "FIToFIPmtRvsl": "pacs.007",
    "FIToFIPmtStsReq": "pacs.028",
    "CstmrPmtStsRpt": "pain.002",
    "CstmrDrctDbtInitn": "pain.008",
    "BkToCstmrAcctRpt": "camt.052",
    "BkToCstmrStmt": "camt.053",
    "BkToCstmrDbtCdtNtfctn": "camt.054",
    "FIToFIPmtCxlReq": "camt.056",
    "RsltnOfInvstgtn": "camt.029",
}
# What the types tizim does not decide are, for the rejection.
NOT_DECIDED = {
    "pacs.002": "payment status report", "pacs.003": "direct debit", "pacs.004": "payment return",
    "pacs.007": "payment reversal", "pacs.028": "payment status request", "pain.002": "payment status report",
    "pain.008": "direct debit initiation", "camt.052": "account report", "camt.053": "bank statement",
    "camt.054": "debit/credit notification", "camt.056": "cancellation request",
    "camt.029": "resolution of investigation",
}
_DEFINITION = re.compile(r"\b([a-z]{4})\.(\d{3})\.(\d{3})\.(\d{2})\b")


def _definition(text: str | None) -> tuple[str, int] | None:
    """('pacs.008', 8) from a namespace or MsgDefIdr ('...xsd:pacs.008.001.08')."""
    match = _DEFINITION.search(text or "")
    if match is None:
        return None
    return f"{match.group(1)}.{match.group(2)}", int(match.group(4))


def _named(kind: str, version: int | None) -> str:
    return f"{kind}.001.{version:02d}" if version is not None else kind


def _verdict(namespace: str | None, root: str, header: str | None) -> tuple[str | None, str | None]:
    """(the type to read, None) or (None, why the message is rejected, naming its type)."""
    by_root = ROOTS.get(root)
    by_ns = _definition(namespace)
    by_header = _definition(header)
    declared = by_header or by_ns
    if by_root is None:
        named = _named(*declared) if declared else "an unknown message"
        return None, f"{named} ({root}) is not a message tizim reads: it decides pacs.008, pacs.009 and pain.001"
    for source, found in (("namespace", by_ns), ("business application header", by_header)):
        if found is not None and found[0] != by_root:
            return None, (f"the {source} says {_named(*found)} but the message is {root} ({by_root}): "
                          "the message does not say what it is")
    version = declared[1] if declared else None
    if by_root not in READERS:
        what = NOT_DECIDED.get(by_root, "not a credit transfer")
        return None, (f"{_named(by_root, version)} ({what}) is not a credit transfer: tizim decides "
                      "pacs.008, pacs.009 and pain.001")
    low, high = VERSIONS[by_root]
    if version is not None and not low <= version <= high:
        return None, (f"{_named(by_root, version)} is a version tizim does not read "
                      f"({by_root}.001.{low:02d} to .001.{high:02d})")
    return by_root, None


def iter_iso20022(source: Path | IO[bytes], name: str, kind: str = "") -> Iterator[Payment | Rejected]:
    """Every CdtTrfTxInf of a pacs.008, pacs.009 or pain.001 document (alone or in an
    AppHdr + Document envelope), as Payment or Rejected; any other message is one Rejected
    naming its type. `kind` is what the caller expects (--format), checked against it."""
    if isinstance(source, Path):
        with source.open("rb") as handle:
            check_xml_prolog(source, handle.read(65536))
    ctx: dict[str, etree._Element] = {}
    index = 0
    expected = kind if kind in READERS else None
    kind = expected or "iso20022"
    reader: Callable[[etree._Element, dict[str, etree._Element]], Payment] | None = None
    namespace: str | None = None
    header: str | None = None
    in_header = False
    after_document = False
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
                elif tag == "AppHdr":
                    in_header = True
                elif tag == "Document" and not in_header:
                    namespace = etree.QName(el).namespace
                    after_document = True
                elif reader is None and not in_header and (after_document or tag in ROOTS):
                    # The message itself: its root element (the Document's first child).
                    found, why = _verdict(namespace, tag, header)
                    if found is not None and expected is not None and found != expected:
                        found, why = None, f"the file was given as {expected} but holds {found} ({tag})"
                    if found is None:
                        yield Rejected(reason=why or "unknown message", source=name, line=_line(el),
                                       record="document", format=ROOTS.get(tag, kind))
                        return
                    kind, reader = found, READERS[found]
                elif tag == "PmtInf":
                    # A new payment-information block: forget the previous block's debtor.
                    for key in ("PmtInfId", "ReqdExctnDt", "Dbtr", "DbtrAcct", "DbtrAgt", "UltmtDbtr"):
                        ctx.pop(key, None)
                continue
            if tag == "AppHdr":
                in_header = False
            elif in_header and tag == "MsgDefIdr":
                header = (el.text or "").strip() or None
            elif tag == "CdtTrfTxInf":
                depth_in_tx -= 1
                if depth_in_tx > 0 or reader is None:
                    continue  # a CdtTrfTxInf nested in another (none in these messages)
                index += 1
                record = f"CdtTrfTxInf #{index}"
                try:
                    payment = reader(el, ctx)
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
