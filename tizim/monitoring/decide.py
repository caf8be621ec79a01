"""Decide: every payment gets exactly one durable decision, PASS / OBSERVE / FREEZE.

FREEZE when a party matches a designated entity at or above settings.freeze_threshold;
OBSERVE when a weaker match (at or above match_threshold), a free-text mention or a rule
fires; else PASS. The decision, its reasons and the match explanations are committed before
`decide`/`decide_batch` return. The payment id is the table's primary key, so a second
decision for one id cannot be stored; writers take the audit chain lock first, which also
makes the check-then-insert of a batch race-free on SQLite and PostgreSQL.

An id is not a licence: each decision keeps the digest of the normalized payment. The same
id with the same content gets the stored decision back (idempotent); the same id with other
content is decided on its own, stored as "<id>#<digest[:12]>" linked to the id it reused,
and raises a "payment id reused with different content" alert (at least OBSERVE).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, or_, select

from tizim.customers.freezes import FrozenAccount, frozen_accounts, party_key
from tizim.customers.model import normalize_account
from tizim.monitoring import audit
from tizim.monitoring import tables as t
from tizim.monitoring.bulk import chunks, in_values, insert_rows
from tizim.monitoring.limits import storable
from tizim.monitoring.model import Payment, Rejected
from tizim.monitoring.rules import History, Hit, RuleSet, Seen, payment_ts
from tizim.monitoring.screening import PaymentScreener, payment_queries
from tizim.settings import get_settings
from tizim.store import transaction
from tizim.typologies.engine import TypologyEngine

ACTIVE_CASE = ("open", "escalated", "release_requested", "dismiss_requested")
REUSED = "payment_id_reused"


def content_digest(payment: Payment | dict[str, Any]) -> str:
    """sha256 of what a payment says (its normalized form, id and source format left out)."""
    data = payment.to_dict() if isinstance(payment, Payment) else dict(payment)
    for key in ("payment_id", "format"):
        data.pop(key, None)
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False,
                                     separators=(",", ":")).encode()).hexdigest()


def derived_id(payment_id: str, digest: str) -> str:
    """Where another content under a known payment id is stored."""
    return f"{payment_id}#{digest[:12]}"


@dataclass
class Decision:
    payment_id: str
    status: str
    reasons: list[str]
    matches: list[dict[str, Any]]
    decided_at: str
    ids: dict[str, Any]
    hold: str | None = None
    replay: bool = False  # True when the id was decided before: this is the stored decision
    alerts: list[dict[str, Any]] = field(default_factory=list)
    digest: str | None = None
    original_id: str | None = None  # the id this payment reused with a different content

    def to_dict(self) -> dict[str, Any]:
        return {
            "payment_id": self.payment_id,
            "message_id": self.ids.get("msg_id"),
            "end_to_end_id": self.ids.get("e2e_id"),
            "uetr": self.ids.get("uetr"),
            "instruction_id": self.ids.get("instr_id"),
            "status": self.status,
            "reasons": self.reasons,
            "matches": self.matches,
            "decided_at": self.decided_at,
            "amount": self.ids.get("amount"),
            "currency": self.ids.get("currency"),
            "debtor": self.ids.get("debtor_name"),
            "creditor": self.ids.get("creditor_name"),
            "hold": self.hold,
            "replay": self.replay,
            "digest": self.digest,
            "original_id": self.original_id,
        }

    @classmethod
    def from_row(cls, row: Any, replay: bool = False) -> Decision:
        return cls(
            payment_id=row.payment_id,
            status=row.status,
            reasons=list(row.reasons or []),
            matches=list(row.matches or []),
            decided_at=row.decided_at,
            ids={k: getattr(row, k) for k in ("msg_id", "e2e_id", "uetr", "instr_id", "amount", "currency",
                                               "debtor_name", "creditor_name")},
            hold=row.hold,
            replay=replay,
            digest=getattr(row, "digest", None) or content_digest(row.data or {}),
            original_id=getattr(row, "original_id", None),
        )


@dataclass
class _Alert:
    kind: str  # match | text | rule
    code: str
    role: str
    party_key: str
    party_name: str | None
    entity_id: str | None = None
    score: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Pending:
    payment: Payment
    status: str
    reasons: list[str]
    matches: list[dict[str, Any]]
    alerts: list[_Alert]
    amount_local: float | None
    ts: float
    digest: str = ""
    original_id: str | None = None


def _result_dict(role: str, name: str | None, r: Any) -> dict[str, Any]:
    return {
        "role": role,
        "party": name,
        "entity_id": r.entity_id,
        "caption": r.caption,
        "schema": r.schema,
        "score": round(float(r.score), 4),
        "designated": bool(getattr(r, "designated", True)),
        "lists": list(r.lists),
        "refs": dict(r.refs),
        "explanation": r.explanation,
    }


def meaningful(text: str) -> bool:
    """A free-text span worth an alert: a name, not a number or a short word ("1122", "Juli")."""
    letters = sum(ch.isalpha() for ch in text)
    return letters >= 5 and any(sum(ch.isalpha() for ch in tok) >= 3 for tok in text.split())


def _refs(r: Any) -> str:
    refs = [f"{lst} {', '.join(v)}" for lst, v in (r.refs or {}).items()] or list(r.lists)
    return "; ".join(refs)


class Decider:
    """Decides payments in batches; one instance per run keeps the screening cache."""

    def __init__(self, url: str | None = None, rules: RuleSet | None = None, actor: str = "system",
                 screener: Any = None) -> None:
        self.url = url
        self.rules = rules or RuleSet.load()
        self.actor = actor
        self.screening = PaymentScreener(screener)
        self.history = History()
        self.typologies = TypologyEngine.from_rules(self.rules)  # account graph + typology rules
        # One decider may serve many HTTP threads: history and caches are updated under a lock.
        self._lock = threading.Lock()
        settings = get_settings()
        self.freeze_threshold = settings.freeze_threshold
        self.match_threshold = settings.match_threshold
        self.sla = timedelta(hours=settings.sla_hours)
        # accounts the customer book has frozen, read for each batch inside its transaction
        self._frozen: dict[str, FrozenAccount] = {}

    # ---- reading stored decisions -------------------------------------------------------

    def stored(self, ids: list[str]) -> dict[str, Decision]:
        with transaction(self.url) as conn:
            return self._stored(conn, ids)

    @staticmethod
    def _stored(conn: Connection, ids: list[str]) -> dict[str, Decision]:
        found: dict[str, Decision] = {}
        for chunk in chunks(conn, ids, 500):
            for row in conn.execute(select(t.payments).where(in_values(conn, t.payments.c.payment_id, chunk, "ids"))):
                found[row.payment_id] = Decision.from_row(row, replay=True)
        return found

    # ---- deciding -----------------------------------------------------------------------

    def decide(self, payment: Payment) -> Decision:
        return self.decide_batch([payment])[0]

    def decide_batch(self, payments: list[Payment], rejected: list[Rejected] | None = None,
                     actor: str | None = None) -> list[Decision]:
        """Decide a batch (committed together) and return one Decision per input payment.

        Screening, the expensive part, runs first and outside any transaction (remembered
        dismissals are read only for parties with hits). Then one transaction under the chain
        lock: ids decided before (by an earlier run or a concurrent client) with the same
        content get their stored decision; for the rest the rules' history, the rules, and
        the writes."""
        unique: dict[tuple[str, str], Payment] = {}
        keys: list[tuple[str, str]] = []
        for p in payments:
            key = (p.payment_id, content_digest(p))
            keys.append(key)
            unique.setdefault(key, p)
        fresh = list(unique.values())
        with self._lock:
            if fresh:
                self.screening.screen(fresh)
                self.screening.apply_dismissals(fresh, self.url)
            decided, known = self._decide_and_write(list(unique.items()), rejected or [],
                                                    actor or self.actor)
        out = []
        first: set[tuple[str, str]] = set()
        for key in keys:
            if key in decided and key not in first:
                first.add(key)
                out.append(decided[key])
            else:
                # The same payment again within the batch, or decided earlier: the stored decision.
                d = decided.get(key) or known[key]
                out.append(Decision(**{**d.__dict__, "replay": True}))
        return out

    def _evaluate_one(self, p: Payment, digest: str = "", reused: Any = None) -> _Pending:
        """Decide one payment; `reused`: the stored decision of the id it reuses with another content."""
        reasons: list[str] = []
        matches: list[dict[str, Any]] = []
        alerts: list[_Alert] = []
        status = "PASS"
        if reused is not None:
            subject = p.creditor or p.debtor
            reasons.append(f"payment id reused with different content: {reused.payment_id} was decided "
                           f"{reused.status} for another payment; this one is decided on its own and "
                           f"stored as {p.payment_id}")
            alerts.append(_Alert("rule", REUSED, "payment", (subject.key() if subject else None)
                                 or "payment:" + reused.payment_id, subject.name if subject else None,
                                 detail={"original_id": reused.payment_id, "original_status": reused.status,
                                         "original_decided_at": reused.decided_at,
                                         "original_digest": reused.digest, "digest": digest}))
        for role, party in p.parties():
            held = self._frozen.get(normalize_account(party.account)) if party.account else None
            if held is not None:
                # the book froze this account: nothing moves through it, whatever the names say
                status = "FREEZE"
                reasons.append(f"FREEZE: frozen account: {role} account {held.account} of customer "
                               f"{held.customer_id} ({held.customer}) is frozen (case {held.case_id})")
                alerts.append(_Alert("match", "frozen_account", role, party_key(held.customer_id), held.customer,
                                     detail={"account": held.account, "customer_id": held.customer_id,
                                             "case_id": held.case_id}))
        for role, party, pq in payment_queries(p):
            found = self.screening.results_for_query(pq)
            if not found:
                continue
            label = party.name or party.bic
            key = party.key() or f"name:{label}"
            for r in found:
                score = float(r.score)
                if score < self.match_threshold:
                    continue
                kinds = self.screening.kinds_of(r)
                matches.append({**_result_dict(role, label, r), "list_kinds": kinds})
                designated = bool(getattr(r, "designated", True))
                # only a designated entry of a sanctions list freezes (registry/kinds.py)
                if score >= self.freeze_threshold and designated and "sanctions" in kinds:
                    status = "FREEZE"
                    reasons.append(f"FREEZE: {role} {label!r} matches designated {r.caption} "
                                   f"({_refs(r)}), score {score:.2f}")
                    alerts.append(_Alert("match", "designated_match", role, key, label, r.entity_id, score,
                                         {"caption": r.caption, "refs": r.refs, "list_kinds": kinds}))
                elif designated and "pep" in kinds:
                    reasons.append(f"PEP: {role} {label!r} resembles {r.caption} ({_refs(r)}), "
                                   f"score {score:.2f}: enhanced due diligence")
                    alerts.append(_Alert("match", "pep_match", role, key, label, r.entity_id, score,
                                         {"caption": r.caption, "refs": r.refs, "list_kinds": kinds}))
                else:
                    reasons.append(f"possible match: {role} {label!r} resembles {r.caption} "
                                   f"({_refs(r)}), score {score:.2f}")
                    alerts.append(_Alert("match", "possible_match", role, key, label, r.entity_id, score,
                                         {"caption": r.caption, "refs": r.refs}))
        creditor_key = (p.creditor.key() if p.creditor else None) or "payment:" + p.payment_id
        for field_name, text in p.free_texts():
            for span in self.screening.texts.get(text, []):
                if not meaningful(span.text):
                    continue
                for r in span.results:
                    if float(r.score) < self.match_threshold or not getattr(r, "match", True):
                        continue
                    matches.append({**_result_dict(field_name, span.text, r), "span": [span.start, span.end]})
                    reasons.append(f"{field_name} mentions {span.text!r}, resembling {r.caption} "
                                   f"({_refs(r)}), score {float(r.score):.2f}")
                    alerts.append(_Alert("text", "text_mention", field_name, creditor_key,
                                         p.creditor.name if p.creditor else None, r.entity_id, float(r.score),
                                         {"text": span.text, "caption": r.caption}))
        amount_local = self.rules.to_local(float(p.amount), p.currency)
        ts = payment_ts(p)
        hits: list[Hit] = self.rules.evaluate(p, amount_local, ts, self.history)
        hits += self.typologies.hits(p, amount_local, ts, status, matches)
        for hit in hits:
            reasons.append(f"rule {hit.rule}: {hit.reason}")
            subject = dict(p.parties()).get(hit.role)
            key = (subject.key() if subject else None) or "payment:" + p.payment_id
            alerts.append(_Alert("rule", hit.rule, hit.role, key, subject.name if subject else None,
                                 detail=hit.detail))
        if status != "FREEZE" and alerts:
            status = "OBSERVE"
        if amount_local is None:
            reasons.append(f"note: no rate for {p.currency} in the rules file; amount rules skipped")
        self.history.add(Seen(p.payment_id, p.debtor.key() if p.debtor else None,
                              p.creditor.key() if p.creditor else None, ts, amount_local), self.rules)
        return _Pending(p, status, reasons, matches, alerts, amount_local, ts, digest,
                        reused.payment_id if reused is not None else None)

    def _load_history(self, conn: Connection, payments: list[Payment]) -> None:
        """Fill the rules' history with stored payments of parties first seen in this run."""
        keys: set[str] = set()
        for p in payments:
            for party in (p.debtor, p.creditor):
                k = party.key() if party else None
                if k and k not in self.history.loaded_keys:
                    keys.add(k)
        if not keys or not self.rules.max_window:
            self.history.loaded_keys |= keys
            return
        since = min(payment_ts(p) for p in payments) - self.rules.max_window
        key_list = sorted(keys)
        for chunk in chunks(conn, key_list, 400):
            rows = conn.execute(
                select(t.payments.c.payment_id, t.payments.c.debtor_key, t.payments.c.creditor_key,
                       t.payments.c.ts, t.payments.c.amount_local)
                .where(or_(in_values(conn, t.payments.c.debtor_key, chunk, "dkeys"),
                           in_values(conn, t.payments.c.creditor_key, chunk, "ckeys")))
                .where(t.payments.c.ts >= since)
            )
            for row in rows:
                self.history.add(Seen(row.payment_id, row.debtor_key, row.creditor_key, row.ts,
                                      row.amount_local), self.rules)
        self.history.loaded_keys |= keys

    # ---- writing ------------------------------------------------------------------------

    def _decide_and_write(self, fresh: list[tuple[tuple[str, str], Payment]], rejected: list[Rejected],
                          actor: str) -> tuple[dict[tuple[str, str], Decision], dict[tuple[str, str], Decision]]:
        """(decided now, decided before), by (payment id, digest), in one transaction;
        screening results are ready."""
        if not fresh and not rejected:
            return {}, {}
        now = audit.now_iso()
        out: dict[tuple[str, str], Decision] = {}
        with transaction(self.url) as conn:
            # The chain lock first: it serializes every decision writer (see module doc).
            head = audit.lock_head(conn)
            stored = self._stored(conn, [pid for (pid, _), _ in fresh]
                                  + [derived_id(pid, digest) for (pid, digest), _ in fresh])
            known: dict[tuple[str, str], Decision] = {}
            # (key, payment to decide, whether it reuses a known id with another content)
            todo: list[tuple[tuple[str, str], Payment, bool]] = []
            claimed: dict[str, Decision] = {}  # ids first decided in this batch
            taken: set[str] = set()
            for key, p in fresh:
                pid, digest = key
                first = stored.get(pid)
                if first is not None and first.digest == digest:
                    known[key] = first
                elif derived_id(pid, digest) in stored:
                    known[key] = stored[derived_id(pid, digest)]
                elif first is None and pid not in taken:
                    taken.add(pid)
                    todo.append((key, p, False))
                else:
                    todo.append((key, replace(p, explicit_id=derived_id(pid, digest)), True))
            pending: list[_Pending] = []
            if todo:
                self._load_history(conn, [p for _, p, _ in todo])
                accounts = [party.account for _, p, _ in todo for _, party in p.parties() if party.account]
                self.typologies.sync(conn, accounts)  # and the holders' profiles from the customer book
                self._frozen = frozen_accounts(conn, accounts)
                for (pid, digest), p, reuses in todo:
                    # the first decision of the id: stored before, or earlier in this batch
                    x = self._evaluate_one(p, digest, (stored.get(pid) or claimed[pid]) if reuses else None)
                    if not reuses:
                        claimed[pid] = Decision(pid, x.status, x.reasons, x.matches, now, {}, digest=digest)
                    pending.append(x)
            rows = [self._row(x, now, actor) for x in pending]
            insert_rows(conn, t.payments, rows)
            entries = [
                audit.Entry(actor, "decide", "payment", r["payment_id"], None,
                            {"status": r["status"], "reasons": r["reasons"], "msg_id": r["msg_id"],
                             "e2e_id": r["e2e_id"], "uetr": r["uetr"], "hold": r["hold"],
                             "digest": r["digest"], "original_id": r["original_id"]})
                for r in rows
            ]
            alert_rows = self._cases(conn, pending, now, entries, actor)
            store_rejected(conn, rejected, now, entries, actor)
            audit.append(conn, entries, head)
        for (key, _, _), r in zip(todo, rows, strict=True):
            d = Decision.from_row(_RowView(r))
            d.alerts = alert_rows.get(r["payment_id"], [])
            out[key] = d
        return out, known

    def _row(self, x: _Pending, now: str, actor: str) -> dict[str, Any]:
        p = x.payment
        return {
            "payment_id": p.payment_id,
            "msg_id": p.msg_id,
            "e2e_id": p.e2e_id,
            "uetr": p.uetr,
            "instr_id": p.instr_id,
            "format": p.format or "unknown",
            "source": p.source,
            "record": p.record,
            "amount": str(p.amount),
            "currency": p.currency,
            "amount_local": x.amount_local,
            "value_date": p.value_date,
            "ts": x.ts,
            "debtor_key": p.debtor.key() if p.debtor else None,
            "creditor_key": p.creditor.key() if p.creditor else None,
            "debtor_name": p.debtor.name if p.debtor else None,
            "creditor_name": p.creditor.name if p.creditor else None,
            "data": p.to_dict(),
            "status": x.status,
            "reasons": x.reasons,
            "matches": x.matches,
            "decided_at": now,
            "decided_by": actor,
            "hold": "held" if x.status == "FREEZE" else None,
            "hold_changed_at": now if x.status == "FREEZE" else None,
            "digest": x.digest or content_digest(p),
            "original_id": x.original_id,
        }

    def _cases(self, conn: Connection, todo: list[_Pending], now: str,
               entries: list[audit.Entry], actor: str) -> dict[str, list[dict[str, Any]]]:
        """Group the batch's alerts into cases by party: an active case, else a new one."""
        by_key: dict[str, list[tuple[_Pending, _Alert]]] = defaultdict(list)
        for x in todo:
            for a in x.alerts:
                by_key[a.party_key].append((x, a))
        if not by_key:
            return {}
        keys = sorted(by_key)
        open_cases: dict[str, Any] = {}
        for start in range(0, len(keys), 400):
            chunk = keys[start : start + 400]
            for row in conn.execute(
                select(t.cases).where(t.cases.c.party_key.in_(chunk), t.cases.c.status.in_(ACTIVE_CASE))
                .order_by(t.cases.c.id)
            ):
                open_cases.setdefault(row.party_key, row)
        due = (datetime.fromisoformat(now) + self.sla).isoformat(timespec="microseconds")
        alert_rows: list[dict[str, Any]] = []
        per_payment: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for key in keys:
            items = by_key[key]
            severity = "FREEZE" if any(x.status == "FREEZE" for x, _ in items) else "OBSERVE"
            case = open_cases.get(key)
            if case is None:
                name = next((a.party_name for _, a in items if a.party_name), None)
                case_id = conn.execute(
                    insert(t.cases).values(
                        party_key=key, party_name=name, severity=severity, status="open", assignee=None,
                        created_at=now, sla_due=due, updated_at=now,
                    ).returning(t.cases.c.id)
                ).scalar_one()
                entries.append(audit.Entry(actor, "open", "case", str(case_id), None,
                                           {"party_key": key, "party_name": name, "severity": severity,
                                            "status": "open", "sla_due": due}))
            else:
                case_id = case.id
                if severity == "FREEZE" and case.severity != "FREEZE":
                    conn.execute(t.cases.update().where(t.cases.c.id == case_id)
                                 .values(severity="FREEZE", updated_at=now))
                    entries.append(audit.Entry(actor, "raise_severity", "case", str(case_id),
                                               {"severity": case.severity}, {"severity": "FREEZE"}))
            for x, a in items:
                alert_rows.append({"case_id": case_id, "payment_id": x.payment.payment_id, "kind": a.kind,
                                   "code": a.code, "role": a.role, "entity_id": a.entity_id, "score": a.score,
                                   "detail": a.detail, "created_at": now})
                per_payment[x.payment.payment_id].append({"case_id": case_id, "code": a.code, "role": a.role})
        insert_rows(conn, t.alerts, alert_rows)
        return per_payment

