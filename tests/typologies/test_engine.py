"""The account graph and the typology rules, driven directly (no database)."""

from __future__ import annotations

from tizim.typologies.engine import TypologyEngine, explain
from tizim.typologies.graph import DAY, GraphParams
from tizim.typologies.rules import Context, TypologyParams, combine, signals

T0 = 1_700_000_000.0


def _feed(engine: TypologyEngine, payments: list[tuple[str, str, float, float]]) -> list[list[str]]:
    """(debtor, creditor, day, amount) in order; the signal codes each payment raised."""
    out = []
    for i, (d, c, day, amount) in enumerate(payments):
        a = engine.assess(d, c, T0 + day * DAY, amount, payment_id=f"p{i}")
        engine.add(f"p{i}", d, c, T0 + day * DAY, amount)
        out.append([s.code for s in a.signals])
    return out


def test_a_payment_closing_a_cycle_of_three_is_seen_with_its_path() -> None:
    engine = TypologyEngine()
    _feed(engine, [("A", "B", 0, 1000), ("B", "C", 1, 950)])
    a = engine.assess("C", "A", T0 + 2 * DAY, 900, payment_id="p2")
    assert a.features.cycle_len == 3
    assert a.features.cycle_path == ["C", "A", "B"]
    assert "cycle" in [s.code for s in a.signals]
    assert a.alert and a.score >= engine.p.threshold
    assert explain(a).startswith("typology risk ")


def test_paying_back_is_no_cycle_and_old_or_unordered_paths_are_not_cycles() -> None:
    engine = TypologyEngine()
    codes = _feed(engine, [("A", "B", 0, 1000), ("B", "A", 1, 1000)])
    assert "cycle" not in codes[1]  # two accounts paying each other back: ordinary
    # B -> C happens before A -> B: no cycle by default (payments must follow in time), one
    # when any cycle within the window counts
    for ordered, length in ((False, 3), (True, 0)):
        engine = TypologyEngine(TypologyParams(graph=GraphParams(cycle_ordered=ordered)))
        _feed(engine, [("B", "C", 0, 100), ("A", "B", 5, 100)])
        assert engine.assess("C", "A", T0 + 6 * DAY, 100).features.cycle_len == length
    engine = TypologyEngine()
    _feed(engine, [("A", "B", 0, 100), ("B", "C", 1, 100)])
    # beyond the graph's window the first payments are forgotten
    assert engine.assess("C", "A", T0 + 45 * DAY, 100).features.cycle_len == 0


def test_fan_in_is_relative_to_the_account_own_usual() -> None:
    engine = TypologyEngine()
    payers = [(f"S{i}", "HUB", 0.1 * i, 100.0) for i in range(6)]
    codes = _feed(engine, payers)
    assert "fan_in" in codes[-1] and "fan_in" not in codes[3]
    # a shop that has always had many payers: six in a week is its usual, no alert
    shop = TypologyEngine()
    history = [(f"C{i % 40}", "SHOP", i * 0.25, 50.0) for i in range(400)]
    codes = _feed(shop, history)
    assert "fan_in" not in codes[-1]


def test_scatter_gather_and_gather_scatter() -> None:
    engine = TypologyEngine()
    mids = ["M1", "M2", "M3"]
    plan = [("ORIG", m, 0.0, 1000.0) for m in mids] + [(m, "BENE", 1.0, 950.0) for m in mids]
    codes = _feed(engine, plan)
    assert "scatter_gather" in codes[-1]
    engine = TypologyEngine()
    plan = [(f"S{i}", "HUB", 0.0, 100.0) for i in range(3)] + [("HUB", f"R{i}", 1.0, 95.0) for i in range(3)]
    codes = _feed(engine, plan)
    assert "gather_scatter" in codes[-1]


def test_layering_chain_keeps_most_of_the_inflow() -> None:
    engine = TypologyEngine()
    codes = _feed(engine, [("A", "B", 0, 1000), ("B", "C", 0.5, 960), ("C", "D", 1, 930)])
    assert "layering" in codes[-1]
    a = engine.assess("D", "E", T0 + 1.5 * DAY, 50)  # keeps 5 % of its inflow: no layering
    assert "layering" not in [s.code for s in a.signals]


def test_dormant_account_wakes_up_with_a_large_payment() -> None:
    engine = TypologyEngine()
    _feed(engine, [("SLEEPER", f"X{i}", i * 2.0, 100.0) for i in range(5)])
    a = engine.assess("SLEEPER", "Y", T0 + 200 * DAY, 1000)
    assert "dormant_activation" in [s.code for s in a.signals]
    small = engine.assess("SLEEPER", "Y", T0 + 200 * DAY, 100)
    assert "dormant_activation" not in [s.code for s in small.signals]


