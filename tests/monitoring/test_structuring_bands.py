"""Two structuring rules keep separate histories (issue 17: one counted the other's payments)."""

from __future__ import annotations

from decimal import Decimal

from tizim.monitoring.model import Party, Payment
from tizim.monitoring.rules import History, RuleSet, Seen


def _rules() -> RuleSet:
    return RuleSet({"rules": [
        {"type": "structuring", "id": "low", "threshold": 1000, "margin": 0.1, "window_hours": 72, "min_count": 3},
        {"type": "structuring", "id": "high", "threshold": 100000, "margin": 0.1, "window_hours": 72, "min_count": 3},
    ]})


def _pay(i: int, amount: int) -> Payment:
    return Payment(amount=Decimal(amount), currency="KZT", explicit_id=f"p{i}",
                   created_at=f"2026-01-01T0{i}:00:00+00:00", debtor=Party(account="KZ1"), creditor=Party(account="KZ2"))


def _run(rules: RuleSet, amounts: list[int]) -> list[list[str]]:
    history = History()
    fired = []
    for i, amount in enumerate(amounts):
        p = _pay(i, amount)
        ts = 1767225600.0 + i * 3600
        fired.append([h.rule for h in rules.evaluate(p, float(amount), ts, history)])
        history.add(Seen(p.payment_id, "acct:KZ1", "acct:KZ2", ts, float(amount)), rules)
    return fired


def test_each_structuring_rule_counts_its_own_band() -> None:
    rules = _rules()
    # two payments in the low band, then one in the high band: neither rule has three
    assert _run(rules, [950, 960, 95000]) == [[], [], []]
    # a third payment in the low band fires the low rule only
    assert _run(rules, [950, 960, 95000, 970])[-1] == ["low"]


def test_rules_with_one_id_still_count_separately() -> None:
    rules = RuleSet({"rules": [
        {"type": "structuring", "threshold": 1000, "margin": 0.1, "min_count": 2},
        {"type": "structuring", "threshold": 100000, "margin": 0.1, "min_count": 2},
    ]})
    assert _run(rules, [950, 95000]) == [[], []]
    assert _run(rules, [950, 95000, 99000])[-1] == ["structuring"]
