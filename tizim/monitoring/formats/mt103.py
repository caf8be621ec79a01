"""SWIFT FIN credit transfers, each message type read by its own reader: MT103 (single
customer credit transfer), MT202 (general financial institution transfer: bank to bank) and
MT202COV (a bank-to-bank cover payment carrying the customer transfer it settles). A file
may hold several messages, each either a full FIN message ({1:..}{2:..}{3:{121:UETR}}
{4:\n...\n-}) or bare block-4 text starting at field :20:. The type is the application
header's (block 2, with block 3's {119:COV}); bare text is typed by its fields. Any other
message type (MT199, MT900, MT940...) is rejected naming its type."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from tizim.monitoring.model import Party, Payment, Rejected, parse_amount, validate

_FIELD = re.compile(r"^:(\d{2}[A-Z]?):", re.M)
_BLOCK4 = re.compile(r"\{4:\s*\n(.*?)\n-\}", re.S)
_UETR = re.compile(r"\{121:([0-9a-fA-F-]{36})\}")
_SENDER = re.compile(r"\{1:F01([A-Z0-9]{8})")
_BIC = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$")
_32A = re.compile(r"^(\d{6})([A-Z]{3})([\d,\.]+)$")
_TYPE = re.compile(r"\{2:[IO](\d{3})")
_COV = re.compile(r"\{119:COV\}")
_SEQUENCE_B = re.compile(r"^:50[AFK]:", re.M)
# What the FIN types tizim does not decide are, for the rejection.
NOT_DECIDED = {
    "101": "request for transfer", "192": "request for cancellation", "196": "answers", "199": "free format message",
    "200": "financial institution transfer for its own account", "205": "financial institution transfer execution",
    "210": "notice to receive", "292": "request for cancellation", "299": "free format message",
    "900": "confirmation of debit", "910": "confirmation of credit", "940": "customer statement",
    "942": "interim transaction report", "950": "statement message",
}


def split_messages(text: str) -> Iterator[tuple[int, str, str]]:
    """(line number, header blocks, block-4 body) of each message in a file."""
    if "{4:" in text:
        start = 0
        for match in _BLOCK4.finditer(text):
            head_start = text.rfind("{1:", start, match.start())
            header = text[head_start if head_start >= 0 else start : match.start()]
            yield text.count("\n", 0, match.start(1)) + 1, header, match.group(1)
            start = match.end()
        rest = text[start:].strip()
        if rest and "{4:" in rest:
            # An opened block 4 that never closes: report it rather than drop it.
            yield text.count("\n", 0, start) + 1, rest, ""
        return
    starts = [m.start() for m in re.finditer(r"^:20:", text, re.M)]
    for i, pos in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        body = text[pos:end].strip()
        body = re.sub(r"\n-\}?\s*$|\n\$\s*$", "", body)
        yield text.count("\n", 0, pos) + 1, "", body


def parse_fields(body: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    matches = list(_FIELD.finditer(body))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(body)
        tag = m.group(1)
        value = body[m.end() : end].strip("\r\n")
        fields.setdefault(tag, value.strip())
    return fields


def _lines(value: str) -> list[str]:
    return [ln.strip() for ln in value.replace("\r", "").split("\n") if ln.strip()]


def _customer(tag: str, value: str) -> Party:
    """50A/F/K (ordering customer) and 59/59A/59F (beneficiary)."""
    lines = _lines(value)
    account = None
    if lines and lines[0].startswith("/"):
        account = lines.pop(0)[1:].strip() or None
    option = tag[2:]
    if option == "A":
        return Party(account=account, bic=lines[0] if lines else None)
    if option == "F":
        # Structured: 1/name 2/address 3/country/town 4/birth date ...; first line may be the id.
        name_parts, address, country = [], [], None
        ident = None
        for line in lines:
            m = re.match(r"^(\d)/(.*)$", line)
            if not m:
                ident = ident or line
                continue
            num, text = m.group(1), m.group(2).strip()
            if num == "1":
                name_parts.append(text)
            elif num == "2":
                address.append(text)
            elif num == "3":
                country = text.split("/", 1)[0][:2].upper() or None
                address.append(text.split("/", 1)[1] if "/" in text else text)
            else:
                address.append(text)
        return Party(name=" ".join(name_parts) or None, address=", ".join(address) or None,
                     country=country, account=account, id=ident)
    name = lines[0] if lines else None
    return Party(name=name, address=", ".join(lines[1:]) or None, account=account)


def _agent(tag: str, value: str) -> Party | None:
    lines = _lines(value)
    if lines and lines[0].startswith("/"):
        lines.pop(0)
    if not lines:
        return None
    if tag.endswith("A") or (len(lines) == 1 and _BIC.match(lines[0])):
        return Party(bic=lines[0])
    return Party(name=lines[0], address=", ".join(lines[1:]) or None)


def _value_date(raw: str) -> str:
    try:
        return date(2000 + int(raw[:2]), int(raw[2:4]), int(raw[4:6])).isoformat()
    except ValueError as exc:
        raise ValueError(f"field 32A: {raw!r} is not a date (YYMMDD)") from exc


def parse_mt103(header: str, body: str) -> Payment:
    """MT103: a customer's transfer (50a ordering customer, 59a beneficiary customer)."""
    fields = parse_fields(body)
    if "20" not in fields:
        raise ValueError("field 20 (sender's reference) is missing")
    if "32A" not in fields:
        raise ValueError("field 32A (value date, currency, amount) is missing")
    m = _32A.match(fields["32A"].replace("\n", "").strip())
    if not m:
        raise ValueError(f"field 32A {fields['32A']!r} is not YYMMDDCCCAMOUNT")
    debtor_tag = next((t for t in ("50A", "50F", "50K") if t in fields), None)
    creditor_tag = next((t for t in ("59", "59A", "59F") if t in fields), None)
    uetr = _UETR.search(header)
    sender = _SENDER.search(header)
    ref = fields["20"].strip()
    payment = Payment(
        amount=parse_amount(m.group(3)),
        currency=m.group(2),
        msg_id=ref,
        instr_id=ref,
        uetr=uetr.group(1) if uetr else None,
        value_date=_value_date(m.group(1)),
        debtor=_customer(debtor_tag, fields[debtor_tag]) if debtor_tag else None,
        creditor=_customer(creditor_tag, fields[creditor_tag]) if creditor_tag else None,
        remittance=" ".join(_lines(fields.get("70", ""))) or None,
        sender_info=" ".join(_lines(fields.get("72", ""))) or None,
        format="mt103",
    )
    agents = {t: _agent(t, v) for t, v in fields.items() if t[:2] in ("52", "56", "57")}
    payment.debtor_agent = next((a for t, a in agents.items() if t.startswith("52") and a), None)
    payment.creditor_agent = next((a for t, a in agents.items() if t.startswith("57") and a), None)
    payment.intermediary_agents = [a for t, a in agents.items() if t.startswith("56") and a]
    if payment.debtor_agent is None and sender:
        payment.debtor_agent = Party(bic=sender.group(1))
    if not payment.uetr:
        # Field 20 is unique per sending bank, not globally: qualify it with the sender.
        payment.explicit_id = f"{sender.group(1) if sender else 'MT103'}/{ref}"
    if "26T" in fields or "77B" in fields:
        payment.purpose = (fields.get("26T") or "").strip() or None
    validate(payment)
    return payment


