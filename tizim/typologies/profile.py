"""The customer's own profile: behaviour compared with what the customer book says of the holder.

FATF Recommendation 10 asks for ongoing due diligence: "scrutiny of transactions ... to ensure
that the transactions being conducted are consistent with the institution's knowledge of the
customer, their business and risk profile". The book (tizim/customers/) knows, per account, the
holder's type (person or organization), birth date, declared country and nationality, and when
the holder was onboarded. Three typologies read it:

* `profile_mule`: a young individual, or a new customer (onboarded lately, after the book's
  first load: a book imported at once says nothing of its customers' age as customers; or an
  account first seen lately by a graph that had watched long enough before), whose account receives from many
  distinct individuals within days (money mules and collection accounts: FATF *Illicit
  financial flows from cyber-enabled fraud* 2023, the money-mule section; FATF *TF risks of
  NPOs* 2014 and Egmont *ISIL financing* 2016 on collection accounts fed by individuals);
* `profile_business`: a person's account used like a business's, its distinct counterparties
  over days far above what other persons' accounts show (peer-relative: a running percentile
  over every person account the engine has seen) and above a floor (FATF R.10; Egmont
  indicator "personal account used for business transactions");
* `profile_corridor`: payments to a conflict-zone corridor from a holder whose declared
  country and nationality are elsewhere (FATF *Emerging terrorist financing risks* 2015 and
  *Financing of recruitment for terrorist purposes* 2018: foreign terrorist fighters funded
  by small transfers to or near conflict zones).

An account with no customer record (a counterparty at another bank, a book not loaded) has no
profile and raises none of these: the graph's typologies still read it. A record without a
birth date reads as "not young"; one without a country raises no corridor signal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from tizim.typologies.graph import DAY, Features

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from tizim.typologies.rules import Context, Signal, TypologyParams

YEAR = 365.25 * DAY


@dataclass(frozen=True)
class Profile:
    customer_id: str
    type: str  # person | organization
    birth: float | None = None  # birth date as a timestamp
    countries: frozenset[str] = frozenset()  # declared country and nationality
    since: float | None = None  # when the book onboarded the holder
    book_start: float | None = None  # when the book's first customer came in (its first load)

    def age_years(self, ts: float) -> float | None:
        return (ts - self.birth) / YEAR if self.birth is not None else None

    def tenure_days(self, ts: float) -> float | None:
        return (ts - self.since) / DAY if self.since is not None else None


def _timestamp(text: object) -> float | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        when = datetime.fromisoformat(text if len(text) > 7 else f"{text}-01-01"[:10])
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


def load_profiles(conn: Connection, accounts: list[str]) -> dict[str, Profile]:
    """The holders' profiles of these accounts (as payments write them), keyed as the graph
    keys accounts (`acct:<ACCOUNT>`). Accounts the book does not hold are absent."""
    from sqlalchemy import func, select

    from tizim.customers import tables as ct
    from tizim.customers.model import normalize_account
    from tizim.monitoring.bulk import chunks, in_values

    wanted = sorted({normalize_account(a) for a in accounts if a})
    out: dict[str, Profile] = {}
    if not wanted:
        return out
    start = _timestamp(conn.execute(select(func.min(ct.customers.c.created_at))).scalar())
    for chunk in chunks(conn, wanted, 500):
        rows = conn.execute(select(ct.accounts.c.account, ct.customers.c.customer_id, ct.customers.c.type,
                                   ct.customers.c.data, ct.customers.c.created_at)
                            .join(ct.customers, ct.customers.c.customer_id == ct.accounts.c.customer_id)
                            .where(in_values(conn, ct.accounts.c.account, chunk, "pa"), ct.accounts.c.closed == 0))
        for account, customer_id, kind, data, created in rows:
            data = data or {}
            countries = frozenset(str(c).upper() for c in (data.get("country"), data.get("nationality")) if c)
            out[f"acct:{account}"] = Profile(customer_id, kind, _timestamp(data.get("birth_date")), countries,
                                             _timestamp(created), start)
    return out


class PeerStats:
    """A running histogram, per holder type, of an account's distinct counterparties over the
    short window, read at each payment: where one account stands among its peers."""

    CAP = 256

    def __init__(self) -> None:
        self.hist: dict[str, list[int]] = {}
        self.total: dict[str, int] = {}

    def add(self, kind: str, value: int) -> None:
        h = self.hist.get(kind)
        if h is None:
            h = self.hist[kind] = [0] * (self.CAP + 1)
        h[min(value, self.CAP)] += 1
        self.total[kind] = self.total.get(kind, 0) + 1

    def share_below(self, kind: str, value: int) -> tuple[float, int]:
        """(share of the peers' readings below value, readings so far)."""
        h = self.hist.get(kind)
        n = self.total.get(kind, 0)
        if h is None or not n:
            return 0.0, 0
        return sum(h[: min(value, self.CAP)]) / n, n


def profile_signals(f: Features, ctx: Context, p: TypologyParams, peers: PeerStats) -> list[Signal]:
    """The profile typologies of one payment (none for accounts without a record)."""
    from tizim.typologies.rules import Signal

    out: list[Signal] = []
    cp, dp = ctx.creditor_profile, ctx.debtor_profile
    if cp is not None and cp.type == "person":
        age, tenure = cp.age_years(f.ts), cp.tenure_days(f.ts)
        young = age is not None and age < p.profile_young_age
        # new: onboarded lately (not in the book's first load), or an account the graph first
        # saw lately after watching long enough (after a restart every account looks new)
        onboarded = (tenure is not None and tenure < p.profile_new_days
                     and cp.since is not None and cp.book_start is not None
                     and cp.since - cp.book_start >= p.profile_new_days * DAY)
        first_seen = ((f.creditor_age_days or 0.0) < p.profile_new_days
                      and f.creditor_seen_after_days >= p.profile_new_days)
        new = onboarded or first_seen
        senders = ctx.individual_senders
        if (young or new) and senders >= p.profile_senders:
            who = f"a {int(age)}-year-old individual" if young and age is not None else "a new customer"
            out.append(Signal("profile_mule", p.profile_weight,
                              f"{who}'s account received from {senders} distinct individuals within "
                              f"{p.graph.short_days:g} days", {"senders": senders, "age": age, "tenure_days": tenure,
                                                               "customer": cp.customer_id}))
    for role, prof, count in (("creditor", cp, f.creditor_counterparties), ("debtor", dp, f.debtor_counterparties)):
        if prof is None or prof.type != "person" or count < p.profile_business_min:
            continue
        below, n = peers.share_below("person", count)
        if n >= p.profile_peer_min and below >= p.profile_business_share:
            out.append(Signal("profile_business", p.profile_business_weight,
                              f"the {role}, a person, dealt with {count} distinct counterparties within "
                              f"{p.graph.short_days:g} days, more than {below:.1%} of person accounts",
                              {"role": role, "counterparties": count, "peer_share_below": round(below, 4),
                               "customer": prof.customer_id}))
            break
    if (dp is not None and dp.countries and ctx.creditor_country
            and ctx.creditor_country in p.conflict_zones and ctx.creditor_country not in dp.countries):
        strength = p.profile_corridor_weight * (1.0 if ctx.corridor_payments >= 2 else 0.8)
        out.append(Signal("profile_corridor", strength,
                          f"payment to a conflict-zone corridor ({ctx.creditor_country}) by a holder declared in "
                          f"{', '.join(sorted(dp.countries))} ({ctx.corridor_payments} such within "
                          f"{p.graph.short_days:g} days)",
                          {"country": ctx.creditor_country, "declared": sorted(dp.countries),
                           "count": ctx.corridor_payments, "customer": dp.customer_id}))
    return out