class _RowView:
    """Attribute access over a row dict (Decision.from_row reads attributes)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.__dict__.update(data)


def store_rejected(conn: Connection, rejected: list[Rejected], now: str, entries: list[audit.Entry],
                   actor: str) -> None:
    """Store rejected messages once each (keyed by source, record and reason)."""
    if not rejected:
        return
    rows: list[dict[str, Any]] = []
    for rej in rejected:
        key = hashlib.sha256(f"{rej.source}\x00{rej.record}\x00{rej.line}\x00{rej.reason}"
                             .encode("utf-8", "backslashreplace")).hexdigest()
        # kept as it came, but storable: NUL and lone surrogates as escapes (limits.storable)
        rows.append({"key": key, "source": storable(rej.source), "line": rej.line, "record": storable(rej.record),
                     "format": (rej.format or "")[:16], "reason": storable(rej.reason), "raw": storable(rej.raw),
                     "received_at": now})
    keys = [r["key"] for r in rows]
    have = set(conn.execute(select(t.rejected.c.key).where(t.rejected.c.key.in_(keys))).scalars())
    new = [r for r in {r["key"]: r for r in rows}.values() if r["key"] not in have]
    if new:
        conn.execute(insert(t.rejected), new)
        for r in new:
            entries.append(audit.Entry(actor, "reject", "message", r["key"][:16], None,
                                       {"source": r["source"], "line": r["line"], "record": r["record"],
                                        "reason": r["reason"]}))


def record_rejected(rejected: list[Rejected], url: str | None = None, actor: str = "system") -> None:
    """Store rejected messages (with their reasons) outside a decision batch."""
    with transaction(url) as conn:
        entries: list[audit.Entry] = []
        audit.lock_head(conn)
        store_rejected(conn, rejected, audit.now_iso(), entries, actor)
        audit.append(conn, entries)