def test_repeated_transfers_but_not_card_payments() -> None:
    engine = TypologyEngine()
    codes = _feed(engine, [("A", "B", 0.1 * i, 10.0) for i in range(3)])
    assert "repeated_transfers" in codes[-1]
    engine = TypologyEngine()
    for i in range(3):
        a = engine.assess("A", "SHOP", T0 + i * 3600, 10.0, "card")
        engine.add(f"c{i}", "A", "SHOP", T0 + i * 3600, 10.0, "card")
    assert "repeated_transfers" not in [s.code for s in a.signals]


def test_risk_towards_a_listed_account_two_hops_away() -> None:
    engine = TypologyEngine()
    _feed(engine, [("MULE", "LISTED", 0, 100)])
    engine.mark("LISTED", 1.0, T0, "screening match in payment X")
    a = engine.assess("DONOR", "MULE", T0 + DAY, 100)
    (s,) = [s for s in a.signals if s.code == "towards_listed"]
    assert s.detail["hops"] == 2 and s.detail["party"] == "LISTED"
    direct = engine.assess("DONOR", "LISTED", T0 + DAY, 100)
    assert [s.detail["hops"] for s in direct.signals if s.code == "towards_listed"] == [1]


def test_tf_corridor_counts_small_transfers_to_a_conflict_zone() -> None:
    engine = TypologyEngine(TypologyParams(conflict_zones={"SY"}))
    for i in range(3):
        ctx = Context(creditor_country="SY")
        a = engine.assess("DONOR", f"R{i}", T0 + i * 3600, 50.0, ctx=ctx)
        engine.add(f"p{i}", "DONOR", f"R{i}", T0 + i * 3600, 50.0, corridor=True)
    assert "tf_corridor" in [s.code for s in a.signals]
    assert a.extra["context"].corridor_count == 3


def test_cash_and_related_accounts() -> None:
    engine = TypologyEngine()
    for i in range(3):
        a = engine.assess("A", "ATM", T0 + i * 3600, 100.0, "cash")
        engine.add(f"p{i}", "A", "ATM", T0 + i * 3600, 100.0, "cash")
    assert "cash" in [s.code for s in a.signals]
    related = signals(engine.assess("A", "B", T0, 1.0).features,
                      Context(debtor_id="880101300123", creditor_id="880101300123"), TypologyParams())
    assert [s.code for s in related] == ["related_accounts"]


def test_combined_score_and_contributions() -> None:
    engine = TypologyEngine()
    _feed(engine, [("A", "B", 0, 1000), ("B", "C", 1, 960)])
    a = engine.assess("C", "A", T0 + 2 * DAY, 930)
    score, parts = combine(a.signals)
    assert abs(score - a.score) < 1e-9
    assert abs(sum(p["contribution"] for p in parts) - score) < 1e-3
    assert parts[0]["signal"] == "cycle"


def test_without_amounts_every_amount_reads_the_same() -> None:
    engine = TypologyEngine(use_amounts=False)
    _feed(engine, [("A", "B", 0, 1000), ("B", "C", 0.5, 3), ("C", "D", 1, 77777)])
    a = engine.assess("D", "E", T0 + 1.5 * DAY, 5)
    assert a.features.amount == 1.0 and "layering" in [s.code for s in a.signals]


def test_two_accounts_alerted_elsewhere_paying_each_other_for_the_first_time() -> None:
    engine = TypologyEngine()
    # X closes a cycle (alert on X), Y closes another (alert on Y)
    _feed(engine, [("X", "X1", 0, 100), ("X1", "X2", 0.2, 100), ("X2", "X", 0.4, 100),
                   ("Y", "Y1", 0, 100), ("Y1", "Y2", 0.2, 100), ("Y2", "Y", 0.4, 100)])
    assert {"X2", "Y2"} <= set(engine._suspects)
    a = engine.assess("X2", "Y2", 2 * DAY + T0, 100)
    assert "between_suspects" in [s.code for s in a.signals] and a.alert
    engine.add("first", "X2", "Y2", 2 * DAY + T0, 100)
    # the second payment between them is no news
    again = engine.assess("X2", "Y2", 3 * DAY + T0, 100)
    assert "between_suspects" not in [s.code for s in again.signals]


def test_parameters_from_the_rules_file() -> None:
    import pytest

    from tizim.errors import InputError

    p = TypologyParams.from_config({"cycle_ordered": True, "fan_min": 4, "threshold": 0.6,
                                    "conflict_zones": "zones"}, "rules.yaml", {"zones": {"SY"}})
    assert p.graph.cycle_ordered is True and p.fan_min == 4 and p.threshold == 0.6 and p.conflict_zones == {"SY"}
    for bad in ({"bogus": 1}, {"fan_min": "many"}, {"cycle_ordered": "yes"}, {"conflict_zones": "nowhere"}):
        with pytest.raises(InputError):
            TypologyParams.from_config(bad, "rules.yaml", {})


