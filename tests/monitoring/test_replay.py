"""A payment id is not a licence: the same id with other content is decided on its own."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import shared_file
from tests.monitoring.helpers import load_list, payment
from tizim.api.app import create_app
from tizim.api.keys import KeyStore
from tizim.monitoring import tables as t
from tizim.monitoring.decide import REUSED, Decider, content_digest
from tizim.monitoring.formats import iter_file
from tizim.monitoring.model import Payment
from tizim.monitoring.queries import list_decisions
from tizim.store import transaction


def test_same_id_other_content_is_screened(db_url: str) -> None:
    load_list()
    harmless = Payment.from_dict(payment(1))
    first = Decider().decide(harmless)
    assert first.status == "PASS" and not first.replay
    # the same id, now paying a listed organization: never answered from the store
    listed = Payment.from_dict(payment(1, creditor="ISLAMIC MOVEMENT OF UZBEKISTAN"))
    second = Decider().decide(listed)
    assert not second.replay and second.status == "FREEZE"
    assert second.original_id == "P-00001" and second.payment_id.startswith("P-00001#")
    assert any("payment id reused with different content" in r for r in second.reasons)
    assert any(a["code"] == REUSED for a in second.alerts)
    # the same content again: its own stored decision (idempotent)
    for again in (Decider().decide(Payment.from_dict(payment(1))),
                  Decider().decide(Payment.from_dict(payment(1, creditor="ISLAMIC MOVEMENT OF UZBEKISTAN")))):
        assert again.replay
    assert Decider().decide(Payment.from_dict(payment(1))).status == "PASS"
    # both versions kept
    rows = {r["payment_id"]: r for r in list_decisions()}
    assert set(rows) == {"P-00001", second.payment_id}
    with transaction() as conn:
        stored = {r.payment_id: r for r in conn.execute(select(t.payments))}
        reused_alerts = conn.execute(select(t.alerts).where(t.alerts.c.code == REUSED)).all()
    assert stored["P-00001"].digest == content_digest(harmless)
    assert stored[second.payment_id].original_id == "P-00001"
    assert len(reused_alerts) == 1 and reused_alerts[0].detail["original_id"] == "P-00001"


def test_reused_id_with_harmless_content_is_observed(db_url: str) -> None:
    load_list()
    out = Decider().decide_batch([Payment.from_dict(payment(3)), Payment.from_dict(payment(3, amount="99.00"))])
    assert [d.status for d in out] == ["PASS", "OBSERVE"] and [d.replay for d in out] == [False, False]
    assert out[1].original_id == "P-00003"


def test_same_id_over_http(db_url: str) -> None:
    load_list()
    _, secret = KeyStore().create("teller", "screener")
    headers = {"Authorization": f"Bearer {secret}"}
    client = TestClient(create_app())
    first = client.post("/payments", content=json.dumps(payment(4)), headers=headers)
    assert first.status_code == 201 and first.json()["status"] == "PASS"
    other = client.post("/payments", content=json.dumps(payment(4, creditor="Asbat al-Ansar")), headers=headers)
    assert other.status_code == 201, other.text
    body = other.json()
    assert body["status"] == "FREEZE" and body["replay"] is False and body["original_id"] == "P-00004"
    again = client.post("/payments", content=json.dumps(payment(4, creditor="Asbat al-Ansar")), headers=headers)
    assert again.status_code == 200 and again.json()["replay"] is True
    assert again.json()["payment_id"] == body["payment_id"]


def _fedwire() -> list[Payment]:
    found: list[Payment] = []
    fedwire = shared_file("iso20022", "fedwire_moov_wire20022")
    for path in sorted(fedwire.glob("*pacs.008*.xml")):
        found += [p for p in iter_file(Path(path)) if isinstance(p, Payment)]
    return found


def test_fedwire_samples_reusing_uetrs_are_all_screened(db_url: str) -> None:
    load_list()
    samples = _fedwire()
    uetrs = [p.uetr for p in samples]
    assert len(samples) > len(set(uetrs))  # the Fed's samples reuse UETRs
    contents = {(p.payment_id, content_digest(p)) for p in samples}
    out = Decider().decide_batch(samples)
    # every distinct content has a decision of its own; only an identical message replays
    assert sum(not d.replay for d in out) == len(contents)
    assert len(list_decisions()) == len(contents)
    again = Decider().decide_batch(_fedwire())
    assert all(d.replay for d in again)
