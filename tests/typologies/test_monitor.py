"""Typologies inside the monitor: Decider alerts, the graph across restarts, the instrument
field, and `tizim typologies train` on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tests.monitoring.helpers import load_list
from tizim.cli import app
from tizim.monitoring import tables as t
from tizim.monitoring.decide import Decider
from tizim.monitoring.formats.tabular import iter_csv
from tizim.monitoring.model import Payment, Rejected
from tizim.store import transaction
from tizim.typologies import tables as tt


def _pay(i: int, debtor: str, creditor: str, hour: int, amount: str = "400000", **extra: Any) -> Payment:
    data: dict[str, Any] = {
        "payment_id": f"T-{i:05d}", "amount": amount, "currency": "KZT",
        "created_at": f"2025-03-{10 + hour // 24:02d}T{hour % 24:02d}:00:00+00:00",
        "debtor": {"name": f"Holder {debtor}", "account": f"KZ{debtor}"},
        "creditor": {"name": f"Holder {creditor}", "account": f"KZ{creditor}"},
    }
    data.update(extra)
    return Payment.from_dict(data)


def test_a_cycle_is_observed_with_its_explanation_never_frozen(db_url: str) -> None:
    load_list()
    out = Decider().decide_batch([_pay(1, "111", "222", 0), _pay(2, "222", "333", 5, "390000"),
                                  _pay(3, "333", "111", 10, "380000")])
    assert [d.status for d in out] == ["PASS", "PASS", "OBSERVE"]
    (reason,) = [r for r in out[2].reasons if r.startswith("rule typology")]
    assert "cycle" in reason
    with transaction() as conn:
        (alert,) = conn.execute(select(t.alerts).where(t.alerts.c.code == "typology")).all()
    assert alert.role == "debtor" and alert.detail["score"] >= alert.detail["threshold"]
    (top, *_) = alert.detail["contributions"]
    assert top["signal"] == "cycle" and "ACCT:KZ333".lower() in top["reason"].lower()
    # the alert names the cycle's payments, the earlier two included, in time order
    assert [(p["debtor"], p["creditor"]) for p in alert.detail["pattern"]] == [
        ("acct:KZ111", "acct:KZ222"), ("acct:KZ222", "acct:KZ333"), ("acct:KZ333", "acct:KZ111")]


def test_an_account_named_in_an_alerted_cycle_is_watched_across_restarts(db_url: str) -> None:
    load_list()
    Decider().decide_batch([_pay(1, "111", "222", 0), _pay(2, "222", "333", 5, "390000"),
                            _pay(3, "333", "111", 10, "380000")])
    # after a restart (the marks come back from the stored alerts): KZ222 was in the cycle but
    # no party to the payment that closed it, so its next payment, to an account never seen,
    # is observed on KZ222's case; the next one within watch_days (30) is not
    decider = Decider()
    out = decider.decide_batch([_pay(4, "222", "444", 30, "120000"), _pay(5, "222", "555", 40, "90000")])
    assert [d.status for d in out] == ["OBSERVE", "PASS"]
    (reason,) = [r for r in out[0].reasons if r.startswith("rule typology")]
    assert "watched" in reason
    with transaction() as conn:
        alert = conn.execute(select(t.alerts).where(t.alerts.c.code == "typology")
                             .order_by(t.alerts.c.id.desc())).first()
    assert alert is not None and alert.role == "debtor"
    assert "named in the pattern of alert T-00003" in alert.detail["contributions"][0]["reason"]
    # restarted again: still within 30 days of that alert, then past them (within risk_days)
    decider = Decider()
    late = {"created_at": "2025-04-20T10:00:00+00:00"}
    out = decider.decide_batch([_pay(6, "222", "666", 100, "80000"), _pay(7, "222", "777", 0, "85000", **late)])
    assert [d.status for d in out] == ["PASS", "OBSERVE"]


def test_the_graph_survives_a_restart_and_other_processes(db_url: str) -> None:
    load_list()
    Decider().decide_batch([_pay(1, "111", "222", 0)])
    Decider().decide_batch([_pay(2, "222", "333", 5)])  # another process, or after a restart
    out = Decider().decide_batch([_pay(3, "333", "111", 10)])
    assert out[0].status == "OBSERVE" and any("cycle" in r for r in out[0].reasons)


def test_funds_towards_a_listed_party_associates(db_url: str) -> None:
    load_list()
    decider = Decider()
    to_listed = _pay(1, "500", "900", 0)
    to_listed.creditor.name = "Rustam Karimov Abdullaevich"  # type: ignore[union-attr]
    first = decider.decide_batch([to_listed])
    assert first[0].status == "FREEZE"
    # a donor paying the listed person's counterparty: one hop short of him
    out = decider.decide_batch([_pay(2, "700", "500", 3)])
    assert any("towards_listed" in r for r in out[0].reasons)


def test_instrument_column_is_read_and_checked() -> None:
    text = ("payment_id,amount,currency,debtor_account,creditor_account,instrument,purpose\n"
            "A1,10,KZT,KZ1,KZ2,Cash,CHAR\nA2,10,KZT,KZ1,KZ2,barter,\n")
    first, second = list(iter_csv(text, "x.csv"))
    assert isinstance(first, Payment) and first.instrument == "cash" and first.purpose == "CHAR"
    assert first.to_dict()["instrument"] == "cash"
    assert isinstance(second, Rejected) and "instrument 'barter'" in second.reason


def _write_run(folder: Path, seed: int = 3) -> tuple[Path, Path]:
    """A small labelled run: ordinary one-off payments and rings of three accounts cycling."""
    rng = random.Random(seed)
    rows = []
    labels = {}
    for i in range(500):
        d, c = rng.sample(range(200), 2)
        rows.append((i, f"N{d}", f"N{c}", i * 0.3))
    for ring in range(12):
        members = [f"R{ring}{k}" for k in range(3)]
        start = ring * 12.0
        for hop in range(6):
            rows.append((1000 + ring * 10 + hop, members[hop % 3], members[(hop + 1) % 3], start + hop * 0.5))
        for m in members:
            labels[m] = 1
    for i in range(200):
        labels[f"N{i}"] = 0
    payments = folder / "payments.csv"
    with payments.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["payment_id", "amount", "currency", "created_at", "debtor_account", "creditor_account"])
        for pid, d, c, hours in sorted(rows, key=lambda r: r[3]):
            day, hour = divmod(int(hours), 24)
            w.writerow([f"P{pid}", "100000", "KZT", f"2025-03-{1 + day:02d}T{hour:02d}:00:00+00:00", d, c])
    label_file = folder / "labels.csv"
    with label_file.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "label"])
        for k, v in labels.items():
            w.writerow([k, v])
    return payments, label_file


def test_train_prints_validation_and_the_model_scores_next(db_url: str, tmp_path: Path) -> None:
    payments, labels = _write_run(tmp_path)
    runner = CliRunner()
    result = runner.invoke(app, ["typologies", "train", "--labels", str(labels), "--payments", str(payments),
                                 "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["active"] is True and out["validation"]["payments"] > 0
    assert out["validation"]["roc_auc"] is not None and out["validation"]["roc_auc"] > 0.7
    # strictly the past: the validation period starts after the training period ends
    assert out["validation"]["from_ts"] >= out["train"]["to_ts"]
    with transaction() as conn:
        (row,) = conn.execute(select(tt.models)).all()
    assert row.params["kind"] == "logistic" and row.active
    shown = runner.invoke(app, ["typologies", "show", "--json"])
    assert json.loads(shown.output)["model"]["id"] == row.id
    # the next monitor run scores with the model
    load_list()
    decider = Decider()
    decider.decide_batch([_pay(1, "A1", "A2", 0)])
    decider.decide_batch([_pay(2, "A2", "A3", 1)])
    (d,) = decider.decide_batch([_pay(3, "A3", "A1", 2)])
    assert decider.typologies.model is not None
    if d.status == "OBSERVE":
        with transaction() as conn:
            alerts = conn.execute(select(t.alerts).where(t.alerts.c.code == "typology")).all()
        assert alerts[-1].detail["model"].startswith("logistic#")


@pytest.mark.parametrize("content, message", [
    ("id,label\nA,maybe\n", "label 'maybe' is not 0 or 1"),
    ("account\nA\n", "needs an `id`"),
])
def test_train_refuses_bad_labels(sqlite_url: str, tmp_path: Path, content: str, message: str) -> None:
    payments, _ = _write_run(tmp_path)
    labels = tmp_path / "bad.csv"
    labels.write_text(content)
    result = CliRunner().invoke(app, ["typologies", "train", "--labels", str(labels), "--payments", str(payments)])
    assert result.exit_code != 0 and message in str(result.exception or result.output)
