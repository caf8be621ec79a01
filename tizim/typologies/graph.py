"""The account graph, kept as payments are decided.

Every payment (debtor account -> creditor account, time, amount, instrument) is added once,
after its decision; every feature of a payment is read *before* it is added, from payments
decided earlier only (causal: what the monitor knew at that moment). Per account the graph
keeps its recent incoming and outgoing payments (a sliding window, `window_days`), lifetime
counters (first seen, last seen, number of payments, the typical gap between its payments,
its typical amount) and a risk carried over from earlier decisions (a screening match, a
frozen payment, an earlier typology alert).

Multi-hop questions (does this payment close a directed cycle? how long is the chain of
payments it continues? how far is the creditor from a listed party?) are answered by a
bounded search over the window: at most `max_cycle` hops and `max_expand` accounts expanded
per payment, so one payment costs the same however large the book.
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from dataclasses import dataclass, field

DAY = 86400.0


@dataclass
class GraphParams:
    window_days: float = 30.0  # how long the graph remembers a payment
    short_days: float = 7.0  # velocity window: distinct counterparties, volumes
    max_cycle: int = 5  # longest cycle looked for (payments)
    cycle_ordered: bool = False  # True: only cycles whose payments follow each other in time
    cycle_days: float = 10.0  # a cycle's payments all fall within this many days before the closing one
    max_chain: int = 5  # longest chain of onward payments looked for
    same_tolerance: float = 0.02  # amounts within this share of each other count as the same
    amount_spread_floor: float = 0.1  # least spread of log amounts an account's history is read with
    chain_hours: float = 240.0  # an onward payment continues a chain when sent within this after the inflow
    max_expand: int = 200  # accounts expanded per search
    risk_hops: int = 2  # hops searched for a risky (listed, frozen, alerted) account
    risk_days: float = 90.0  # how long a risk mark lasts


@dataclass
class _Account:
    __slots__ = ("first", "last", "n", "n_in", "n_out", "gap_sum", "gap_n", "amt_log_sum", "amt_n", "ins", "outs",
                 "risk", "risk_ts", "risk_why", "max_gap", "amt_log_sq")
    first: float
    last: float
    n: int
    n_in: int
    n_out: int
    gap_sum: float
    gap_n: int
    amt_log_sum: float
    amt_n: int
    ins: deque[tuple[float, str, float, str]]
    outs: deque[tuple[float, str, float, str]]
    risk: float
    risk_ts: float
    risk_why: str
    max_gap: float
    amt_log_sq: float  # sum of squared log amounts paid: the spread of its own amounts


def _new(ts: float) -> _Account:
    return _Account(ts, ts, 0, 0, 0, 0.0, 0, 0.0, 0, deque(), deque(), 0.0, 0.0, "", 0.0, 0.0)


@dataclass
class Features:
    """What the graph says about one payment (read before the payment is added)."""

    debtor: str | None
    creditor: str | None
    ts: float
    amount: float | None
    instrument: str
    cycle_len: int = 0  # shortest directed cycle this payment closes (0: none)
    cycle_path: list[str] = field(default_factory=list)
    cycle_span_days: float = 0.0  # from the cycle's first payment to this one
    cycle_amount_spread: float | None = None  # largest / smallest amount along the cycle
    chain_len: int = 1  # payments in the time-ordered chain this payment ends (1: it starts one)
    chain_keep: float | None = None  # this amount / the inflow it forwards (layering keeps most of it)
    passthrough_hours: float | None = None  # hours since the debtor's matching inflow
    fan_in: int = 0  # distinct senders into the creditor, short window, this one included
    fan_out: int = 0  # distinct receivers from the debtor, short window, this one included
    debtor_fan_in: int = 0  # distinct senders into the debtor, short window
    creditor_fan_out: int = 0  # distinct receivers from the creditor, short window
    common_source: int = 0  # creditor's recent senders fed by one common source (scatter-gather)
    same_amount_senders: int = 0  # distinct senders paying the creditor this amount (+-2 %), short window
    same_amount_receivers: int = 0  # distinct receivers the debtor paid this amount (+-2 %), short window
    # the payments (debtor, creditor, time) of the patterns seen, by feature: what an alert names
    members: dict[str, list[tuple[str, str, float]]] = field(default_factory=dict)
    repeat_pair: int = 0  # earlier payments debtor -> creditor in the window
    reciprocal: bool = False  # creditor paid the debtor in the window
    debtor_out_volume: float = 0.0  # debtor's outgoing volume, short window, this one included
    debtor_in_volume: float = 0.0  # debtor's incoming volume, short window
    debtor_out_count: int = 0
    debtor_in_count: int = 0
    volume_ratio: float | None = None  # debtor's short-window outflow / its usual outflow per short window
    amount_ratio: float | None = None  # this amount / the debtor's typical (geometric mean) amount
    amount_z: float | None = None  # |log amount - its mean| / the spread of the debtor's own log amounts
    debtor_age_days: float | None = None  # since the debtor was first seen (None: new)
    debtor_gap_days: float | None = None  # since the debtor's previous payment
    debtor_usual_gap_days: float | None = None
    debtor_payments: int = 0  # lifetime payments of the debtor before this one
    creditor_payments: int = 0
    creditor_new: bool = True
    creditor_age_days: float | None = None  # since the creditor was first seen (None: new)
    creditor_seen_after_days: float = 0.0  # how long the graph had watched before it first saw the creditor
    debtor_counterparties: int = 0  # distinct accounts the debtor paid or was paid by, short window
    creditor_counterparties: int = 0
    risk_hops: int = 0  # hops from the creditor (or debtor) to a risky account (0: none found)
    risk_party: str | None = None
    risk_why: str = ""
    cash_count: int = 0  # debtor's cash/crypto payments in the short window, this one included
    cash_volume: float = 0.0


def _recent(events: deque[tuple[float, str, float, str]], since: float, ts: float) -> set[str]:
    """The counterparties of the events between since and ts (events sorted by time)."""
    found: set[str] = set()
    for t, other, _, _ in reversed(events):
        if t < since:
            break
        if t <= ts:
            found.add(other)
    return found


class AccountGraph:
    """In-memory, incremental; restored from stored payments by the engine (see engine.py)."""

    def __init__(self, params: GraphParams | None = None) -> None:
        self.p = params or GraphParams()
        self.accounts: dict[str, _Account] = {}
        self.ids: set[str] = set()
        self.window = self.p.window_days * DAY
        self.short = self.p.short_days * DAY
        self.latest = 0.0
        self.earliest = math.inf  # the oldest payment the graph was given (restored ones included)
        self.marked = 0  # accounts carrying risk (no search while there are none)

    def __len__(self) -> int:
        return len(self.accounts)

    # ---- state --------------------------------------------------------------------------

    def _prune(self, a: _Account, now: float) -> None:
        horizon = now - self.window
        ins, outs = a.ins, a.outs
        while ins and ins[0][0] < horizon:
            ins.popleft()
        while outs and outs[0][0] < horizon:
            outs.popleft()

    def add(self, payment_id: str, debtor: str | None, creditor: str | None, ts: float,
            amount: float | None, instrument: str = "transfer") -> None:
        """Record a decided payment (once per id)."""
        if payment_id in self.ids:
            return
        self.ids.add(payment_id)
        self.latest = max(self.latest, ts)
        self.earliest = min(self.earliest, ts)
        amt = float(amount) if amount is not None else 0.0
        for key, other, direction in ((debtor, creditor, "out"), (creditor, debtor, "in")):
            if key is None:
                continue
            a = self.accounts.get(key)
            if a is None:
                a = self.accounts[key] = _new(ts)
            elif ts > a.last:
                gap = ts - a.last
                a.gap_sum += gap
                a.gap_n += 1
                a.max_gap = max(a.max_gap, gap)
            a.first = min(a.first, ts)
            a.last = max(a.last, ts)
            a.n += 1
            if direction == "out":
                a.n_out += 1
            else:
                a.n_in += 1
            if direction == "out" and amount is not None and amount > 0:
                log = math.log(amount)
                a.amt_log_sum += log
                a.amt_log_sq += log * log
                a.amt_n += 1
            events = a.outs if direction == "out" else a.ins
            item = (ts, other or "", amt, instrument)
            if not events or events[-1][0] <= ts:
                events.append(item)
            else:  # out of order: keep the window sorted
                as_list = list(events)
                bisect.insort(as_list, item)
                events.clear()
                events.extend(as_list)
            self._prune(a, self.latest)

    def mark(self, key: str | None, risk: float, ts: float, why: str) -> None:
        """Carry risk on an account (a listed party, a frozen payment, an alert)."""
        if not key:
            return
        a = self.accounts.get(key)
        if a is None:
            a = self.accounts[key] = _new(ts)
        if not a.risk:
            self.marked += 1
        if risk >= a.risk or ts - a.risk_ts > self.p.risk_days * DAY:
            a.risk, a.risk_ts, a.risk_why = risk, ts, why

    def risk_of(self, key: str | None, ts: float) -> tuple[float, str]:
        a = self.accounts.get(key) if key else None
        if a is None or not a.risk or ts - a.risk_ts > self.p.risk_days * DAY:
            return 0.0, ""
        return a.risk, a.risk_why

    # ---- features -----------------------------------------------------------------------

    def features(self, debtor: str | None, creditor: str | None, ts: float, amount: float | None,
                 instrument: str = "transfer") -> Features:
        f = Features(debtor, creditor, ts, amount, instrument)
        d = self.accounts.get(debtor) if debtor else None
        c = self.accounts.get(creditor) if creditor else None
        since = ts - self.short
        horizon = ts - self.window
        if d is not None:
            f.debtor_age_days = (ts - d.first) / DAY
            f.debtor_gap_days = (ts - d.last) / DAY if ts >= d.last else 0.0
            f.debtor_usual_gap_days = (d.gap_sum / d.gap_n / DAY) if d.gap_n else None
            f.debtor_payments = d.n
            receivers = {creditor} if creditor else set()
            tol = self.p.same_tolerance
            low, high = (amount or 0.0) * (1 - tol), (amount or 0.0) * (1 + tol)
            same_out: dict[str, float] = {creditor: ts} if creditor and amount else {}
            out_volume = amount or 0.0
            out_count = 1
            cash = 1 if instrument in ("cash", "crypto") else 0
            cash_volume = (amount or 0.0) if cash else 0.0
            paid_before: set[str] = set()  # receivers paid before the short window
            for t, other, amt, instr in reversed(d.outs):
                if t < since:
                    if t >= horizon:
                        paid_before.add(other)
                        if other == creditor:
                            f.repeat_pair += 1
                    continue
                if t > ts:
                    continue
                receivers.add(other)
                if amount and low <= amt <= high and other not in same_out:
                    same_out[other] = t
                out_volume += amt
                out_count += 1
                if instr in ("cash", "crypto"):
                    cash += 1
                    cash_volume += amt
                if other == creditor:
                    f.repeat_pair += 1
            f.fan_out = len(receivers)
            # new receivers only: paying one's usual payees alike (salaries, rent) is ordinary
            for r in paid_before & same_out.keys():
                del same_out[r]
            f.same_amount_receivers = len(same_out)
            if len(same_out) > 1 and debtor:
                f.members["same_out"] = [(debtor, r, t) for r, t in same_out.items()]
            f.debtor_out_volume = out_volume
            f.debtor_out_count = out_count
            f.cash_count, f.cash_volume = cash, cash_volume
            senders: set[str] = set()
            in_volume = 0.0
            for t, other, amt, _ in reversed(d.ins):
                if t < since:
                    if t >= horizon and other == creditor:
                        f.reciprocal = True
                    continue
                if t > ts:
                    continue
                senders.add(other)
                in_volume += amt
                f.debtor_in_count += 1
                if other == creditor:
                    f.reciprocal = True
            f.debtor_fan_in = len(senders)
            f.debtor_counterparties = len(senders | receivers)
            f.debtor_in_volume = in_volume
            if d.amt_n and amount:
                mean = d.amt_log_sum / d.amt_n
                f.amount_ratio = amount / math.exp(mean)
                spread = math.sqrt(max(d.amt_log_sq / d.amt_n - mean * mean, 0.0))
                f.amount_z = abs(math.log(amount) - mean) / max(spread, self.p.amount_spread_floor)
            span = max(ts - d.first, self.short)
            if d.n and amount is not None:
                usual = (d.amt_n and math.exp(d.amt_log_sum / d.amt_n) or 0.0) * d.amt_n * self.short / span
                f.volume_ratio = out_volume / usual if usual > 0 else None
            self._chain(f, d, ts)
        if c is not None:
            f.creditor_payments = c.n
            f.creditor_new = False
            c_senders = _recent(c.ins, since, ts)
            f.fan_in = len(c_senders | ({debtor} if debtor else set()))
            if amount and creditor:
                tol = self.p.same_tolerance
                low, high = amount * (1 - tol), amount * (1 + tol)
                same = {other: t for t, other, amt, _ in c.ins if since <= t <= ts and low <= amt <= high}
                if debtor:
                    same[debtor] = ts
                f.same_amount_senders = len(same)
                if len(same) > 1:
                    f.members["same_in"] = [(s, creditor, t) for s, t in same.items()]
            c_receivers = _recent(c.outs, since, ts)
            f.creditor_fan_out = len(c_receivers)
            f.creditor_counterparties = len(c_senders | c_receivers | ({debtor} if debtor else set()))
            f.creditor_age_days = (ts - c.first) / DAY
            f.creditor_seen_after_days = (c.first - self.earliest) / DAY
            f.common_source = self._common_source(c, debtor, ts)
        else:
            f.fan_in = 1
            f.creditor_seen_after_days = (ts - self.earliest) / DAY if self.accounts else 0.0
        if debtor and creditor and c is not None and d is not None:
            self._cycle(f, debtor, creditor, ts)
        self._risk_near(f, debtor, creditor, ts)
        return f

    def _cycle(self, f: Features, debtor: str, creditor: str, ts: float) -> None:
        """Shortest path creditor -> ... -> debtor among the payments of the last `cycle_days`
        (time-ordered when `cycle_ordered`): with this payment it closes a directed cycle
        (round-tripping). Breadth first from the creditor, each account reached at its
        earliest arrival; the last hop is read from the debtor's own inflows, so a cycle of n
        payments expands only n - 2 levels. The cycle's span and amount spread are kept."""
        horizon = ts - min(self.p.cycle_days, self.p.window_days) * DAY
        d = self.accounts.get(debtor)
        if d is None:
            return
        last_in: dict[str, tuple[float, float]] = {}  # sender -> its latest payment into the debtor
        for t, other, amt, _ in d.ins:
            if horizon <= t <= ts and other and other != debtor:
                last_in[other] = (t, amt)
        if not last_in:
            return
        arrival: dict[str, float] = {creditor: horizon}
        parent: dict[str, tuple[str, float, float]] = {}  # account -> (parent, time, amount) of the edge
        frontier = [creditor]
        expanded = 0
        for level in range(0, self.p.max_cycle - 1):
            nxt: list[str] = []
            for node in frontier:
                last = last_in.get(node)
                if last is not None and (last[0] >= arrival[node] or not self.p.cycle_ordered):
                    path = [node]
                    times, amounts = [ts, last[0]], [f.amount or 0.0, last[1]]
                    edges = [(debtor, creditor, ts), (node, debtor, last[0])]
                    while path[-1] != creditor and len(path) < self.p.max_cycle:
                        up, t, amt = parent[path[-1]]
                        edges.append((up, path[-1], t))
                        path.append(up)
                        times.append(t)
                        amounts.append(amt)
                    f.members["cycle"] = edges
                    f.cycle_len = level + 2
                    f.cycle_path = [debtor, *reversed(path)]
                    f.cycle_span_days = (ts - min(times)) / DAY
                    if min(amounts) > 0:
                        f.cycle_amount_spread = max(amounts) / min(amounts)
                    return
                if level == self.p.max_cycle - 2:
                    continue
                a = self.accounts.get(node)
                if a is None:
                    continue
                expanded += 1
                if expanded > self.p.max_expand:
                    return
                start = arrival[node] if self.p.cycle_ordered else horizon
                for t, other, amt, _ in a.outs:
                    if t < start or t > ts or not other or other in (debtor, creditor):
                        continue
                    known = arrival.get(other)
                    if known is None:
                        nxt.append(other)
                        arrival[other] = t
                        parent[other] = (node, t, amt)  # set once: the parents form a tree
                    elif t < known:
                        arrival[other] = t
            frontier = nxt
            if not frontier:
                return

    def _chain(self, f: Features, d: _Account, ts: float) -> None:
        """The time-ordered chain this payment continues: the debtor's latest inflow before
        it (within chain_hours), that sender's latest inflow before that, and so on."""
        limit = self.p.chain_hours * 3600
        node, before = d, ts
        length = 1
        first = True
        seen: set[int] = {id(d)}
        while length < self.p.max_chain:
            inflow = None
            for t, other, amt, _ in reversed(node.ins):
                if t <= before and before - t <= limit:
                    inflow = (t, other, amt)
                    break
                if t < before - limit:
                    break
            if inflow is None:
                break
            if first:
                first = False
                f.passthrough_hours = (ts - inflow[0]) / 3600
                if f.amount and inflow[2] > 0:
                    f.chain_keep = f.amount / inflow[2]
            length += 1
            nxt = self.accounts.get(inflow[1])
            if nxt is None or id(nxt) in seen:
                break
            seen.add(id(nxt))
            node, before = nxt, inflow[0]
        f.chain_len = length

    def _common_source(self, c: _Account, debtor: str | None, ts: float) -> int:
        """Scatter-gather: how many of the creditor's recent senders (this debtor included)
        were themselves paid by one common source in the window."""
        since = ts - self.short
        senders = {other for t, other, _, _ in c.ins if since <= t <= ts}
        if debtor:
            senders.add(debtor)
        if len(senders) < 2:
            return 0
        counts: dict[str, int] = {}
        for s in list(senders)[: self.p.max_expand]:
            a = self.accounts.get(s)
            if a is None:
                continue
            sources = {other for t, other, _, _ in a.ins if ts - self.window <= t <= ts and other}
            for src in sources:
                counts[src] = counts.get(src, 0) + 1
        return max(counts.values(), default=0)

    def _risk_near(self, f: Features, debtor: str | None, creditor: str | None, ts: float) -> None:
        """Hops from the creditor (funds moving towards) or the debtor to a risky account."""
        if not self.marked:
            return
        for key in (creditor, debtor):
            risk, why = self.risk_of(key, ts)
            if risk:
                f.risk_hops, f.risk_party, f.risk_why = 1, key, why
                return
        if self.p.risk_hops < 2 or creditor is None:
            return
        frontier = [creditor]
        seen = {creditor}
        expanded = 0
        horizon = ts - self.window
        for hops in range(2, self.p.risk_hops + 1):
            nxt = []
            for node in frontier:
                a = self.accounts.get(node)
                if a is None:
                    continue
                expanded += 1
                if expanded > self.p.max_expand:
                    return
                for t, other, _, _ in a.outs:
                    if t < horizon or not other or other in seen:
                        continue
                    seen.add(other)
                    risk, why = self.risk_of(other, ts)
                    if risk:
                        f.risk_hops, f.risk_party, f.risk_why = hops, other, why
                        return
                    nxt.append(other)
            frontier = nxt