def _amount_date(fields: dict[str, str]) -> tuple[str, str, str]:
    if "20" not in fields:
        raise ValueError("field 20 (transaction reference) is missing")
    if "32A" not in fields:
        raise ValueError("field 32A (value date, currency, amount) is missing")
    m = _32A.match(fields["32A"].replace("\n", "").strip())
    if not m:
        raise ValueError(f"field 32A {fields['32A']!r} is not YYMMDDCCCAMOUNT")
    return m.group(1), m.group(2), m.group(3)


def parse_mt202(header: str, body: str, cover: bool = False) -> Payment:
    """MT202 / MT202COV: a bank-to-bank transfer. The ordering institution (52a, else the
    sender) pays the beneficiary institution (58a); 53a/54a/56a are intermediaries, 57a the
    account with institution. A cover payment's sequence B (from 50a on) is the customer
    transfer it settles: its ordering and beneficiary customers are the ultimate parties,
    its agents are screened as agents, its 70 is the remittance."""
    split = _SEQUENCE_B.search(body) if cover else None
    if cover and split is None:
        raise ValueError("MT202COV without sequence B (the underlying customer transfer, from field 50a)")
    fields = parse_fields(body[: split.start()] if split else body)
    underlying = parse_fields(body[split.start():]) if split else {}
    raw_date, currency, raw_amount = _amount_date(fields)
    beneficiary_tag = next((t for t in ("58A", "58D") if t in fields), None)
    if beneficiary_tag is None:
        raise ValueError("field 58a (beneficiary institution) is missing")
    uetr = _UETR.search(header)
    sender = _SENDER.search(header)
    ref = fields["20"].strip()
    kind = "mt202cov" if cover else "mt202"
    ordering = next((_agent(t, fields[t]) for t in ("52A", "52D") if t in fields), None)
    sender_bank = Party(bic=sender.group(1)) if sender else None
    payment = Payment(
        amount=parse_amount(raw_amount),
        currency=currency,
        msg_id=ref,
        instr_id=ref,
        e2e_id=(fields.get("21") or "").strip() or None,
        uetr=uetr.group(1) if uetr else None,
        value_date=_value_date(raw_date),
        debtor=ordering or sender_bank,
        creditor=_agent(beneficiary_tag, fields[beneficiary_tag]),
        debtor_agent=sender_bank if ordering is not None else None,
        creditor_agent=next((_agent(t, fields[t]) for t in ("57A", "57B", "57D") if t in fields), None),
        sender_info=" ".join(_lines(fields.get("72", ""))) or None,
        format=kind,
    )
    payment.intermediary_agents = [
        a for t, v in fields.items() if t[:2] in ("53", "54", "56") for a in [_agent(t, v)] if a
    ]
    if underlying:
        debtor_tag = next((t for t in ("50A", "50F", "50K") if t in underlying), None)
        creditor_tag = next((t for t in ("59", "59A", "59F") if t in underlying), None)
        payment.ultimate_debtor = _customer(debtor_tag, underlying[debtor_tag]) if debtor_tag else None
        payment.ultimate_creditor = _customer(creditor_tag, underlying[creditor_tag]) if creditor_tag else None
        payment.intermediary_agents += [
            a for t, v in underlying.items() if t[:2] in ("52", "56", "57") for a in [_agent(t, v)] if a
        ]
        payment.remittance = " ".join(_lines(underlying.get("70", ""))) or None
        more = " ".join(_lines(underlying.get("72", "")))
        if more:
            payment.sender_info = f"{payment.sender_info} / {more}" if payment.sender_info else more
    if not payment.uetr:
        payment.explicit_id = f"{sender.group(1) if sender else kind.upper()}/{ref}"
    validate(payment)
    return payment


