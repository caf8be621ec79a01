"""The normalized payment every parser produces and every rule and screen reads."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

STATUSES = ("PASS", "OBSERVE", "FREEZE")
# How the money moves (the typology rules read cash and crypto as anonymous instruments).
INSTRUMENTS = ("transfer", "cash", "card", "cheque", "crypto")

_IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{8,30}$")


@dataclass
class Party:
    """A debtor, creditor, ultimate party or agent (bank) of a payment."""

    name: str | None = None
    address: str | None = None
    country: str | None = None
    account: str | None = None
    id: str | None = None
    bic: str | None = None

    def is_empty(self) -> bool:
        return not any((self.name, self.address, self.country, self.account, self.id, self.bic))

    def key(self) -> str | None:
        """What identifies the party across payments: its account, else its name."""
        cached = self.__dict__.get("_key", "")
        if cached != "":
            return cached
        self.__dict__["_key"] = key = self._make_key()
        return key

    def _make_key(self) -> str | None:
        if self.account:
            return "acct:" + "".join(self.account.split()).upper()
        if self.name:
            return "name:" + " ".join(self.name.upper().split())
        if self.bic:
            return "bic:" + self.bic.upper()
        return None

    def to_dict(self) -> dict[str, Any]:
        # By hand, not dataclasses.asdict: this runs for every party of every payment.
        pairs = (("name", self.name), ("address", self.address), ("country", self.country),
                 ("account", self.account), ("id", self.id), ("bic", self.bic))
        return {k: v for k, v in pairs if v}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Party | None:
        if not data:
            return None
        get = data.get
        party = cls(_text(get("name")), _text(get("address")), _text(get("country")), _text(get("account")),
                    _text(get("id")), _text(get("bic")))
        return None if party.is_empty() else party


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def iban_country(account: str | None) -> str | None:
    """The country an IBAN belongs to (its first two letters), else None."""
    if not account:
        return None
    compact = re.sub(r"\s+", "", account).upper()
    return compact[:2] if _IBAN.match(compact) else None


def parse_amount(raw: str | None) -> Decimal:
    """A positive decimal amount; MT103 uses a comma as the decimal mark."""
    if raw is None or not str(raw).strip():
        raise ValueError("amount is missing")
    text = str(raw).strip().replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"amount {raw!r} is not a number") from exc
    if not value.is_finite() or value <= 0:
        raise ValueError(f"amount {raw!r} is not a positive number")
    return value


@dataclass
class Payment:
    amount: Decimal
    currency: str
    msg_id: str | None = None
    e2e_id: str | None = None
    uetr: str | None = None
    instr_id: str | None = None
    value_date: str | None = None  # ISO date
    created_at: str | None = None  # ISO timestamp of the message, when given
    debtor: Party | None = None
    creditor: Party | None = None
    ultimate_debtor: Party | None = None
    ultimate_creditor: Party | None = None
    debtor_agent: Party | None = None
    creditor_agent: Party | None = None
    intermediary_agents: list[Party] = field(default_factory=list)
    purpose: str | None = None
    remittance: str | None = None
    sender_info: str | None = None  # MT103 field 72
    instrument: str | None = None  # one of INSTRUMENTS; None reads as a transfer
    format: str = ""
    source: str | None = None
    line: int | None = None
    record: str | None = None
    explicit_id: str | None = None  # a payment_id given by the CSV/JSONL layout

    @property
    def payment_id(self) -> str:
        """Stable id: UETR, else message id + end-to-end id (+ instruction id), else explicit."""
        if self.explicit_id:
            return self.explicit_id
        if self.uetr:
            return self.uetr.lower()
        if self.msg_id and self.e2e_id:
            return f"{self.msg_id}/{self.e2e_id}"
        if self.msg_id and self.instr_id:
            return f"{self.msg_id}/{self.instr_id}"
        raise ValueError("no identifier: needs a UETR, or a message id with an end-to-end id")

    def parties(self) -> list[tuple[str, Party]]:
        """Every party with its role, agents included (computed once: parsers are done by now)."""
        cached = self.__dict__.get("_parties")
        if cached is not None:
            return cached
        roles: list[tuple[str, Party | None]] = [
            ("debtor", self.debtor),
            ("creditor", self.creditor),
            ("ultimate_debtor", self.ultimate_debtor),
            ("ultimate_creditor", self.ultimate_creditor),
            ("debtor_agent", self.debtor_agent),
            ("creditor_agent", self.creditor_agent),
        ]
        roles += [(f"intermediary_agent_{i + 1}", p) for i, p in enumerate(self.intermediary_agents)]
        found = [(role, p) for role, p in roles if p is not None and not p.is_empty()]
        self.__dict__["_parties"] = found
        return found

    def free_texts(self) -> list[tuple[str, str]]:
        return [(k, v) for k, v in (("remittance", self.remittance), ("sender_info", self.sender_info)) if v]

    def countries(self, *roles: str) -> set[str]:
        found: set[str] = set()
        for role, party in self.parties():
            if roles and role not in roles:
                continue
            country = party.country or iban_country(party.account)
            if country:
                found.add(country.upper())
        return found

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "payment_id": self.payment_id,
            "msg_id": self.msg_id,
            "e2e_id": self.e2e_id,
            "uetr": self.uetr,
            "instr_id": self.instr_id,
            "amount": str(self.amount),
            "currency": self.currency,
            "value_date": self.value_date,
            "created_at": self.created_at,
            "purpose": self.purpose,
            "instrument": self.instrument,
            "remittance": self.remittance,
            "sender_info": self.sender_info,
            "format": self.format,
        }
        for role, party in self.parties():
            if not role.startswith("intermediary"):
                data[role] = party.to_dict()
        if self.intermediary_agents:
            data["intermediary_agents"] = [p.to_dict() for p in self.intermediary_agents]
        return {k: v for k, v in data.items() if v not in (None, "")}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Payment:
        """Inverse of to_dict (also the nested JSONL layout)."""
        payment = cls(
            amount=parse_amount(data.get("amount")),
            currency=str(data.get("currency") or "").strip().upper(),
            msg_id=_text(data.get("msg_id")),
            e2e_id=_text(data.get("e2e_id")),
            uetr=_text(data.get("uetr")),
            instr_id=_text(data.get("instr_id")),
            value_date=_text(data.get("value_date")),
            created_at=_text(data.get("created_at")),
            purpose=_text(data.get("purpose")),
            instrument=(_text(data.get("instrument")) or "").lower() or None,
            remittance=_text(data.get("remittance")),
            sender_info=_text(data.get("sender_info")),
            format=str(data.get("format") or "jsonl"),
            explicit_id=_text(data.get("payment_id")),
        )
        for role in ("debtor", "creditor", "ultimate_debtor", "ultimate_creditor", "debtor_agent", "creditor_agent"):
            value = data.get(role)
            if value is not None and not isinstance(value, dict):
                raise ValueError(f"{role} must be an object")
            setattr(payment, role, Party.from_dict(value))
        agents = data.get("intermediary_agents") or []
        if not isinstance(agents, list) or not all(isinstance(x, dict) for x in agents):
            raise ValueError("intermediary_agents must be a list of objects (name, bic, account, ...)")
        payment.intermediary_agents = [p for p in (Party.from_dict(x) for x in agents) if p]
        return payment


@dataclass
class Rejected:
    """A message that could not be read as a payment: stored with its reason, never dropped."""

    reason: str
    source: str | None = None
    line: int | None = None
    record: str | None = None
    raw: str | None = None
    format: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def validate(payment: Payment) -> None:
    """Raise ValueError naming what a payment lacks to be decided at all."""
    if not re.fullmatch(r"[A-Z]{3}", payment.currency or ""):
        raise ValueError(f"currency {payment.currency!r} is not an ISO 4217 code")
    payment.payment_id  # noqa: B018 - raises when there is no identifier
    from tizim.monitoring.limits import check_fields  # limits reads this module's types

    check_fields(payment)
    check_dates(payment)
    if payment.instrument is not None and payment.instrument not in INSTRUMENTS:
        raise ValueError(f"instrument {payment.instrument!r} is not one of {', '.join(INSTRUMENTS)}")


# A message template's unfilled date ("YYYY-MM-DD", "YYYY-MM-DDThh:mm:ss", "DD.MM.YYYY").
_PLACEHOLDER = re.compile(r"(?i)y{2,4}|\bmm\b|\bdd\b|hh:mm")


def iso_date(value: str, what: str) -> str:
    """`value` if it is an ISO date (YYYY-MM-DD); ValueError naming `what` otherwise, and
    saying so when it is a template's placeholder rather than a date."""
    if _PLACEHOLDER.search(value):
        raise ValueError(f"{what} {value!r} is a template placeholder, not a date")
    try:
        date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{what} {value!r} is not a date (YYYY-MM-DD)") from exc
    if len(value) != 10:
        raise ValueError(f"{what} {value!r} is not a date (YYYY-MM-DD)")
    return value


def iso_datetime(value: str, what: str) -> str:
    """`value` if it is an ISO date-time (or date); ValueError naming `what` otherwise."""
    if _PLACEHOLDER.search(value):
        raise ValueError(f"{what} {value!r} is a template placeholder, not a date")
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"{what} {value!r} is not an ISO date-time") from exc
    return value


def check_dates(payment: Payment) -> None:
    """Dates are stored only when they are dates (never a template's "YYYY-MM-DD")."""
    if payment.value_date is not None:
        iso_date(payment.value_date, "value date")
    if payment.created_at is not None:
        iso_datetime(payment.created_at, "creation time")
