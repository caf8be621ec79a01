"""Typology rules over the account graph's features, and the risk score that combines them.

Each rule reads the features of one payment (graph.Features) and returns a Signal: a
strength in [0, 1] and a sentence saying what was seen. The risk score combines the signals
of a payment as independent pieces of evidence, score = 1 - prod(1 - weight * strength), so
one strong signal can raise an alert alone, and several weak ones together can too; the
explanation lists each signal's contribution (its share of the score). A payment whose score
reaches `threshold` is OBSERVED (an alert); behaviour alone never FREEZES a payment.

Defaults are relative to the account's own history and to its counterparties rather than
only absolute amounts; every parameter is documented in docs/typologies.md with the
FATF/Egmont typology the rule implements. Parameters come from the `typologies:` section of
the rules file (rules_kz.yaml), each overriding the default below.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

from tizim.errors import InputError
from tizim.typologies.graph import Features, GraphParams
from tizim.typologies.profile import Profile

INSTRUMENTS = ("transfer", "cash", "card", "cheque", "crypto")


@dataclass
class Signal:
    code: str
    strength: float
    reason: str
    detail: dict[str, Any] = field(default_factory=dict)
    # the earlier payments (debtor, creditor, time) of the pattern this signal saw: an alert
    # names them, so its case holds the whole pattern and not only the payment that closed it
    members: list[tuple[str, str, float]] = field(default_factory=list)
    # the window's payments a signal read (a fan-in's inflows over 7 days): named in the alert
    # as context, not as the pattern itself (they hold ordinary payers too)
    window: list[tuple[str, str, float]] = field(default_factory=list)


@dataclass
class TypologyParams:
    """Every parameter of every typology rule, with its default (see docs/typologies.md)."""

    threshold: float = 0.5  # risk score at or above which a payment is observed
    # cycle / round-tripping: the payment closes a directed cycle of at most max_cycle payments
    cycle_weight: float = 0.6
    cycle_min: int = 3  # two accounts paying each other back is ordinary (rent, loans)
    cycle_max: int = 5
    # repeated transfers: several transfers debtor -> creditor within `burst_hours` (split
    # payments; cards are left out: several card payments to one shop a day are ordinary)
    burst_hours: float = 24.0
    burst_min: int = 3
    burst_weight: float = 0.55
    # fan-in / fan-out: distinct counterparties in the short window, at least `fan_min` and
    # `fan_factor` times the account's own usual count
    fan_min: int = 5
    fan_weight: float = 0.35
    # smurfing: >= same_min distinct senders pay the creditor the same amount (+-2 %) within
    # the short window, and they are at least half of its senders there
    same_min: int = 3
    same_weight: float = 0.5
    same_out_weight: float = 0.2  # one amount to several new receivers: corroborates only
    # scatter-gather: at least `gather_min` of the creditor's recent senders fed by one source
    gather_min: int = 3
    gather_weight: float = 0.4
    # gather-scatter: the debtor received from >= gs_min and pays >= gs_min within the window
    gs_min: int = 3
    gs_weight: float = 0.35
    # layering: a chain of >= chain_min onward payments, each forwarding >= keep_min of its inflow
    chain_min: int = 3
    keep_min: float = 0.7
    keep_max: float = 1.02
    chain_weight: float = 0.35
    # dormant activation: no payment for >= dormant_days (and >= dormant_factor x its usual gap)
    dormant_days: float = 90.0
    dormant_factor: float = 5.0
    dormant_amount_factor: float = 3.0
    dormant_weight: float = 0.4
    # windowed volume: outflow over the short window >= volume_factor x the debtor's usual
    volume_factor: float = 5.0
    volume_min_history: int = 10
    volume_weight: float = 0.15  # corroborates only (0.3 before: with fan-in/out alone it alerted ordinary payers)
    # an amount out of line with the debtor's own amounts: >= amount_z spreads (log) from their
    # mean, after amount_min_history payments (corroborates only)
    amount_z: float = 4.0
    amount_min_history: int = 5
    amount_weight: float = 0.0  # off: +0.002 on AMLSim 20K, costs precision on the generated runs (docs)
    # cash and other anonymous instruments: >= cash_min such payments in the short window
    cash_min: int = 3
    cash_weight: float = 0.35
    # TF: many small transfers to a conflict-zone corridor within the short window
    corridor_min: int = 3
    corridor_small_factor: float = 1.0  # "small": at or under the debtor's typical amount x this
    corridor_weight: float = 0.5
    # TF: a collection account fed by many individuals, paying abroad or in cash
    collection_min: int = 10
    collection_weight: float = 0.5
    # TF / sanctions evasion: funds moving towards a listed, frozen or alerted account
    associate_hops: int = 2
    associate_weight: float = 0.5  # at two hops (alone an alert); x 1.4 at one hop
    # related accounts: debtor and creditor are one owner (same id or same name)
    related_weight: float = 0.3
    # the customer's own profile (profile.py): a young (< profile_young_age) or new (onboarded
    # < profile_new_days) individual receiving from >= profile_senders individuals in the short
    # window; a person's account with >= profile_business_min counterparties there and more
    # than profile_business_share of person accounts (after profile_peer_min readings); payments
    # to a conflict zone unlike the holder's declared country and nationality
    profile_young_age: float = 25.0
    profile_new_days: float = 90.0
    profile_senders: int = 5
    profile_weight: float = 0.5
    profile_business_min: int = 10
    profile_business_share: float = 0.99
    profile_peer_min: int = 200
    profile_business_weight: float = 0.35
    profile_corridor_weight: float = 0.45
    # a payment between two accounts that both raised a typology alert within risk_days
    # (a network of suspects transacting among themselves)
    suspects_weight: float = 0.5
    # pattern signals the debtor or creditor raised in other payments within the window
    # count again here, once per typology, at this share of their strength
    evidence_weight: float = 0.0  # off: measured worse on AMLSim 20K and the generator (docs)
    # an account named in an alerted pattern (a cycle's accounts, the senders of one amount,
    # a scatter-gather's, a repeated pair) within risk_days is watched: a payment of it is
    # observed again when it was not party to an alert for watch_days (enhanced monitoring of
    # an account already reported: laundering accounts return to the same networks)
    watch_weight: float = 0.5
    watch_days: float = 30.0
    graph: GraphParams = field(default_factory=GraphParams)
    conflict_zones: set[str] = field(default_factory=set)

    @classmethod
    def from_config(cls, config: dict[str, Any] | None, source: str = "",
                    jurisdictions: dict[str, set[str]] | None = None) -> TypologyParams:
        params = cls()
        if not config:
            return params
        if not isinstance(config, dict):
            raise InputError("typologies: must be a mapping", file=source)
        graph_names = {f.name for f in fields(GraphParams)}
        own = {f.name: f for f in fields(cls)}
        graph_values: dict[str, Any] = {}
        values: dict[str, Any] = {}
        for key, raw in config.items():
            if key == "conflict_zones":
                codes = raw if isinstance(raw, list) else (jurisdictions or {}).get(str(raw))
                if codes is None:
                    raise InputError(f"typologies.conflict_zones: no jurisdiction list {raw!r}", file=source)
                values[key] = {str(c).upper() for c in codes}
                continue
            target = graph_values if key in graph_names else values
            default = getattr(params.graph, key) if key in graph_names else None
            if key not in graph_names and (key not in own or key == "graph"):
                raise InputError(f"typologies: unknown parameter {key!r}", file=source, field=key)
            if default is None:
                default = getattr(params, key)
            if isinstance(default, bool):
                if not isinstance(raw, bool):
                    raise InputError(f"typologies.{key}: {raw!r} is not true or false", file=source, field=key)
                target[key] = raw
                continue
            try:
                target[key] = int(raw) if isinstance(default, int) else float(raw)
            except (TypeError, ValueError) as exc:
                raise InputError(f"typologies.{key}: {raw!r} is not a number", file=source, field=key) from exc
        return replace(params, graph=replace(params.graph, **graph_values), **values)


@dataclass
class Context:
    """What the engine knows of the payment beyond the graph."""

    debtor_id: str | None = None
    creditor_id: str | None = None
    debtor_name: str | None = None
    creditor_name: str | None = None
    creditor_country: str | None = None
    corridor_count: int = 0  # debtor's small payments to a conflict zone in the window (this one too)
    burst: int = 0  # payments debtor -> creditor within burst_hours (this one too)
    pair_before: int = 0  # payments debtor -> creditor before the burst window
    usual_fan_in: float = 0.0  # the creditor's usual distinct senders per short window
    usual_fan_out: float = 0.0
    collection_individuals: int = 0
    collection_abroad: bool = False
    debtor_profile: Profile | None = None  # the holder as the customer book describes it
    creditor_profile: Profile | None = None
    individual_senders: int = 0  # creditor's distinct senders in the short window not known as organizations
    corridor_payments: int = 0  # debtor's payments to a conflict zone in the short window (this one too)


def _clip(x: float) -> float:
    return 0.0 if x < 0 else 1.0 if x > 1 else x


def signals(f: Features, ctx: Context, p: TypologyParams, use_amounts: bool = True) -> list[Signal]:
    """Every typology signal one payment raises (before weights)."""
    out: list[Signal] = []
    if f.cycle_len and p.cycle_min <= f.cycle_len <= p.cycle_max:
        out.append(Signal("cycle", p.cycle_weight,
                          f"closes a cycle of {f.cycle_len} payments within {p.graph.window_days:g} days "
                          f"({' -> '.join(f.cycle_path)} -> back)",
                          {"length": f.cycle_len, "path": f.cycle_path, "span_days": round(f.cycle_span_days, 2)},
                          f.members.get("cycle", [])))
    if ctx.burst >= p.burst_min and f.instrument != "card":
        out.append(Signal("repeated_transfers", p.burst_weight * _clip(ctx.burst / (2 * p.burst_min) + 0.5),
                          f"{ctx.burst} payments to one counterparty within {p.burst_hours:g} h",
                          {"count": ctx.burst, "hours": p.burst_hours}))
    fan_in_bar = max(p.fan_min, 3 * ctx.usual_fan_in)
    if f.fan_in >= fan_in_bar:
        out.append(Signal("fan_in", p.fan_weight * _clip(f.fan_in / (2 * fan_in_bar) + 0.5),
                          f"creditor received from {f.fan_in} distinct senders within {p.graph.short_days:g} days "
                          f"(its usual: {ctx.usual_fan_in:.1f})",
                          {"senders": f.fan_in, "usual": round(ctx.usual_fan_in, 2)}))
    fan_out_bar = max(p.fan_min, 3 * ctx.usual_fan_out)
    if f.fan_out >= fan_out_bar:
        out.append(Signal("fan_out", p.fan_weight * _clip(f.fan_out / (2 * fan_out_bar) + 0.5),
                          f"debtor paid {f.fan_out} distinct receivers within {p.graph.short_days:g} days "
                          f"(its usual: {ctx.usual_fan_out:.1f})",
                          {"receivers": f.fan_out, "usual": round(ctx.usual_fan_out, 2)}))
    if use_amounts and f.same_amount_senders >= p.same_min and 2 * f.same_amount_senders >= f.fan_in:
        out.append(Signal("same_amounts", p.same_weight,
                          f"{f.same_amount_senders} distinct senders paid the creditor the same amount "
                          f"within {p.graph.short_days:g} days", {"senders": f.same_amount_senders},
                          f.members.get("same_in", [])))
    # one amount to several new receivers, and not the debtor's usual amount (an account that
    # always pays one sum, a payroll, is itself)
    unusual = f.amount_ratio is None or not 0.8 <= f.amount_ratio <= 1.25
    if (use_amounts and unusual and f.same_amount_receivers >= p.same_min
            and 2 * f.same_amount_receivers >= f.fan_out):
        out.append(Signal("same_amounts_out", p.same_out_weight,
                          f"debtor paid {f.same_amount_receivers} distinct receivers the same amount "
                          f"within {p.graph.short_days:g} days", {"receivers": f.same_amount_receivers},
                          f.members.get("same_out", [])))
    if f.common_source >= p.gather_min:
        out.append(Signal("scatter_gather", p.gather_weight,
                          f"{f.common_source} of the creditor's recent senders were paid by one common source",
                          {"common_source": f.common_source}))
    if f.debtor_fan_in >= p.gs_min and f.fan_out >= p.gs_min:
        out.append(Signal("gather_scatter", p.gs_weight,
                          f"debtor received from {f.debtor_fan_in} senders and paid {f.fan_out} receivers "
                          f"within {p.graph.short_days:g} days",
                          {"senders": f.debtor_fan_in, "receivers": f.fan_out}))
    keep_ok = (not use_amounts or f.chain_keep is None) or p.keep_min <= f.chain_keep <= p.keep_max
    if f.chain_len >= p.chain_min and keep_ok:
        kept = f" keeping {f.chain_keep:.0%} of its inflow" if use_amounts and f.chain_keep else ""
        out.append(Signal("layering", p.chain_weight * _clip(f.chain_len / (p.chain_min + 2)),
                          f"continues a chain of {f.chain_len} onward payments{kept}",
                          {"chain": f.chain_len, "keep": f.chain_keep}))
    if (f.debtor_gap_days is not None and f.debtor_gap_days >= p.dormant_days
            and (f.debtor_usual_gap_days is None or f.debtor_gap_days >= p.dormant_factor * f.debtor_usual_gap_days)
            and (not use_amounts or f.amount_ratio is None or f.amount_ratio >= p.dormant_amount_factor)):
        out.append(Signal("dormant_activation", p.dormant_weight,
                          f"debtor dormant for {f.debtor_gap_days:.0f} days pays again"
                          + (f" ({f.amount_ratio:.1f}x its typical amount)" if use_amounts and f.amount_ratio else ""),
                          {"gap_days": round(f.debtor_gap_days, 1), "amount_ratio": f.amount_ratio}))
    if (use_amounts and f.volume_ratio is not None and f.debtor_payments >= p.volume_min_history
            and f.volume_ratio >= p.volume_factor):
        out.append(Signal("volume", p.volume_weight * _clip(f.volume_ratio / (2 * p.volume_factor) + 0.5),
                          f"debtor's outflow over {p.graph.short_days:g} days is {f.volume_ratio:.1f}x its usual",
                          {"ratio": round(f.volume_ratio, 2), "volume": f.debtor_out_volume}))
    if (use_amounts and p.amount_weight > 0 and f.amount_z is not None and f.amount_z >= p.amount_z
            and f.debtor_payments >= p.amount_min_history):
        out.append(Signal("amount_unusual", p.amount_weight,
                          f"amount {f.amount_ratio:.2g}x the debtor's typical, {f.amount_z:.1f} spreads from its own "
                          f"amounts", {"ratio": f.amount_ratio, "z": round(f.amount_z, 2)}))
    if f.instrument in ("cash", "crypto") and f.cash_count >= p.cash_min:
        out.append(Signal("cash", p.cash_weight,
                          f"{f.cash_count} cash or crypto payments by the debtor within {p.graph.short_days:g} days",
                          {"count": f.cash_count, "volume": f.cash_volume}))
    if ctx.corridor_count >= p.corridor_min:
        out.append(Signal("tf_corridor", p.corridor_weight,
                          f"{ctx.corridor_count} small transfers to a conflict-zone corridor "
                          f"({ctx.creditor_country}) within {p.graph.short_days:g} days",
                          {"count": ctx.corridor_count, "country": ctx.creditor_country}))
    if ctx.collection_individuals >= p.collection_min and ctx.collection_abroad:
        out.append(Signal("tf_collection", p.collection_weight,
                          f"collection account fed by {ctx.collection_individuals} individuals pays abroad or in cash",
                          {"individuals": ctx.collection_individuals}))
    if f.risk_hops and f.risk_hops <= p.associate_hops:
        out.append(Signal("towards_listed", p.associate_weight * (1.4 if f.risk_hops == 1 else 1.0),
                          f"funds move towards {f.risk_party} ({f.risk_why}), {f.risk_hops} hop(s) away",
                          {"hops": f.risk_hops, "party": f.risk_party, "why": f.risk_why}))
    if _related(ctx):
        out.append(Signal("related_accounts", p.related_weight,
                          "debtor and creditor accounts belong to one owner",
                          {"debtor": ctx.debtor_id or ctx.debtor_name, "creditor": ctx.creditor_id or ctx.creditor_name}))
    return out


def _related(ctx: Context) -> bool:
    if ctx.debtor_id and ctx.creditor_id:
        return ctx.debtor_id == ctx.creditor_id
    if ctx.debtor_name and ctx.creditor_name:
        return " ".join(ctx.debtor_name.upper().split()) == " ".join(ctx.creditor_name.upper().split())
    return False


def combine(found: list[Signal]) -> tuple[float, list[dict[str, Any]]]:
    """The risk score, and each signal's share of it (contributions sum to the score)."""
    keep = 1.0
    for s in found:
        keep *= 1.0 - _clip(s.strength)
    score = 1.0 - keep
    total = sum(_clip(s.strength) for s in found) or 1.0
    parts = [{"signal": s.code, "strength": round(_clip(s.strength), 4),
              "contribution": round(score * _clip(s.strength) / total, 4), "reason": s.reason}
             for s in sorted(found, key=lambda s: -s.strength)]
    return score, parts
