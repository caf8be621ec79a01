"""Rules from YAML (default: rules_kz.yaml beside this file, or settings.rules_file).

Stateless rules read one payment; stateful ones (structuring, fan-in, pass-through) read the
`History` of recent payments by the same parties, which the decider fills from the database
and from the payments of the current run.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from tizim.errors import InputError
from tizim.monitoring.model import Payment, iban_country
from tizim.settings import get_settings

DEFAULT_RULES = Path(__file__).with_name("rules_kz.yaml")
RULE_TYPES = ("threshold", "structuring", "fan_in", "pass_through", "jurisdiction", "npo_abroad",
              "missing_originator")


@dataclass
class Hit:
    rule: str
    reason: str
    role: str  # the party the alert concerns
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "reason": self.reason, "role": self.role, "detail": self.detail}


@dataclass
class Seen:
    payment_id: str
    debtor_key: str | None
    creditor_key: str | None
    ts: float
    amount: float | None


class History:
    """Recent payments by party, kept sorted by time so that every stateful rule reads a
    window by bisection (never every payment a party ever made)."""

    def __init__(self) -> None:
        self.ids: set[str] = set()
        # creditor key -> sorted [(ts, debtor key)] (fan-in counts distinct senders in a window)
        self.senders: dict[str, list[tuple[float, str]]] = defaultdict(list)
        # creditor key -> sorted [(ts, amount)] (pass-through looks at inflows)
        self.inflows: dict[str, list[tuple[float, float]]] = defaultdict(list)
        # (structuring rule id, debtor key) -> sorted [ts] of payments in that rule's band:
        # each rule counts only its own band (two rules once shared one list)
        self.band: dict[tuple[int, str], list[float]] = defaultdict(list)
        self.loaded_keys: set[str] = set()

    def add(self, seen: Seen, rules: RuleSet) -> None:
        if seen.payment_id in self.ids:
            return
        self.ids.add(seen.payment_id)
        if seen.creditor_key and seen.debtor_key:
            _insort(self.senders[seen.creditor_key], (seen.ts, seen.debtor_key))
        if seen.creditor_key and seen.amount is not None:
            _insort(self.inflows[seen.creditor_key], (seen.ts, seen.amount))
        if seen.debtor_key and seen.amount is not None:
            for rule_id in rules.bands_of(seen.amount):
                _insort(self.band[(rule_id, seen.debtor_key)], seen.ts)


def _insort(items: list[Any], item: Any) -> None:
    # payments mostly come in time order: appending is the common case
    if not items or items[-1] <= item:
        items.append(item)
    else:
        bisect.insort(items, item)


def payment_ts(payment: Payment) -> float:
    """When the payment happened: the message time, else the value date, else now."""
    for raw in (payment.created_at, payment.value_date):
        if not raw:
            continue
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()
    return datetime.now(UTC).timestamp()


def _countries(payment: Payment) -> dict[str, str]:
    """Role -> country of every party that has one (its own, else its IBAN's, else its
    BIC's); computed once per payment, as several rules ask."""
    cached: dict[str, str] | None = payment.__dict__.get("_countries")
    if cached is not None:
        return cached
    found: dict[str, str] = {}
    for role, party in payment.parties():
        country = party.country or iban_country(party.account)
        if not country and party.bic and len(party.bic) >= 6:
            country = party.bic[4:6]  # a BIC's letters 5-6 are the bank's country
        if country:
            found[role] = country.upper()
    payment.__dict__["_countries"] = found
    return found


_WINDOW_HOURS = {"structuring": 72, "fan_in": 24, "pass_through": 6}


@dataclass
class _Params:
    """A rule's parameters, parsed once from the rules file."""

    label: str
    min_amount: float
    codes: set[str]
    any_country: bool
    roles: list[str]
    threshold: float
    low: float
    window: float
    min_count: int
    min_senders: int
    min_ratio: float
    purpose_codes: set[str]
    keywords: list[str]


class RuleSet:
    def __init__(self, config: dict[str, Any], source: str = "") -> None:
        self.source = source
        self.config = config
        self.local_currency = str(config.get("local_currency") or "KZT")
        self.fx = {str(k).upper(): float(v) for k, v in (config.get("fx_rates") or {}).items()}
        self.home = str(config.get("home_country") or "KZ").upper()
        self.jurisdictions = {
            name: {str(c).upper() for c in codes or []}
            for name, codes in (config.get("jurisdictions") or {}).items()
        }
        self.reporting: dict[str, Any] = dict(config.get("reporting") or {})
        self.rules: list[dict[str, Any]] = []
        for i, rule in enumerate(config.get("rules") or []):
            if not isinstance(rule, dict) or rule.get("type") not in RULE_TYPES:
                raise InputError(f"rule #{i + 1}: type must be one of {', '.join(RULE_TYPES)}",
                                 file=source, record=str(rule.get("id") if isinstance(rule, dict) else i))
            if rule.get("enabled", True):
                rule.setdefault("id", rule["type"])
                self.rules.append(rule)
        # parameters read once (not per payment); the rule functions take them from here
        self._compiled: list[tuple[Any, dict[str, Any], _Params]] = []
        for rule in self.rules:
            try:
                params = self._params(rule)
            except (TypeError, ValueError) as exc:
                raise InputError(f"rule {rule['id']}: a parameter is not a number ({exc})", file=source,
                                 record=str(rule["id"])) from exc
            self._compiled.append((getattr(self, "_" + rule["type"]), rule, params))
        # how far back the stateful rules look (their history is read from the database)
        self.max_window = max((params.window for _, r, params in self._compiled if r["type"] in _WINDOW_HOURS),
                              default=0.0)
        self._band = [
            (id(r), float(r["threshold"]) * (1 - float(r.get("margin", 0.1))), float(r["threshold"]))
            for r in self.rules if r["type"] == "structuring"
        ]

    @classmethod
    def load(cls, path: Path | None = None) -> RuleSet:
        path = path or get_settings().rules_file or DEFAULT_RULES
        try:
            config = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except FileNotFoundError as exc:
            raise InputError("rules file not found", file=str(path)) from exc
        except yaml.YAMLError as exc:
            raise InputError(f"rules file is not valid YAML: {exc}", file=str(path)) from exc
        if not isinstance(config, dict):
            raise InputError("rules file must be a mapping", file=str(path))
        return cls(config, str(path))

    def to_local(self, amount: float, currency: str) -> float | None:
        if currency.upper() == self.local_currency:
            return amount
        rate = self.fx.get(currency.upper())
        return amount * rate if rate is not None else None

    def in_band(self, amount_local: float) -> bool:
        return any(low <= amount_local < high for _, low, high in self._band)

    def bands_of(self, amount_local: float) -> list[int]:
        """The structuring rules whose band holds this amount (by rule object: two rules may
        share an id)."""
        return [rule_id for rule_id, low, high in self._band if low <= amount_local < high]

    def _codes(self, rule: dict[str, Any]) -> set[str]:
        value = rule.get("jurisdictions")
        if isinstance(value, str):
            return self.jurisdictions.get(value, set())
        return {str(c).upper() for c in value or []}

    def _params(self, rule: dict[str, Any]) -> _Params:
        threshold = float(rule.get("threshold", 0))
        return _Params(
            label=str(rule.get("description", rule["id"])),
            min_amount=float(rule.get("min_amount", 0)),
            codes=self._codes(rule),
            any_country=rule.get("jurisdictions") is None,
            roles=list(rule.get("roles") or []),
            threshold=threshold,
            low=threshold * (1 - float(rule.get("margin", 0.1))),
            window=float(rule.get("window_hours", _WINDOW_HOURS.get(rule["type"], 24))) * 3600,
            min_count=int(rule.get("min_count", 3)),
            min_senders=int(rule.get("min_senders", 10)),
            min_ratio=float(rule.get("min_ratio", 0.8)),
            purpose_codes={str(c).upper() for c in rule.get("purpose_codes") or []},
            keywords=[str(w).lower() for w in rule.get("keywords") or []],
        )

    def evaluate(self, payment: Payment, amount_local: float | None, ts: float, history: History) -> list[Hit]:
        hits: list[Hit] = []
        for fn, rule, params in self._compiled:
            hit = fn(rule, params, payment, amount_local, ts, history)
            if hit is not None:
                hits.append(hit)
        return hits

    # ---- the rules ---------------------------------------------------------------------

    @staticmethod
    def _party_countries(payment: Payment, roles: list[str]) -> dict[str, str]:
        found = _countries(payment)
        if not roles:
            return dict(found)
        return {role: c for role, c in found.items()
                if ("intermediary" if role.startswith("intermediary") else role) in roles}

    def _threshold(self, rule: dict[str, Any], r: _Params, p: Payment, amount: float | None, ts: float,
                   h: History) -> Hit | None:
        if amount is None or amount < r.min_amount:
            return None
        if r.any_country:
            return Hit(rule["id"], f"{r.label}: {amount:,.0f} {self.local_currency}",
                       "debtor", {"amount_local": amount, "min_amount": r.min_amount})
        hits = {role: c for role, c in self._party_countries(p, r.roles).items() if c in r.codes}
        if not hits:
            return None
        role, country = next(iter(hits.items()))
        return Hit(rule["id"], f"{r.label}: {amount:,.0f} {self.local_currency}, "
                   f"{role} in {country}", role, {"amount_local": amount, "min_amount": r.min_amount, "countries": hits})

    def _jurisdiction(self, rule: dict[str, Any], r: _Params, p: Payment, amount: float | None, ts: float,
                      h: History) -> Hit | None:
        hits = {role: c for role, c in self._party_countries(p, r.roles).items() if c in r.codes}
        if not hits:
            return None
        role, country = next(iter(hits.items()))
        return Hit(rule["id"], f"{r.label}: {role} in {country}", role, {"countries": hits})

    def _structuring(self, rule: dict[str, Any], r: _Params, p: Payment, amount: float | None, ts: float,
                     h: History) -> Hit | None:
        key = p.debtor.key() if p.debtor else None
        if amount is None or key is None or not (r.low <= amount < r.threshold):
            return None
        times = h.band.get((id(rule), key))
        earlier = bisect.bisect_right(times, ts) - bisect.bisect_left(times, ts - r.window) if times else 0
        count = earlier + 1  # this payment too (History holds it only after the decision)
        if count < r.min_count:
            return None
        return Hit(rule["id"], f"{r.label}: {count} payments between "
                   f"{r.low:,.0f} and {r.threshold:,.0f} {self.local_currency} within {r.window / 3600:g} h",
                   "debtor", {"count": count, "threshold": r.threshold, "window_hours": r.window / 3600})

    def _fan_in(self, rule: dict[str, Any], r: _Params, p: Payment, amount: float | None, ts: float,
                h: History) -> Hit | None:
        ckey = p.creditor.key() if p.creditor else None
        if ckey is None:
            return None
        dkey = p.debtor.key() if p.debtor else None
        seen = h.senders.get(ckey)
        if not seen or len(seen) + 1 < r.min_senders:
            return None
        # distinct senders of the payments within the window around this one (a payment
        # decided before may be later in time: files are not always in time order)
        start = bisect.bisect_left(seen, (ts - r.window,))
        end = bisect.bisect_right(seen, (ts + r.window, "\U0010ffff"))
        if end - start + 1 < r.min_senders:
            return None
        senders = {d for _, d in seen[start:end]}
        if dkey:
            senders.add(dkey)
        if len(senders) < r.min_senders:
            return None
        return Hit(rule["id"], f"{r.label}: {len(senders)} senders within "
                   f"{r.window / 3600:g} h", "creditor", {"senders": len(senders), "window_hours": r.window / 3600})

    def _pass_through(self, rule: dict[str, Any], r: _Params, p: Payment, amount: float | None, ts: float,
                      h: History) -> Hit | None:
        dkey = p.debtor.key() if p.debtor else None
        if amount is None or dkey is None or amount < r.min_amount:
            return None
        inflows = h.inflows.get(dkey)
        if not inflows:
            return None
        start = bisect.bisect_left(inflows, (ts - r.window, float("-inf")))
        end = bisect.bisect_right(inflows, (ts, float("inf")))
        for when, inflow in inflows[start:end]:
            if inflow > 0 and amount >= r.min_ratio * inflow:
                hours = (ts - when) / 3600
                return Hit(rule["id"], f"{r.label}: {inflow:,.0f} in, "
                           f"{amount:,.0f} {self.local_currency} out after {hours:.1f} h", "debtor",
                           {"inflow": inflow, "outflow": amount, "hours": round(hours, 2)})
        return None

    def _npo_abroad(self, rule: dict[str, Any], r: _Params, p: Payment, amount: float | None, ts: float,
                    h: History) -> Hit | None:
        countries = self._party_countries(p, ["creditor", "ultimate_creditor", "creditor_agent"])
        abroad = {role: c for role, c in countries.items() if c != self.home}
        if not abroad:
            return None
        text = " ".join(
            x for x in (p.debtor.name if p.debtor else None, p.ultimate_debtor.name if p.ultimate_debtor else None,
                        p.creditor.name if p.creditor else None, p.remittance) if x
        ).lower()
        found = [w for w in r.keywords if w in text]
        coded = bool(p.purpose and p.purpose.upper() in r.purpose_codes)
        if not coded and not found:
            return None
        role, country = next(iter(abroad.items()))
        why = f"purpose {p.purpose}" if coded else f"keyword {found[0]!r}"
        return Hit(rule["id"], f"{r.label}: {why}, {role} in {country}", role,
                   {"countries": abroad, "keywords": found, "purpose": p.purpose})

    def _missing_originator(self, rule: dict[str, Any], r: _Params, p: Payment, amount: float | None, ts: float,
                            h: History) -> Hit | None:
        if amount is not None and amount < r.min_amount:
            return None
        d = p.debtor
        missing = []
        if d is None or not d.name:
            missing.append("name")
        if d is None or not (d.account or d.id):
            missing.append("account")
        if d is None or not (d.address or d.id):
            # The address (or id) is required of cross-border wires only; a payment counts
            # as cross-border when the two sides' countries are known and differ.
            sides = (self._party_countries(p, ["debtor", "debtor_agent"]),
                     self._party_countries(p, ["creditor", "creditor_agent"]))
            cross_border = bool(sides[0] and sides[1] and set(sides[0].values()).isdisjoint(sides[1].values()))
            if cross_border:
                missing.append("address or id")
        if not missing:
            return None
        return Hit(rule["id"], f"{r.label}: originator {', '.join(missing)} missing",
                   "debtor", {"missing": missing})
