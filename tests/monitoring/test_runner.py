"""`tizim monitor`'s runner: the same decisions with screening worker processes as without,
and the progress total counted per format."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.monitoring.helpers import load_list, payment, write_jsonl
from tizim import settings
from tizim.monitoring.queries import list_decisions
from tizim.monitoring.runner import _count_hint, run_file
from tizim.registry.importers import load
from tizim.registry.service import Registry
from tizim.screening import reset_screeners

BANKS = Path(__file__).resolve().parents[1] / "fixtures" / "monitoring" / "banks_sdn.csv"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "monitoring"


def _rows() -> list[dict[str, Any]]:
    rows = []
    for i in range(90):
        extra: dict[str, Any] = {}
        if i % 30 == 7:
            extra["creditor"] = "ISLAMIC MOVEMENT OF UZBEKISTAN"
        if i % 30 == 11:
            extra["remittance"] = "support for Asbat al-Ansar brothers"
        if i % 30 == 13:
            extra["creditor_agent"] = {"bic": "STMRKZKA"}
        if i % 30 == 17:
            extra["creditor_country"] = "KP"
            extra["creditor_account"] = "KP00177"
        rows.append(payment(i, creditor=extra.pop("creditor", ""), **extra))
    rows.append(payment(5))  # a repeated payment: decided once
    # a repeated id with another content: decided on its own (stored as "P-00005#<digest>")
    rows.append(payment(5, creditor="ISLAMIC MOVEMENT OF UZBEKISTAN"))
    return rows


def _decide(path: Path, workers: int) -> list[tuple[Any, ...]]:
    load_list()
    Registry().import_parsed(load(BANKS))
    reset_screeners()
    summary = run_file(path, batch=10, workers=workers)
    assert summary["payments"] == 92 and summary["decided"] == 91 and summary["skipped"] == 1
    assert summary["processes"] == workers and summary["cpu_seconds"] > 0
    return sorted((d["payment_id"], d["status"], d["reasons"], json.dumps(d["matches"], sort_keys=True), d["hold"])
                  for d in list_decisions())


def test_workers_decide_as_one_process(db_url: str, tmp_path: Path, _sqlite_template: Path) -> None:
    path = write_jsonl(tmp_path / "payments.jsonl", _rows())
    pooled = _decide(path, workers=2)  # this process decides and writes, a forked one screens
    # the same file in a fresh SQLite database, everything in this process
    shutil.copyfile(_sqlite_template, tmp_path / "alone.db")
    settings.override(database_url=f"sqlite:///{tmp_path / 'alone.db'}", data_dir=None)
    alone = _decide(path, workers=1)
    assert pooled == alone
    statuses = {pid: status for pid, status, *_ in alone}
    assert len(statuses) == 91
    assert statuses["P-00007"] == statuses["P-00013"] == "FREEZE"  # a listed name; a listed bank's BIC
    assert statuses["P-00011"] == statuses["P-00017"] == "OBSERVE"  # a mention in free text; a rule
    reused = [pid for pid in statuses if pid.startswith("P-00005#")]
    assert len(reused) == 1 and statuses[reused[0]] == "FREEZE" and statuses["P-00005"] == "PASS"
    assert sum(s == "PASS" for s in statuses.values()) == 90 - 12


def test_count_hint_by_format(tmp_path: Path) -> None:
    # ":20:" also occurs in JSONL timestamps: the count follows the format, not the first marker
    path = write_jsonl(tmp_path / "p.jsonl", [payment(i, created_at="2025-03-10T09:20:00+00:00") for i in range(7)])
    assert _count_hint(path, None) == 7
    assert _count_hint(FIXTURES / "mt103_two.txt", None) == 3  # two payments and one without an amount
    assert _count_hint(FIXTURES / "payments.csv", None) == len((FIXTURES / "payments.csv").read_text().splitlines()) - 1
