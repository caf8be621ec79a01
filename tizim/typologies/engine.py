"""The typology engine: the account graph plus the typology rules and the risk score.

`assess` reads a payment's features from the graph (payments decided before it only) and
scores them; `add` records the payment once decided. The monitor's Decider calls `observe`
(both, for one Payment) and `sync` (at the start of each batch: payments other processes
decided since, and on first use the stored window, so a restart keeps its memory). The
engine works the same without a database: the bench and `tizim typologies train` drive it
directly with plain accounts and times.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from tizim.typologies.graph import DAY, AccountGraph, Features
from tizim.typologies.profile import PeerStats, Profile, load_profiles, profile_signals
from tizim.typologies.rules import Context, Signal, TypologyParams, combine, signals

# The party an alert concerns, by its strongest signal (the case is opened on that party).
ROLE = {"fan_in": "creditor", "scatter_gather": "creditor", "towards_listed": "creditor",
        "same_amounts": "creditor", "profile_mule": "creditor"}
# Window signals and the side of the window they read: (inflows, outflows of the debtor)
_WINDOW_SIDES = {"fan_in": (True, False), "profile_mule": (True, False), "scatter_gather": (True, False),
                 "fan_out": (False, True), "gather_scatter": (True, True), "profile_business": (True, True)}


def ins_of(s: Signal, debtor: str | None, creditor: str | None) -> str | None:
    """Whose inflows a window signal read: the debtor's for a hub (gather-scatter) or a
    debtor-side profile signal, else the creditor's."""
    if s.code == "gather_scatter" or s.detail.get("role") == "debtor":
        return debtor
    return creditor


# Signals whose alert names a pattern's own accounts (watched afterwards)
_PATTERN_SIGNALS = frozenset({"cycle", "same_amounts", "scatter_gather", "repeated_transfers"})
# Pattern signals an account carries on to its other payments for the window (the rest are
# about one payment or one party's own behaviour)
_ACCOUNT_EVIDENCE = ("cycle", "repeated_transfers", "fan_in", "fan_out", "scatter_gather", "gather_scatter",
                     "layering")


@dataclass
class Assessment:
    score: float
    signals: list[Signal]
    contributions: list[dict[str, Any]]
    features: Features
    model_score: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def alert(self) -> bool:
        return bool(self.extra.get("alert"))

    @property
    def members(self) -> list[tuple[str, str, float]]:
        """The payments (debtor, creditor, time) of the patterns this payment's signals saw
        (a cycle's payments, the senders of one amount...), once each."""
        return list(dict.fromkeys(m for s in self.signals for m in s.members))

    @property
    def named(self) -> list[tuple[str, str, float]]:
        """What an alert names: the patterns' payments, then the windows the signals read."""
        return list(dict.fromkeys([*self.members, *(m for s in self.signals for m in s.window)]))

    @property
    def role(self) -> str:
        top = self.contributions[0]["signal"] if self.contributions else ""
        named = next((s.detail.get("role") for s in self.signals if s.code == top), None)
        return str(named) if named in ("debtor", "creditor") else ROLE.get(top, "debtor")