def test_several_senders_paying_one_account_the_same_amount() -> None:
    engine = TypologyEngine()
    codes = _feed(engine, [(f"S{i}", "HUB", i * 1.0, 4.85) for i in range(3)])
    assert "same_amounts" in codes[-1] and "same_amounts" not in codes[1]
    engine = TypologyEngine()
    codes = _feed(engine, [(f"S{i}", "HUB", i * 1.0, 100.0 + 10 * i) for i in range(3)])
    assert "same_amounts" not in codes[-1]


def test_a_cycle_in_any_order_within_cycle_days_names_its_payments() -> None:
    engine = TypologyEngine()
    # AMLSim schedules a cycle's payments in any order within its period
    _feed(engine, [("B", "C", 0, 10.27), ("D", "A", 1, 10.27), ("A", "B", 3, 10.27)])
    a = engine.assess("C", "D", T0 + 6 * DAY, 10.27)
    assert a.features.cycle_len == 4 and a.features.cycle_span_days == 6.0
    assert a.features.cycle_amount_spread == 1.0
    assert set(a.members) == {("C", "D", T0 + 6 * DAY), ("D", "A", T0 + DAY), ("A", "B", T0 + 3 * DAY),
                              ("B", "C", T0)}
    # the same payments spread over more than cycle_days (10) are no cycle
    engine = TypologyEngine()
    _feed(engine, [("B", "C", 0, 10.0), ("D", "A", 1, 10.0), ("A", "B", 3, 10.0)])
    assert engine.assess("C", "D", T0 + 12 * DAY, 10.0).features.cycle_len == 0


def test_one_amount_to_several_new_receivers_but_not_to_usual_payees() -> None:
    engine = TypologyEngine()
    codes = _feed(engine, [("D", f"OLD{i}", i, 50.0 + 13 * i) for i in range(6)]
                  + [("D", f"NEW{i}", 20 + i * 0.2, 333.0) for i in range(3)])
    assert "same_amounts_out" in codes[-1] and "same_amounts_out" not in codes[-2]
    # a payroll: the same sum to the same payees as last week and the week before
    payroll = TypologyEngine()
    rounds = [("PAY", f"E{k}", week * 7 + k * 0.01, 333.0) for week in range(3) for k in range(4)]
    codes = _feed(payroll, rounds)
    assert not any("same_amounts_out" in c for c in codes[4:])


def test_same_amounts_tolerance_is_a_parameter() -> None:
    payments = [(f"S{i}", "HUB", i * 1.0, 100.0 + 4 * i) for i in range(3)]
    assert "same_amounts" not in _feed(TypologyEngine(), payments)[-1]
    wide = TypologyEngine(TypologyParams(graph=GraphParams(same_tolerance=0.1)))
    codes = _feed(wide, payments)
    assert "same_amounts" in codes[-1]


def test_accounts_named_in_an_alerted_cycle_are_watched_once_per_watch_days() -> None:
    engine = TypologyEngine()
    codes = _feed(engine, [("A", "B", 0, 1000), ("B", "C", 1, 950), ("C", "A", 2, 900)])
    assert "cycle" in codes[-1]
    # 40 days on, B (named in the cycle, not the payment that closed it) pays a newcomer:
    # observed again, the alert on B; X and Y were never in a pattern
    a = engine.assess("B", "X", T0 + 40 * DAY, 120, payment_id="p3")
    engine.add("p3", "B", "X", T0 + 40 * DAY, 120)
    assert a.alert and [s.code for s in a.signals] == ["watched"] and a.role == "debtor"
    assert "alert p2" in a.signals[0].reason
    # within watch_days of that alert B is not observed again; an unrelated pair never is
    assert not engine.assess("B", "Y", T0 + 45 * DAY, 80).alert
    assert not engine.assess("X", "Y", T0 + 45 * DAY, 80).alert
    # a creditor is watched too, and the mark lapses after risk_days (90)
    assert engine.assess("Y", "C", T0 + 50 * DAY, 80).signals[0].detail["role"] == "creditor"
    assert not engine.assess("Y", "A", T0 + 95 * DAY, 80).alert
    # off with watch_weight 0
    quiet = TypologyEngine(TypologyParams(watch_weight=0.0))
    _feed(quiet, [("A", "B", 0, 1000), ("B", "C", 1, 950), ("C", "A", 2, 900)])
    assert not quiet.assess("B", "X", T0 + 40 * DAY, 120).alert
