"""The stateful rules (structuring, fan-in, pass-through) over their time windows, with the
history of earlier runs read back from the database, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.monitoring.helpers import load_list, payment
from tizim.monitoring.decide import Decider
from tizim.monitoring.model import Payment

T0 = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


def _p(i: int, hours: float, amount: str, debtor_account: str = "KZ86125KZT5004100100",
       debtor: str = "Almaty Trading LLP", creditor_account: str | None = None, **extra: Any) -> Payment:
    data = payment(i, debtor=debtor, creditor_account=creditor_account, **extra)
    data["amount"], data["currency"] = amount, "KZT"
    data["created_at"] = (T0 + timedelta(hours=hours)).isoformat()
    data["debtor"]["account"] = debtor_account
    return Payment.from_dict(data)


def _fired(decisions: list[Any], rule: str) -> list[str]:
    return [d.payment_id for d in decisions if any(r.startswith(f"rule {rule}:") for r in d.reasons)]


def test_structuring_within_72_hours(db_url: str) -> None:
    load_list()
    # just under 5,000,000 KZT (within 15 %), the same debtor account
    first = Decider().decide_batch([_p(1, 0, "4600000"), _p(2, 30, "4900000")])
    assert _fired(first, "structuring") == []
    # a new decider (a later run): the history comes back from the database
    later = Decider().decide_batch([
        _p(3, 60, "4400000"),   # third in 72 h: fires
        _p(4, 61, "1000000"),   # outside the band: not counted, never fires
        _p(5, 200, "4700000"),  # the others are more than 72 h before
    ])
    assert _fired(later, "structuring") == ["P-00003"]
    hit = next(r for r in later[0].reasons if r.startswith("rule structuring:"))
    assert "3 payments between 4,250,000 and 5,000,000 KZT within 72 h" in hit
    assert later[0].status == "OBSERVE" and later[2].status == "PASS"


def test_fan_in_ten_senders_within_24_hours(db_url: str) -> None:
    load_list()
    mule = "KZ11125KZT5004100999"
    senders = [_p(10 + k, k * 2, "150000", debtor_account=f"KZ0012500000000{k:05d}", debtor=f"Sender {k}",
                  creditor_account=mule) for k in range(9)]
    out = Decider().decide_batch(senders)
    assert _fired(out, "fan_in") == []
    # the 10th sender within 24 h of the others (decided by a new decider: history from the database)
    tenth = Decider().decide(_p(30, 17, "150000", debtor_account="KZ00125000000000777", debtor="Sender 10",
                                creditor_account=mule))
    assert tenth.status == "OBSERVE" and any("10 senders within 24 h" in r for r in tenth.reasons)
    # a sender paying again does not add a sender; a payment two days later sees none of them
    again = Decider().decide_batch([
        _p(31, 18, "150000", debtor_account="KZ00125000000000777", debtor="Sender 10", creditor_account=mule),
        _p(32, 90, "150000", debtor_account="KZ00125000000000888", debtor="Sender 11", creditor_account=mule),
    ])
    assert _fired(again, "fan_in") == ["P-00031"]
    assert _fired([again[1]], "fan_in") == []


def test_pass_through_within_6_hours(db_url: str) -> None:
    load_list()
    hub = "KZ22125KZT5004100555"
    incoming = _p(40, 0, "2000000", debtor_account="KZ33125KZT5004100111", debtor="Steppe Oil",
                  creditor_account=hub)
    Decider().decide(incoming)
    out = Decider().decide_batch([
        _p(41, 2, "1700000", debtor_account=hub, debtor="Hub LLP"),   # 85 % out after 2 h: fires
        _p(42, 3, "500000", debtor_account=hub, debtor="Hub LLP"),    # a small part: no
        _p(43, 9, "1900000", debtor_account=hub, debtor="Hub LLP"),   # after 9 h: outside the window
    ])
    assert _fired(out, "pass_through") == ["P-00041"]
    hit = next(r for r in out[0].reasons if r.startswith("rule pass_through:"))
    assert "2,000,000 in, 1,700,000 KZT out after 2.0 h" in hit
