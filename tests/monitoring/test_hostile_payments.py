"""PostgreSQL takes what SQLite takes (issue 19): fields no column or standard admits are a
clear rejection of that one payment, at parse time, on both databases; one payment never
fails its batch in `tizim monitor`, nor POST /payments with a 500."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.monitoring.helpers import load_list, payment
from tizim.api.app import create_app
from tizim.api.keys import KeyStore
from tizim.monitoring import tables as t
from tizim.monitoring.formats import iter_text
from tizim.monitoring.model import Payment, Rejected
from tizim.monitoring.runner import run_file
from tizim.store import transaction


def _with(i: int, path: str, value: Any, **kw: Any) -> dict[str, Any]:
    data = payment(i, **kw)
    target = data
    *parents, leaf = path.split(".")
    for key in parents:
        target = target.setdefault(key, {})
    target[leaf] = value
    return data


# (what, payment, a word the rejection must say)
HOSTILE: list[tuple[str, dict[str, Any], str]] = [
    ("ISO timestamp as value date", _with(101, "value_date", "2025-03-10T09:00:00Z"), "value date"),
    ("300-character payment id", _with(102, "payment_id", "P" * 300), "payment_id"),
    ("300-character UETR", _with(103, "uetr", "u" * 300), "uetr"),
    ("300-character message id", _with(104, "msg_id", "M" * 300), "msg_id"),
    ("300-character account", _with(105, "creditor.account", "A" * 300), "creditor.account"),
    ("60-digit amount", _with(106, "amount", "9" * 60), "amount"),
    ("amount as a huge exponent", _with(107, "amount", "1E+400"), "amount"),
    ("NUL in a name", _with(108, "creditor.name", "Corporation\x00Y"), "NUL"),
    ("lone surrogate in a name", _with(109, "debtor.name", "Ab\ud800cd"), "surrogate"),
    ("intermediary agents as strings", _with(110, "intermediary_agents", ["BANK ONE", "BANK TWO"]),
     "intermediary_agents"),
    ("1 MB creditor name", _with(111, "creditor.name", "Y" * 1_000_000), "creditor.name"),
    ("2 MB field 72", _with(112, "sender_info", "/REC/ " + "x" * 2_000_000), "sender_info"),
]


def _rejected_count() -> int:
    with transaction() as conn:
        return int(conn.execute(select(func.count()).select_from(t.rejected)).scalar_one())


@pytest.mark.parametrize("what", [h[0] for h in HOSTILE])
def test_a_hostile_field_rejects_that_payment_at_parse_time(what: str) -> None:
    data, word = next((d, w) for name, d, w in HOSTILE if name == what)
    body = json.dumps(data, ensure_ascii=True)  # a lone surrogate travels as \\ud800
    (item,) = list(iter_text(body))
    assert isinstance(item, Rejected), item
    assert word.lower() in item.reason.lower()
    assert len(item.reason) < 400


def test_post_payments_answers_422_never_500(db_url: str) -> None:
    load_list()
    _, secret = KeyStore().create("teller", "screener")
    headers = {"Authorization": f"Bearer {secret}"}
    client = TestClient(create_app(), raise_server_exceptions=False)
    before = _rejected_count()
    for what, data, _word in HOSTILE:
        body = json.dumps(data, ensure_ascii=True).encode()
        if len(body) > 1_900_000:
            continue  # past the body limit: a 413, tested elsewhere
        response = client.post("/payments", content=body, headers=headers)
        assert response.status_code == 422, (what, response.status_code, response.text[:300])
        assert response.json()["rejected"][0]["reason"]
    assert _rejected_count() > before
    # sent as JSON, a NUL is still the rejection of that payment, stored with its reason
    nul = json.dumps(_with(120, "creditor.name", "Corp\x00Y")).encode()
    sent = client.post("/payments", content=nul, headers={**headers, "content-type": "application/json"})
    assert sent.status_code == 422 and "NUL" in sent.json()["rejected"][0]["reason"]
    # a good payment after them is decided as usual
    ok = client.post("/payments", content=json.dumps(payment(200, creditor="Asbat al-Ansar")), headers=headers)
    assert ok.status_code == 201 and ok.json()["status"] == "FREEZE"


def test_one_bad_payment_never_fails_its_batch(db_url: str, tmp_path: Path) -> None:
    load_list()
    lines = [payment(1), payment(2, creditor="Asbat al-Ansar")]
    lines += [data for _what, data, _w in HOSTILE]
    lines += [payment(3, creditor="Islamic Movement of Uzbekistan"), payment(4)]
    path = tmp_path / "payments.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=True) for x in lines) + "\n{" + "[" * 100_000 + "\n",
                    encoding="utf-8")
    summary = run_file(path, batch=500, workers=1)
    assert summary["decided"] == 4
    assert summary["status"]["FREEZE"] == 2
    assert summary["rejected"] == len(HOSTILE) + 1
    again = run_file(path, batch=500, workers=1)  # a rerun decides nothing twice
    assert again["decided"] == 0 and again["skipped"] == 4


def test_a_store_refusal_is_a_rejection_of_that_payment_only(db_url: str, tmp_path: Path) -> None:
    """Whatever slips past parse-time checks, the runner decides the batch one by one."""
    from tizim.monitoring.decide import Decider
    from tizim.monitoring.runner import decide_one_by_one

    load_list()
    good = Payment.from_dict(payment(7, creditor="Asbat al-Ansar"))
    bad = Payment.from_dict(payment(8))
    bad.currency = "USDX"  # past validate(): the 3-character column refuses it on PostgreSQL
    decider = Decider()
    decided, refused = decide_one_by_one(decider, [good, bad], [])
    assert [d.status for d in decided][0] == "FREEZE"
    if decided[1:]:  # SQLite stores the 4 letters (no length check): decided too
        assert len(decided) == 2
    else:
        assert len(refused) == 1 and refused[0].reason.startswith("not storable")


def test_cli_monitor_with_hostile_payments_exits_0_and_decides_the_rest(db_url: str, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    load_list()
    lines = [payment(1), *(data for _what, data, _w in HOSTILE if len(json.dumps(data)) < 100_000),
             payment(2, creditor="Asbat al-Ansar")]
    path = tmp_path / "hostile.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=True) for x in lines) + "\n", encoding="utf-8")
    env = dict(os.environ, TIZIM_DATABASE_URL=db_url, NO_COLOR="1")
    env.pop("TIZIM_API_KEY", None)
    done = subprocess.run([sys.executable, "-m", "tizim.cli", "monitor", str(path), "--json"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-800:]
    assert "Traceback" not in done.stderr
    summary = json.loads(done.stdout)
    assert summary["decided"] == 2 and summary["status"]["FREEZE"] == 1
    assert summary["rejected"] == len(lines) - 2


def test_a_line_that_is_not_utf8_is_rejected_alone(tmp_path: Path) -> None:
    from tizim.monitoring.formats import iter_file

    path = tmp_path / "mixed.jsonl"
    path.write_bytes(json.dumps(payment(1)).encode() + b"\n"
                     + b'{"payment_id": "H-\xed\xa0\x80", "amount": "1", "currency": "USD"}\n'
                     + json.dumps(payment(2)).encode() + b"\n")
    items = list(iter_file(path))
    assert [type(i).__name__ for i in items] == ["Payment", "Rejected", "Payment"]
    assert isinstance(items[1], Rejected) and "not UTF-8" in items[1].reason and items[1].line == 2
