"""A small AMLSim-like generator (AMLSim itself needs Java and downloads): accounts with
AMLSim's normal behaviours and its eight laundering typologies, amounts that overlap.

Normal behaviour (AMLSim's normal models): one-off payments to counterparties chosen by
popularity (heavy-tailed degrees), fan-out (a payer of several fixed payees, periodically),
fan-in (a payee of several fixed payers), mutual (a pair paying each other back), forward
(received funds passed on within days: normal pass-through) and periodical (one pair, one
period). Laundering (AMLSim's typologies): fan_out, fan_in, cycle, bipartite, stack, random,
scatter_gather, gather_scatter; members drawn with a bias to well-connected accounts (as
AMLSim picks candidates by degree), each hop forwarding 90-99 % of what it received,
spread over a pattern period; laundering accounts keep their normal behaviour too.

    generate(seed, accounts=6_000, days=150, patterns=100, kinds=None, models=..., hop_amounts="split") -> Run

`hop_amounts="normal"` with a normal model on most accounts is the AMLSim-like setting the
bench uses since 2026-12-02 (AMLSim's alert patterns draw their amounts from the normal range);
the defaults reproduce the first generator's runs (seeds 1, 2, 20261202 of the earlier table).

Only numpy; deterministic for a seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

KINDS = ("fan_out", "fan_in", "cycle", "bipartite", "stack", "random", "scatter_gather", "gather_scatter")


@dataclass
class Run:
    # (day as float, sender, receiver, amount, is_laundering, kind: "normal" or "<typology>#<pattern>")
    payments: list[tuple[float, int, int, float, int, str]]
    laundering_accounts: set[int] = field(default_factory=set)
    accounts: int = 0
    days: int = 0


def generate(seed: int, accounts: int = 6_000, days: int = 150, patterns: int = 100,
             kinds: tuple[str, ...] | None = None, period: tuple[int, int] = (5, 30),
             amount_mu: float = 5.5, amount_sigma: float = 0.9, activity: float = 0.02,
             models: tuple[float, ...] = (0.45, 0.1, 0.1, 0.1, 0.15, 0.1), hop_amounts: str = "split") -> Run:
    """`models`: shares of accounts with no model, fan-out, fan-in, mutual, forward, periodical.
    `hop_amounts`: "split" spreads one larger sum over the pattern (the first generator);
    "normal" draws each pattern's amount from the normal range, as AMLSim does (an alert
    pattern's min/max amount is the normal one; a cycle passes one amount on, less a margin)."""
    rng = np.random.default_rng(seed)
    kinds = kinds or KINDS
    pop = rng.pareto(1.6, accounts) + 1.0
    pop = pop / pop.sum()
    out: list[tuple[float, int, int, float, int, str]] = []

    def amt(n: int = 1) -> np.ndarray:
        return np.round(np.exp(rng.normal(amount_mu, amount_sigma, n)), 2)

    def pick(n: int, exclude: int | None = None) -> np.ndarray:
        chosen = rng.choice(accounts, size=n, p=pop)
        if exclude is not None:
            chosen = np.where(chosen == exclude, (chosen + 1) % accounts, chosen)
        return chosen

    def when() -> float:
        return float(rng.uniform(0, days))

    # one-off payments
    n_single = int(accounts * days * activity)
    senders = rng.integers(0, accounts, n_single)
    receivers = pick(n_single)
    receivers = np.where(receivers == senders, (receivers + 7) % accounts, receivers)
    times = rng.uniform(0, days, n_single)
    amounts = amt(n_single)
    out += [(float(t), int(s), int(r), float(a), 0, "normal") for t, s, r, a in zip(times, senders, receivers, amounts, strict=False)]
    model = rng.choice(6, size=accounts, p=list(models))
    for acct in range(accounts):
        m = model[acct]
        if m == 0:
            continue
        per = int(rng.integers(14, 45))
        start = float(rng.uniform(0, per))
        steps = np.arange(start, days, per)
        if m == 1:  # fan-out payer (payroll, suppliers)
            payees = pick(int(rng.integers(3, 8)), acct)
            base = amt(len(payees))
            for t in steps:
                for p, a in zip(payees, base, strict=False):
                    out.append((float(t + rng.uniform(0, 1)), acct, int(p), float(a * rng.uniform(0.9, 1.1)), 0, "normal"))
        elif m == 2:  # fan-in payee (a shop, a landlord)
            payers = pick(int(rng.integers(3, 8)), acct)
            base = amt(len(payers))
            for t in steps:
                for p, a in zip(payers, base, strict=False):
                    out.append((float(t + rng.uniform(0, 3)), int(p), acct, float(a * rng.uniform(0.9, 1.1)), 0, "normal"))
        elif m == 3:  # mutual: a pair paying each other back
            other = int(pick(1, acct)[0])
            for t in steps:
                a = float(amt()[0])
                out.append((float(t), acct, other, a, 0, "normal"))
                out.append((float(t + rng.uniform(1, 10)), other, acct, a * float(rng.uniform(0.95, 1.05)), 0, "normal"))
        elif m == 4:  # forward: passes on what it receives
            src, dst = int(pick(1, acct)[0]), int(pick(1, acct)[0])
            for t in steps:
                a = float(amt()[0])
                out.append((float(t), src, acct, a, 0, "normal"))
                out.append((float(t + rng.uniform(0.1, 3)), acct, dst, a * float(rng.uniform(0.9, 1.0)), 0, "normal"))
        elif m == 5:  # periodical: one pair, one period
            other = int(pick(1, acct)[0])
            a = float(amt()[0])
            for t in steps:
                out.append((float(t), acct, other, a * float(rng.uniform(0.98, 1.02)), 0, "normal"))
    laundering: set[int] = set()
    for i in range(patterns):
        kind = kinds[i % len(kinds)]
        size = int(rng.integers(4, 11))
        members = [int(x) for x in dict.fromkeys(pick(size * 2).tolist())][:size]
        if len(members) < 4:
            continue
        laundering.update(members)
        t0 = float(rng.uniform(0, days - period[1]))
        span = float(rng.uniform(*period))
        amount = float(amt()[0]) * size / 2  # spread over the members: each hop's amount overlaps normal ones
        if hop_amounts == "normal":
            amount = float(amt()[0])  # AMLSim: each hop's amount in the normal range
        # TigerGraph's alerts: 232 of 391 patterns pay one amount, the others amounts within ~30 %
        one_amount = hop_amounts == "normal" and bool(rng.random() < 0.6)

        def part(n: float, amount: float = amount, one: bool = one_amount) -> float:
            if hop_amounts != "normal":
                return amount / n
            return amount if one else amount * float(rng.uniform(0.75, 1.25))

        def hop(s: int, r: int, t: float, a: float, label: str = f"{kind}#{i}") -> None:
            out.append((min(t, days - 0.01), s, r, round(a, 2), 1, label))

        def keep() -> float:
            return float(rng.uniform(0.9, 0.99))

        def tt(frac: float, t0: float = t0, span: float = span) -> float:
            return t0 + span * frac + float(rng.uniform(0, 0.5))

        if kind == "fan_out":
            for j, r in enumerate(members[1:]):
                hop(members[0], r, tt(j / size), part(size - 1))
        elif kind == "fan_in":
            for j, s in enumerate(members[1:]):
                hop(s, members[0], tt(j / size), part(size - 1))
        elif kind == "cycle":
            a = amount
            for j in range(size):
                hop(members[j], members[(j + 1) % size], tt(j / size), a)
                a *= keep()
        elif kind == "bipartite":
            half = size // 2
            for s in members[:half]:
                for r in members[half:]:
                    hop(s, r, tt(float(rng.uniform(0, 1))), part(half * (size - half)))
        elif kind == "stack":
            third = max(size // 3, 1)
            layers = [members[:third], members[third:2 * third], members[2 * third:]]
            for li in range(2):
                for s in layers[li]:
                    for r in layers[li + 1]:
                        hop(s, r, tt(li / 2 + float(rng.uniform(0, 0.4))), part(6) * keep() ** li)
        elif kind == "random":
            cur = members[0]
            a = amount
            for j in range(size * 2):
                nxt = members[int(rng.integers(0, size))]
                if nxt == cur:
                    continue
                hop(cur, nxt, tt(j / (size * 2)), a)
                a *= keep()
                cur = nxt
        elif kind == "scatter_gather":
            orig, bene, mids = members[0], members[-1], members[1:-1]
            for m in mids:
                a = part(len(mids))
                hop(orig, m, tt(float(rng.uniform(0, 0.4))), a)
                hop(m, bene, tt(float(rng.uniform(0.5, 1.0))), a * keep())
        elif kind == "gather_scatter":
            hub = members[0]
            half = (size - 1) // 2
            origs, benes = members[1:1 + half], members[1 + half:]
            for s in origs:
                hop(s, hub, tt(float(rng.uniform(0, 0.4))), part(len(origs)))
            for r in benes:
                hop(hub, r, tt(float(rng.uniform(0.5, 1.0))), part(len(benes)) * keep())
    out.sort(key=lambda x: x[0])
    return Run(out, laundering, accounts, days)