def message_type(header: str, body: str) -> str:
    """'103', '202', '202COV' or another FIN type, from block 2 (and block 3's 119); bare
    block-4 text by its fields."""
    found = _TYPE.search(header)
    if found is not None:
        kind = found.group(1)
        return "202COV" if kind == "202" and _COV.search(header) else kind
    fields = set(_FIELD.findall(body))
    if fields & {"58A", "58D"}:
        return "202COV" if fields & {"50A", "50F", "50K"} else "202"
    return "103"


READERS = {"103": parse_mt103, "202": lambda h, b: parse_mt202(h, b), "202COV": lambda h, b: parse_mt202(h, b, cover=True)}


def parse_message(header: str, body: str, expected: str | None = None) -> Payment:
    """The payment of one FIN message, read by its type's reader."""
    if not body:
        raise ValueError("block 4 is not closed with '-}'")
    kind = message_type(header, body)
    reader = READERS.get(kind)
    if reader is None:
        what = NOT_DECIDED.get(kind, "not a credit transfer")
        raise ValueError(f"MT{kind} ({what}) is not a credit transfer: tizim decides MT103, MT202 and MT202COV")
    if expected is not None and f"mt{kind.lower()}" != expected and not (expected == "mt202" and kind == "202COV"):
        raise ValueError(f"the file was given as {expected} but this message is MT{kind}")
    return reader(header, body)


def iter_mt103(text: str, name: str, expected: str | None = None) -> Iterator[Payment | Rejected]:
    """Every FIN message of a text (MT103, MT202, MT202COV), as Payment or Rejected;
    `expected` (mt103 / mt202, from --format) is checked against each message's type."""
    count = 0
    for index, (line, header, body) in enumerate(split_messages(text), start=1):
        count += 1
        record = f"message #{index}"
        try:
            payment = parse_message(header, body, expected)
        except ValueError as exc:
            yield Rejected(reason=str(exc), source=name, line=line, record=record,
                           raw=(header + body)[:4000], format=expected or "mt103")
            continue
        payment.source, payment.line, payment.record = name, line, record
        yield payment
    if count == 0:
        yield Rejected(reason="no SWIFT message (no block 4, no field :20:)", source=name, line=1,
                       record="file", format=expected or "mt103")
