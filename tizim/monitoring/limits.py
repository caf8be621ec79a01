"""What a payment field may hold, checked when a payment is parsed (issue 19).

Every field that is stored fits its column on PostgreSQL as on SQLite: an id, UETR or account
longer than any real one, an amount with more digits than ISO 20022 allows, a NUL character
(PostgreSQL text cannot hold it) or half of a UTF-16 surrogate pair (not encodable as UTF-8)
makes that one payment a clear rejection naming the field, never a database error that fails
its batch. The limits are the messaging standards' own, with room to spare: ISO 20022 ids are
Max35Text, a UETR is 36 characters, an IBAN 34, a name Max140Text, an amount 18 digits.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tizim.monitoring.model import Party, Payment

# payment ids: msg_id/e2e_id plus "#<12 hex>" for a reused id must fit mon_payments (200)
MAX_ID = 64
MAX_UETR = 64
MAX_FREE_TEXT = 10_000  # remittance information, field 72, purpose
MAX_AMOUNT_DIGITS = 18  # ISO 20022 ActiveCurrencyAndAmount: totalDigits 18
PARTY_LIMITS = {
    "name": 280,  # the party key "name:<name>" fits its column (300)
    "address": 1000,
    "country": 70,
    "account": 100,
    "id": 100,
    "bic": 11,
}
MAX_INTERMEDIARIES = 10

# C0 controls but tab, line feed and carriage return; a lone surrogate (U+D800..U+DFFF)
_BAD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def _check_text(value: str | None, field: str, limit: int) -> None:
    if value is None:
        return
    if len(value) > limit:
        raise ValueError(f"{field} is {len(value):,} characters long (at most {limit:,})")
    bad = _BAD_CHAR.search(value)
    if bad:
        char = bad.group()
        what = ("a NUL character" if char == "\x00" else
                "half of a surrogate pair (not a character)" if "\ud800" <= char <= "\udfff" else
                f"the control character U+{ord(char):04X}")
        raise ValueError(f"{field} holds {what} at position {bad.start() + 1}")


def _check_party(party: Party | None, role: str) -> None:
    if party is None:
        return
    for attr, limit in PARTY_LIMITS.items():
        _check_text(getattr(party, attr), f"{role}.{attr}", limit)


def check_amount(amount: Decimal) -> None:
    sign, digits, exponent = amount.as_tuple()
    integer_digits = len(digits) + exponent if isinstance(exponent, int) else len(digits)
    if integer_digits > MAX_AMOUNT_DIGITS or len(digits) > MAX_AMOUNT_DIGITS + 5:
        raise ValueError(f"amount has more than {MAX_AMOUNT_DIGITS} digits (ISO 20022 allows {MAX_AMOUNT_DIGITS})")


def check_fields(payment: Payment) -> None:
    """Raise ValueError naming the first field that no store column or standard admits."""
    for field in ("msg_id", "e2e_id", "instr_id", "explicit_id"):
        _check_text(getattr(payment, field), "payment_id" if field == "explicit_id" else field, MAX_ID)
    _check_text(payment.uetr, "uetr", MAX_UETR)
    for field in ("purpose", "remittance", "sender_info"):
        _check_text(getattr(payment, field), field, MAX_FREE_TEXT)
    check_amount(payment.amount)
    for role in ("debtor", "creditor", "ultimate_debtor", "ultimate_creditor", "debtor_agent", "creditor_agent"):
        _check_party(getattr(payment, role), role)
    if len(payment.intermediary_agents) > MAX_INTERMEDIARIES:
        raise ValueError(f"{len(payment.intermediary_agents)} intermediary agents (at most {MAX_INTERMEDIARIES})")
    for i, agent in enumerate(payment.intermediary_agents):
        _check_party(agent, f"intermediary_agents[{i}]")


def storable(text: str | None) -> str | None:
    """`text` as any database stores it: NUL and lone surrogates written as escapes (for
    rejected messages, kept as they came)."""
    if text is None:
        return None
    if "\x00" in text:
        text = text.replace("\x00", "\\x00")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text
