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
    """Recent payments by party, indexed for the stateful rules."""

    def __init__(self) -> None:
        self.ids: set[str] = set()
        # creditor key -> debtor key -> latest ts (fan-in counts distinct senders)
        self.senders: dict[str, dict[str, float]] = defaultdict(dict)
        # creditor key -> sorted [(ts, amount)] (pass-through looks at inflows)
        self.inflows: dict[str, list[tuple[float, float]]] = defaultdict(list)
        # debtor key -> sorted [ts] of payments in the structuring band
        self.band: dict[str, list[float]] = defaultdict(list)
        self.loaded_keys: set[str] = set()

    def add(self, seen: Seen, rules: RuleSet) -> None:
        if seen.payment_id in self.ids:
            return
        self.ids.add(seen.payment_id)
        if seen.creditor_key and seen.debtor_key:
            senders = self.senders[seen.creditor_key]
            senders[seen.debtor_key] = max(senders.get(seen.debtor_key, seen.ts), seen.ts)
        if seen.creditor_key and seen.amount is not None:
            bisect.insort(self.inflows[seen.creditor_key], (seen.ts, seen.amount))
        if seen.debtor_key and seen.amount is not None and rules.in_band(seen.amount):
            bisect.insort(self.band[seen.debtor_key], seen.ts)


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
        self.max_window = max((float(r.get("window_hours", 0)) for r in self.rules), default=0.0) * 3600
        self._band = [
            (float(r["threshold"]) * (1 - float(r.get("margin", 0.1))), float(r["threshold"]))
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
        return any(low <= amount_local < high for low, high in self._band)

    def _codes(self, rule: dict[str, Any]) -> set[str]:
        value = rule.get("jurisdictions")
        if isinstance(value, str):
            return self.jurisdictions.get(value, set())
        return {str(c).upper() for c in value or []}

    def evaluate(self, payment: Payment, amount_local: float | None, ts: float, history: History) -> list[Hit]:
        hits: list[Hit] = []
        for rule in self.rules:
            hit = getattr(self, "_" + rule["type"])(rule, payment, amount_local, ts, history)
            if hit is not None:
                hits.append(hit)
        return hits

    # ---- the rules ---------------------------------------------------------------------

    @staticmethod
    def _party_countries(payment: Payment, roles: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for role, party in payment.parties():
            base = "intermediary" if role.startswith("intermediary") else role
            if roles and base not in roles:
                continue
            country = party.country or iban_country(party.account)
            if not country and party.bic and len(party.bic) >= 6:
                country = party.bic[4:6]  # a BIC's letters 5-6 are the bank's country
            if country:
                found[role] = country.upper()
        return found

    def _threshold(self, rule: dict[str, Any], p: Payment, amount: float | None, ts: float, h: History) -> Hit | None:
        minimum = float(rule.get("min_amount", 0))
        if amount is None or amount < minimum:
            return None
        codes = self._codes(rule)
        if rule.get("jurisdictions") is None:
            return Hit(rule["id"], f"{rule.get('description', rule['id'])}: {amount:,.0f} {self.local_currency}",
                       "debtor", {"amount_local": amount, "min_amount": minimum})
        hits = {r: c for r, c in self._party_countries(p, list(rule.get("roles") or [])).items() if c in codes}
        if not hits:
            return None
        role, country = next(iter(hits.items()))
        return Hit(rule["id"], f"{rule.get('description', rule['id'])}: {amount:,.0f} {self.local_currency}, "
                   f"{role} in {country}", role, {"amount_local": amount, "min_amount": minimum, "countries": hits})

    def _jurisdiction(self, rule: dict[str, Any], p: Payment, amount: float | None, ts: float, h: History) -> Hit | None:
        codes = self._codes(rule)
        hits = {r: c for r, c in self._party_countries(p, list(rule.get("roles") or [])).items() if c in codes}
        if not hits:
            return None
        role, country = next(iter(hits.items()))
        return Hit(rule["id"], f"{rule.get('description', rule['id'])}: {role} in {country}", role,
                   {"countries": hits})

    def _structuring(self, rule: dict[str, Any], p: Payment, amount: float | None, ts: float, h: History) -> Hit | None:
        threshold = float(rule["threshold"])
        low = threshold * (1 - float(rule.get("margin", 0.1)))
        key = p.debtor.key() if p.debtor else None
        if amount is None or key is None or not (low <= amount < threshold):
            return None
        window = float(rule.get("window_hours", 72)) * 3600
        times = h.band.get(key, [])
        earlier = bisect.bisect_right(times, ts) - bisect.bisect_left(times, ts - window)
        count = earlier + 1  # this payment too (History holds it only after the decision)
        if count < int(rule.get("min_count", 3)):
            return None
        return Hit(rule["id"], f"{rule.get('description', rule['id'])}: {count} payments between "
                   f"{low:,.0f} and {threshold:,.0f} {self.local_currency} within {window / 3600:g} h",
                   "debtor", {"count": count, "threshold": threshold, "window_hours": window / 3600})

    def _fan_in(self, rule: dict[str, Any], p: Payment, amount: float | None, ts: float, h: History) -> Hit | None:
        ckey = p.creditor.key() if p.creditor else None
        dkey = p.debtor.key() if p.debtor else None
        if ckey is None:
            return None
        window = float(rule.get("window_hours", 24)) * 3600
        senders = {d for d, when in h.senders.get(ckey, {}).items() if ts - window <= when <= ts + window}
        if dkey:
            senders.add(dkey)
        if len(senders) < int(rule.get("min_senders", 10)):
            return None
        return Hit(rule["id"], f"{rule.get('description', rule['id'])}: {len(senders)} senders within "
                   f"{window / 3600:g} h", "creditor", {"senders": len(senders), "window_hours": window / 3600})

    def _pass_through(self, rule: dict[str, Any], p: Payment, amount: float | None, ts: float, h: History) -> Hit | None:
        dkey = p.debtor.key() if p.debtor else None
        if amount is None or dkey is None or amount < float(rule.get("min_amount", 0)):
            return None
        window = float(rule.get("window_hours", 6)) * 3600
        inflows = h.inflows.get(dkey, [])
        start = bisect.bisect_left(inflows, (ts - window, float("-inf")))
        end = bisect.bisect_right(inflows, (ts, float("inf")))
        ratio = float(rule.get("min_ratio", 0.8))
        for when, inflow in inflows[start:end]:
            if inflow > 0 and amount >= ratio * inflow:
                hours = (ts - when) / 3600
                return Hit(rule["id"], f"{rule.get('description', rule['id'])}: {inflow:,.0f} in, "
                           f"{amount:,.0f} {self.local_currency} out after {hours:.1f} h", "debtor",
                           {"inflow": inflow, "outflow": amount, "hours": round(hours, 2)})
        return None

    def _npo_abroad(self, rule: dict[str, Any], p: Payment, amount: float | None, ts: float, h: History) -> Hit | None:
        countries = self._party_countries(p, ["creditor", "ultimate_creditor", "creditor_agent"])
        abroad = {r: c for r, c in countries.items() if c != self.home}
        if not abroad:
            return None
        codes = {str(c).upper() for c in rule.get("purpose_codes") or []}
        words = [str(w).lower() for w in rule.get("keywords") or []]
        text = " ".join(
            x for x in (p.debtor.name if p.debtor else None, p.ultimate_debtor.name if p.ultimate_debtor else None,
                        p.creditor.name if p.creditor else None, p.remittance) if x
        ).lower()
        found = [w for w in words if w in text]
        if not (p.purpose and p.purpose.upper() in codes) and not found:
            return None
        role, country = next(iter(abroad.items()))
        why = f"purpose {p.purpose}" if p.purpose and p.purpose.upper() in codes else f"keyword {found[0]!r}"
        return Hit(rule["id"], f"{rule.get('description', rule['id'])}: {why}, {role} in {country}", role,
                   {"countries": abroad, "keywords": found, "purpose": p.purpose})

    def _missing_originator(self, rule: dict[str, Any], p: Payment, amount: float | None, ts: float, h: History) -> Hit | None:
        if amount is not None and amount < float(rule.get("min_amount", 0)):
            return None
        d = p.debtor
        missing = []
        if d is None or not d.name:
            missing.append("name")
        if d is None or not (d.account or d.id):
            missing.append("account")
        # The address (or id) is required of cross-border wires only; a payment counts as
        # cross-border when the two sides' countries are known and differ.
        sides = self._party_countries(p, ["debtor", "debtor_agent"]), self._party_countries(p, ["creditor", "creditor_agent"])
        cross_border = bool(sides[0] and sides[1] and set(sides[0].values()).isdisjoint(sides[1].values()))
        if cross_border and (d is None or not (d.address or d.id)):
            missing.append("address or id")
        if not missing:
            return None
        return Hit(rule["id"], f"{rule.get('description', rule['id'])}: originator {', '.join(missing)} missing",
                   "debtor", {"missing": missing})
