"""The audit trail resists someone who can write SQL (issue 19): HMAC under a key outside
the database, a missing head is tampering, an anchor catches a truncated tail, and the
tables' states (payments, cases, dismissals) are checked against the chain."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from tests.monitoring.helpers import load_list, payment
from tizim import settings
from tizim.errors import TizimError
from tizim.monitoring import audit
from tizim.monitoring import tables as t
from tizim.monitoring.cases import Cases
from tizim.monitoring.decide import Decider
from tizim.monitoring.model import Payment
from tizim.screening.tables import screening_decisions
from tizim.store import transaction


def _decide(n: int = 6, frozen: bool = True) -> None:
    load_list()
    rows = [payment(i) for i in range(n)]
    if frozen:
        rows.append(payment(99, creditor="Asbat al-Ansar"))
    Decider().decide_batch([Payment.from_dict(r) for r in rows])
    assert audit.verify().ok


def _rows() -> list[dict[str, Any]]:
    with transaction() as conn:
        return [dict(r._mapping) for r in conn.execute(select(t.audit_log).order_by(t.audit_log.c.seq))]


def test_rewriting_a_record_and_every_later_hash_is_detected(db_url: str) -> None:
    """The attack an unkeyed chain let through: change a record, recompute every hash after it."""
    _decide()
    rows = _rows()
    target = 3
    with transaction() as conn:
        prev = rows[target - 2]["hash"]
        for row in rows[target - 1:]:
            if row["seq"] == target:
                row["actor"] = "mallory"
            row["prev_hash"] = prev
            row["hash"] = prev = audit.legacy_hash(row, prev)  # what SQL access alone can compute
            conn.execute(update(t.audit_log).where(t.audit_log.c.seq == row["seq"])
                         .values(actor=row["actor"], prev_hash=row["prev_hash"], hash=row["hash"]))
        conn.execute(update(t.audit_head).where(t.audit_head.c.id == 1).values(hash=prev))
    result = audit.verify()
    assert not result.ok and result.position == target and "audit key" in (result.problem or "")


def test_truncating_the_tail_and_moving_the_head_is_caught_by_the_anchor(db_url: str, tmp_path: Path) -> None:
    _decide()
    kept = audit.anchor()
    assert audit.verify(anchor=kept).ok
    rows = _rows()
    assert kept["seq"] == rows[-1]["seq"]
    with transaction() as conn:
        conn.execute(t.audit_log.delete().where(t.audit_log.c.seq > kept["seq"] - 2))
        last = rows[kept["seq"] - 3]
        conn.execute(update(t.audit_head).where(t.audit_head.c.id == 1).values(seq=last["seq"], hash=last["hash"]))
    # the head was moved with the tail: the chain alone looks whole; the anchor says how long it was
    result = audit.verify(anchor=kept)
    assert not result.ok and "removed from the end" in (result.problem or "")


def test_a_rewritten_anchored_chain_is_caught(db_url: str) -> None:
    _decide(frozen=False)
    kept = audit.anchor()
    forged = {**kept, "hash": "f" * 64}
    result = audit.verify(anchor=forged)
    assert not result.ok and "not the one anchored" in (result.problem or "")


def test_deleting_the_head_row_is_tampering(db_url: str) -> None:
    _decide(frozen=False)
    with transaction() as conn:
        conn.execute(t.audit_head.delete())
    result = audit.verify()
    assert not result.ok and "head row is missing" in (result.problem or "")
    # nor is it quietly re-created by the next append
    with pytest.raises(TizimError, match="head row is missing"), transaction() as conn:
        audit.append(conn, [audit.Entry("x", "comment", "case", "1", None, {"note": "n"})])


def test_freeze_to_pass_in_the_payments_table_is_detected(db_url: str) -> None:
    _decide()
    with transaction() as conn:
        frozen = conn.execute(select(t.payments.c.payment_id).where(t.payments.c.status == "FREEZE")).scalar_one()
        conn.execute(update(t.payments).where(t.payments.c.payment_id == frozen).values(status="PASS", hold=None))
    result = audit.verify()
    assert not result.ok and f"payment {frozen}" in (result.problem or "") and "status='PASS'" in (result.problem or "")


def test_a_case_closed_by_sql_is_detected(db_url: str) -> None:
    _decide()
    (case,) = Cases().list_cases()
    Cases().act(case["id"], "assign", "aliya", "analyst", assignee="aliya")
    assert audit.verify().ok
    with transaction() as conn:
        conn.execute(update(t.cases).where(t.cases.c.id == case["id"]).values(status="released"))
    result = audit.verify()
    assert not result.ok and f"case {case['id']}" in (result.problem or "")


def test_dismissals_are_on_the_chain_and_a_forged_one_is_detected(db_url: str) -> None:
    _decide()
    (case,) = Cases().list_cases()
    Cases().act(case["id"], "dismiss", "aliya", "analyst", note="a namesake shop")
    Cases().act(case["id"], "approve-dismiss", "dana", "supervisor", note="agreed")
    with transaction() as conn:
        remembered = conn.execute(select(screening_decisions)).all()
        on_chain = conn.execute(select(t.audit_log).where(t.audit_log.c.object_type == "dismissal")).all()
    assert remembered and {str(r.id) for r in remembered} == {r.object_id for r in on_chain}
    assert audit.verify().ok
    with transaction() as conn:  # a forged dismissal: a row no one decided in tizim
        row = dict(remembered[0]._mapping)
        row.pop("id")
        conn.execute(screening_decisions.insert().values(**{**row, "subject_key": "acct:FORGED", "user": "mallory"}))
    result = audit.verify()
    assert not result.ok and "not on the audit chain" in (result.problem or "")
    with transaction() as conn:  # an existing one altered
        conn.execute(screening_decisions.delete().where(screening_decisions.c.subject_key == "acct:FORGED"))
        conn.execute(update(screening_decisions).where(screening_decisions.c.id == remembered[0].id)
                     .values(entity_id="another-entity"))
    result = audit.verify()
    assert not result.ok and "entity_id" in (result.problem or "")


def test_the_key_comes_from_the_environment_or_a_file(db_url: str, tmp_path: Path) -> None:
    _decide(frozen=False)
    assert audit.verify().ok
    settings.override(audit_key="another key entirely, 32 chars")
    try:
        result = audit.verify()  # the same chain under another key: nothing verifies
        assert not result.ok and result.position == 1
    finally:
        settings.override(audit_key=None)
    key_file = tmp_path / "audit.key"
    key_file.write_text("k" * 40)
    settings.override(audit_key_file=key_file)
    try:
        assert not audit.verify().ok
        with pytest.raises(TizimError, match="shorter"):
            settings.override(audit_key="short")
            audit.chain_key()
    finally:
        settings.override(audit_key=None, audit_key_file=None)
    assert audit.verify().ok


def test_the_default_key_file_is_created_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "data" / "audit.key"
    audit._create_key_file(path)
    first = path.read_bytes()
    assert len(first.strip()) == 64 and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    audit._create_key_file(path)  # a second process: the key stays
    assert path.read_bytes() == first


def test_cli_anchor_and_verify(db_url: str, tmp_path: Path) -> None:
    _decide(frozen=False)
    env = dict(os.environ, TIZIM_DATABASE_URL=db_url, NO_COLOR="1")
    anchor_file = tmp_path / "anchor.json"
    done = subprocess.run([sys.executable, "-m", "tizim.cli", "audit", "anchor", "--output", str(anchor_file)],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    kept = json.loads(anchor_file.read_text())
    assert kept["seq"] >= 6 and len(kept["hash"]) == 64
    ok = subprocess.run([sys.executable, "-m", "tizim.cli", "audit", "verify", "--anchor", str(anchor_file)],
                        env=env, capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    with transaction() as conn:
        conn.execute(t.audit_log.delete().where(t.audit_log.c.seq == kept["seq"]))
        prev = conn.execute(select(t.audit_log).where(t.audit_log.c.seq == kept["seq"] - 1)).one()
        conn.execute(update(t.audit_head).where(t.audit_head.c.id == 1).values(seq=prev.seq, hash=prev.hash))
    broken = subprocess.run([sys.executable, "-m", "tizim.cli", "audit", "verify", "--anchor", str(anchor_file)],
                            env=env, capture_output=True, text=True, timeout=300)
    assert broken.returncode == 1 and "BROKEN" in broken.stdout
