"""`tizim rescreen`: new list entries against stored counterparties, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from typer.testing import CliRunner

from tests.monitoring.helpers import load_list, payment
from tizim.cli import app
from tizim.monitoring import audit
from tizim.monitoring import tables as t
from tizim.monitoring.cases import Cases
from tizim.monitoring.decide import Decider
from tizim.monitoring.model import Payment
from tizim.monitoring.rescreen import rescreen
from tizim.registry.model import Entity
from tizim.registry.service import Registry
from tizim.screening import Query, Screener, get_screener
from tizim.store import transaction

NEW = {"t-khorasan": ("Organization", "Jamaat Tawhid al-Khorasan", ["JTK"])}
KHORASAN_ACCT = "AE070331234567890123457"


def _alerts() -> list[Any]:
    with transaction() as conn:
        return list(conn.execute(select(t.alerts).order_by(t.alerts.c.id)).all())


def test_rescreen_new_entries_only_then_nothing(db_url: str) -> None:
    load_list()
    before = [
        payment(1),
        payment(2, creditor="Jamaat Tawhid Al Khorasan", creditor_account=KHORASAN_ACCT),
        payment(3, creditor="Tawhid Carpets Almaty LLP"),  # shares a word with the new entry, nothing more
        payment(4, debtor="Khorasan Carpets", creditor="Corporation Q"),
    ]
    decided = Decider().decide_batch([Payment.from_dict(p) for p in before])
    assert [d.status for d in decided] == ["PASS"] * 4
    alerts_before = len(_alerts())

    load_list(NEW, published_at=datetime.now(UTC).date().isoformat())
    # Decided after the new version: screened against it at decision time, not alerted twice.
    after = Decider().decide(Payment.from_dict(payment(5, creditor="Jamaat Tawhid al-Khorasan",
                                                       creditor_account=KHORASAN_ACCT)))
    assert after.status == "FREEZE"

    report = rescreen(actor="rescreener")
    assert ("test-list", 2) in {(v["list"], v["version"]) for v in report["versions"]}
    assert report["within_24h_of_publication"] and report["seconds"] > 0
    assert report["parties_screened"] >= 5
    assert report["alerts"] == 1 and report["held_payments"] == 1 and len(report["cases"]) == 1
    new_alerts = _alerts()[alerts_before + 1:]  # + the decision-time alert of P-00005
    rescreen_alerts = [a for a in new_alerts if a.kind == "rescreen"]
    assert [(a.payment_id, a.entity_id) for a in rescreen_alerts] == [("P-00002", "t-khorasan")]
    assert rescreen_alerts[0].score >= 0.85 and rescreen_alerts[0].detail["version"] == 2

    # The counterparty's case now holds both payments (FREEZE), the others are untouched.
    case = Cases().show(report["cases"][0])
    assert case["severity"] == "FREEZE" and case["party_key"] == "acct:" + KHORASAN_ACCT
    assert {p["payment_id"]: p["hold"] for p in case["payments"]} == {"P-00002": "held", "P-00005": "held"}
    with transaction() as conn:
        holds = {r.payment_id: r.hold for r in conn.execute(select(t.payments.c.payment_id, t.payments.c.hold))}
        done = conn.execute(select(t.rescreens).where(t.rescreens.c.list_name == "test-list")
                            .order_by(t.rescreens.c.version)).all()
    assert {pid for pid, hold in holds.items() if hold} == {"P-00002", "P-00005"}
    assert [(r.version, r.alerts, r.held_payments) for r in done] == [(1, 0, 0), (2, 1, 1)]
    assert audit.verify().ok

    # A re-run finds every version rescreened: nothing new, and the CLI says so.
    again = rescreen()
    assert again["versions"] == [] and again["alerts"] == 0 and again["cases"] == []
    result = CliRunner().invoke(app, ["rescreen"])
    assert result.exit_code == 0 and "nothing to rescreen" in result.output
    assert len(_alerts()) == len(new_alerts) + alerts_before + 1


def test_small_screener_scores_as_the_full_one(db_url: str) -> None:
    load_list(NEW)
    full = get_screener()
    small = Screener.from_entities([Entity.from_dict(Registry().entity("t-khorasan")["entity"])], weights_from=full)
    for name in ("Jamaat Tawhid Al Khorasan", "Tawhid Khorasan", "Khorasan Carpets"):
        query = Query(schema="LegalEntity", names=[name])
        want = [r.score for r in full.match(query, threshold=0.0) if r.entity_id == "t-khorasan"]
        got = [r.score for r in small.match(query, threshold=0.0)]
        assert got == want, name
    assert [r.score for r in small.match(Query(schema="LegalEntity", names=["Jamaat Tawhid Al Khorasan"]))][0] >= 0.85