class TypologyEngine:
    def __init__(self, params: TypologyParams | None = None, use_amounts: bool = True,
                 model: Any = None) -> None:
        self.p = params or TypologyParams()
        self.use_amounts = use_amounts
        self.graph = AccountGraph(self.p.graph)
        self.model = model  # a trained RiskModel (model.py) re-weighting the signals, optional
        # debtor -> deque[(ts, amount)] of payments to a conflict-zone corridor
        self._corridor: dict[str, deque[tuple[float, float]]] = {}
        # account -> time of its latest payment abroad or in cash (collection accounts)
        self._synced_at: str | None = None
        self.enabled = True
        # account -> {signal code: (ts, strength, payment id)} raised in the window
        self._evidence_of: dict[str, dict[str, tuple[float, float, str]]] = {}
        self._current_id = ""
        # account -> (time, payment id) of its latest typology alert
        self._suspects: dict[str, tuple[float, str, str]] = {}
        # account -> (time, payment id) of the alerted pattern that named it; its latest alert
        self._member_of: dict[str, tuple[float, str]] = {}
        self._alerted_at: dict[str, float] = {}
        self._assessed = 0
        # account key -> its holder's profile from the customer book (read per batch)
        self.profiles: dict[str, Profile] = {}
        self.peers = PeerStats()

    @classmethod
    def from_rules(cls, rules: Any) -> TypologyEngine:
        """The engine the rules file configures (its `typologies:` section)."""
        config = rules.config.get("typologies") if isinstance(rules.config, dict) else None
        if config is not None and not isinstance(config, dict):
            from tizim.errors import InputError

            raise InputError("typologies: must be a mapping", file=rules.source)
        config = dict(config or {})
        enabled = bool(config.pop("enabled", True))
        engine = cls(TypologyParams.from_config(config, rules.source, rules.jurisdictions))
        engine.enabled = enabled
        return engine

    # ---- one payment --------------------------------------------------------------------

    def assess(self, debtor: str | None, creditor: str | None, ts: float, amount: float | None,
               instrument: str = "transfer", ctx: Context | None = None, payment_id: str = "") -> Assessment:
        ctx = ctx or Context()
        self._current_id = payment_id
        if not self.use_amounts:
            amount = 1.0
        f = self.graph.features(debtor, creditor, ts, amount, instrument)
        g = self.graph
        d = g.accounts.get(debtor) if debtor else None
        c = g.accounts.get(creditor) if creditor else None
        short = self.p.graph.short_days * DAY
        if d is not None:
            burst_since = ts - self.p.burst_hours * 3600
            ctx.burst = 1
            for t, other, _, _ in reversed(d.outs):
                if other != creditor or t > ts:
                    continue
                if t >= burst_since:
                    ctx.burst += 1
                else:
                    ctx.pair_before += 1
            span = max(ts - d.first, short)
            ctx.usual_fan_out = d.n_out * short / span if ts - d.first >= 2 * short else 0.0
        if c is not None:
            span = max(ts - c.first, short)
            ctx.usual_fan_in = c.n_in * short / span if ts - c.first >= 2 * short else 0.0
        if debtor and ctx.creditor_country and ctx.creditor_country in self.p.conflict_zones and amount:
            ctx.corridor_count = self._corridor_count(debtor, ts, amount, f)
        if d is not None and (instrument in ("cash", "crypto") or ctx.collection_abroad):
            ctx.collection_abroad = True
            ctx.collection_individuals = len({o for t, o, _, _ in d.ins if o and t <= ts})
        found = signals(f, ctx, self.p, self.use_amounts)
        if self.profiles:
            found += self._profile(f, ctx, debtor, creditor, ts, c)
        if self.p.evidence_weight > 0:
            found += self._evidence(debtor, creditor, ts, found)
        if self.p.suspects_weight > 0 and debtor and creditor:
            mark_d, mark_c = self._suspects.get(debtor), self._suspects.get(creditor)
            horizon = ts - self.p.graph.risk_days * DAY
            # each raised by an alert elsewhere, and the two never paid each other before in
            # the window (busy accounts alerted once would otherwise alert on every payment)
            if (mark_d and mark_c and mark_d[0] >= horizon and mark_c[0] >= horizon
                    and mark_d[2] != creditor and mark_c[2] != debtor
                    and ctx.burst == 1 and ctx.pair_before == 0 and not f.reciprocal):
                found.append(Signal("between_suspects", self.p.suspects_weight,
                                    f"both accounts were alerted before (payments {mark_d[1]} and {mark_c[1]})",
                                    {"debtor_alert": mark_d[1], "creditor_alert": mark_c[1]}))
        if self.p.watch_weight > 0:
            found += self._watched(debtor, creditor, ts)
        self._name_members(found, debtor, creditor, ts)
        if self.model is not None:
            score, parts = self.model.score(found, f, ctx)
            threshold = self.model.threshold
        else:
            score, parts = combine(found)
            threshold = self.p.threshold
        alert = score >= threshold
        self._assessed += 1
        if self._assessed % 50_000 == 0:
            self._forget(ts)
        if alert:
            ranked = [s.code for s in sorted(found, key=lambda s: -s.strength)]
            named = {x for s in found if s.code in _PATTERN_SIGNALS for m in s.members for x in m[:2]}
            self._remember(debtor, creditor, ts, self._current_id or "?", ranked, named)
        return Assessment(score, found, parts, f, extra={"alert": alert, "context": ctx})

    def _remember(self, debtor: str | None, creditor: str | None, ts: float, payment_id: str,
                  codes: list[str], named: set[str]) -> None:
        """An alert's marks: its subject stays suspect for risk_days (not "listed": that mark
        is screening's alone); its parties were alerted now; the accounts a pattern signal
        named (and the parties) are watched. `codes`: the alert's signals, strongest first."""
        own = [c for c in codes if c not in ("between_suspects", "watched")]
        if own:
            subject, party = (creditor, debtor) if ROLE.get(own[0]) == "creditor" else (debtor, creditor)
            if subject:
                self._suspects[subject] = (ts, payment_id, party or "")
        if self.p.watch_weight <= 0:
            return
        for key in (debtor, creditor):
            if key:
                self._alerted_at[key] = max(ts, self._alerted_at.get(key, ts))
        if any(c in _PATTERN_SIGNALS for c in codes):
            for key in named | {debtor, creditor}:
                if key:
                    self._member_of[key] = (ts, payment_id)

    def _forget(self, ts: float) -> None:
        """Drop marks older than risk_days (they no longer count), so memory stays bounded."""
        horizon = ts - self.p.graph.risk_days * DAY
        for marks in (self._member_of, self._suspects):
            for key in [k for k, v in marks.items() if v[0] < horizon]:
                del marks[key]
        for key in [k for k, t in self._alerted_at.items() if t < horizon]:
            del self._alerted_at[key]

    def _watched(self, debtor: str | None, creditor: str | None, ts: float) -> list[Signal]:
        """A party named in an alerted pattern within risk_days, not alerted for watch_days."""
        for role, key in (("debtor", debtor), ("creditor", creditor)):
            mark = self._member_of.get(key or "")
            if not key or mark is None or mark[0] < ts - self.p.graph.risk_days * DAY:
                continue
            if self._alerted_at.get(key, -math.inf) >= ts - self.p.watch_days * DAY:
                continue
            return [Signal("watched", self.p.watch_weight,
                           f"the {role} was named in the pattern of alert {mark[1]} "
                           f"{(ts - mark[0]) / DAY:.0f} day(s) before",
                           {"role": role, "alert": mark[1]})]
        return []

    def _name_members(self, found: list[Signal], debtor: str | None, creditor: str | None, ts: float) -> None:
        """The payments a window signal read (the creditor's recent inflows for fan-in, the
        debtor's outflows for fan-out...), kept on the signal so that an alert lists them."""
        since = ts - self.p.graph.short_days * DAY
        for s in found:
            if s.members or s.code not in _WINDOW_SIDES:
                continue
            ins, outs = _WINDOW_SIDES[s.code]
            if ins and (key := ins_of(s, debtor, creditor)):
                a = self.graph.accounts.get(key)
                s.window = [(o, key, t) for t, o, _, _ in a.ins if since <= t <= ts] if a else []
            if outs and debtor and (a := self.graph.accounts.get(debtor)):
                s.window += [(debtor, o, t) for t, o, _, _ in a.outs if since <= t <= ts]
            if debtor and creditor:
                s.window.append((debtor, creditor, ts))

    def _profile(self, f: Features, ctx: Context, debtor: str | None, creditor: str | None, ts: float,
                 c: Any) -> list[Signal]:
        """The customer-profile typologies (profile.py); nothing for accounts the book lacks."""
        ctx.debtor_profile = ctx.debtor_profile or (self.profiles.get(debtor) if debtor else None)
        ctx.creditor_profile = ctx.creditor_profile or (self.profiles.get(creditor) if creditor else None)
        if ctx.debtor_profile is None and ctx.creditor_profile is None:
            return []
        if ctx.creditor_profile is not None and c is not None:
            since = ts - self.p.graph.short_days * DAY
            senders = {o for t, o, _, _ in c.ins if since <= t <= ts} | ({debtor} if debtor else set())
            ctx.individual_senders = sum(1 for s in senders
                                         if getattr(self.profiles.get(s), "type", "person") != "organization")
        if debtor and ctx.debtor_profile is not None:
            q = self._corridor.get(debtor)
            since = ts - self.p.graph.short_days * DAY
            ctx.corridor_payments = sum(1 for t, _ in q or () if t >= since) + 1
        found = profile_signals(f, ctx, self.p, self.peers)
        for prof, count in ((ctx.debtor_profile, f.debtor_counterparties),
                            (ctx.creditor_profile, f.creditor_counterparties)):
            if prof is not None and prof.type == "person":
                self.peers.add("person", count)
        return found

    def _evidence(self, debtor: str | None, creditor: str | None, ts: float,
                  found: list[Signal]) -> list[Signal]:
        """Signals the payment's accounts raised in other payments within the window, one per
        typology and account: laundering moves through several payments, each showing a part
        of the pattern. Then this payment's own signals are kept as the accounts' evidence."""
        horizon = ts - self.p.graph.window_days * DAY
        own = {s.code for s in found}
        extra: dict[str, Signal] = {}
        for role, key in (("debtor", debtor), ("creditor", creditor)):
            if not key:
                continue
            seen = self._evidence_of.get(key)
            if not seen:
                continue
            for code, (when, strength, pid) in list(seen.items()):
                if when < horizon:
                    del seen[code]
                    continue
                if code in own or code in extra and extra[code].strength >= strength:
                    continue
                extra[code] = Signal(f"{role}_{code}", strength * self.p.evidence_weight,
                                     f"the {role} raised {code} in payment {pid} "
                                     f"{(ts - when) / DAY:.0f} day(s) before",
                                     {"payment": pid, "signal": code})
        for key in (debtor, creditor):
            if not key:
                continue
            mine = self._evidence_of.setdefault(key, {})
            for s in found:
                if s.code in _ACCOUNT_EVIDENCE:
                    old = mine.get(s.code)
                    if old is None or s.strength >= old[1] or old[0] < horizon:
                        mine[s.code] = (ts, s.strength, self._current_id)
        return list(extra.values())

    def _corridor_count(self, debtor: str, ts: float, amount: float, f: Features) -> int:
        typical = (amount / f.amount_ratio) if f.amount_ratio else amount
        small = amount <= typical * self.p.corridor_small_factor * 1.0001
        q = self._corridor.setdefault(debtor, deque())
        since = ts - self.p.graph.short_days * DAY
        while q and q[0][0] < since:
            q.popleft()
        return len(q) + (1 if small else 0)

    def add(self, payment_id: str, debtor: str | None, creditor: str | None, ts: float,
            amount: float | None, instrument: str = "transfer", corridor: bool = False) -> None:
        if not self.use_amounts:
            amount = 1.0
        if corridor and debtor and payment_id not in self.graph.ids:
            self._corridor.setdefault(debtor, deque()).append((ts, amount or 0.0))
        self.graph.add(payment_id, debtor, creditor, ts, amount, instrument)

    def mark(self, key: str | None, risk: float, ts: float, why: str) -> None:
        self.graph.mark(key, risk, ts, why)

    # ---- the monitor's side -------------------------------------------------------------

    def observe(self, payment: Any, amount_local: float | None, ts: float, status: str,
                matched: list[dict[str, Any]] | None = None) -> Assessment:
        """Assess one monitored Payment, then add it to the graph (and mark its parties when
        screening matched them or the payment is frozen)."""
        debtor = payment.debtor.key() if payment.debtor else None
        creditor = payment.creditor.key() if payment.creditor else None
        instrument = (getattr(payment, "instrument", None) or "transfer").lower()
        country = None
        if payment.creditor is not None:
            found = payment.countries("creditor", "creditor_agent", "ultimate_creditor")
            home = self.p.conflict_zones
            country = next((c for c in sorted(found) if c in home), None) or next(iter(sorted(found)), None)
        abroad = bool(payment.creditor and payment.debtor and
                      payment.countries("creditor", "creditor_agent") - payment.countries("debtor", "debtor_agent"))
        ctx = Context(
            debtor_id=payment.debtor.id if payment.debtor else None,
            creditor_id=payment.creditor.id if payment.creditor else None,
            debtor_name=payment.debtor.name if payment.debtor else None,
            creditor_name=payment.creditor.name if payment.creditor else None,
            creditor_country=country, collection_abroad=abroad)
        a = self.assess(debtor, creditor, ts, amount_local, instrument, ctx, payment.payment_id)
        self.add(payment.payment_id, debtor, creditor, ts, amount_local, instrument,
                 corridor=bool(country and country in self.p.conflict_zones))
        # a debtor or creditor that screening matched carries the risk on to its counterparties
        # (funds moving towards a listed person's associates); an agent's match does not
        roles = {str(m.get("role")) for m in matched or [] if isinstance(m, dict)}
        for role, party in (("debtor", payment.debtor), ("creditor", payment.creditor)):
            if party is not None and party.key() and role in roles:
                frozen = status == "FREEZE"
                self.mark(party.key(), 1.0 if frozen else 0.7, ts,
                          f"{'frozen' if frozen else 'screening match'} in payment {payment.payment_id}")
        return a

    def hits(self, payment: Any, amount_local: float | None, ts: float, status: str,
             matched: list[dict[str, Any]] | None = None) -> list[Any]:
        """The monitor's rule hits for one payment: one `typology` hit when the risk score
        reaches the threshold (the payment is then OBSERVED; behaviour never freezes)."""
        from tizim.monitoring.rules import Hit

        if not self.enabled:
            return []
        a = self.observe(payment, amount_local, ts, status, matched)
        if not a.alert:
            return []
        return [Hit("typology", explain(a), a.role,
                    {"score": round(a.score, 4),
                     "threshold": self.model.threshold if self.model is not None else self.p.threshold,
                     "contributions": a.contributions,
                     "pattern": pattern(a),
                     "model": self.model.name if self.model is not None else "defaults"})]

    def sync(self, conn: Connection, accounts: list[str] | None = None) -> None:
        """Add payments stored by other processes (or before a restart) within the window, and
        read the customer book's profiles of the batch's `accounts`."""
        if accounts:
            from tizim.customers.model import normalize_account

            found = load_profiles(conn, accounts)
            for account in accounts:  # an account the book no longer holds loses its profile
                key = f"acct:{normalize_account(account)}"
                if key not in found:
                    self.profiles.pop(key, None)
            self.profiles.update(found)
        from tizim.monitoring import tables as t  # the monitor's table; imported here only

        c = t.payments.c
        query = select(c.payment_id, c.debtor_key, c.creditor_key, c.ts, c.amount_local, c.status,
                       c.data, c.matches, c.decided_at)
        latest = None
        if self._synced_at is None:
            self.load_model(conn)
            latest = conn.execute(select(c.ts).order_by(c.ts.desc()).limit(1)).scalar()
            if latest is None:
                self._synced_at = ""
                return
            query = query.where(c.ts >= latest - self.p.graph.window_days * DAY)
        else:
            query = query.where(c.decided_at >= self._synced_at)
        first, since = self._synced_at is None, self._synced_at or ""
        newest = since
        fresh: set[str] = set()
        for row in conn.execute(query.order_by(c.ts)):
            newest = max(newest, row.decided_at)
            if row.payment_id in self.graph.ids:
                continue
            fresh.add(row.payment_id)
            data = row.data or {}
            instrument = str(data.get("instrument") or "transfer")
            self.add(row.payment_id, row.debtor_key, row.creditor_key, row.ts, row.amount_local, instrument)
            roles = {str(m.get("role")) for m in row.matches or [] if isinstance(m, dict)}
            for role, key in (("debtor", row.debtor_key), ("creditor", row.creditor_key)):
                if role in roles:
                    frozen = row.status == "FREEZE"
                    self.mark(key, 1.0 if frozen else 0.7, row.ts,
                              f"{'frozen' if frozen else 'screening match'} in payment {row.payment_id}")
        if first and latest is not None:
            self._restore_alerts(conn, latest - self.p.graph.risk_days * DAY, None, None)
        elif fresh:
            self._restore_alerts(conn, None, since, fresh)
        self._synced_at = newest

    def _restore_alerts(self, conn: Connection, since_ts: float | None, decided_since: str | None,
                        only: set[str] | None) -> None:
        """The marks of typology alerts stored before a restart (within risk_days) or by other
        processes: suspects, alerted parties, watched accounts. An alert whose signals also
        read a window (fan-in...) stored that window among its pattern's payments, so it
        re-marks only its two parties for watching."""
        from tizim.monitoring import tables as t

        a, c = t.alerts.c, t.payments.c
        query = (select(a.detail, c.payment_id, c.debtor_key, c.creditor_key, c.ts)
                 .select_from(t.alerts.join(t.payments, a.payment_id == c.payment_id))
                 .where(a.code == "typology"))
        query = query.where(c.ts >= since_ts) if since_ts is not None else query.where(c.decided_at >= decided_since)
        for row in conn.execute(query.order_by(c.ts)):
            if only is not None and row.payment_id not in only:
                continue
            detail = row.detail if isinstance(row.detail, dict) else {}
            codes = [str(p.get("signal")) for p in detail.get("contributions") or []
                     if isinstance(p, dict) and p.get("kind", "signal") == "signal"]
            named: set[str] = set()
            if not any(code in _WINDOW_SIDES for code in codes):
                named = {str(x) for p in detail.get("pattern") or [] if isinstance(p, dict)
                         for x in (p.get("debtor"), p.get("creditor")) if x}
            self._remember(row.debtor_key, row.creditor_key, row.ts, row.payment_id, codes, named)


    def load_model(self, conn: Connection) -> None:
        """The newest active trained model, if any (else the documented default weights)."""
        from tizim.typologies import tables as tt
        from tizim.typologies.model import RiskModel

        row = conn.execute(select(tt.models).where(tt.models.c.active.is_(True))
                           .order_by(tt.models.c.id.desc()).limit(1)).first()
        if row is not None:
            self.model = RiskModel.from_params(f"{row.name}#{row.id}", dict(row.params))


def pattern(a: Assessment, limit: int = 25) -> list[dict[str, str]]:
    """The earlier payments of the pattern the alert saw (debtor, creditor, time), for the case."""
    from datetime import UTC, datetime

    return [{"debtor": d, "creditor": c, "at": datetime.fromtimestamp(t, UTC).isoformat()}
            for d, c, t in sorted(a.named, key=lambda m: m[2])[:limit]]


def explain(a: Assessment) -> str:
    """One line: the score and each signal's contribution."""
    parts = ", ".join(f"{p['signal']} {p['contribution']:+.2f}" for p in a.contributions)
    return f"typology risk {a.score:.2f} ({parts})"


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x > -50 else 0.0
