"""The customer-profile typologies: behaviour against what the customer book says of the holder."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from tests.monitoring.helpers import load_list
from tizim.customers.book import CustomerBook
from tizim.customers.model import Customer
from tizim.monitoring import tables as t
from tizim.monitoring.decide import Decider
from tizim.monitoring.model import Payment
from tizim.store import transaction
from tizim.typologies.engine import TypologyEngine
from tizim.typologies.graph import DAY
from tizim.typologies.profile import PeerStats, Profile
from tizim.typologies.rules import Context, TypologyParams

T0 = datetime(2025, 3, 1, tzinfo=UTC).timestamp()
YEAR = 365.25 * DAY


def _person(cid: str, age: float | None, since_days: float | None = 1000.0, countries: tuple[str, ...] = ("KZ",),
            kind: str = "person", book_days: float = 2000.0) -> Profile:
    """A holder onboarded since_days before T0 into a book first loaded book_days before T0."""
    return Profile(cid, kind, T0 - age * YEAR if age is not None else None, frozenset(countries),
                   T0 - since_days * DAY if since_days is not None else None, T0 - book_days * DAY)


def _codes(engine: TypologyEngine, d: str, c: str, day: float, amount: float = 100.0,
           ctx: Context | None = None) -> list[str]:
    a = engine.assess(d, c, T0 + day * DAY, amount, ctx=ctx)
    engine.add(f"{d}-{c}-{day}", d, c, T0 + day * DAY, amount)
    return [s.code for s in a.signals]


def test_a_young_individual_receiving_from_many_individuals_is_a_mule_profile() -> None:
    engine = TypologyEngine()
    engine.profiles = {"MULE": _person("c1", 19), "ADULT": _person("c2", 45),
                       "SHOP": _person("c3", None, kind="organization")}
    # an older account, old customer, first seen long ago: the same inflow raises nothing
    _codes(engine, "X", "ADULT", -200)
    _codes(engine, "X", "MULE", -200)
    for i in range(4):
        assert "profile_mule" not in _codes(engine, f"S{i}", "MULE", i * 0.5)
        assert "profile_mule" not in _codes(engine, f"S{i}", "ADULT", i * 0.5)
    assert "profile_mule" in _codes(engine, "S4", "MULE", 2.5)
    assert "profile_mule" not in _codes(engine, "S4", "ADULT", 2.5)
    # a known organization among the senders (an employer) is not an individual
    engine.profiles["S5"] = _person("c9", None, kind="organization")
    young = TypologyEngine()
    young.profiles = dict(engine.profiles)
    _codes(young, "X", "MULE", -200)
    for i in (0, 1, 2, 5):
        _codes(young, f"S{i}", "MULE", i * 0.1)
    assert "profile_mule" not in _codes(young, "S3", "MULE", 1.0)


def test_a_new_customer_account_counts_as_new_whatever_its_age() -> None:
    engine = TypologyEngine()
    engine.profiles = {"NEW": _person("c1", 50, since_days=10),
                       # the book's first load: every customer came in that day, none is "new"
                       "LOADED": _person("c2", 50, since_days=10, book_days=10)}
    found = [_codes(engine, f"S{i}", "NEW", i * 0.2) for i in range(5)]
    assert "profile_mule" in found[-1] and not any("profile_mule" in f for f in found[:-1])
    loaded = [_codes(engine, f"S{i}", "LOADED", i * 0.2) for i in range(5)]
    assert not any("profile_mule" in f for f in loaded)


def test_an_account_first_seen_lately_is_new_only_after_the_graph_watched_long_enough() -> None:
    engine = TypologyEngine()
    engine.profiles = {"ACC": _person("c1", 50)}  # an old customer of the book
    # a graph restored a few days ago (a restart): every account is first seen lately
    _codes(engine, "X", "Y", -5)
    assert not any("profile_mule" in _codes(engine, f"S{i}", "ACC", i * 0.2) for i in range(6))
    # a graph that has watched for 200 days sees a fresh account
    watched = TypologyEngine()
    watched.profiles = {"ACC": _person("c1", 50)}
    _codes(watched, "X", "Y", -200)
    found = [_codes(watched, f"S{i}", "ACC", i * 0.2) for i in range(5)]
    assert "profile_mule" in found[-1]


def test_a_person_account_used_like_a_business_is_measured_against_other_persons() -> None:
    params = TypologyParams(profile_peer_min=50)
    engine = TypologyEngine(params)
    engine.profiles = {f"P{i}": _person(f"c{i}", 40) for i in range(60)}
    engine.profiles["BUSY"] = _person("busy", 40)
    engine.profiles["CO"] = _person("co", None, kind="organization")
    # persons' ordinary life: two or three counterparties a week
    for i in range(60):
        _codes(engine, f"P{i}", f"P{(i + 1) % 60}", i * 0.05)
    found = [_codes(engine, f"B{i}", "BUSY", 3 + i * 0.1) for i in range(12)]
    assert "profile_business" in found[-1] and "profile_business" not in found[5]
    # an organization with the same many payers is a business: no profile signal
    org = [_codes(engine, f"B{i}", "CO", 4 + i * 0.1) for i in range(12)]
    assert not any("profile_business" in f for f in org)


def test_payments_to_a_conflict_zone_unlike_the_declared_country() -> None:
    params = TypologyParams(conflict_zones={"SY"})
    engine = TypologyEngine(params)
    engine.profiles = {"KZHOLDER": _person("c1", 30, countries=("KZ",)),
                       "SYHOLDER": _person("c2", 30, countries=("KZ", "SY"))}
    a = engine.assess("KZHOLDER", "FAR", T0, 100.0, ctx=Context(creditor_country="SY"))
    (sig,) = [s for s in a.signals if s.code == "profile_corridor"]
    assert "declared in KZ" in sig.reason and not a.alert  # one payment: evidence, not an alert
    engine.add("p1", "KZHOLDER", "FAR", T0, 100.0, corridor=True)
    second = engine.assess("KZHOLDER", "FAR2", T0 + DAY, 100.0, ctx=Context(creditor_country="SY"))
    assert [s for s in second.signals if s.code == "profile_corridor"][0].strength > sig.strength
    # a holder of that nationality paying home: ordinary
    home = engine.assess("SYHOLDER", "FAR", T0, 100.0, ctx=Context(creditor_country="SY"))
    assert "profile_corridor" not in [s.code for s in home.signals]


def test_accounts_without_a_customer_record_raise_no_profile_signal() -> None:
    engine = TypologyEngine(TypologyParams(conflict_zones={"SY"}))
    engine.profiles = {"SOMEONE": _person("c1", 19)}
    seen = [_codes(engine, f"S{i}", "UNKNOWN", i * 0.1, ctx=Context(creditor_country="SY")) for i in range(8)]
    assert not any(code.startswith("profile_") for codes in seen for code in codes)
    # a record without a birth date and an old relationship: not young, not new
    engine.profiles["NOBIRTH"] = _person("c2", None)
    _codes(engine, "X", "NOBIRTH", -200)
    seen = [_codes(engine, f"S{i}", "NOBIRTH", i * 0.1) for i in range(8)]
    assert not any("profile_mule" in codes for codes in seen)


def test_peer_stats_share_below() -> None:
    peers = PeerStats()
    assert peers.share_below("person", 3) == (0.0, 0)
    for v in (1, 1, 2, 3, 500):
        peers.add("person", v)
    assert peers.share_below("person", 3) == (0.6, 5)
    assert peers.share_below("person", 1000)[0] == 0.8  # capped readings stay at the top


def _pay(i: int, debtor: str, creditor: str, hour: int, **extra: Any) -> Payment:
    data: dict[str, Any] = {
        "payment_id": f"M-{i:05d}", "amount": str(15000 + 3100 * (i % 10)), "currency": "KZT",
        "created_at": f"2026-03-{10 + hour // 24:02d}T{hour % 24:02d}:00:00+00:00",
        "debtor": {"name": f"Sender {debtor}", "account": debtor},
        "creditor": {"name": "Aruzhan Serikova", "account": creditor},
    }
    data.update(extra)
    return Payment.from_dict(data)


def test_the_monitor_reads_profiles_from_the_customer_book(db_url: str) -> None:
    load_list()
    CustomerBook().upsert([Customer("C-MULE", "person", "Aruzhan Serikova", birth_date="2006-05-01",
                                    country="KZ", accounts=["KZ86125KZT5004100100"])], source="test")
    decider = Decider()
    out = decider.decide_batch([_pay(i, f"KZ0{i}0000000000000{i}", "KZ86125KZT5004100100", i) for i in range(6)])
    assert [d.status for d in out[:4]] == ["PASS"] * 4
    assert out[4].status == "OBSERVE" and any("profile_mule" in r for r in out[4].reasons)
    with transaction() as conn:
        alert = conn.execute(select(t.alerts).where(t.alerts.c.code == "typology")).first()
    assert alert is not None and alert.role == "creditor"
    top = alert.detail["contributions"][0]
    assert top["signal"] == "profile_mule" and "19-year-old" in top["reason"]
    # the same inflow into an account the book does not hold: no profile signal
    other = Decider().decide_batch([_pay(20 + i, f"KZ1{i}0000000000000{i}", "KZ00999", 30 + i) for i in range(6)])
    assert not any("profile_" in r for d in other for r in d.reasons)
